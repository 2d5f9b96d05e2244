//! Dispatch edges: the constructor's caller, malformed params, unknown methods, value,
//! read-only calls. Nothing panics.
use crate::harness::*;
use fvm_ipld_encoding::{CBOR, DAG_CBOR};
use fvm_shared::econ::TokenAmount;

#[test]
fn only_the_init_actor_constructs() {
    let rt = FakeRuntime::new(REGISTRY);
    rt.set_caller(ALICE);
    let res = rt.call(
        dispatch,
        Method::Constructor.number(),
        block(&ConstructorParams { escrow: None }),
    );
    let msg = expect_code(res, ExitCode::USR_FORBIDDEN);
    assert_eq!(
        msg,
        format!("caller f0{ALICE} is not allowed to call this method")
    );
    assert!(rt.root().is_none());
    // An escrow that does not resolve is not found, as every address that does not resolve.
    let res = construct(&rt, Some(Address::new_secp256k1(&[2u8; 65]).unwrap()));
    let msg = expect_code(res, ExitCode::USR_NOT_FOUND);
    assert_eq!(
        msg,
        "escrow f1:0xa62192ac3fc7d4acb3e997f5ad91502e2611e729 does not resolve to an actor on chain"
    );
    // The escrow is stored as its ID address.
    rt.add_id_address(Address::new_secp256k1(&[3u8; 65]).unwrap(), ESCROW);
    construct(&rt, Some(Address::new_secp256k1(&[3u8; 65]).unwrap())).unwrap();
    assert_eq!(rt.state::<State>().unwrap().escrow, Some(id(ESCROW)));
    check_state(&rt);
}

#[test]
fn malformed_params_are_serialization_errors_for_every_method() {
    let rt = setup();
    let garbage = [
        None,
        Some(IpldBlock {
            codec: DAG_CBOR,
            data: vec![0xff, 0x00],
        }),
        Some(IpldBlock {
            codec: CBOR,
            data: vec![0x83, 0x01, 0x02],
        }),
        Some(IpldBlock {
            codec: 0x55,
            data: vec![0x80],
        }),
        block(&"a string"),
        block(&(1u8, 2u8, 3u8, 4u8, 5u8, 6u8, 7u8, 8u8, 9u8)),
    ];
    rt.set_caller(ALICE);
    for m in Method::ALL {
        if matches!(m, Method::Counts | Method::InvokeEvm) {
            continue;
        }
        for g in &garbage {
            let res = rt.call(dispatch, m.number(), g.clone());
            let code = res.unwrap_err().exit_code();
            assert!(
                code == ExitCode::USR_SERIALIZATION || code == ExitCode::USR_ILLEGAL_ARGUMENT,
                "{} with {g:?} gave {code}",
                m.name()
            );
        }
    }
    // Counts takes no params.
    expect_code(
        rt.call(dispatch, Method::Counts.number(), block(&1u8)),
        ExitCode::USR_SERIALIZATION,
    );
    check_state(&rt);
}

#[test]
fn unknown_methods_are_unhandled() {
    let rt = setup();
    rt.set_caller(ALICE);
    for m in [0, 2, 3, frc42_dispatch::method_hash!("Mint")] {
        expect_code(rt.call(dispatch, m, None), ExitCode::USR_UNHANDLED_MESSAGE);
    }
    check_state(&rt);
}

#[test]
fn value_is_refused() {
    let rt = setup();
    rt.set_caller(ALICE);
    rt.set_value(TokenAmount::from_atto(5));
    expect_code(
        rt.call(dispatch, Method::Register.number(), block(&reg(1))),
        ExitCode::USR_NOT_PAYABLE,
    );
    assert!(rt.current_balance().is_zero());
    rt.set_value(TokenAmount::from_atto(5));
    expect_code(
        rt.call(dispatch, Method::InvokeEvm.number(), None),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    check_state(&rt);
}

#[test]
fn changes_are_refused_in_read_only_calls_but_reads_work() {
    let rt = setup();
    register(&rt, ALICE, 1);
    rt.set_read_only(true);
    expect_code(
        call(&rt, ALICE, Method::Register, &reg(2)),
        ExitCode::USR_READ_ONLY,
    );
    expect_code(
        call(
            &rt,
            ALICE,
            Method::Tombstone,
            &TombstoneParams { cid: cid(1) },
        ),
        ExitCode::USR_READ_ONLY,
    );
    assert_eq!(get(&rt, cid(1)).owner, ALICE);
    assert_eq!(counts(&rt).records, 1);
    rt.set_read_only(false);
    check_state(&rt);
}
