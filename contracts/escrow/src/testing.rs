//! `check_state_invariants`: what must hold of the escrow's state after every message.

use std::collections::BTreeMap;

use filmark_actor_shared::MessageAccumulator;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::ActorID;
use fvm_shared::econ::TokenAmount;

use crate::policy::{MAX_ALLOWED_PROVIDERS, MAX_FUNDERS};
use crate::state::{Account, AppKey, Order, State, load_map};

/// Totals found while checking.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StateSummary {
    /// Accounts with funds.
    pub accounts: u64,
    /// Orders ever created.
    pub orders: u64,
    /// Orders not closed.
    pub open_orders: u64,
    /// Live bound deals over all orders.
    pub live_deals: u64,
    /// Deals in the deal index.
    pub indexed_deals: u64,
    /// App key grants.
    pub app_keys: u64,
    /// Sum of available funds.
    pub total_available: TokenAmount,
    /// Sum of locked funds.
    pub total_locked: TokenAmount,
    /// Sum of payments to providers.
    pub total_paid: TokenAmount,
}

fn key_u64(k: &[u8]) -> Option<u64> {
    k.try_into().ok().map(u64::from_be_bytes)
}

fn check_order(acc: &MessageAccumulator, id: u64, o: &Order, index: &BTreeMap<u64, u64>) {
    let p = format!("order {id}");
    acc.require(
        o.funders.first().map(|f| f.id) == Some(o.client),
        format!("{p}: client is not the first funder"),
    );
    acc.require(
        o.funders.len() <= MAX_FUNDERS,
        format!("{p}: too many funders"),
    );
    acc.require(
        o.allowed_providers.len() <= MAX_ALLOWED_PROVIDERS,
        format!("{p}: too many providers"),
    );
    let funded: TokenAmount = o.funders.iter().map(|f| &f.amount).sum();
    let refunded: TokenAmount = o.funders.iter().map(|f| &f.refunded).sum();
    acc.require(
        funded == o.funded,
        format!("{p}: funders sum {funded} != funded {}", o.funded),
    );
    acc.require(
        o.balance == &(&o.funded - &o.paid) - &refunded,
        format!(
            "{p}: balance {} != funded {} - paid {} - refunded {refunded}",
            o.balance, o.funded, o.paid
        ),
    );
    acc.require(!o.balance.is_negative(), format!("{p}: negative balance"));
    for f in &o.funders {
        acc.require(
            !f.refunded.is_negative() && !f.amount.is_negative(),
            format!("{p}: negative funder entry"),
        );
    }
    acc.require(
        o.reserved() <= o.balance,
        format!("{p}: reserved {} > balance {}", o.reserved(), o.balance),
    );
    acc.require(
        !o.pending_refund().is_negative(),
        format!("{p}: refunded more than designated"),
    );
    acc.require(
        o.slots_taken() <= o.replicas,
        format!("{p}: more deals than replicas"),
    );
    acc.require(
        o.price_per_epoch.is_positive(),
        format!("{p}: non-positive price"),
    );
    let (_, rem) = o.paid.div_rem(o.price_per_epoch.atto().clone());
    acc.require(
        rem.is_zero(),
        format!("{p}: paid {} is not a whole number of epochs", o.paid),
    );
    if o.closed {
        acc.require(
            o.balance.is_zero(),
            format!("{p}: closed with balance {}", o.balance),
        );
        acc.require(o.deals.is_empty(), format!("{p}: closed with live deals"));
    }
    for (i, d) in o.deals.iter().enumerate() {
        acc.require(
            o.allow_same_provider || o.deals[..i].iter().all(|e| e.provider != d.provider),
            format!("{p}: provider f0{} holds two replicas", d.provider),
        );
        acc.require(
            d.last_seen < 0 || d.activation >= 0,
            format!("{p}: deal {} seen active but not activated", d.deal_id),
        );
        acc.require(
            index.get(&d.deal_id) == Some(&id),
            format!("{p}: deal {} not indexed to it", d.deal_id),
        );
        acc.require(
            d.start < d.end,
            format!("{p}: deal {} ends before it starts", d.deal_id),
        );
        acc.require(
            d.settled_until <= d.end,
            format!("{p}: deal {} settled past its end", d.deal_id),
        );
        acc.require(
            d.paid_epochs >= 0 && d.paid_epochs <= d.end - d.start,
            format!("{p}: deal {} paid for {} epochs", d.deal_id, d.paid_epochs),
        );
    }
}

/// Checks the escrow's invariants, given the actor's balance: the balance equals the sum of
/// every account's available and locked funds; each client's locked funds equal the balances of
/// its orders; each order's books add up; live deals are indexed; counters match collections.
pub fn check_state_invariants<BS: Blockstore>(
    store: &BS,
    state: &State,
    balance: &TokenAmount,
) -> (StateSummary, MessageAccumulator) {
    let acc = MessageAccumulator::default();
    let mut sum = StateSummary::default();
    let mut locked_by_account: BTreeMap<ActorID, TokenAmount> = BTreeMap::new();
    if let Some(map) = acc.require_ok(load_map::<_, Account>(store, &state.accounts), "accounts") {
        let r = map.for_each(|k, a| {
            let id = key_u64(k).ok_or_else(|| anyhow::anyhow!("bad account key"))?;
            acc.require(
                !a.available.is_negative() && !a.locked.is_negative(),
                format!("account f0{id} negative"),
            );
            acc.require(
                !(a.available.is_zero() && a.locked.is_zero()),
                format!("account f0{id} is empty"),
            );
            sum.accounts += 1;
            sum.total_available += &a.available;
            sum.total_locked += &a.locked;
            locked_by_account.insert(id, a.locked);
            Ok(())
        });
        acc.require_ok(r, "iterating accounts");
    }
    let mut index = BTreeMap::new();
    if let Some(map) = acc.require_ok(load_map::<_, u64>(store, &state.deals), "deal index") {
        let r = map.for_each(|k, order| {
            let deal = key_u64(k).ok_or_else(|| anyhow::anyhow!("bad deal key"))?;
            acc.require(
                order < state.next_order_id,
                format!("deal {deal} indexed to unknown order {order}"),
            );
            index.insert(deal, order);
            Ok(())
        });
        acc.require_ok(r, "iterating deal index");
    }
    sum.indexed_deals = index.len() as u64;
    let mut locked_expected: BTreeMap<ActorID, TokenAmount> = BTreeMap::new();
    if let Some(amt) = acc.require_ok(Amt::<Order, _>::load(&state.orders, store), "orders") {
        acc.require(
            amt.count() == state.next_order_id,
            "order count != next_order_id",
        );
        let r = amt.for_each(|id, o| {
            check_order(&acc, id, o, &index);
            sum.orders += 1;
            sum.open_orders += u64::from(!o.closed);
            sum.live_deals += o.deals.len() as u64;
            sum.total_paid += &o.paid;
            *locked_expected.entry(o.client).or_default() += &o.balance;
            Ok(())
        });
        acc.require_ok(r, "iterating orders");
    }
    locked_expected.retain(|_, v| !v.is_zero());
    acc.require(
        locked_expected
            == locked_by_account
                .iter()
                .filter(|(_, v)| !v.is_zero())
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
        "accounts' locked funds differ from their orders' balances",
    );
    if let Some(map) = acc.require_ok(load_map::<_, AppKey>(store, &state.app_keys), "app keys") {
        let r = map.for_each(|_, g| {
            acc.require(
                !g.spent.is_negative() && !g.cap.is_negative(),
                "app key with negative amounts",
            );
            sum.app_keys += 1;
            Ok(())
        });
        acc.require_ok(r, "iterating app keys");
    }
    let tracked = &sum.total_available + &sum.total_locked;
    acc.require(
        tracked == *balance,
        format!(
            "actor balance {balance} != available {} + locked {}",
            sum.total_available, sum.total_locked
        ),
    );
    (sum, acc)
}
