//! Deals: binding (market callbacks and `BindDeal`), settlement and closing.

use filmark_actor_shared::counter::increment;
use filmark_actor_shared::dispatch::{decode_cbor, require_no_value};
use filmark_actor_shared::show::Addr;
use filmark_actor_shared::{ActorError, Runtime, actor_error};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use crate::ext::market::{self, DealProposal};
use crate::order::{DealStatus, DealTerms, SlotOutcome};
use crate::state::{Order, State};
use crate::types::{
    AuthenticateMessageParams, BindDealParams, MarketNotifyDealParams, SettleReturn,
};
use crate::{Actor, Method, events, market_queries};

/// The order a proposal names: its label is the order id in decimal (text or bytes).
fn order_of_label(p: &DealProposal) -> Result<u64, ActorError> {
    core::str::from_utf8(p.label.as_bytes())
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            actor_error!(illegal_argument;
            "deal label must be the escrow order id in decimal")
        })
}

/// The first and the last (exclusive) epoch the escrow would pay a deal for.
type PaidTerm = (ChainEpoch, ChainEpoch);

/// Checks a proposal naming the escrow as client against its order. Returns the order id, the
/// deal terms (deal id 0) and the term the escrow would pay for.
fn check_proposal<RT: Runtime>(
    rt: &RT,
    st: &State,
    p: &DealProposal,
) -> Result<(u64, Order, DealTerms, PaidTerm), ActorError> {
    if rt.resolve_address(&p.client) != Some(rt.receiver()) {
        return Err(
            actor_error!(illegal_argument; "deal client {} is not this escrow", Addr(&p.client)),
        );
    }
    let order_id = order_of_label(p)?;
    let order = st.order(rt.store(), order_id)?;
    let provider = rt.resolve_actor(&p.provider, "provider")?;
    if p.storage_price_per_epoch > order.price_per_epoch {
        return Err(actor_error!(illegal_argument;
            "market price per epoch {} exceeds the order's {}",
            p.storage_price_per_epoch, order.price_per_epoch));
    }
    if p.end_epoch <= p.start_epoch {
        return Err(actor_error!(illegal_argument; "deal ends before it starts"));
    }
    let terms = DealTerms {
        deal_id: 0,
        piece_cid: p.piece_cid,
        piece_size: p.piece_size.0,
        provider,
        start: p.start_epoch,
        end: p.end_epoch,
    };
    let paid = order.check_deal(&terms, rt.curr_epoch())?;
    Ok((order_id, order, terms, paid))
}

/// Refuses a deal already bound (to any order: a deal binds to one order, ever).
fn check_unbound<RT: Runtime>(rt: &RT, st: &State, deal_id: u64) -> Result<(), ActorError> {
    match st.deal_order(rt.store(), deal_id)? {
        Some(other) => Err(actor_error!(illegal_state;
            "deal {deal_id} is already bound to order {other}")),
        None => Ok(()),
    }
}

/// Binds a deal checked by [`check_unbound`] and [`Order::check_deal`]: order slot, deal
/// index.
fn bind<RT: Runtime>(
    rt: &RT,
    st: &mut State,
    order_id: u64,
    mut order: Order,
    terms: &DealTerms,
    paid: PaidTerm,
    activation: ChainEpoch,
) -> Result<Order, ActorError> {
    order.bind(terms, paid, activation, rt.curr_epoch());
    st.bind_deal_index(rt.store(), terms.deal_id, order_id)?;
    st.put_order(rt.store(), order_id, order.clone())?;
    Ok(order)
}

/// The end the order pays its newest deal up to (the one just bound).
fn paid_end(order: &Order) -> ChainEpoch {
    order.deals.last().map_or(-1, |d| d.end)
}

fn validate_market<RT: Runtime>(rt: &RT) -> Result<(), ActorError> {
    rt.validate_caller_is([&market::ADDRESS])
}

/// Shares that moved back to funders, and the total.
fn credit_unlocks<RT: Runtime>(
    rt: &RT,
    st: &mut State,
    client: ActorID,
    paid: &TokenAmount,
    shares: &[(ActorID, TokenAmount)],
) -> Result<TokenAmount, ActorError> {
    let unlocked: TokenAmount = shares.iter().map(|(_, a)| a).sum();
    st.update_accounts(rt.store(), &mut |a| {
        a.modify(client, |acc| acc.locked -= &(paid + &unlocked))?;
        for (id, amount) in shares {
            a.modify(*id, |acc| acc.available += amount)?;
        }
        Ok::<_, ActorError>(())
    })?;
    Ok(unlocked)
}

impl Actor {
    /// Market callback, read-only: returns `true` for a proposal that matches an open order
    /// (see README, "Binding deals"); any mismatch aborts with a named exit code. Caller: f05.
    ///
    /// # Errors
    /// `USR_FORBIDDEN` for another caller; `USR_NOT_PAYABLE` with value; `USR_SERIALIZATION`
    /// for malformed params; the failed rule's exit code otherwise.
    pub fn authenticate_message<RT: Runtime>(
        rt: &RT,
        p: Option<IpldBlock>,
    ) -> Result<bool, ActorError> {
        validate_market(rt)?;
        require_no_value(&rt.value_received())?;
        let p: AuthenticateMessageParams = Method::AuthenticateMessage.params(p)?;
        let proposal: DealProposal = decode_cbor(&p.message)
            .map_err(|e| actor_error!(serialization; "message is not a deal proposal: {e}"))?;
        let st: State = rt.state()?;
        check_proposal(rt, &st, &proposal)?;
        Ok(true)
    }

    /// Market callback after publishing a deal naming the escrow as client: binds it to its
    /// order. Never aborts for a well-formed notification from f05: a deal that cannot be bound
    /// (order filled meanwhile, funds reserved by an earlier deal of the batch, ...) is recorded
    /// (`rejected_deals`, `DealRejected` event) and the call succeeds.
    ///
    /// # Errors
    /// `USR_FORBIDDEN` for another caller, `USR_NOT_PAYABLE` with value, `USR_SERIALIZATION`
    /// for malformed params, state store failures.
    pub fn market_notify_deal<RT: Runtime>(
        rt: &RT,
        p: Option<IpldBlock>,
    ) -> Result<(), ActorError> {
        validate_market(rt)?;
        require_no_value(&rt.value_received())?;
        let p: MarketNotifyDealParams = Method::MarketNotifyDeal.params(p)?;
        let proposal: DealProposal = decode_cbor(&p.proposal)
            .map_err(|e| actor_error!(serialization; "proposal is not a deal proposal: {e}"))?;
        let provider = rt.resolve_address(&proposal.provider).unwrap_or_default();
        let label_order = order_of_label(&proposal).unwrap_or(u64::MAX);
        let outcome = rt.transaction(|st: &mut State, rt| {
            let attempt = check_unbound(rt, st, p.deal_id)
                .and_then(|()| check_proposal(rt, st, &proposal))
                .and_then(|(id, order, mut terms, from)| {
                    terms.deal_id = p.deal_id;
                    bind(rt, st, id, order, &terms, from, -1).map(|o| (id, o, terms))
                });
            match attempt {
                Ok(bound) => Ok(Ok(bound)),
                Err(e) => {
                    increment(&mut st.rejected_deals, "rejected_deals")?;
                    Ok(Err(e))
                }
            }
        })?;
        match outcome {
            Ok((id, order, t)) => events::deal_bound(
                rt,
                id,
                t.provider,
                &order.piece_cid,
                p.deal_id,
                t.start,
                paid_end(&order),
            ),
            Err(e) => events::deal_rejected(rt, label_order, provider, p.deal_id, e.msg()),
        }
    }

    /// Binds an existing market deal to an order, checked through the market's getters. Anyone
    /// may call.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` (order or deal), `USR_ILLEGAL_ARGUMENT` (a client other than this
    /// escrow, expired, slashed, not activated by its start, or not matching), `USR_FORBIDDEN` (provider not allowed),
    /// `USR_ILLEGAL_STATE` (closed, past deadline, full, already bound),
    /// `USR_INSUFFICIENT_FUNDS`.
    pub fn bind_deal<RT: Runtime>(rt: &RT, p: BindDealParams) -> Result<(), ActorError> {
        require_no_value(&rt.value_received())?;
        let now = rt.curr_epoch();
        {
            let st: State = rt.state()?;
            st.order(rt.store(), p.order_id)?;
        }
        let terms = market_queries::deal_terms(rt, p.deal_id)?;
        let activation = match market_queries::deal_status(rt, p.deal_id)? {
            DealStatus::Known {
                activated,
                terminated,
            } if activated >= 0 => {
                if terminated >= 0 {
                    return Err(actor_error!(illegal_argument;
                        "deal {} expired or was slashed", p.deal_id));
                }
                activated
            }
            DealStatus::Known { .. } | DealStatus::NotActivated => {
                if now > terms.start {
                    return Err(actor_error!(illegal_argument;
                        "deal {} was not activated by its start epoch {}", p.deal_id, terms.start));
                }
                -1
            }
            DealStatus::Expired => {
                return Err(
                    actor_error!(illegal_argument; "deal {} expired or was slashed", p.deal_id),
                );
            }
            DealStatus::NotFound => {
                return Err(actor_error!(not_found; "deal {} not found", p.deal_id));
            }
        };
        let order = rt.transaction(|st: &mut State, rt| {
            check_unbound(rt, st, p.deal_id)?;
            let order = st.order(rt.store(), p.order_id)?;
            let paid = order.check_deal(&terms, now)?;
            bind(rt, st, p.order_id, order, &terms, paid, activation)
        })?;
        events::deal_bound(
            rt,
            p.order_id,
            terms.provider,
            &order.piece_cid,
            p.deal_id,
            terms.start,
            paid_end(&order),
        )
    }

    /// Pays each live deal's provider the order's price for the epochs its deal was active since
    /// the last settlement, drops finished deals, and past the deadline hands free funds back to
    /// the funders pro rata. Anyone may call. Payments are sent last.
    ///
    /// # Errors
    /// `USR_NOT_FOUND`, `USR_ILLEGAL_STATE` (closed), an unexpected market exit code, or a failed
    /// payment send.
    pub fn settle<RT: Runtime>(rt: &RT, order_id: u64) -> Result<SettleReturn, ActorError> {
        require_no_value(&rt.value_received())?;
        let now = rt.curr_epoch();
        let deal_ids: Vec<u64> = {
            let st: State = rt.state()?;
            let o = st.order(rt.store(), order_id)?;
            if o.closed {
                return Err(actor_error!(illegal_state; "order {order_id} is closed"));
            }
            o.deals.iter().map(|d| d.deal_id).collect()
        };
        let mut statuses = Vec::with_capacity(deal_ids.len());
        for id in &deal_ids {
            statuses.push(market_queries::deal_status(rt, *id)?);
        }
        let (outcomes, shares, ret) = rt.transaction(|st: &mut State, rt| {
            let mut o = st.order(rt.store(), order_id)?;
            let outcomes: Vec<SlotOutcome> = o.settle(&statuses, now);
            let paid: TokenAmount = outcomes.iter().map(|x| &x.amount).sum();
            let shares = o.unlock(now);
            let unlocked = credit_unlocks(rt, st, o.client, &paid, &shares)?;
            st.put_order(rt.store(), order_id, o)?;
            Ok((outcomes, shares, SettleReturn { paid, unlocked }))
        })?;
        for x in &outcomes {
            if let Some(epoch) = x.activated {
                events::deal_activated(rt, order_id, x.provider, x.deal_id, epoch)?;
            }
            if x.epochs > 0 {
                events::provider_paid(rt, order_id, x.provider, x.deal_id, &x.amount, x.epochs)?;
            }
            if let Some(reason) = x.finished {
                events::deal_finished(rt, order_id, x.provider, x.deal_id, reason)?;
            }
        }
        for (id, amount) in &shares {
            events::funds_unlocked(rt, order_id, *id, amount)?;
        }
        for x in outcomes.iter().filter(|x| x.amount.is_positive()) {
            rt.transfer(&Address::new_id(x.provider), x.amount.clone())?;
        }
        Ok(ret)
    }

    /// Closes an order that has ended (past its deadline, no live deal): whatever is left goes
    /// back to the funders (the client takes the rounding dust). Caller: the order's client.
    ///
    /// # Errors
    /// `USR_FORBIDDEN` for another caller, `USR_NOT_FOUND`, `USR_ILLEGAL_STATE` (closed, or not
    /// ended: settle first).
    pub fn close_order<RT: Runtime>(rt: &RT, order_id: u64) -> Result<(), ActorError> {
        let caller = rt.caller();
        require_no_value(&rt.value_received())?;
        let now = rt.curr_epoch();
        let (client, shares) = rt.transaction(|st: &mut State, rt| {
            let mut o = st.order(rt.store(), order_id)?;
            if o.client != caller {
                return Err(actor_error!(forbidden; "only the order's client may close it"));
            }
            if o.closed {
                return Err(actor_error!(illegal_state; "order {order_id} is already closed"));
            }
            if !o.ended(now) {
                return Err(actor_error!(illegal_state;
                    "order {order_id} has not ended: {} live deals, deadline {} (settle first)",
                    o.deals.len(), o.activation_deadline));
            }
            let shares = o.unlock(now);
            credit_unlocks(rt, st, o.client, &TokenAmount::from_atto(0), &shares)?;
            o.closed = true;
            let client = o.client;
            st.put_order(rt.store(), order_id, o)?;
            Ok((client, shares))
        })?;
        for (id, amount) in &shares {
            events::funds_unlocked(rt, order_id, *id, amount)?;
        }
        events::order_closed(rt, order_id, client)
    }
}
