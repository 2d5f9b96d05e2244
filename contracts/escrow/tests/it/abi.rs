//! The Ethereum path (method 3844450837) gives the same state and results as the CBOR methods.
use crate::harness::*;
use alloy_primitives::{Address as EthAddress, U256};
use alloy_sol_types::SolCall;
use filmark_actor_shared::ActorError;
use filmark_actor_shared::abi::{abi_return_bytes, decode_revert, masked_id_address};
use filmark_escrow::Method;
use filmark_escrow::abi::IFilmarkEscrow as I;
use filmark_escrow::types::*;
use fvm_ipld_encoding::BytesSer;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::error::ExitCode;

fn eth(id: u64) -> EthAddress {
    EthAddress::from(masked_id_address(id))
}

fn abi_call<C: SolCall>(rt: &Rt, caller: u64, c: &C, value: i64) -> Result<C::Return, ActorError> {
    rt.set_caller(caller);
    rt.set_value(atto(value));
    let params = IpldBlock::serialize_cbor(&BytesSer(&c.abi_encode())).unwrap();
    let r = rt.call(filmark_escrow::dispatch, Method::InvokeEvm.number(), params);
    if r.is_err() {
        rt.reset_expectations();
    }
    let bytes = abi_return_bytes(r?).unwrap();
    Ok(C::abi_decode_returns(&bytes).unwrap())
}

fn order_params_abi() -> I::OrderParams {
    let p = order_params();
    I::OrderParams {
        pieceCid: p.piece_cid.to_bytes().into(),
        pieceSize: p.piece_size,
        pricePerEpoch: U256::from(PRICE),
        minDuration: p.min_duration,
        replicas: p.replicas,
        allowedProviders: vec![],
        activationDeadline: p.activation_deadline,
        content: p.content.unwrap().to_bytes().into(),
        client: EthAddress::ZERO,
        allowSameProvider: false,
    }
}

/// The same story through both paths; returns the runtime.
fn story(abi: bool) -> Rt {
    let rt = setup();
    let d = deal(1, PROVIDER, 20, 120);
    if abi {
        abi_call(&rt, CLIENT, &I::depositCall {}, 3000).unwrap();
        let id = abi_call(
            &rt,
            CLIENT,
            &I::createOrderCall {
                params: order_params_abi(),
            },
            0,
        )
        .unwrap();
        assert_eq!(id, 0);
        abi_call(
            &rt,
            SPONSOR,
            &I::fundOrderCall {
                orderId: 0,
                fromAvailable: U256::ZERO,
            },
            500,
        )
        .unwrap();
        abi_call(
            &rt,
            CLIENT,
            &I::authorizeKeyCall {
                key: eth(APP_KEY),
                cap: U256::from(7),
                expiry: 99,
            },
            0,
        )
        .unwrap();
        expect_terms(&rt, &d);
        expect_activation(&rt, 1, Act::Active(10));
        abi_call(
            &rt,
            OTHER,
            &I::bindDealCall {
                orderId: 0,
                dealId: 1,
            },
            0,
        )
        .unwrap();
        rt.set_epoch(30);
        expect_activation(&rt, 1, Act::Active(10));
        expect_payment(&rt, PROVIDER, 100);
        let r = abi_call(&rt, OTHER, &I::settleCall { orderId: 0 }, 0).unwrap();
        assert_eq!((r.paid, r.unlocked), (U256::from(100), U256::ZERO));
        expect_payment(&rt, CLIENT, 1000);
        abi_call(
            &rt,
            CLIENT,
            &I::withdrawCall {
                amount: U256::from(1000),
                to: EthAddress::ZERO,
            },
            0,
        )
        .unwrap();
    } else {
        deposit(&rt, CLIENT, 3000);
        create(&rt, CLIENT, &order_params());
        let p = FundOrderParams {
            order_id: 0,
            from_available: atto(0),
        };
        call(&rt, SPONSOR, Method::FundOrder, Some(&p), 500).unwrap();
        let p = AuthorizeKeyParams {
            key: id(APP_KEY),
            cap: atto(7),
            expiry: 99,
        };
        call(&rt, CLIENT, Method::AuthorizeKey, Some(&p), 0).unwrap();
        bind(&rt, 0, &d, Act::Active(10));
        rt.set_epoch(30);
        settle(&rt, 0, &[(1, Act::Active(10))], &[(PROVIDER, 100)]);
        expect_payment(&rt, CLIENT, 1000);
        call(
            &rt,
            CLIENT,
            Method::Withdraw,
            Some(&WithdrawParams {
                amount: atto(1000),
                to: None,
            }),
            0,
        )
        .unwrap();
    }
    check_state(&rt);
    rt
}

#[test]
fn both_paths_reach_the_same_state_and_events() {
    let a = story(true);
    let c = story(false);
    assert_eq!(a.root(), c.root());
    assert_eq!(a.events(), c.events());
}

#[test]
fn views_agree_with_the_cbor_views() {
    let rt = story(true);
    let acc = abi_call(
        &rt,
        OTHER,
        &I::getAccountCall {
            account: eth(CLIENT),
        },
        0,
    )
    .unwrap();
    assert_eq!((acc.available, acc.locked), (U256::ZERO, U256::from(2400)));
    let o = abi_call(&rt, OTHER, &I::getOrderCall { orderId: 0 }, 0).unwrap();
    let native = get_order(&rt, 0);
    assert_eq!(o.client, eth(CLIENT));
    assert_eq!(o.pieceCid.as_ref(), native.piece_cid.to_bytes().as_slice());
    assert_eq!(
        (o.funded, o.paid, o.liveDeals, o.activeReplicas),
        (U256::from(2500), U256::from(100), 1, 1)
    );
    let f = abi_call(&rt, OTHER, &I::getOrderFundingCall { orderId: 0 }, 0).unwrap();
    let nf = funding(&rt, 0);
    assert_eq!(
        (f.client, f.fundedUntil, f.activeReplicas, f.open),
        (eth(CLIENT), nf.funded_until, 1, true)
    );
    assert_eq!(f.content.as_ref(), content(1).to_bytes().as_slice());
    let l = abi_call(
        &rt,
        OTHER,
        &I::listOrdersCall {
            client: eth(CLIENT),
            cursor: 0,
            limit: 10,
        },
        0,
    )
    .unwrap();
    assert_eq!((l.orders.len(), l.more), (1, false));
    let k = abi_call(
        &rt,
        OTHER,
        &I::getAppKeyCall {
            client: eth(CLIENT),
            key: eth(APP_KEY),
        },
        0,
    )
    .unwrap();
    assert_eq!((k.exists, k.cap, k.expiry), (true, U256::from(7), 99));
    abi_call(&rt, CLIENT, &I::revokeKeyCall { key: eth(APP_KEY) }, 0).unwrap();
    rt.set_epoch(500);
    expect_activation(&rt, 1, Act::Active(10));
    expect_payment(&rt, PROVIDER, 900);
    abi_call(&rt, OTHER, &I::settleCall { orderId: 0 }, 0).unwrap();
    abi_call(&rt, CLIENT, &I::closeOrderCall { orderId: 0 }, 0).unwrap();
    check_state(&rt);
}

#[test]
fn errors_revert_with_their_exit_code_and_reason() {
    let rt = setup();
    let e = abi_call(
        &rt,
        CLIENT,
        &I::withdrawCall {
            amount: U256::from(5),
            to: EthAddress::ZERO,
        },
        0,
    )
    .map(|_| ())
    .expect_err("an error");
    assert_eq!(e.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
    let reason = decode_revert(&e.data().unwrap().data).unwrap();
    assert!(reason.contains("exit code 19"), "{reason}");
    let mut bad = order_params_abi();
    bad.pieceCid = vec![1, 2, 3].into();
    let e = abi_call(&rt, CLIENT, &I::createOrderCall { params: bad }, 0)
        .map(|_| ())
        .expect_err("an error");
    assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    check_state(&rt);
}

#[test]
fn empty_calldata_deposits_value_and_unknown_selectors_are_unhandled() {
    let rt = setup();
    rt.set_caller(CLIENT);
    rt.set_value(atto(42));
    rt.call(filmark_escrow::dispatch, Method::InvokeEvm.number(), None)
        .unwrap();
    assert_eq!(account(&rt, CLIENT), (42, 0));
    rt.set_caller(CLIENT);
    let e = rt
        .call(filmark_escrow::dispatch, Method::InvokeEvm.number(), None)
        .map(|_| ())
        .expect_err("an error");
    assert_eq!(e.exit_code(), ExitCode::USR_UNHANDLED_MESSAGE);
    assert_eq!(e.msg(), "empty calldata without value");
    for (data, code, msg) in [
        (
            vec![1, 2, 3, 4],
            ExitCode::USR_UNHANDLED_MESSAGE,
            "unknown function selector 0x01020304",
        ),
        (
            vec![0xde, 0xad],
            ExitCode::USR_UNHANDLED_MESSAGE,
            "calldata of 2 bytes is shorter than a function selector",
        ),
        // A known selector with arguments cut short: malformed calldata, as in the registry.
        (
            I::getOrderCall { orderId: 1 }.abi_encode()[..10].to_vec(),
            ExitCode::USR_SERIALIZATION,
            "malformed calldata: ",
        ),
    ] {
        let p = IpldBlock::serialize_cbor(&BytesSer(&data)).unwrap();
        rt.set_caller(CLIENT);
        let e = rt
            .call(filmark_escrow::dispatch, Method::InvokeEvm.number(), p)
            .map(|_| ())
            .expect_err("an error");
        assert_eq!(e.exit_code(), code, "{data:02x?}");
        assert!(e.msg().starts_with(msg), "{data:02x?}: {}", e.msg());
        let reason = decode_revert(&e.data().expect("a revert").data).unwrap();
        assert!(reason.starts_with(msg), "{reason}");
    }
    check_state(&rt);
}

fn raw_call(rt: &Rt, caller: u64, data: &[u8]) -> Result<Option<IpldBlock>, ActorError> {
    rt.set_caller(caller);
    rt.set_value(atto(0));
    let params = IpldBlock::serialize_cbor(&BytesSer(data)).unwrap();
    rt.call(filmark_escrow::dispatch, Method::InvokeEvm.number(), params)
}

#[test]
fn dirty_high_bits_and_trailing_bytes_are_refused() {
    let rt = setup();
    let order = funded_order(&rt);
    rt.set_epoch(DEADLINE + 1);
    let good = I::closeOrderCall { orderId: order }.abi_encode();
    // closeOrder(2^64 + 0): a non-validating decode would truncate it to order 0.
    let mut dirty = good.clone();
    dirty[4 + 23] = 1;
    let mut trailing = good.clone();
    trailing.push(0);
    for data in [dirty, trailing] {
        let e = raw_call(&rt, CLIENT, &data).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_SERIALIZATION, "{}", e.msg());
    }
    assert!(!get_order(&rt, order).closed);
    // The clean call closes it.
    raw_call(&rt, CLIENT, &good).unwrap();
    assert!(get_order(&rt, order).closed);
    check_state(&rt);
}
