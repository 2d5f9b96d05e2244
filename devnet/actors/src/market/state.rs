//! The market's state and its transitions but settlement (`settle.rs`), independent of the FVM
//! so the devnet and the unit tests run them natively.

use std::collections::{BTreeMap, BTreeSet};

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use super::policy::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED, MarketPolicy};
use super::tables::{Tables, empty_roots, id_of};
use super::types::{DealID, DealProposal};
use crate::{ActorError, ActorResult};

/// "Not yet" for the epochs of a [`DealState`].
pub const EPOCH_UNSET: ChainEpoch = -1;

/// The market's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// AMT of [`DealID`] → [`Deal`] (the real market keeps proposals and states in two).
    pub deals: Cid,
    /// AMT of [`ActorID`] → [`BalanceEntry`] (the real market: two HAMTs of addresses).
    pub balances: Cid,
    /// HAMT of proposal CID bytes → `true`: published proposals not yet updated once after
    /// activation (the real market's `pending_proposals`, which refuses duplicates).
    pub pending: Cid,
    /// AMT of epoch → deal ids updated by the cron at that epoch (`deal_ops_by_epoch`).
    pub schedule: Cid,
    /// AMT of provider [`ActorID`] → [`ProviderInfo`], for providers that are not miner actors
    /// and were given controlling addresses (a devnet extension: a miner is asked instead).
    pub providers: Cid,
    /// The next deal id; ids below it and absent from `deals` were removed.
    pub next_id: DealID,
    /// The last epoch the cron ran at.
    pub last_cron: ChainEpoch,
    /// The numbers deals are checked against.
    pub policy: MarketPolicy,
}

/// A live deal: its proposal, the proposal's CID and what happened to it so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Deal {
    /// The proposal (client and provider as ID addresses).
    pub proposal: DealProposal,
    /// The bytes of its CID (see [`super::types::proposal_cid`]): bytes, not a link, as the
    /// FVM refuses a block linking to a block it does not hold.
    #[serde(with = "fvm_ipld_encoding::strict_bytes")]
    pub proposal_cid: Vec<u8>,
    /// Its state.
    pub state: DealState,
}

/// What happened to a deal so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealState {
    /// The sector it was activated in (0 until then).
    pub sector_number: u64,
    /// Epoch the deal was activated (its sector started), or [`EPOCH_UNSET`].
    pub sector_start_epoch: ChainEpoch,
    /// Epoch of its last payment update, or [`EPOCH_UNSET`].
    pub last_updated_epoch: ChainEpoch,
    /// Epoch the deal was terminated (slashed), or [`EPOCH_UNSET`]. Terminations remove the
    /// deal at once, so only a state written by hand (as the real market's legacy deals
    /// marked for termination) has it set.
    pub slash_epoch: ChainEpoch,
}

impl DealState {
    /// A published, not yet activated deal.
    pub const NEW: Self = Self {
        sector_number: 0,
        sector_start_epoch: EPOCH_UNSET,
        last_updated_epoch: EPOCH_UNSET,
        slash_epoch: EPOCH_UNSET,
    };

    /// Whether the deal was activated.
    pub const fn is_activated(&self) -> bool {
        self.sector_start_epoch != EPOCH_UNSET
    }

    /// Whether the deal is marked terminated.
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

/// The addresses that control a provider, as a miner's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProviderInfo {
    /// Receives withdrawals; may publish and withdraw.
    pub owner: ActorID,
    /// May publish and withdraw.
    pub worker: ActorID,
    /// May publish.
    pub control_addresses: Vec<ActorID>,
}

impl ProviderInfo {
    /// A provider without registered addresses controls itself.
    pub const fn itself(provider: ActorID) -> Self {
        Self {
            owner: provider,
            worker: provider,
            control_addresses: Vec::new(),
        }
    }

    /// Whether `caller` may publish deals for the provider (the miner's
    /// `IsControllingAddress`: owner, worker or a control address).
    pub fn is_controlling(&self, caller: ActorID) -> bool {
        caller == self.owner || caller == self.worker || self.control_addresses.contains(&caller)
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
    /// `deal-completed`: the deal was settled at or after its end epoch and removed.
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

/// A proposal that passed the checks needing no state (static rules, the client's
/// authentication), with its parties as ID addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Its index in the `PublishStorageDeals` params.
    pub index: u64,
    /// The normalised proposal.
    pub proposal: DealProposal,
    /// Its CID.
    pub cid: Cid,
}

/// A published deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// Its index in the params.
    pub index: u64,
    /// Its new id.
    pub id: DealID,
    /// The stored proposal.
    pub proposal: DealProposal,
}

impl State {
    /// An empty market checking deals against `policy`.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn new<BS: Blockstore>(store: &BS, policy: MarketPolicy) -> ActorResult<Self> {
        let [deals, balances, pending, schedule, providers] = empty_roots(store)?;
        Ok(Self {
            deals,
            balances,
            pending,
            schedule,
            providers,
            next_id: 0,
            last_cron: EPOCH_UNSET,
            policy,
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

    /// A live deal.
    ///
    /// # Errors
    ///
    /// `USR_NOT_FOUND` (17) for an id never allocated, `EX_DEAL_EXPIRED` (32) for a deal that
    /// was removed (settled to its end, terminated or dropped), `USR_ILLEGAL_STATE` if the
    /// store fails.
    pub fn deal<BS: Blockstore>(&self, store: &BS, id: DealID) -> ActorResult<Deal> {
        Tables::load(self, store)?.deal(id)
    }

    /// `GetDealActivation`: `(activated, -1)`, or `(-1, -1)` for a deal not activated.
    ///
    /// # Errors
    ///
    /// As [`State::deal`]; `EX_DEAL_EXPIRED` also for a deal whose slash epoch is set.
    pub fn deal_activation<BS: Blockstore>(
        &self,
        store: &BS,
        id: DealID,
    ) -> ActorResult<(ChainEpoch, ChainEpoch)> {
        let deal = self.deal(store, id)?;
        if deal.state.is_terminated() {
            return Err(ActorError::unchecked(
                EX_DEAL_EXPIRED,
                format!("deal {id} expired"),
            ));
        }
        Ok((deal.state.sector_start_epoch, deal.state.slash_epoch))
    }

    /// `GetDealSector`: the sector a deal was activated in.
    ///
    /// # Errors
    ///
    /// As [`State::deal_activation`]; `EX_DEAL_NOT_ACTIVATED` (33) for a deal not activated.
    pub fn deal_sector<BS: Blockstore>(&self, store: &BS, id: DealID) -> ActorResult<u64> {
        let deal = self.deal(store, id)?;
        if !deal.state.is_activated() {
            return Err(ActorError::unchecked(
                EX_DEAL_NOT_ACTIVATED,
                format!("deal {id} not yet activated"),
            ));
        }
        if deal.state.is_terminated() {
            return Err(ActorError::unchecked(
                EX_DEAL_EXPIRED,
                format!("deal {id} expired"),
            ));
        }
        Ok(deal.state.sector_number)
    }

    /// The addresses controlling `provider` ([`ProviderInfo::itself`] if none were registered).
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn provider<BS: Blockstore>(
        &self,
        store: &BS,
        provider: ActorID,
    ) -> ActorResult<ProviderInfo> {
        Ok(Tables::load(self, store)?
            .provider(provider)?
            .unwrap_or_else(|| ProviderInfo::itself(provider)))
    }

    /// Records the addresses controlling `provider`.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn register_provider<BS: Blockstore>(
        &mut self,
        store: &BS,
        provider: ActorID,
        info: ProviderInfo,
    ) -> ActorResult<()> {
        let mut tables = Tables::load(self, store)?;
        tables.set_provider(provider, info)?;
        tables.flush(self)
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
            return Err(ActorError::illegal_argument(format!(
                "balance to add must be greater than zero was: {amount}"
            )));
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
        check_withdrawal(amount)?;
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

    /// Publishes the candidates of one `PublishStorageDeals` call, all from `provider`, as the
    /// real market: each is dropped (and says why in the second list) if it names another
    /// provider, is verified (the devnet has no DataCap), its client's or the provider's
    /// unlocked escrow does not cover it together with the batch's earlier deals, or it
    /// duplicates a pending proposal or an earlier one of the batch. The others lock their
    /// funds, get ids in order and are scheduled for their first update.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_ARGUMENT` (16) if no candidate is valid (nothing changes then);
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn publish_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        provider: ActorID,
        candidates: Vec<Candidate>,
    ) -> ActorResult<(Vec<Published>, Vec<String>)> {
        let mut tables = Tables::load(self, store)?;
        let mut rejected = Vec::new();
        let mut client_lockup: BTreeMap<ActorID, TokenAmount> = BTreeMap::new();
        let mut provider_lockup = TokenAmount::default();
        let mut seen = BTreeSet::new();
        let mut valid = Vec::new();
        for c in candidates {
            let p = &c.proposal;
            let reason = if id_of(&p.provider)? != provider {
                Some("cannot publish deals from multiple providers in one batch")
            } else if p.verified_deal {
                Some("verified deal: the client has no DataCap (no verified registry)")
            } else {
                let client = id_of(&p.client)?;
                let need = client_lockup.get(&client).cloned().unwrap_or_default()
                    + p.client_balance_requirement();
                let provider_need = &provider_lockup + &p.provider_collateral;
                if tables.balance(client)?.available() < need {
                    Some("insufficient client funds to cover proposal cost")
                } else if tables.balance(provider)?.available() < provider_need {
                    Some("insufficient provider funds to cover proposal cost")
                } else if tables.is_pending(&c.cid.to_bytes())? || seen.contains(&c.cid) {
                    Some("cannot publish duplicate deal proposal")
                } else {
                    client_lockup.insert(client, need);
                    provider_lockup = provider_need;
                    None
                }
            };
            match reason {
                Some(why) => rejected.push(format!("deal {}: {why}", c.index)),
                None => {
                    seen.insert(c.cid);
                    valid.push(c);
                }
            }
        }
        if valid.is_empty() {
            return Err(ActorError::illegal_argument(format!(
                "All deal proposals invalid: {}",
                rejected.join("; ")
            )));
        }
        let mut published = Vec::with_capacity(valid.len());
        for c in valid {
            let p = c.proposal;
            tables.update_balance(id_of(&p.client)?, |e| {
                lock(e, &p.client_balance_requirement())
            })?;
            tables.update_balance(provider, |e| lock(e, &p.provider_collateral))?;
            tables.add_pending(&c.cid.to_bytes())?;
            let id = tables.next_deal_id();
            let first_update = self.policy.next_update_epoch(id, p.start_epoch);
            tables.schedule(first_update, id)?;
            let deal = Deal {
                proposal: p.clone(),
                proposal_cid: c.cid.to_bytes(),
                state: DealState::NEW,
            };
            tables.set_deal(id, deal)?;
            published.push(Published {
                index: c.index,
                id,
                proposal: p,
            });
        }
        tables.flush(self)?;
        Ok((published, rejected))
    }

    /// Activates deals in sector `sector` at epoch `now` (the devnet's stand-in for sector
    /// activation), with the real market's checks: the deal exists, `now` is not past its
    /// start (else 32, as if cleaned up), it is not active yet, its piece fits a sector.
    ///
    /// # Errors
    ///
    /// 17 / 32 for a missing deal, 32 past its start epoch, `USR_ILLEGAL_ARGUMENT` for a deal
    /// already active, listed twice or too large; nothing changes then.
    pub fn activate_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        sector: u64,
        ids: &[DealID],
        now: ChainEpoch,
    ) -> ActorResult<Effects> {
        let mut tables = Tables::load(self, store)?;
        let mut effects = Effects::default();
        let mut seen = BTreeSet::new();
        for &id in ids {
            let mut deal = tables.deal(id)?;
            let p = &deal.proposal;
            if !seen.insert(id) {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} listed twice"
                )));
            }
            if now > p.start_epoch {
                return Err(ActorError::unchecked(
                    EX_DEAL_EXPIRED,
                    format!(
                        "deal {id}: start epoch {} has already elapsed at {now}",
                        p.start_epoch
                    ),
                ));
            }
            if deal.state.is_activated() {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} already activated"
                )));
            }
            if p.piece_size.0 > self.policy.max_sector_size {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id}: piece of {} bytes does not fit a {}-byte sector",
                    p.piece_size.0, self.policy.max_sector_size
                )));
            }
            deal.state = DealState {
                sector_number: sector,
                sector_start_epoch: now,
                ..DealState::NEW
            };
            effects
                .events
                .push(DealEvent::new(DealEventKind::Activated, id, p)?);
            tables.set_deal(id, deal)?;
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
        mut f: impl FnMut(DealID, &Deal) -> ActorResult<()>,
    ) -> ActorResult<()> {
        let tables = Tables::load(self, store)?;
        let mut result = Ok(());
        tables
            .deals
            .for_each_while(|id, deal| {
                result = f(id, deal);
                Ok(result.is_ok())
            })
            .map_err(|e| ActorError::illegal_state(format!("cannot iterate deals: {e}")))?;
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
        f: impl FnMut(ActorID, &BalanceEntry),
    ) -> ActorResult<()> {
        Tables::load(self, store)?.for_each_balance(f)
    }
}

/// `WithdrawBalance`'s first check: the amount is not negative.
///
/// # Errors
///
/// `USR_ILLEGAL_ARGUMENT` for a negative amount.
pub fn check_withdrawal(amount: &TokenAmount) -> ActorResult<()> {
    if amount.is_negative() {
        return Err(ActorError::illegal_argument(format!(
            "negative amount: {amount}"
        )));
    }
    Ok(())
}

/// Locks `need` of `entry`'s available funds.
fn lock(entry: &mut BalanceEntry, need: &TokenAmount) -> ActorResult<()> {
    if entry.available() < *need {
        return Err(ActorError::insufficient_funds("not enough balance to lock"));
    }
    entry.locked += need;
    Ok(())
}
