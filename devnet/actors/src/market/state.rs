//! The market's state and every state transition, independent of the FVM so the devnet and the
//! unit tests run them natively.

use cid::Cid;
use filmark_actor_shared::AsActorError;
use filmark_actor_shared::show::Addr;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::policy::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED};
use super::types::{DealID, DealProposal};
use crate::{ActorError, ActorResult};

/// Bit width of the deal AMTs.
pub const AMT_BIT_WIDTH: u32 = 5;

/// "Not yet" for the epochs of a [`DealState`].
pub const EPOCH_UNSET: ChainEpoch = -1;

/// The market's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// AMT of [`DealID`] → [`Deal`] (one AMT rather than two keeps the wasm smaller).
    pub deals: Cid,
    /// AMT of [`ActorID`] → [`BalanceEntry`] (an AMT, not the real market's HAMT of
    /// addresses: no key hashing code in the wasm).
    pub balances: Cid,
    /// The next deal id; ids below it and absent from `deals` were removed.
    pub next_id: DealID,
}

/// A live deal: its proposal and what happened to it so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Deal {
    /// The proposal (client and provider as ID addresses).
    pub proposal: DealProposal,
    /// Its state.
    pub state: DealState,
}

/// What happened to a deal so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealState {
    /// Epoch the deal was activated (its sector started), or [`EPOCH_UNSET`].
    pub sector_start_epoch: ChainEpoch,
    /// Epoch up to which the provider has been paid, or [`EPOCH_UNSET`].
    pub last_updated_epoch: ChainEpoch,
    /// Epoch the deal was terminated (slashed), or [`EPOCH_UNSET`].
    pub slash_epoch: ChainEpoch,
}

impl DealState {
    const NEW: Self = Self {
        sector_start_epoch: EPOCH_UNSET,
        last_updated_epoch: EPOCH_UNSET,
        slash_epoch: EPOCH_UNSET,
    };

    /// Whether the deal was activated.
    pub const fn is_activated(&self) -> bool {
        self.sector_start_epoch != EPOCH_UNSET
    }

    /// Whether the deal was terminated.
    pub const fn is_terminated(&self) -> bool {
        self.slash_epoch != EPOCH_UNSET
    }
}

/// One party's escrow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BalanceEntry {
    /// Everything held for the party, locked funds included.
    pub balance: TokenAmount,
    /// The part backing its deals.
    pub locked: TokenAmount,
}

impl BalanceEntry {
    /// What the party may withdraw or lock: `balance - locked`.
    pub fn available(&self) -> TokenAmount {
        &self.balance - &self.locked
    }
}

/// What a state transition leaves for the actor to do outside its state: burn slashed
/// collateral and emit events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effects {
    /// Collateral to send to the burnt funds actor.
    pub burn: TokenAmount,
    /// Deal events, in order.
    pub events: Vec<DealEvent>,
}

/// The kinds of deal events, named as the real market's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DealEventKind {
    /// `deal-published`.
    Published,
    /// `deal-activated`.
    Activated,
    /// `deal-terminated`.
    Terminated,
    /// `deal-completed`: the deal reached its end epoch and was removed.
    Completed,
}

impl DealEventKind {
    /// The event's `$type`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Published => "deal-published",
            Self::Activated => "deal-activated",
            Self::Terminated => "deal-terminated",
            Self::Completed => "deal-completed",
        }
    }
}

/// A deal event: `{$type, id, client, provider}`, every entry indexed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealEvent {
    /// What happened.
    pub kind: DealEventKind,
    /// The deal.
    pub id: DealID,
    /// Its client.
    pub client: ActorID,
    /// Its provider.
    pub provider: ActorID,
}

impl DealEvent {
    /// The event of `kind` for deal `id` with `proposal`'s (ID address) parties.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if a party is not an ID address.
    pub fn new(kind: DealEventKind, id: DealID, proposal: &DealProposal) -> ActorResult<Self> {
        Ok(Self {
            kind,
            id,
            client: id_of(&proposal.client)?,
            provider: id_of(&proposal.provider)?,
        })
    }
}

type Deals<'s, BS> = Amt<Deal, &'s BS>;
type Balances<'s, BS> = Amt<BalanceEntry, &'s BS>;

/// The collections of a [`State`], loaded for one transition.
struct Tables<'s, BS: Blockstore> {
    deals: Deals<'s, BS>,
    balances: Balances<'s, BS>,
}

impl<'s, BS: Blockstore> Tables<'s, BS> {
    fn load(state: &State, store: &'s BS) -> ActorResult<Self> {
        Ok(Self {
            deals: Amt::load(&state.deals, store)
                .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot load deals")?,
            balances: Amt::load(&state.balances, store)
                .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot load balances")?,
        })
    }

    fn flush(mut self, state: &mut State) -> ActorResult<()> {
        state.deals = self
            .deals
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot flush deals")?;
        state.balances = self
            .balances
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot flush balances")?;
        Ok(())
    }

    fn balance(&self, id: ActorID) -> ActorResult<BalanceEntry> {
        Ok(self
            .balances
            .get(id)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot read balances")?
            .cloned()
            .unwrap_or_default())
    }

    fn set_balance(&mut self, id: ActorID, entry: BalanceEntry) -> ActorResult<()> {
        if entry.balance.is_zero() {
            self.balances
                .delete(id)
                .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot write balances")?;
        } else {
            self.balances
                .set(id, entry)
                .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot write balances")?;
        }
        Ok(())
    }

    /// Applies `f` to `id`'s entry.
    fn update_balance(
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
        self.set_balance(id, entry)
    }

    fn deal(&self, next_id: DealID, id: DealID) -> ActorResult<(DealProposal, DealState)> {
        let deal = self
            .deals
            .get(id)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot read deals")?
            .ok_or_else(|| missing_deal(next_id, id))?;
        Ok((deal.proposal.clone(), deal.state))
    }

    fn set_deal(&mut self, id: DealID, deal: Deal) -> ActorResult<()> {
        self.deals
            .set(id, deal)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot write deals")
    }

    fn remove_deal(&mut self, id: DealID) -> ActorResult<()> {
        self.deals
            .delete(id)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot delete deal")?;
        Ok(())
    }

    /// Pays the provider for the epochs in `[max(start, last paid), min(until, end))`.
    fn settle(
        &mut self,
        proposal: &DealProposal,
        deal: &mut DealState,
        until: ChainEpoch,
    ) -> ActorResult<()> {
        let from = proposal.start_epoch.max(deal.last_updated_epoch);
        let to = until.min(proposal.end_epoch);
        if to <= from {
            return Ok(());
        }
        let payment = &proposal.storage_price_per_epoch * (to - from);
        let client = id_of(&proposal.client)?;
        let provider = id_of(&proposal.provider)?;
        self.update_balance(client, |e| {
            e.balance -= &payment;
            e.locked -= &payment;
            Ok(())
        })?;
        self.update_balance(provider, |e| {
            e.balance += &payment;
            Ok(())
        })?;
        deal.last_updated_epoch = to;
        Ok(())
    }

    /// Ends a deal early: the client's unspent funds unlock, the provider's collateral burns.
    fn slash(&mut self, proposal: &DealProposal, deal: &DealState) -> ActorResult<TokenAmount> {
        let paid_from = proposal
            .start_epoch
            .max(deal.last_updated_epoch)
            .min(proposal.end_epoch);
        let unspent = &proposal.storage_price_per_epoch * (proposal.end_epoch - paid_from)
            + &proposal.client_collateral;
        self.update_balance(id_of(&proposal.client)?, |e| {
            e.locked -= &unspent;
            Ok(())
        })?;
        let collateral = proposal.provider_collateral.clone();
        self.update_balance(id_of(&proposal.provider)?, |e| {
            e.balance -= &collateral;
            e.locked -= &collateral;
            Ok(())
        })?;
        Ok(collateral)
    }
}

/// The error for a deal id with no proposal: removed (32) if it was allocated, else 17.
pub(crate) fn missing_deal(next_id: DealID, id: DealID) -> ActorError {
    if id < next_id {
        ActorError::unchecked(
            EX_DEAL_EXPIRED,
            format!("deal {id} expired or was terminated"),
        )
    } else {
        ActorError::not_found(format!("no deal {id}"))
    }
}

/// Locks `need` of `entry`'s available funds.
fn lock(entry: &mut BalanceEntry, need: &TokenAmount, who: &str) -> ActorResult<()> {
    if entry.available() < *need {
        return Err(ActorError::insufficient_funds(format!(
            "{who} has too little available in the market"
        )));
    }
    entry.locked += need;
    Ok(())
}

/// The actor id of a stored (normalised) proposal party.
fn id_of(address: &Address) -> ActorResult<ActorID> {
    address.id().map_err(|_| {
        ActorError::illegal_state(format!(
            "stored party {} is not an ID address",
            Addr(address)
        ))
    })
}

impl State {
    /// An empty market.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn new<BS: Blockstore>(store: &BS) -> ActorResult<Self> {
        let deals = Deals::<BS>::new_with_bit_width(store, AMT_BIT_WIDTH)
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot create deals")?;
        let balances = Balances::<BS>::new_with_bit_width(store, AMT_BIT_WIDTH)
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot create balances")?;
        Ok(Self {
            deals,
            balances,
            next_id: 0,
        })
    }

    /// A party's escrow (zero if it has none).
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn balance<BS: Blockstore>(&self, store: &BS, id: ActorID) -> ActorResult<BalanceEntry> {
        Tables::load(self, store)?.balance(id)
    }

    /// A deal's proposal and state.
    ///
    /// # Errors
    ///
    /// `USR_NOT_FOUND` (17) for an id never allocated, `EX_DEAL_EXPIRED` (32) for a deal that
    /// was removed (expired, terminated or dropped), `USR_ILLEGAL_STATE` if the store fails.
    pub fn deal<BS: Blockstore>(
        &self,
        store: &BS,
        id: DealID,
    ) -> ActorResult<(DealProposal, DealState)> {
        Tables::load(self, store)?.deal(self.next_id, id)
    }

    /// Credits `amount` to `id`'s escrow.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_ARGUMENT` if the amount is not positive; `USR_ILLEGAL_STATE` if the store
    /// fails.
    pub fn add_balance<BS: Blockstore>(
        &mut self,
        store: &BS,
        id: ActorID,
        amount: &TokenAmount,
    ) -> ActorResult<()> {
        if !amount.is_positive() {
            return Err(ActorError::illegal_argument(
                "balance to add must be positive",
            ));
        }
        let mut tables = Tables::load(self, store)?;
        tables.update_balance(id, |e| {
            e.balance += amount;
            Ok(())
        })?;
        tables.flush(self)
    }

    /// Takes up to `amount` of `id`'s unlocked escrow out; returns what was taken.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_ARGUMENT` if the amount is negative; `USR_ILLEGAL_STATE` if the store fails.
    pub fn withdraw_balance<BS: Blockstore>(
        &mut self,
        store: &BS,
        id: ActorID,
        amount: &TokenAmount,
    ) -> ActorResult<TokenAmount> {
        if amount.is_negative() {
            return Err(ActorError::illegal_argument(
                "amount to withdraw must not be negative",
            ));
        }
        let mut tables = Tables::load(self, store)?;
        let mut taken = TokenAmount::default();
        tables.update_balance(id, |e| {
            taken = e.available().min(amount.clone());
            e.balance -= &taken;
            Ok(())
        })?;
        tables.flush(self)?;
        Ok(taken)
    }

    /// Stores a checked proposal (client and provider already ID addresses) and locks the
    /// client's fee and collateral and the provider's collateral.
    ///
    /// # Errors
    ///
    /// `USR_INSUFFICIENT_FUNDS` if either party's unlocked escrow does not cover its part
    /// (nothing changes then); `USR_ILLEGAL_STATE` if the store fails.
    pub fn publish_deal<BS: Blockstore>(
        &mut self,
        store: &BS,
        proposal: DealProposal,
    ) -> ActorResult<DealID> {
        let client = id_of(&proposal.client)?;
        let provider = id_of(&proposal.provider)?;
        let client_lock = proposal.client_balance_requirement();
        let mut tables = Tables::load(self, store)?;
        tables.update_balance(client, |e| lock(e, &client_lock, "client"))?;
        tables.update_balance(provider, |e| {
            lock(e, &proposal.provider_collateral, "provider")
        })?;
        let id = self.next_id;
        let state = DealState::NEW;
        tables.set_deal(id, Deal { proposal, state })?;
        tables.flush(self)?;
        self.next_id += 1;
        Ok(id)
    }

    /// Activates deals at epoch `now`, which must not be past their start.
    ///
    /// # Errors
    ///
    /// 17 / 32 for a missing deal, `USR_ILLEGAL_ARGUMENT` for a deal already activated or past
    /// its start epoch; nothing changes then.
    pub fn activate_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        ids: &[DealID],
        now: ChainEpoch,
    ) -> ActorResult<Effects> {
        let mut tables = Tables::load(self, store)?;
        let mut effects = Effects::default();
        for &id in ids {
            let (proposal, mut deal) = tables.deal(self.next_id, id)?;
            if deal.is_activated() {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} is already active"
                )));
            }
            if now > proposal.start_epoch {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} starts at epoch {}, cannot activate at {now}",
                    proposal.start_epoch
                )));
            }
            deal.sector_start_epoch = now;
            let event = DealEvent::new(DealEventKind::Activated, id, &proposal)?;
            effects.events.push(event);
            tables.set_deal(
                id,
                Deal {
                    proposal,
                    state: deal,
                },
            )?;
        }
        tables.flush(self)?;
        Ok(effects)
    }

    /// Terminates (slashes) active deals at epoch `now`: the provider is paid up to `now`, the
    /// client's unspent fee and collateral unlock, the provider's collateral is burnt. The deal
    /// stays readable (with its termination epoch) until the next [`State::cron_tick`].
    ///
    /// # Errors
    ///
    /// 17 / 32 for a missing deal, `EX_DEAL_NOT_ACTIVATED` (33) for a deal not activated,
    /// `USR_ILLEGAL_ARGUMENT` for one already terminated or ended; nothing changes then.
    pub fn terminate_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        ids: &[DealID],
        now: ChainEpoch,
    ) -> ActorResult<Effects> {
        let mut tables = Tables::load(self, store)?;
        let mut effects = Effects::default();
        for &id in ids {
            let (proposal, mut deal) = tables.deal(self.next_id, id)?;
            if !deal.is_activated() {
                return Err(ActorError::unchecked(
                    EX_DEAL_NOT_ACTIVATED,
                    format!("deal {id} is not active"),
                ));
            }
            if deal.is_terminated() {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} is already terminated"
                )));
            }
            if now >= proposal.end_epoch {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} ended at epoch {}",
                    proposal.end_epoch
                )));
            }
            tables.settle(&proposal, &mut deal, now)?;
            effects.burn += tables.slash(&proposal, &deal)?;
            deal.slash_epoch = now;
            let event = DealEvent::new(DealEventKind::Terminated, id, &proposal)?;
            effects.events.push(event);
            tables.set_deal(
                id,
                Deal {
                    proposal,
                    state: deal,
                },
            )?;
        }
        tables.flush(self)?;
        Ok(effects)
    }

    /// The end-of-epoch pass at `now`: pays providers up to `now`, removes ended deals
    /// (collateral unlocked), terminated deals, and deals not activated by their start epoch
    /// (provider collateral burnt, client funds unlocked). Visits every live deal.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails or the state is inconsistent.
    pub fn cron_tick<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
    ) -> ActorResult<Effects> {
        let mut tables = Tables::load(self, store)?;
        let mut ids = Vec::new();
        tables
            .deals
            .for_each(|id, _| {
                ids.push(id);
                Ok(())
            })
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot iterate deals")?;
        let mut effects = Effects::default();
        for id in ids {
            let (proposal, mut deal) = tables.deal(self.next_id, id)?;
            if deal.is_terminated() {
                tables.remove_deal(id)?;
            } else if !deal.is_activated() {
                if now >= proposal.start_epoch {
                    effects.burn += tables.slash(&proposal, &deal)?;
                    tables.remove_deal(id)?;
                }
            } else {
                tables.settle(&proposal, &mut deal, now)?;
                if now >= proposal.end_epoch {
                    let client = id_of(&proposal.client)?;
                    tables.update_balance(client, |e| {
                        e.locked -= &proposal.client_collateral;
                        Ok(())
                    })?;
                    tables.update_balance(id_of(&proposal.provider)?, |e| {
                        e.locked -= &proposal.provider_collateral;
                        Ok(())
                    })?;
                    tables.remove_deal(id)?;
                    let event = DealEvent::new(DealEventKind::Completed, id, &proposal)?;
                    effects.events.push(event);
                } else {
                    tables.set_deal(
                        id,
                        Deal {
                            proposal,
                            state: deal,
                        },
                    )?;
                }
            }
        }
        tables.flush(self)?;
        Ok(effects)
    }

    /// Calls `f` with every live deal, in id order.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails, or what `f` returns.
    pub fn for_each_deal<BS: Blockstore>(
        &self,
        store: &BS,
        mut f: impl FnMut(DealID, &DealProposal, &DealState) -> ActorResult<()>,
    ) -> ActorResult<()> {
        let tables = Tables::load(self, store)?;
        let mut result = Ok(());
        tables
            .deals
            .for_each_while(|id, deal| {
                result = f(id, &deal.proposal, &deal.state);
                Ok(result.is_ok())
            })
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot iterate deals")?;
        result
    }

    /// Calls `f` with every party's escrow.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn for_each_balance<BS: Blockstore>(
        &self,
        store: &BS,
        mut f: impl FnMut(ActorID, &BalanceEntry),
    ) -> ActorResult<()> {
        let tables = Tables::load(self, store)?;
        tables
            .balances
            .for_each(|id, entry| {
                f(id, entry);
                Ok(())
            })
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot iterate balances")
    }
}
