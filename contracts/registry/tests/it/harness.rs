//! Shared test harness: named actors, setup, method helpers and the invariant check.

pub(crate) use cid::Cid;
pub(crate) use filmark_actor_shared::testing::{ExpectedSend, FakeRuntime};
pub(crate) use filmark_actor_shared::{ActorError, Runtime};
pub(crate) use filmark_registry::ext::escrow::{
    GetOrderFundingParams, Method as EscrowMethod, OrderFunding,
};
pub(crate) use filmark_registry::policy::*;
pub(crate) use filmark_registry::testing::check_state_invariants;
pub(crate) use filmark_registry::types::*;
pub(crate) use filmark_registry::{Method, State, dispatch};
pub(crate) use fvm_ipld_encoding::ipld_block::IpldBlock;
pub(crate) use fvm_shared::ActorID;
pub(crate) use fvm_shared::address::Address;
pub(crate) use fvm_shared::error::ExitCode;
use multihash_codetable::{Code, MultihashDigest};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use filmark_actor_shared::builtin::INIT_ACTOR_ID as INIT;
pub(crate) const REGISTRY: ActorID = 100;
pub(crate) const ESCROW: ActorID = 200;
/// An f1 account.
pub(crate) const ALICE: ActorID = 1001;
/// An f0-only actor.
pub(crate) const BOB: ActorID = 1002;
/// An Ethereum account (f410).
pub(crate) const CAROL: ActorID = 1003;
/// An app signer.
pub(crate) const APP: ActorID = 1010;
/// Another app signer.
pub(crate) const APP2: ActorID = 1011;

pub(crate) const CAROL_ETH: [u8; 20] = [0xca; 20];
pub(crate) const APP_ETH: [u8; 20] = [0xa9; 20];

pub(crate) fn alice_f1() -> Address {
    Address::new_secp256k1(&[7u8; 65]).unwrap()
}

pub(crate) fn carol_f410() -> Address {
    Address::new_delegated(10, &CAROL_ETH).unwrap()
}

pub(crate) fn id(a: ActorID) -> Address {
    Address::new_id(a)
}

/// A fresh registry with an escrow, constructed by the init actor.
pub(crate) fn setup() -> FakeRuntime {
    let rt = FakeRuntime::new(REGISTRY);
    rt.add_id_address(alice_f1(), ALICE);
    rt.add_eth_account(CAROL, CAROL_ETH);
    rt.add_eth_account(APP, APP_ETH);
    rt.set_epoch(100);
    construct(&rt, Some(id(ESCROW))).unwrap();
    rt
}

pub(crate) fn construct(rt: &FakeRuntime, escrow: Option<Address>) -> Result<(), ActorError> {
    call(rt, INIT, Method::Constructor, &ConstructorParams { escrow }).map(|_| ())
}

pub(crate) fn block<T: Serialize>(p: &T) -> Option<IpldBlock> {
    IpldBlock::serialize_cbor(p).unwrap()
}

/// Calls a CBOR method as `caller`.
pub(crate) fn call<T: Serialize>(
    rt: &FakeRuntime,
    caller: ActorID,
    method: Method,
    params: &T,
) -> Result<Option<IpldBlock>, ActorError> {
    rt.set_caller(caller);
    rt.call(dispatch, method.number(), block(params))
}

/// Calls a CBOR method and decodes its return.
pub(crate) fn call_ret<T: Serialize, R: DeserializeOwned>(
    rt: &FakeRuntime,
    caller: ActorID,
    method: Method,
    params: &T,
) -> Result<R, ActorError> {
    let ret = call(rt, caller, method, params)?;
    Ok(ret.expect("a return value").deserialize().unwrap())
}

pub(crate) fn cid(n: u64) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(&n.to_be_bytes()))
}

pub(crate) fn piece(n: u64) -> Cid {
    Cid::new_v1(
        0xf101,
        Code::Blake2b256.digest(&[n.to_be_bytes(), [0xaa; 8]].concat()),
    )
}

pub(crate) fn entry(k: &str, v: &str) -> MetadataEntry {
    MetadataEntry {
        key: k.into(),
        value: v.into(),
    }
}

/// Register params for content `n`, owned by the caller.
pub(crate) fn reg(n: u64) -> RegisterParams {
    RegisterParams {
        cid: cid(n),
        owner: None,
        kind: "image/png".into(),
        size: 1000 + n,
        piece: Some(piece(n)),
        platform: "bluesky".into(),
        ref_hash: [n as u8; 32],
        metadata: vec![entry("title", "post"), entry("alt", "a cat")],
    }
}

pub(crate) fn register(rt: &FakeRuntime, caller: ActorID, n: u64) {
    call(rt, caller, Method::Register, &reg(n)).unwrap();
}

pub(crate) fn get(rt: &FakeRuntime, c: Cid) -> Record {
    call_ret(rt, ALICE, Method::Get, &GetParams { cid: c }).unwrap()
}

pub(crate) fn counts(rt: &FakeRuntime) -> CountsReturn {
    rt.set_caller(ALICE);
    rt.call(dispatch, Method::Counts.number(), None)
        .unwrap()
        .unwrap()
        .deserialize()
        .unwrap()
}

pub(crate) fn list(rt: &FakeRuntime, owner: ActorID, cursor: u64, limit: u32) -> ListByOwnerReturn {
    call_ret(
        rt,
        ALICE,
        Method::ListByOwner,
        &ListByOwnerParams {
            owner: id(owner),
            cursor,
            limit,
        },
    )
    .unwrap()
}

pub(crate) fn add_signer(
    rt: &FakeRuntime,
    owner: ActorID,
    signer: ActorID,
    scope: u32,
    expiry: i64,
) -> u64 {
    let r: AddSignerReturn = call_ret(
        rt,
        owner,
        Method::AddSigner,
        &AddSignerParams {
            signer: id(signer),
            scope,
            expiry,
        },
    )
    .unwrap();
    r.grant_id
}

/// The owner revokes its grant to `signer`.
#[track_caller]
pub(crate) fn revoke_signer(rt: &FakeRuntime, owner: ActorID, signer: ActorID) {
    call(
        rt,
        owner,
        Method::RevokeSigner,
        &RevokeSignerParams {
            owner: None,
            signer: id(signer),
        },
    )
    .unwrap();
}

/// Asserts an error with this exit code, and returns its message.
#[track_caller]
pub(crate) fn expect_code<T: std::fmt::Debug>(
    res: Result<T, ActorError>,
    code: ExitCode,
) -> String {
    match res {
        Ok(v) => panic!("expected exit code {code}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.exit_code(), code, "unexpected error: {e}");
            e.msg().to_owned()
        }
    }
}

/// Asserts the state invariants hold.
#[track_caller]
pub(crate) fn check_state(rt: &FakeRuntime) {
    let st: State = rt.state().unwrap();
    let (_, acc) = check_state_invariants(rt.blockstore(), &st);
    acc.assert_empty();
}

/// Announces the escrow's answer to `GetOrderFunding(order_id)`.
pub(crate) fn expect_funding(
    rt: &FakeRuntime,
    order_id: u64,
    code: ExitCode,
    funding: Option<&OrderFunding>,
) {
    rt.expect_send(
        ExpectedSend::new(
            id(ESCROW),
            EscrowMethod::GetOrderFunding.number(),
            block(&GetOrderFundingParams { order_id }),
        )
        .read_only()
        .returns(code, funding.and_then(block)),
    );
}

/// The escrow's answer for an open order of `owner` for record `n`'s content and piece.
pub(crate) fn funding_for(owner: ActorID, n: u64) -> OrderFunding {
    OrderFunding {
        piece_cid: piece(n),
        content: Some(cid(n)),
        client: owner,
        funded_until: 50_000,
        active_replicas: 2,
        open: true,
    }
}
