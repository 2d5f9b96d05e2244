//! The collections of the market's state, loaded for one transition, and the balance
//! movements every transition is made of.

use cid::Cid;
use filmark_actor_shared::AsActorError;
use filmark_actor_shared::show::Addr;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::policy::EX_DEAL_EXPIRED;
use super::state::{BalanceEntry, Deal, DealState, ProviderInfo, State};
use super::types::DealID;
use crate::{ActorError, ActorResult};

/// Bit width of the market's AMTs and HAMT.
pub(super) const BIT_WIDTH: u32 = 5;

type Deals<'s, BS> = Amt<Deal, &'s BS>;
type Balances<'s, BS> = Amt<BalanceEntry, &'s BS>;
type Schedule<'s, BS> = Amt<Vec<DealID>, &'s BS>;
type Providers<'s, BS> = Amt<ProviderInfo, &'s BS>;
type Pending<'s, BS> = Hamt<&'s BS, bool, BytesKey>;

const STATE: ExitCode = ExitCode::USR_ILLEGAL_STATE;

/// Empty collections' roots: deals, balances, pending, schedule, providers.
pub(super) fn empty_roots<BS: Blockstore>(store: &BS) -> ActorResult<[Cid; 5]> {
    let amt = || {
        Amt::<(), &BS>::new_with_bit_width(store, BIT_WIDTH)
            .flush()
            .context_code(STATE, "cannot create an AMT")
    };
    let pending = Pending::<BS>::new_with_bit_width(store, BIT_WIDTH)
        .flush()
        .context_code(STATE, "cannot create the pending set")?;
    Ok([amt()?, amt()?, pending, amt()?, amt()?])
}

pub(super) struct Tables<'s, BS: Blockstore> {
    pub(super) deals: Deals<'s, BS>,
    balances: Balances<'s, BS>,
    pending: Pending<'s, BS>,
    pub(super) schedule: Schedule<'s, BS>,
    providers: Providers<'s, BS>,
    next_id: DealID,
}

impl<'s, BS: Blockstore> Tables<'s, BS> {
    pub(super) fn load(state: &State, store: &'s BS) -> ActorResult<Self> {
        Ok(Self {
            deals: Amt::load(&state.deals, store).context_code(STATE, "cannot load deals")?,
            balances: Amt::load(&state.balances, store)
                .context_code(STATE, "cannot load balances")?,
            pending: Hamt::load_with_bit_width(&state.pending, store, BIT_WIDTH)
                .context_code(STATE, "cannot load pending proposals")?,
            schedule: Amt::load(&state.schedule, store)
                .context_code(STATE, "cannot load the schedule")?,
            providers: Amt::load(&state.providers, store)
                .context_code(STATE, "cannot load providers")?,
            next_id: state.next_id,
        })
    }

    pub(super) fn flush(mut self, state: &mut State) -> ActorResult<()> {
        state.deals = self
            .deals
            .flush()
            .context_code(STATE, "cannot flush deals")?;
        state.balances = self
            .balances
            .flush()
            .context_code(STATE, "cannot flush balances")?;
        state.pending = self
            .pending
            .flush()
            .context_code(STATE, "cannot flush pending")?;
        state.schedule = self
            .schedule
            .flush()
            .context_code(STATE, "cannot flush schedule")?;
        state.providers = self
            .providers
            .flush()
            .context_code(STATE, "cannot flush providers")?;
        state.next_id = self.next_id;
        Ok(())
    }

    /// Allocates the next deal id.
    pub(super) fn next_deal_id(&mut self) -> DealID {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(super) fn for_each_balance(
        &self,
        mut f: impl FnMut(ActorID, &BalanceEntry),
    ) -> ActorResult<()> {
        self.balances
            .for_each(|id, entry| {
                f(id, entry);
                Ok(())
            })
            .context_code(STATE, "cannot iterate balances")
    }

    pub(super) fn balance(&self, id: ActorID) -> ActorResult<BalanceEntry> {
        Ok(self
            .balances
            .get(id)
            .context_code(STATE, "cannot read balances")?
            .cloned()
            .unwrap_or_default())
    }

    /// Applies `f` to `id`'s entry, which must keep `0 <= locked <= balance`.
    pub(super) fn update_balance(
        &mut self,
        id: ActorID,
        f: impl FnOnce(&mut BalanceEntry) -> ActorResult<()>,
    ) -> ActorResult<()> {
        let mut entry = self.balance(id)?;
        f(&mut entry)?;
        if entry.locked.is_negative() || entry.locked > entry.balance {
            return Err(ActorError::illegal_state(format!(
                "f0{id}: locked funds would leave [0, balance]"
            )));
        }
        if entry.balance.is_zero() {
            self.balances
                .delete(id)
                .context_code(STATE, "cannot write balances")?;
        } else {
            self.balances
                .set(id, entry)
                .context_code(STATE, "cannot write balances")?;
        }
        Ok(())
    }

    /// Moves `amount` of the client's locked funds to the provider's available funds.
    pub(super) fn transfer(
        &mut self,
        client: ActorID,
        provider: ActorID,
        amount: &TokenAmount,
    ) -> ActorResult<()> {
        if !amount.is_positive() {
            return Ok(());
        }
        self.update_balance(client, |e| {
            e.balance -= amount;
            e.locked -= amount;
            Ok(())
        })?;
        self.update_balance(provider, |e| {
            e.balance += amount;
            Ok(())
        })
    }

    /// Unlocks `amount` of `id`'s locked funds.
    pub(super) fn unlock(&mut self, id: ActorID, amount: &TokenAmount) -> ActorResult<()> {
        self.update_balance(id, |e| {
            e.locked -= amount;
            Ok(())
        })
    }

    /// Takes `amount` of `id`'s locked funds out of its escrow (to be burnt); returns it.
    pub(super) fn slash(&mut self, id: ActorID, amount: &TokenAmount) -> ActorResult<TokenAmount> {
        self.update_balance(id, |e| {
            e.balance -= amount;
            e.locked -= amount;
            Ok(())
        })?;
        Ok(amount.clone())
    }

    /// A live deal, if any.
    pub(super) fn find_deal(&self, id: DealID) -> ActorResult<Option<Deal>> {
        Ok(self
            .deals
            .get(id)
            .context_code(STATE, "cannot read deals")?
            .cloned())
    }

    /// A live deal, or 17 (never published) / 32 (removed).
    pub(super) fn deal(&self, id: DealID) -> ActorResult<Deal> {
        self.find_deal(id)?
            .ok_or_else(|| missing_deal(self.next_id, id))
    }

    pub(super) fn set_deal(&mut self, id: DealID, deal: Deal) -> ActorResult<()> {
        self.deals
            .set(id, deal)
            .context_code(STATE, "cannot write deals")
    }

    /// Writes `deal` back with `state` last updated at `now`.
    pub(super) fn set_updated(
        &mut self,
        id: DealID,
        deal: &Deal,
        state: DealState,
        now: ChainEpoch,
    ) -> ActorResult<()> {
        let state = DealState {
            last_updated_epoch: now,
            ..state
        };
        self.set_deal(
            id,
            Deal {
                state,
                ..deal.clone()
            },
        )
    }

    pub(super) fn remove_deal(&mut self, id: DealID) -> ActorResult<()> {
        self.deals
            .delete(id)
            .context_code(STATE, "cannot delete deal")?;
        Ok(())
    }

    pub(super) fn is_pending(&self, cid: &[u8]) -> ActorResult<bool> {
        self.pending
            .contains_key(&BytesKey(cid.to_vec()))
            .context_code(STATE, "cannot read pending proposals")
    }

    pub(super) fn add_pending(&mut self, cid: &[u8]) -> ActorResult<()> {
        self.pending
            .set(BytesKey(cid.to_vec()), true)
            .context_code(STATE, "cannot write pending proposals")?;
        Ok(())
    }

    /// Removes a pending proposal; whether it was there.
    pub(super) fn remove_pending(&mut self, cid: &[u8]) -> ActorResult<bool> {
        Ok(self
            .pending
            .delete(&BytesKey(cid.to_vec()))
            .context_code(STATE, "cannot write pending proposals")?
            .is_some())
    }

    /// Schedules deal `id`'s next update at `epoch`.
    pub(super) fn schedule(&mut self, epoch: ChainEpoch, id: DealID) -> ActorResult<()> {
        let at = u64::try_from(epoch)
            .map_err(|_| ActorError::illegal_state(format!("update epoch {epoch} is negative")))?;
        let mut ids = self
            .schedule
            .get(at)
            .context_code(STATE, "cannot read the schedule")?
            .cloned()
            .unwrap_or_default();
        ids.push(id);
        self.schedule
            .set(at, ids)
            .context_code(STATE, "cannot write the schedule")
    }

    pub(super) fn provider(&self, id: ActorID) -> ActorResult<Option<ProviderInfo>> {
        Ok(self
            .providers
            .get(id)
            .context_code(STATE, "cannot read providers")?
            .cloned())
    }

    pub(super) fn set_provider(&mut self, id: ActorID, info: ProviderInfo) -> ActorResult<()> {
        self.providers
            .set(id, info)
            .context_code(STATE, "cannot write providers")
    }
}

/// The error for a deal id with no deal: removed (32) if it was allocated, else 17.
pub(crate) fn missing_deal(next_id: DealID, id: DealID) -> ActorError {
    if id < next_id {
        ActorError::unchecked(EX_DEAL_EXPIRED, format!("deal {id} expired"))
    } else {
        ActorError::not_found(format!("no such deal {id}"))
    }
}

/// The actor id of a stored (normalised) proposal party.
pub(super) fn id_of(address: &Address) -> ActorResult<ActorID> {
    address.id().map_err(|_| {
        ActorError::illegal_state(format!(
            "stored party {} is not an ID address",
            Addr(address)
        ))
    })
}
