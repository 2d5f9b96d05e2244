//! Payments: `SettleDealPayments`, terminations and the cron, as builtin-actors v18's market.

use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::policy::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED};
use super::state::{Deal, DealEvent, DealEventKind, DealState, Effects, State};
use super::tables::{Tables, id_of};
use super::types::{DealID, DealSettlementSummary, FailCode, SettleDealPaymentsReturn};
use crate::{ActorError, ActorResult};

/// A deal as found by a settlement or the cron.
enum Loaded {
    /// Not activated, before its start: nothing to do yet.
    TooEarly,
    /// Not activated by its start: dropped, this much provider collateral burnt.
    TimedOut(TokenAmount),
    /// Activated.
    Active(DealState),
}

/// The outcome of one payment update.
struct Update {
    slashed: TokenAmount,
    payment: TokenAmount,
    completed: bool,
    remove: bool,
}

impl<BS: Blockstore> Tables<'_, BS> {
    /// Returns an activated deal's state, or drops a deal not activated by its start: the
    /// client's fee and collateral unlock, the provider's collateral burns (the real market's
    /// `get_active_deal_or_process_timeout`).
    fn load_or_time_out(
        &mut self,
        id: DealID,
        deal: &Deal,
        now: ChainEpoch,
    ) -> ActorResult<Loaded> {
        if deal.state.is_activated() {
            return Ok(Loaded::Active(deal.state));
        }
        let p = &deal.proposal;
        if now < p.start_epoch {
            return Ok(Loaded::TooEarly);
        }
        let client = id_of(&p.client)?;
        self.unlock(client, &p.client_balance_requirement())?;
        let burnt = self.slash(id_of(&p.provider)?, &p.provider_collateral)?;
        self.remove_deal(id)?;
        if !self.remove_pending(&deal.proposal_cid)? {
            return Err(ActorError::illegal_state(format!(
                "deal {id} was not pending"
            )));
        }
        Ok(Loaded::TimedOut(burnt))
    }

    /// Pays an activated deal up to `now` (or its slash epoch), and finishes it at or after
    /// its end (the real market's `process_deal_update`). The caller removes the deal if
    /// `remove`.
    fn process_update(
        &mut self,
        deal: &Deal,
        state: &DealState,
        now: ChainEpoch,
    ) -> ActorResult<Update> {
        let p = &deal.proposal;
        let updated = state.last_updated_epoch != super::state::EPOCH_UNSET;
        if !updated {
            self.remove_pending(&deal.proposal_cid)?;
        }
        if updated && state.last_updated_epoch > now {
            return Err(ActorError::illegal_state("deal updated at a future epoch"));
        }
        let nothing = Update {
            slashed: TokenAmount::default(),
            payment: TokenAmount::default(),
            completed: false,
            remove: false,
        };
        if p.start_epoch > now {
            return Ok(nothing);
        }
        let end = if state.is_terminated() {
            if now < state.slash_epoch || state.slash_epoch > p.end_epoch {
                return Err(ActorError::illegal_state("inconsistent slash epoch"));
            }
            state.slash_epoch
        } else {
            p.end_epoch.min(now)
        };
        let from = if updated {
            state.last_updated_epoch.max(p.start_epoch)
        } else {
            p.start_epoch
        };
        let payment = &p.storage_price_per_epoch * (end - from).max(0);
        let (client, provider) = (id_of(&p.client)?, id_of(&p.provider)?);
        self.transfer(client, provider, &payment)?;
        if state.is_terminated() {
            let remaining = remaining_payment(deal, state.slash_epoch);
            self.unlock(client, &(&remaining + &p.client_collateral))?;
            let slashed = self.slash(provider, &p.provider_collateral)?;
            return Ok(Update {
                slashed,
                payment: remaining + payment,
                completed: false,
                remove: true,
            });
        }
        if now >= p.end_epoch {
            self.unlock(provider, &p.provider_collateral)?;
            self.unlock(client, &p.client_collateral)?;
            return Ok(Update {
                payment,
                completed: true,
                remove: true,
                ..nothing
            });
        }
        Ok(Update { payment, ..nothing })
    }
}

/// The fee for `[max(slash, start), end)`, which a termination at `slash` unlocks.
fn remaining_payment(deal: &Deal, slash: ChainEpoch) -> TokenAmount {
    let p = &deal.proposal;
    &p.storage_price_per_epoch * (p.end_epoch - slash.max(p.start_epoch)).max(0)
}

impl State {
    /// `SettleDealPayments` at epoch `now` (anyone may call it): for each deal, in order, a
    /// failure (index and exit code) or a summary. A deal never published or already removed
    /// fails with 32; one not activated is a `{0, false}` no-op before its start, and past it
    /// is dropped (provider collateral burnt) and fails with 32; an activated deal is paid up
    /// to `min(now, end)` and, at or after its end, completed and removed.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_ARGUMENT` for a deal marked for termination; `USR_ILLEGAL_STATE` if the
    /// store fails. Nothing changes then.
    pub fn settle_deal_payments<BS: Blockstore>(
        &mut self,
        store: &BS,
        ids: &[DealID],
        now: ChainEpoch,
    ) -> ActorResult<(SettleDealPaymentsReturn, Effects)> {
        let mut tables = Tables::load(self, store)?;
        let mut ret = SettleDealPaymentsReturn::default();
        let mut effects = Effects::default();
        for (idx, &id) in ids.iter().enumerate() {
            let fail = |ret: &mut SettleDealPaymentsReturn, code: ExitCode| {
                ret.results.fail_codes.push(FailCode {
                    idx: u32::try_from(idx).unwrap_or(u32::MAX),
                    code,
                });
            };
            let Some(deal) = tables.find_deal(id)? else {
                fail(&mut ret, EX_DEAL_EXPIRED);
                continue;
            };
            let state = match tables.load_or_time_out(id, &deal, now)? {
                Loaded::TooEarly => {
                    ret.settlements.push(DealSettlementSummary {
                        payment: TokenAmount::default(),
                        completed: false,
                    });
                    ret.results.success_count += 1;
                    continue;
                }
                Loaded::TimedOut(burnt) => {
                    effects.burn += burnt;
                    fail(&mut ret, EX_DEAL_EXPIRED);
                    continue;
                }
                Loaded::Active(state) => state,
            };
            if state.is_terminated() {
                return Err(ActorError::illegal_argument(format!(
                    "deal {id} is marked for termination and cannot be settled"
                )));
            }
            let update = tables.process_update(&deal, &state, now)?;
            if update.remove {
                tables.remove_deal(id)?;
            } else {
                tables.set_updated(id, &deal, state, now)?;
            }
            ret.settlements.push(DealSettlementSummary {
                payment: update.payment,
                completed: update.remove,
            });
            ret.results.success_count += 1;
            if update.completed {
                effects.events.push(DealEvent::new(
                    DealEventKind::Completed,
                    id,
                    &deal.proposal,
                )?);
            }
        }
        tables.flush(self)?;
        Ok((ret, effects))
    }

    /// Terminates deals at epoch `now`, as a miner's `OnMinerSectorsTerminate`: each active
    /// deal is paid up to `now`, the client's unspent fee and collateral unlock, the provider's
    /// collateral burns, and the deal leaves the state at once (its getters answer 32). Deals
    /// already removed or ended by `now` are skipped, as the real market does.
    ///
    /// # Errors
    ///
    /// `USR_NOT_FOUND` for a deal never published, `EX_DEAL_NOT_ACTIVATED` (33) for one not
    /// activated; nothing changes then.
    pub fn terminate_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        ids: &[DealID],
        now: ChainEpoch,
    ) -> ActorResult<Effects> {
        let mut tables = Tables::load(self, store)?;
        let mut effects = Effects::default();
        for &id in ids {
            let deal = match tables.deal(id) {
                Ok(deal) => deal,
                Err(e) if e.exit_code() == EX_DEAL_EXPIRED => continue,
                Err(e) => return Err(e),
            };
            if !deal.state.is_activated() {
                return Err(ActorError::unchecked(
                    EX_DEAL_NOT_ACTIVATED,
                    format!("deal {id} is not active"),
                ));
            }
            if deal.proposal.end_epoch <= now {
                continue;
            }
            if deal.state.last_updated_epoch == super::state::EPOCH_UNSET {
                tables.remove_pending(&deal.proposal_cid)?;
            }
            let p = &deal.proposal;
            let (client, provider) = (id_of(&p.client)?, id_of(&p.provider)?);
            let from = p.start_epoch.max(deal.state.last_updated_epoch);
            let paid = &p.storage_price_per_epoch * (p.end_epoch.min(now) - from).max(0);
            tables.transfer(client, provider, &paid)?;
            tables.unlock(
                client,
                &(remaining_payment(&deal, now) + &p.client_collateral),
            )?;
            effects.burn += tables.slash(provider, &p.provider_collateral)?;
            tables.remove_deal(id)?;
            effects
                .events
                .push(DealEvent::new(DealEventKind::Terminated, id, p)?);
        }
        tables.flush(self)?;
        Ok(effects)
    }

    /// The end-of-epoch pass at `now`: visits the deals scheduled in `(last_cron, now]`. A deal
    /// not activated by its start is dropped (provider collateral burnt); an activated deal
    /// never updated leaves the schedule (only `SettleDealPayments` or a termination pays it
    /// from then on, as on mainnet); one already updated by a settlement is paid and
    /// rescheduled, as the real market still does for such deals.
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
        let mut due = Vec::new();
        tables
            .schedule
            .for_each_while(|epoch, ids| {
                let go = i64::try_from(epoch).is_ok_and(|e| e <= now);
                if go {
                    due.push((epoch, ids.clone()));
                }
                Ok(go)
            })
            .map_err(|e| ActorError::illegal_state(format!("cannot read the schedule: {e}")))?;
        let mut effects = Effects::default();
        let mut rescheduled = Vec::new();
        for (epoch, ids) in due {
            tables.schedule.delete(epoch).map_err(|e| {
                ActorError::illegal_state(format!("cannot write the schedule: {e}"))
            })?;
            for id in ids {
                let Some(deal) = tables.find_deal(id)? else {
                    continue;
                };
                let state = match tables.load_or_time_out(id, &deal, now)? {
                    Loaded::Active(state) => state,
                    Loaded::TimedOut(burnt) => {
                        effects.burn += burnt;
                        continue;
                    }
                    Loaded::TooEarly => {
                        return Err(ActorError::illegal_state(format!(
                            "deal {id} processed before its start"
                        )));
                    }
                };
                if state.last_updated_epoch == super::state::EPOCH_UNSET {
                    if !tables.remove_pending(&deal.proposal_cid)? {
                        return Err(ActorError::illegal_state(format!(
                            "deal {id} was not pending"
                        )));
                    }
                    continue;
                }
                let update = tables.process_update(&deal, &state, now)?;
                let p = &deal.proposal;
                if update.remove {
                    effects.burn += update.slashed;
                    tables.remove_deal(id)?;
                    if !update.completed {
                        effects
                            .events
                            .push(DealEvent::new(DealEventKind::Terminated, id, p)?);
                    }
                } else {
                    tables.set_updated(id, &deal, state, now)?;
                    rescheduled.push((self.policy.next_update_epoch(id, now + 1), id));
                }
                if update.completed {
                    effects
                        .events
                        .push(DealEvent::new(DealEventKind::Completed, id, p)?);
                }
            }
        }
        for (epoch, id) in rescheduled {
            tables.schedule(epoch, id)?;
        }
        tables.flush(self)?;
        self.last_cron = now;
        Ok(effects)
    }
}
