//! Spend-capped app keys, replicas > 1 and the escrow's refusals on a real chain: an app key
//! creates a two-replica order for its client within its cap and is refused past it; two
//! providers take one replica each (a second deal from the same provider is refused at
//! publishing, the escrow's `AuthenticateMessage` answering no); a `BindDeal` of a deal
//! already bound is refused; both replicas are paid their active epochs; a revoked key is
//! refused; everything unearned goes back.

use anyhow::ensure;
use filmark_sdk::client::OrderBuilder;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::escrow::{DURATION, PRICE, atto, publish_deal, settle};
use super::{arg_address, check_invariants, sample_content};
use crate::chain::{Backend, Chain, exit_code};

/// An app key creates and funds a two-replica order for its client; two providers store it.
///
/// # Errors
/// When any step does not behave as the escrow promises.
pub fn escrow_app_keys_and_replicas<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let client = chain.user(0)?;
    let app = chain.user(1)?;
    let keeper = chain.user(5)?;
    let (provider_a, provider_b) = (chain.f1(2)?, chain.f1(3)?);
    let fm = chain.filmark()?;
    let escrow = chain.escrow(fm.escrow);
    let (client_addr, app_addr) = (arg_address(chain, &client)?, arg_address(chain, &app)?);
    let packed = sample_content(31, 50_000)?;
    let lock = 2 * PRICE * DURATION as u64;

    chain.run(escrow.deposit(&client, atto(3 * lock)))?;
    let expiry = chain.epoch()? + 1_000;
    chain.run(escrow.authorize_key(&client, app_addr, atto(lock + lock / 2), expiry))?;
    let order = |deadline| {
        OrderBuilder::new(
            packed.piece.cid_v1(),
            packed.piece.padded_size,
            atto(PRICE),
            DURATION,
        )
        .replicas(2)
        .activation_deadline(deadline)
        .content(packed.root)
        .client(client_addr)
    };

    // The key locks the client's funds, within its cap; past it, refused.
    let deadline = chain.epoch()? + 60;
    let order_id = chain.run(escrow.create_order(&app, order(deadline), TokenAmount::default()))?;
    let acc = chain.run(escrow.get_account(client.address()))?;
    ensure!(
        acc.locked == atto(lock) && acc.available == atto(2 * lock),
        "the client's funds are locked: {acc:?}"
    );
    let key = chain.run(escrow.get_app_key(client.address(), app_addr))?;
    ensure!(
        key.grant.as_ref().is_some_and(|g| g.spent == atto(lock)),
        "the key spent the lock: {key:?}"
    );
    let over = chain.run(escrow.create_order(&app, order(deadline), TokenAmount::default()));
    let code = exit_code(over)?;
    ensure!(code == ExitCode::USR_FORBIDDEN, "over the cap: {code:?}");

    // Two providers, one replica each; the same provider twice is refused.
    let start = chain.epoch()? + 10;
    let deal_a = publish_deal(chain, &fm, &provider_a, &packed, order_id, start)?;
    let again = publish_deal(chain, &fm, &provider_a, &packed, order_id, start + 1);
    ensure!(
        again.is_err(),
        "a second replica of one provider is refused"
    );
    let deal_b = publish_deal(chain, &fm, &provider_b, &packed, order_id, start)?;
    let bound_twice = chain.run(escrow.bind_deal(&keeper, order_id, deal_b));
    ensure!(
        exit_code(bound_twice)? != ExitCode::OK,
        "a deal already bound is not bound again"
    );
    chain.activate_deals(&[deal_a, deal_b])?;
    chain.mine((start - chain.epoch()?).max(0) as u64 + 10)?;
    let (paid, at) = settle(chain, &fm, &keeper, order_id)?;
    ensure!(
        paid.paid == atto(2 * (at - start) as u64 * PRICE),
        "both replicas paid their active epochs: {paid:?} at {at}"
    );
    let funding = chain.run(escrow.get_order_funding(order_id))?;
    ensure!(funding.active_replicas == 2, "two replicas: {funding:?}");

    // Revoked: the key can do nothing more.
    chain.run(escrow.revoke_key(&client, app_addr))?;
    let revoked = chain.run(escrow.fund_order(&app, order_id, atto(1), TokenAmount::default()));
    let code = exit_code(revoked)?;
    ensure!(code == ExitCode::USR_FORBIDDEN, "revoked key: {code:?}");

    // Both deals run to their end and are paid in full; the rest goes back.
    // Settled as the deals end (the market forgets them after).
    chain.mine((start + DURATION - 1 - chain.epoch()?).max(0) as u64)?;
    settle(chain, &fm, &keeper, order_id)?;
    let o = chain.run(escrow.order_view(order_id))?;
    ensure!(
        o.completed == 2 && o.liveDeals == 0,
        "two completed replicas: {} completed, {} live",
        o.completed,
        o.liveDeals
    );
    ensure!(
        filmark_escrow::abi::token_of(o.paid) == atto(lock),
        "paid price × duration × replicas: {}",
        o.paid
    );
    if chain.epoch()? <= deadline {
        chain.mine((deadline + 1 - chain.epoch()?) as u64)?;
    }
    chain.run(escrow.close_order(&client, order_id))?;
    let acc = chain.run(escrow.get_account(client.address()))?;
    ensure!(
        acc.locked.is_zero() && acc.available == atto(2 * lock),
        "everything unearned went back: {acc:?}"
    );
    ensure!(
        chain.balance(&fm.escrow)? == acc.available,
        "the escrow holds exactly the client's account"
    );
    check_invariants(chain, &fm)
}
