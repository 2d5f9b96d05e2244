//! Shared helpers for the escrow's behaviour tests: named actors, setup, method calls, the
//! faked market and the invariant check.

use cid::Cid;
use cid::multihash::Multihash;
use filmark_actor_shared::ActorError;
use filmark_actor_shared::testing::{ExpectedSend, FakeRuntime};
use filmark_escrow::ext::market::{self, DealProposal, DealQueryParams, Label};
use filmark_escrow::state::{Order, State};
use filmark_escrow::testing::check_state_invariants;
use filmark_escrow::types::*;
use filmark_escrow::{Method, dispatch};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, METHOD_SEND};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use filmark_actor_shared::testing::FakeRuntime as Rt;

pub(crate) const ESCROW: ActorID = 1000;
pub(crate) use filmark_actor_shared::builtin::INIT_ACTOR_ID as INIT;
pub(crate) use filmark_actor_shared::builtin::STORAGE_MARKET_ACTOR_ID as MARKET;
pub(crate) const CLIENT: ActorID = 101;
pub(crate) const SPONSOR: ActorID = 102;
pub(crate) const SPONSOR2: ActorID = 103;
pub(crate) const APP_KEY: ActorID = 104;
pub(crate) const OTHER: ActorID = 105;
pub(crate) const PROVIDER: ActorID = 201;
pub(crate) const PROVIDER2: ActorID = 202;

pub(crate) const PRICE: i64 = 10;
pub(crate) const MIN_DURATION: i64 = 100;
pub(crate) const DEADLINE: i64 = 50;
pub(crate) const SIZE: u64 = 2048;

pub(crate) fn atto(v: i64) -> TokenAmount {
    TokenAmount::from_atto(v)
}

pub(crate) fn id(a: ActorID) -> Address {
    Address::new_id(a)
}

/// A v1 piece CID (`baga...`).
pub(crate) fn piece(n: u8) -> Cid {
    Cid::new_v1(0xf101, Multihash::<64>::wrap(0x1012, &[n; 32]).unwrap())
}

/// A content CID (dag-pb sha256).
pub(crate) fn content(n: u8) -> Cid {
    Cid::new_v1(0x70, Multihash::<64>::wrap(0x12, &[n; 32]).unwrap())
}

pub(crate) fn setup() -> FakeRuntime {
    let rt = FakeRuntime::new(ESCROW);
    rt.set_caller(INIT);
    rt.call(dispatch, Method::Constructor.number(), None)
        .unwrap();
    rt
}

pub(crate) fn block<T: Serialize>(p: &T) -> Option<IpldBlock> {
    IpldBlock::serialize_cbor(p).unwrap()
}

/// Calls a method as `caller` with `value`.
pub(crate) fn call<P: Serialize>(
    rt: &FakeRuntime,
    caller: ActorID,
    method: Method,
    params: Option<&P>,
    value: i64,
) -> Result<Option<IpldBlock>, ActorError> {
    rt.set_caller(caller);
    rt.set_value(atto(value));
    let r = rt.call(dispatch, method.number(), params.and_then(block));
    if r.is_err() {
        rt.reset_expectations();
    }
    r
}

pub(crate) fn decode<R: DeserializeOwned>(b: Option<IpldBlock>) -> R {
    fvm_ipld_encoding::from_slice(&b.expect("a return value").data).unwrap()
}

pub(crate) fn call_ok<P: Serialize, R: DeserializeOwned>(
    rt: &FakeRuntime,
    caller: ActorID,
    method: Method,
    params: &P,
) -> R {
    decode(call(rt, caller, method, Some(params), 0).unwrap())
}

/// Asserts a call fails with `code`; returns the message.
pub(crate) fn expect_err(r: Result<Option<IpldBlock>, ActorError>, code: ExitCode) -> String {
    match r {
        Ok(_) => panic!("expected exit code {code}, call succeeded"),
        Err(e) => {
            assert_eq!(e.exit_code(), code, "wrong exit code: {}", e.msg());
            e.msg().to_owned()
        }
    }
}

pub(crate) fn deposit(rt: &FakeRuntime, who: ActorID, amount: i64) {
    call::<()>(rt, who, Method::Deposit, None, amount).unwrap();
}

pub(crate) fn account(rt: &FakeRuntime, who: ActorID) -> (i64, i64) {
    let r: GetAccountReturn = call_ok(
        rt,
        OTHER,
        Method::GetAccount,
        &GetAccountParams { account: id(who) },
    );
    (to_i64(&r.available), to_i64(&r.locked))
}

pub(crate) fn to_i64(t: &TokenAmount) -> i64 {
    i64::try_from(t.atto()).unwrap()
}

pub(crate) fn order_params() -> CreateOrderParams {
    CreateOrderParams {
        piece_cid: piece(1),
        piece_size: SIZE,
        price_per_epoch: atto(PRICE),
        min_duration: MIN_DURATION,
        replicas: 2,
        allowed_providers: vec![],
        activation_deadline: DEADLINE,
        content: Some(content(1)),
        client: None,
        allow_same_provider: false,
    }
}

pub(crate) fn try_create(
    rt: &FakeRuntime,
    caller: ActorID,
    p: &CreateOrderParams,
) -> Result<Option<IpldBlock>, ActorError> {
    call(rt, caller, Method::CreateOrder, Some(p), 0)
}

pub(crate) fn create(rt: &FakeRuntime, caller: ActorID, p: &CreateOrderParams) -> u64 {
    let r: CreateOrderReturn = decode(try_create(rt, caller, p).unwrap());
    r.order_id
}

/// Deposits enough and creates the default order for CLIENT.
pub(crate) fn funded_order(rt: &FakeRuntime) -> u64 {
    let p = order_params();
    deposit(rt, CLIENT, PRICE * MIN_DURATION * 2);
    create(rt, CLIENT, &p)
}

pub(crate) fn get_order(rt: &FakeRuntime, order_id: u64) -> Order {
    call_ok(rt, OTHER, Method::GetOrder, &OrderIdParams { order_id })
}

pub(crate) fn funding(rt: &FakeRuntime, order_id: u64) -> OrderFunding {
    call_ok(
        rt,
        OTHER,
        Method::GetOrderFunding,
        &OrderIdParams { order_id },
    )
}

/// A deal as the (simulated) market knows it.
#[derive(Clone, Debug)]
pub(crate) struct Deal {
    pub(crate) id: u64,
    pub(crate) piece: Cid,
    pub(crate) size: u64,
    pub(crate) provider: ActorID,
    pub(crate) start: ChainEpoch,
    pub(crate) end: ChainEpoch,
    /// The deal's market-level client (the escrow for deals it may bind).
    pub(crate) client: ActorID,
}

pub(crate) fn deal(id: u64, provider: ActorID, start: ChainEpoch, end: ChainEpoch) -> Deal {
    Deal {
        id,
        client: ESCROW,
        piece: piece(1),
        size: SIZE,
        provider,
        start,
        end,
    }
}

/// What `GetDealActivation` answers, as the real (actors v18) market does: never
/// `[activated, terminated ≥ 0]`; a slashed, terminated or settled-after-its-end deal answers 32.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Act {
    /// `[activated, -1]`: activated, not slashed, not removed.
    Active(ChainEpoch),
    /// `[-1, -1]`: published, not activated.
    Pending,
    /// An exit code (17 never published, 32 slashed / terminated / removed, 33 not activated).
    Exit(ExitCode),
}

/// The market's answer once a deal is gone (slashed, terminated, or settled after its end).
pub(crate) const GONE: Act = Act::Exit(market::EX_DEAL_EXPIRED);

fn query(method: u64, deal_id: u64) -> ExpectedSend {
    ExpectedSend::new(id(MARKET), method, block(&DealQueryParams { id: deal_id })).read_only()
}

pub(crate) fn expect_getter<R: Serialize>(
    rt: &FakeRuntime,
    method: u64,
    deal_id: u64,
    ret: Result<R, ExitCode>,
) {
    let s = query(method, deal_id);
    rt.expect_send(match ret {
        Ok(r) => s.returns(ExitCode::OK, block(&r)),
        Err(code) => s.returns(code, None),
    });
}

pub(crate) fn expect_terms(rt: &FakeRuntime, d: &Deal) {
    expect_getter(
        rt,
        market::Getter::GetDealClient.number(),
        d.id,
        Ok(market::GetDealClientReturn { client: d.client }),
    );
    if d.client != ESCROW {
        return;
    }
    expect_getter(
        rt,
        market::Getter::GetDealDataCommitment.number(),
        d.id,
        Ok(market::GetDealDataCommitmentReturn {
            data: d.piece,
            size: PaddedPieceSize(d.size),
        }),
    );
    expect_getter(
        rt,
        market::Getter::GetDealProvider.number(),
        d.id,
        Ok(market::GetDealProviderReturn {
            provider: d.provider,
        }),
    );
    expect_getter(
        rt,
        market::Getter::GetDealTerm.number(),
        d.id,
        Ok(market::GetDealTermReturn {
            start: d.start,
            duration: d.end - d.start,
        }),
    );
}

pub(crate) fn expect_activation(rt: &FakeRuntime, deal_id: u64, act: Act) {
    match act {
        Act::Active(_) | Act::Pending => expect_getter(
            rt,
            market::Getter::GetDealActivation.number(),
            deal_id,
            Ok(market::GetDealActivationReturn {
                activated: if let Act::Active(a) = act { a } else { -1 },
                terminated: -1,
            }),
        ),
        Act::Exit(code) => expect_getter::<()>(
            rt,
            market::Getter::GetDealActivation.number(),
            deal_id,
            Err(code),
        ),
    }
}

pub(crate) fn try_bind(
    rt: &FakeRuntime,
    order_id: u64,
    d: &Deal,
    act: Act,
) -> Result<Option<IpldBlock>, ActorError> {
    expect_terms(rt, d);
    if d.client == ESCROW {
        expect_activation(rt, d.id, act);
    }
    call(
        rt,
        OTHER,
        Method::BindDeal,
        Some(&BindDealParams {
            order_id,
            deal_id: d.id,
        }),
        0,
    )
}

pub(crate) fn bind(rt: &FakeRuntime, order_id: u64, d: &Deal, act: Act) {
    try_bind(rt, order_id, d, act).unwrap();
    rt.verify();
}

pub(crate) fn expect_payment(rt: &FakeRuntime, provider: ActorID, amount: i64) {
    rt.expect_send(ExpectedSend::new(id(provider), METHOD_SEND, None).value(atto(amount)));
}

/// Settles with the given activation answers (in the order's deal order) and expected payments.
pub(crate) fn settle(
    rt: &FakeRuntime,
    order_id: u64,
    acts: &[(u64, Act)],
    payments: &[(ActorID, i64)],
) -> SettleReturn {
    for (deal_id, act) in acts {
        expect_activation(rt, *deal_id, *act);
    }
    for (p, a) in payments {
        expect_payment(rt, *p, *a);
    }
    let r = decode(
        call(
            rt,
            OTHER,
            Method::Settle,
            Some(&OrderIdParams { order_id }),
            0,
        )
        .unwrap(),
    );
    rt.verify();
    r
}

pub(crate) fn proposal(order_id: u64, d: &Deal) -> DealProposal {
    DealProposal {
        piece_cid: d.piece,
        piece_size: PaddedPieceSize(d.size),
        verified_deal: false,
        client: id(ESCROW),
        provider: id(d.provider),
        label: Label::String(order_id.to_string()),
        start_epoch: d.start,
        end_epoch: d.end,
        storage_price_per_epoch: atto(0),
        provider_collateral: atto(0),
        client_collateral: atto(0),
    }
}

pub(crate) fn authenticate(
    rt: &FakeRuntime,
    caller: ActorID,
    p: &DealProposal,
) -> Result<Option<IpldBlock>, ActorError> {
    let params = AuthenticateMessageParams {
        signature: vec![],
        message: fvm_ipld_encoding::to_vec(p).unwrap(),
    };
    rt.set_read_only(true);
    let r = call(rt, caller, Method::AuthenticateMessage, Some(&params), 0);
    rt.set_read_only(false);
    r
}

pub(crate) fn notify(
    rt: &FakeRuntime,
    caller: ActorID,
    p: &DealProposal,
    deal_id: u64,
) -> Result<Option<IpldBlock>, ActorError> {
    let params = MarketNotifyDealParams {
        proposal: fvm_ipld_encoding::to_vec(p).unwrap(),
        deal_id,
    };
    call(rt, caller, Method::MarketNotifyDeal, Some(&params), 0)
}

/// Checks the invariants against the runtime's balance.
pub(crate) fn check_state(rt: &FakeRuntime) {
    rt.verify();
    let st: State = filmark_actor_shared::Runtime::state(rt).unwrap();
    let balance = filmark_actor_shared::Runtime::current_balance(rt);
    let (_, acc) = check_state_invariants(rt.blockstore(), &st, &balance);
    acc.assert_empty();
}

/// Names of the events emitted so far (decoded by their topic0).
pub(crate) fn event_names(rt: &FakeRuntime) -> Vec<&'static str> {
    use alloy_sol_types::SolEvent;
    use filmark_escrow::abi::IFilmarkEscrow as I;
    let sigs: [(alloy_primitives::B256, &str); 13] = [
        (I::Deposited::SIGNATURE_HASH, "Deposited"),
        (I::Withdrawn::SIGNATURE_HASH, "Withdrawn"),
        (I::OrderCreated::SIGNATURE_HASH, "OrderCreated"),
        (I::OrderFunded::SIGNATURE_HASH, "OrderFunded"),
        (I::DealBound::SIGNATURE_HASH, "DealBound"),
        (I::DealActivated::SIGNATURE_HASH, "DealActivated"),
        (I::DealRejected::SIGNATURE_HASH, "DealRejected"),
        (I::DealFinished::SIGNATURE_HASH, "DealFinished"),
        (I::ProviderPaid::SIGNATURE_HASH, "ProviderPaid"),
        (I::FundsUnlocked::SIGNATURE_HASH, "FundsUnlocked"),
        (I::OrderClosed::SIGNATURE_HASH, "OrderClosed"),
        (I::AppKeyAuthorized::SIGNATURE_HASH, "AppKeyAuthorized"),
        (I::AppKeyRevoked::SIGNATURE_HASH, "AppKeyRevoked"),
    ];
    rt.events()
        .iter()
        .map(|e| {
            let (topics, _) = filmark_actor_shared::events::decode_log(e).unwrap();
            sigs.iter()
                .find(|(h, _)| h.0 == topics[0])
                .map(|(_, n)| *n)
                .unwrap_or("?")
        })
        .collect()
}
