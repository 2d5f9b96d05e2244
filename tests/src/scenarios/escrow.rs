//! The storage-deal escrow on a real chain: a provider's deal published with the escrow as
//! client, activated, settled across epochs, terminated, re-filled after a sponsor tops the
//! order up, and refunded; a sponsored order that never gets a deal; and settlement under the
//! v18 market's answers: an early termination (paid up to the settlement that sees the deal
//! gone, within the window), a completed deal that someone else settles in the market first
//! (still paid in full), and late settlements.

use anyhow::{Context, ensure};
use cid::Cid;
use filmark_devnet::MARKET_ACTOR_ID;
use filmark_devnet_actors::market::{
    self, ClientDealProposal, DealProposal, Label, PublishStorageDealsParams,
    PublishStorageDealsReturn,
};
use filmark_escrow::Method as Escrow;
use filmark_escrow::abi::token_of;
use filmark_escrow::policy::SETTLEMENT_WINDOW;
use filmark_escrow::types::{GetAccountReturn, OrderIdParams, SettleReturn};
use filmark_registry::types::{GetFundingReturn, RegisterParams};
use filmark_sdk::client::{OrderBuilder, Register, Signer};
use filmark_sdk::content::Packed;
use filmark_sdk::reexports::filmark_abi::IFilmarkEscrow::{OrderView, settleCall};
use filmark_sdk::transport::Lookup;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;

use super::{Filmark, call, call_return, check_invariants, ref_hash, sample_content};
use crate::chain::{Backend, Chain, decode};

/// Order price per epoch per replica, in attoFIL.
pub(super) const PRICE: u64 = 1_000_000_000_000;
/// Minimum deal duration of the orders, in epochs.
pub(super) const DURATION: ChainEpoch = 100;

pub(super) fn atto(n: u64) -> TokenAmount {
    TokenAmount::from_atto(n)
}

fn create_order<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    client: &Signer,
    packed: &Packed,
    deadline: ChainEpoch,
    value: TokenAmount,
) -> anyhow::Result<u64> {
    create_order_for(chain, fm, client, packed, deadline, DURATION, value)
}

fn create_order_for<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    client: &Signer,
    packed: &Packed,
    deadline: ChainEpoch,
    duration: ChainEpoch,
    value: TokenAmount,
) -> anyhow::Result<u64> {
    let order = OrderBuilder::new(
        packed.piece.cid_v1(),
        packed.piece.padded_size,
        atto(PRICE),
        duration,
    )
    .activation_deadline(deadline)
    .content(packed.root);
    let escrow = chain.escrow(fm.escrow);
    Ok(chain.run(escrow.create_order(client, order, value))?)
}

/// The provider publishes a deal for the order's piece with the escrow as client and a market
/// price of zero (the escrow pays); the market authenticates it with the escrow and notifies it.
pub(super) fn publish_deal<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    provider: &Signer,
    packed: &Packed,
    order_id: u64,
    start: ChainEpoch,
) -> anyhow::Result<u64> {
    deal_id(&publish_storage_deal(
        chain, fm, provider, packed, order_id, start, DURATION,
    )?)
}

/// The deal id a one-deal `PublishStorageDeals` returned ([`publish_storage_deal`]'s lookup).
///
/// # Errors
/// An undecodable return, or no deal in it.
pub(crate) fn deal_id(publish: &Lookup) -> anyhow::Result<u64> {
    let ret: PublishStorageDealsReturn = decode(&publish.receipt.return_data, "publish return")?;
    ret.ids.first().copied().context("one deal published")
}

/// The provider's `PublishStorageDeals` message for one deal of `duration` epochs from
/// `start` (see [`publish_deal`]), and its receipt; the market's refusal is
/// [`filmark_sdk::Error::ActorFailed`].
///
/// # Errors
/// The SDK's.
pub(crate) fn publish_storage_deal<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    provider: &Signer,
    packed: &Packed,
    order_id: u64,
    start: ChainEpoch,
    duration: ChainEpoch,
) -> crate::Result<Lookup> {
    let proposal = DealProposal {
        piece_cid: packed.piece.cid_v1(),
        piece_size: PaddedPieceSize(packed.piece.padded_size),
        verified_deal: false,
        client: Address::new_id(fm.escrow_id),
        provider: provider.address(),
        label: Label::String(order_id.to_string()),
        start_epoch: start,
        end_epoch: start + duration,
        storage_price_per_epoch: TokenAmount::default(),
        provider_collateral: TokenAmount::default(),
        client_collateral: TokenAmount::default(),
    };
    let params = PublishStorageDealsParams {
        deals: vec![ClientDealProposal {
            proposal,
            client_signature: Signature::new_secp256k1(vec![]),
        }],
    };
    let market = Address::new_id(MARKET_ACTOR_ID);
    let method = market::Method::PublishStorageDealsExported.number();
    chain.invoke(provider, market, method, &params, "publish storage deals")
}

pub(super) fn settle<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    anyone: &Signer,
    order_id: u64,
) -> anyhow::Result<(SettleReturn, ChainEpoch)> {
    let params = OrderIdParams { order_id };
    let abi = settleCall { orderId: order_id };
    // Through `Client::send` (not `EscrowClient::settle`): the epoch it ran at matters.
    let out = call(
        chain,
        anyone,
        fm.escrow,
        Escrow::Settle.number(),
        &params,
        &abi,
        "settle",
    )?;
    let abi = anyone.path() == filmark_sdk::client::Path::Eth || !fm.native();
    let ret = call_return::<SettleReturn, settleCall>(
        &out,
        abi,
        |r| SettleReturn {
            paid: token_of(r.paid),
            unlocked: token_of(r.unlocked),
        },
        "settle return",
    )?;
    Ok((ret, out.height))
}

/// An order as the ABI shows it (`getOrder` through `eth_call`, on the actor and the twin).
fn order<T: Backend>(chain: &Chain<T>, fm: &Filmark, order_id: u64) -> anyhow::Result<OrderView> {
    Ok(chain.run(chain.escrow(fm.escrow).order_view(order_id))?)
}

fn account<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    who: &Address,
) -> anyhow::Result<GetAccountReturn> {
    Ok(chain.run(chain.escrow(fm.escrow).get_account(*who))?)
}

fn funding<T: Backend>(
    chain: &Chain<T>,
    fm: &Filmark,
    cid: Cid,
) -> anyhow::Result<GetFundingReturn> {
    Ok(chain.run(chain.registry(fm.registry).get_funding(cid))?)
}

/// Publish (escrow as client) → activate → settle across epochs → terminate → sponsor tops up →
/// re-fill with a second provider → settle to the end → refund and close. Providers are paid
/// exactly price × active epochs; the registry shows "funded until" for the post.
///
/// # Errors
/// When any step does not behave as the escrow promises.
pub fn escrow_lifecycle<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let client = chain.user(0)?;
    let provider_a = chain.f1(2)?;
    let provider_b = chain.f1(3)?;
    let sponsor = chain.user(4)?;
    let keeper = chain.user(5)?;
    let fm = chain.filmark()?;
    let packed = sample_content(3, 200_000)?;

    // The post is registered and an order pays for its storage.
    let register = RegisterParams {
        cid: packed.root,
        owner: None,
        kind: "video/mp4".into(),
        size: packed.file_size,
        piece: Some(packed.piece.cid_v1()),
        platform: "youtube".into(),
        ref_hash: ref_hash("https://youtu.be/abc"),
        metadata: vec![],
    };
    let registry = chain.registry(fm.registry);
    chain.run(registry.register(&client, Register::from(register)))?;
    let now = chain.epoch()?;
    let locked = PRICE * DURATION as u64;
    let order_id = create_order(chain, &fm, &client, &packed, now + 200, atto(locked))?;
    chain.run(registry.link_order(&client, packed.root, order_id))?;
    let acc = account(chain, &fm, &client.address())?;
    ensure!(
        acc.locked == atto(locked),
        "creating locks price × duration × replicas: {acc:?}"
    );

    // Provider A: published with the escrow as client (AuthenticateMessage + MarketNotifyDeal).
    let start_a = chain.epoch()? + 5;
    let deal_a = publish_deal(chain, &fm, &provider_a, &packed, order_id, start_a)?;
    chain.activate_deals(&[deal_a])?;
    chain.mine((start_a - chain.epoch()?).max(0) as u64 + 20)?;
    let before = chain.balance(&provider_a.address())?;
    let (paid, at) = settle(chain, &fm, &keeper, order_id)?;
    let earned = (at - start_a) as u64 * PRICE;
    ensure!(
        paid.paid == atto(earned),
        "paid {} for {} active epochs",
        paid.paid,
        at - start_a
    );
    ensure!(
        chain.balance(&provider_a.address())? - &before == atto(earned),
        "provider received it"
    );

    let f = funding(chain, &fm, packed.root)?;
    let fund = f.funding.clone().context("registry reads the escrow")?;
    ensure!(
        f.order_id == Some(order_id) && fund.active_replicas == 1,
        "funding {f:?}"
    );
    ensure!(
        fund.funded_until == start_a + DURATION,
        "funded until the deal's end: {fund:?}"
    );

    // Settled again, then slashed: the market forgets a slashed deal at once (its getters answer
    // exit 32) and never tells when; the next settlement pays A up to itself (within the window
    // after A was last seen active) and frees the slot.
    chain.mine(10)?;
    let (paid2, settled) = settle(chain, &fm, &keeper, order_id)?;
    chain.terminate_deals(&[deal_a])?;
    let terminated = chain.epoch()?;
    chain.mine(5)?;
    let (paid3, gone) = settle(chain, &fm, &keeper, order_id)?;
    let total_a = (gone - start_a) as u64 * PRICE;
    ensure!(
        paid3.paid == atto((gone - settled) as u64 * PRICE),
        "paid up to the settlement that saw the deal gone: {:?}",
        paid3.paid
    );
    ensure!(
        paid.paid + paid2.paid + paid3.paid == atto(total_a)
            && gone - terminated <= SETTLEMENT_WINDOW,
        "A paid its active epochs plus less than the window"
    );
    let f = funding(chain, &fm, packed.root)?;
    ensure!(
        f.funding.is_some_and(|f| f.active_replicas == 0),
        "the slot is free again"
    );

    // A sponsor tops the order up so a full-length replacement fits; provider B re-fills the slot.
    let top_up = atto(total_a);
    let escrow = chain.escrow(fm.escrow);
    chain.run(escrow.fund_order(&sponsor, order_id, TokenAmount::default(), top_up.clone()))?;
    let start_b = chain.epoch()? + 5;
    let deal_b = publish_deal(chain, &fm, &provider_b, &packed, order_id, start_b)?;
    chain.activate_deals(&[deal_b])?;
    // A keeper settles as B's deal ends (before the market forgets it), then past the deadline.
    let before_b = chain.balance(&provider_b.address())?;
    chain.mine((start_b + DURATION - 1 - chain.epoch()?) as u64)?;
    let (paid_b, at) = settle(chain, &fm, &keeper, order_id)?;
    ensure!(at == start_b + DURATION, "settled at B's end epoch");
    ensure!(
        paid_b.paid == atto(PRICE * DURATION as u64),
        "B paid for its whole term: {:?}",
        paid_b.paid
    );
    ensure!(
        chain.balance(&provider_b.address())? - &before_b == paid_b.paid,
        "B received it"
    );
    let deadline = now + 200;
    chain.mine((deadline + 1 - chain.epoch()?).max(0) as u64)?;
    let (last, _) = settle(chain, &fm, &keeper, order_id)?;
    ensure!(last.paid.is_zero(), "nothing more to pay");

    // Everything unearned went back: client and sponsor accounts, pro rata; the order closes.
    chain.run(escrow.close_order(&client, order_id))?;
    let client_acc = account(chain, &fm, &client.address())?;
    let sponsor_acc = account(chain, &fm, &sponsor.address())?;
    ensure!(
        client_acc.locked.is_zero() && sponsor_acc.locked.is_zero(),
        "nothing stays locked"
    );
    let refunded = client_acc.available + &sponsor_acc.available;
    let contributed = atto(locked) + &top_up;
    let spent = atto(total_a + PRICE * DURATION as u64);
    ensure!(
        refunded == contributed - spent,
        "refunds + payments = contributions"
    );
    ensure!(
        chain.balance(&fm.escrow)? == refunded,
        "escrow holds exactly the accounts"
    );

    check_invariants(chain, &fm)
}

/// A sponsor funds someone else's order; no provider takes it; past the deadline both get their
/// exact share back and the sponsor withdraws it.
///
/// # Errors
/// When any step does not behave as the escrow promises.
pub fn sponsored_order<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let client = chain.user(0)?;
    let sponsor = chain.eth(1)?;
    let keeper = chain.user(5)?;
    let fm = chain.filmark()?;
    let packed = sample_content(9, 10_000)?;
    let deadline = chain.epoch()? + 20;
    let order_id = create_order(
        chain,
        &fm,
        &client,
        &packed,
        deadline,
        atto(PRICE * DURATION as u64),
    )?;

    // The sponsor is an f410 account: FundOrder through the ABI (its signer's path).
    let sponsored = atto(3 * PRICE * DURATION as u64);
    let escrow = chain.escrow(fm.escrow);
    chain.run(escrow.fund_order(
        &sponsor,
        order_id,
        TokenAmount::default(),
        sponsored.clone(),
    ))?;

    chain.mine((deadline - chain.epoch()?) as u64 + 1)?;
    settle(chain, &fm, &keeper, order_id)?;
    let sponsor_acc = account(chain, &fm, &sponsor.address())?;
    let client_acc = account(chain, &fm, &client.address())?;
    ensure!(
        sponsor_acc.available == sponsored,
        "sponsor refunded in full: {sponsor_acc:?}"
    );
    ensure!(
        client_acc.available == atto(PRICE * DURATION as u64),
        "client refunded in full"
    );

    let before = chain.balance(&sponsor.address())?;
    let amount = atto(3 * PRICE * DURATION as u64);
    chain.run(escrow.withdraw(&sponsor, amount, None))?;
    ensure!(
        chain.balance(&sponsor.address())? > before,
        "the sponsor got its FIL back"
    );

    check_invariants(chain, &fm)
}

/// An order with one replica and one deal published for it (escrow as client), activated, and
/// settled once `after_start` epochs past its start. Returns the order, the deal, its start,
/// the first settlement and its epoch.
struct Running {
    fm: Filmark,
    order_id: u64,
    deal: u64,
    start: ChainEpoch,
    first: SettleReturn,
    seen: ChainEpoch,
}

fn running_deal<T: Backend>(
    chain: &Chain<T>,
    seed: u8,
    duration: ChainEpoch,
    after_start: u64,
) -> anyhow::Result<Running> {
    let client = chain.user(0)?;
    let provider = chain.f1(2)?;
    let keeper = chain.user(5)?;
    let fm = chain.filmark()?;
    let packed = sample_content(seed, 20_000)?;
    let now = chain.epoch()?;
    let value = atto(PRICE * duration as u64);
    let order_id = create_order_for(chain, &fm, &client, &packed, now + 50, duration, value)?;
    let start = chain.epoch()? + 5;
    let deal = deal_id(&publish_storage_deal(
        chain, &fm, &provider, &packed, order_id, start, duration,
    )?)?;
    chain.activate_deals(&[deal])?;
    chain.mine((start - chain.epoch()?).max(0) as u64 + after_start)?;
    let (first, seen) = settle(chain, &fm, &keeper, order_id)?;
    ensure!(
        first.paid == atto((seen - start) as u64 * PRICE),
        "paid its active epochs so far: {first:?}"
    );
    Ok(Running {
        fm,
        order_id,
        deal,
        start,
        first,
        seen,
    })
}

/// Past the deadline, with no live deal: the client closes the order and gets back exactly
/// what was not paid; the invariants hold.
fn close_and_check<T: Backend>(
    chain: &Chain<T>,
    r: &Running,
    paid: &TokenAmount,
) -> anyhow::Result<()> {
    let client = chain.user(0)?;
    let keeper = chain.user(5)?;
    let o = order(chain, &r.fm, r.order_id)?;
    ensure!(o.liveDeals == 0, "no live deal left: {}", o.liveDeals);
    ensure!(
        token_of(o.paid) == *paid,
        "the order paid {} (expected {paid})",
        o.paid
    );
    let deadline = o.activationDeadline;
    if chain.epoch()? <= deadline {
        chain.mine((deadline + 1 - chain.epoch()?) as u64)?;
    }
    settle(chain, &r.fm, &keeper, r.order_id)?;
    chain.run(chain.escrow(r.fm.escrow).close_order(&client, r.order_id))?;
    let acc = account(chain, &r.fm, &client.address())?;
    ensure!(
        acc.locked.is_zero() && acc.available == token_of(o.funded) - paid,
        "refunds + payments = contributions: {acc:?}, funded {}",
        o.funded
    );
    check_invariants(chain, &r.fm)
}

/// Early termination on the real market: the deal is slashed mid-term (the market answers 32
/// from then on, with no termination epoch); the next settlement pays the provider up to
/// itself — its active epochs plus less than the window — and frees the slot.
///
/// # Errors
/// When any step does not behave as the escrow promises.
pub fn escrow_early_termination<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let provider = chain.f1(2)?;
    let keeper = chain.user(5)?;
    let r = running_deal(chain, 11, DURATION, 10)?;
    chain.mine(10)?;
    chain.terminate_deals(&[r.deal])?;
    let terminated = chain.epoch()?;
    chain.mine(5)?;
    let before = chain.balance(&provider.address())?;
    let (second, gone) = settle(chain, &r.fm, &keeper, r.order_id)?;
    ensure!(
        second.paid == atto((gone - r.seen) as u64 * PRICE),
        "paid up to the settlement that saw the deal gone: {second:?}"
    );
    ensure!(
        chain.balance(&provider.address())? - &before == second.paid,
        "the provider received it"
    );
    let active = terminated - r.start;
    let paid_epochs = gone - r.start;
    ensure!(
        paid_epochs >= active && paid_epochs <= active + SETTLEMENT_WINDOW,
        "paid {paid_epochs} epochs for {active} active ones"
    );
    let o = order(chain, &r.fm, r.order_id)?;
    ensure!(o.completed == 0, "a terminated deal completes no replica");
    let (third, _) = settle(chain, &r.fm, &keeper, r.order_id)?;
    ensure!(third.paid.is_zero(), "nothing more for a gone deal");
    close_and_check(chain, &r, &(&r.first.paid + &second.paid))
}

/// A deal runs to its end; someone else settles it in the market first (`SettleDealPayments`
/// removes it: the escrow then sees 32). The provider is still paid every epoch up to its end
/// and its replica is completed.
///
/// # Errors
/// When any step does not behave as the escrow promises.
pub fn escrow_market_settlement_after_completion<T: Backend>(
    chain: &Chain<T>,
) -> anyhow::Result<()> {
    let provider = chain.f1(2)?;
    let keeper = chain.user(5)?;
    let r = running_deal(chain, 12, DURATION, 30)?;
    let end = r.start + DURATION;
    chain.advance_epochs((end + 5 - chain.epoch()?) as u64)?;
    let market = chain.settle_deal_payments(&[r.deal])?;
    ensure!(
        market.results.all_ok() && market.settlements.first().is_some_and(|s| s.completed),
        "the market completed and removed the deal: {market:?}"
    );
    let before = chain.balance(&provider.address())?;
    let (tail, _) = settle(chain, &r.fm, &keeper, r.order_id)?;
    ensure!(
        tail.paid == atto((end - r.seen) as u64 * PRICE),
        "the tail is paid in full: {tail:?}"
    );
    ensure!(
        chain.balance(&provider.address())? - &before == tail.paid,
        "the provider received it"
    );
    let o = order(chain, &r.fm, r.order_id)?;
    ensure!(
        o.completed == 1 && token_of(o.paid) == atto(PRICE * DURATION as u64),
        "one completed replica, paid price × its whole term: {} {}",
        o.completed,
        o.paid
    );
    close_and_check(chain, &r, &token_of(o.paid))
}

/// Late settlements. A deal nobody settles until long after its end, still in the market: the
/// one late `Settle` pays it in full and completes its replica. A deal longer than the window,
/// seen active only at its start, removed from the market by someone else after its end and
/// settled late: paid up to its last sighting + the window (the stated exposure of a provider
/// nobody settled for in its last window), not completed.
///
/// # Errors
/// When any step does not behave as the escrow promises.
pub fn escrow_late_settle<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let keeper = chain.user(5)?;
    let r = running_deal(chain, 13, DURATION, 0)?;
    let end = r.start + DURATION;
    chain.advance_epochs((end + 2 * SETTLEMENT_WINDOW - chain.epoch()?) as u64)?;
    let (late, _) = settle(chain, &r.fm, &keeper, r.order_id)?;
    ensure!(
        &r.first.paid + &late.paid == atto(PRICE * DURATION as u64),
        "paid in full by one late settlement: {late:?}"
    );
    ensure!(
        order(chain, &r.fm, r.order_id)?.completed == 1,
        "replica completed"
    );
    close_and_check(chain, &r, &(&r.first.paid + &late.paid))?;

    let long = 2 * SETTLEMENT_WINDOW;
    let r = running_deal(chain, 14, long, 1)?;
    let end = r.start + long;
    chain.advance_epochs((end + 10 - chain.epoch()?) as u64)?;
    chain.settle_deal_payments(&[r.deal])?;
    let (late, _) = settle(chain, &r.fm, &keeper, r.order_id)?;
    ensure!(
        late.paid == atto(SETTLEMENT_WINDOW as u64 * PRICE),
        "paid up to the last sighting + the window: {late:?}"
    );
    ensure!(
        order(chain, &r.fm, r.order_id)?.completed == 0,
        "not counted as a completed replica"
    );
    close_and_check(chain, &r, &(&r.first.paid + &late.paid))
}
