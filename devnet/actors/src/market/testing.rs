//! The market's state invariants, for unit tests and the devnet's scenarios.

use std::collections::BTreeMap;

use fvm_ipld_blockstore::Blockstore;
use fvm_shared::ActorID;
use fvm_shared::econ::TokenAmount;

use super::state::State;

/// Totals of a checked state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateSummary {
    /// Live deals.
    pub deals: u64,
    /// Live deals that are activated and not terminated.
    pub active_deals: u64,
    /// Sum of all escrow balances.
    pub total_balance: TokenAmount,
    /// Sum of all locked funds.
    pub total_locked: TokenAmount,
}

/// Checks the market's invariants against the actor's on-chain `balance`:
/// - every escrow has `0 <= locked <= balance`;
/// - the escrows add up to the actor's balance (no FIL created or lost);
/// - every party's locked funds equal what its live deals require: a client's unspent fee and
///   collateral, a provider's collateral (nothing for terminated deals);
/// - every live deal has an id below `next_id`, parties as ID addresses, and consistent
///   epochs; none is marked terminated (terminations remove deals at once).
///
/// Returns the totals and one message per violation (empty when the state is sound).
pub fn check_state_invariants<BS: Blockstore>(
    state: &State,
    store: &BS,
    balance: &TokenAmount,
) -> (StateSummary, Vec<String>) {
    let mut summary = StateSummary::default();
    let mut violations = Vec::new();
    let mut required: BTreeMap<ActorID, TokenAmount> = BTreeMap::new();

    let deals = state.for_each_deal(store, |id, d| {
        let (p, deal) = (&d.proposal, &d.state);
        summary.deals += 1;
        let mut check = |ok: bool, what: &str| {
            if !ok {
                violations.push(format!("deal {id}: {what}"));
            }
        };
        check(id < state.next_id, "id at or above next_id");
        check(p.end_epoch > p.start_epoch, "end not after start");
        let (Ok(client), Ok(provider)) = (p.client.id(), p.provider.id()) else {
            check(false, "parties are not ID addresses");
            return Ok(());
        };
        if deal.is_activated() {
            check(
                deal.sector_start_epoch <= p.start_epoch,
                "activated after its start",
            );
        } else {
            check(!deal.is_terminated(), "terminated but never activated");
            check(deal.last_updated_epoch == -1, "paid but never activated");
        }
        check(!deal.is_terminated(), "terminated but still in the state");
        summary.active_deals += u64::from(deal.is_activated());
        let paid_from = p.start_epoch.max(deal.last_updated_epoch);
        check(paid_from <= p.end_epoch, "paid past its end");
        let unspent = &p.storage_price_per_epoch * (p.end_epoch - paid_from.min(p.end_epoch));
        *required.entry(client).or_default() += unspent + &p.client_collateral;
        *required.entry(provider).or_default() += &p.provider_collateral;
        Ok(())
    });
    if let Err(e) = deals {
        violations.push(format!("cannot read deals: {e}"));
    }

    let balances = state.for_each_balance(store, |id, entry| {
        summary.total_balance += &entry.balance;
        summary.total_locked += &entry.locked;
        if entry.locked.is_negative() || entry.locked > entry.balance {
            violations.push(format!(
                "f0{id}: locked {} outside [0, balance {}]",
                entry.locked, entry.balance
            ));
        }
        let need = required.remove(&id).unwrap_or_default();
        if entry.locked != need {
            violations.push(format!(
                "f0{id}: locked {} but its deals need {need}",
                entry.locked
            ));
        }
    });
    if let Err(e) = balances {
        violations.push(format!("cannot read balances: {e}"));
    }
    for (id, need) in required {
        if !need.is_zero() {
            violations.push(format!("f0{id}: no escrow but its deals need {need}"));
        }
    }
    if summary.total_balance != *balance {
        violations.push(format!(
            "escrows add up to {} but the actor holds {balance}",
            summary.total_balance
        ));
    }
    (summary, violations)
}
