//! LinkOrder and GetFunding: the registry reads the escrow read-only (cross-actor contract).
use crate::harness::*;

fn link(
    rt: &FakeRuntime,
    caller: ActorID,
    n: u64,
    order_id: u64,
) -> Result<Option<IpldBlock>, ActorError> {
    call(
        rt,
        caller,
        Method::LinkOrder,
        &LinkOrderParams {
            cid: cid(n),
            order_id,
        },
    )
}

#[test]
fn link_order_checks_the_order_content_and_stores_it() {
    let rt = setup();
    register(&rt, ALICE, 1);
    rt.set_epoch(140);
    expect_funding(&rt, 7, ExitCode::OK, Some(&funding_for(ALICE, 1)));
    link(&rt, ALICE, 1, 7).unwrap();
    rt.verify();
    let r = get(&rt, cid(1));
    assert_eq!((r.order_id, r.updated), (Some(7), 140));
    // GetFunding reads the escrow again and returns its answer.
    let answer = OrderFunding {
        funded_until: 77_000,
        ..funding_for(ALICE, 1)
    };
    expect_funding(&rt, 7, ExitCode::OK, Some(&answer));
    let got: GetFundingReturn = call_ret(
        &rt,
        BOB,
        Method::GetFunding,
        &GetFundingParams { cid: cid(1) },
    )
    .unwrap();
    rt.verify();
    assert_eq!(
        got,
        GetFundingReturn {
            order_id: Some(7),
            funding: Some(answer)
        }
    );
    check_state(&rt);
}

#[test]
fn an_order_for_other_content_is_refused() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let other = OrderFunding {
        content: Some(cid(2)),
        ..funding_for(ALICE, 1)
    };
    expect_funding(&rt, 7, ExitCode::OK, Some(&other));
    let msg = expect_code(link(&rt, ALICE, 1, 7), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert!(msg.contains("other content"), "{msg}");
    let none = OrderFunding {
        content: None,
        ..funding_for(ALICE, 1)
    };
    expect_funding(&rt, 8, ExitCode::OK, Some(&none));
    expect_code(link(&rt, ALICE, 1, 8), ExitCode::USR_ILLEGAL_ARGUMENT);
    rt.verify();
    assert_eq!(get(&rt, cid(1)).order_id, None);
    check_state(&rt);
}

#[test]
fn an_unknown_order_keeps_the_escrows_exit_code() {
    let rt = setup();
    register(&rt, ALICE, 1);
    expect_funding(&rt, 9, ExitCode::USR_NOT_FOUND, None);
    expect_code(link(&rt, ALICE, 1, 9), ExitCode::USR_NOT_FOUND);
    rt.verify();
    check_state(&rt);
}

#[test]
fn get_funding_without_an_order_does_not_call_the_escrow() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let got: GetFundingReturn = call_ret(
        &rt,
        BOB,
        Method::GetFunding,
        &GetFundingParams { cid: cid(1) },
    )
    .unwrap();
    assert_eq!(
        got,
        GetFundingReturn {
            order_id: None,
            funding: None
        }
    );
    expect_code(
        call(
            &rt,
            BOB,
            Method::GetFunding,
            &GetFundingParams { cid: cid(2) },
        ),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn a_signer_with_link_scope_may_link() {
    let rt = setup();
    register(&rt, BOB, 1);
    let g = add_signer(&rt, BOB, APP, scope::LINK_ORDER, 1000);
    expect_funding(&rt, 3, ExitCode::OK, Some(&funding_for(BOB, 1)));
    link(&rt, APP, 1, 3).unwrap();
    let r = get(&rt, cid(1));
    assert_eq!((r.order_id, r.via_grant), (Some(3), Some(g)));
    check_state(&rt);
}

#[test]
fn tombstoned_records_and_registries_without_escrow_cannot_link() {
    let rt = setup();
    register(&rt, ALICE, 1);
    call(
        &rt,
        ALICE,
        Method::Tombstone,
        &TombstoneParams { cid: cid(1) },
    )
    .unwrap();
    expect_code(link(&rt, ALICE, 1, 1), ExitCode::USR_ILLEGAL_STATE);

    let rt = FakeRuntime::new(REGISTRY);
    construct(&rt, None).unwrap();
    register(&rt, ALICE, 1);
    let msg = expect_code(link(&rt, ALICE, 1, 1), ExitCode::USR_ILLEGAL_STATE);
    assert!(msg.contains("no escrow"), "{msg}");
    check_state(&rt);
}

/// Finding 7 of issue #12: `LinkOrder` links only an order that pays for this record: the
/// record owner's own order, for the record's piece, that can still store something (the
/// escrow's `open`: not closed, and before its deadline or with a live deal).
#[test]
fn link_order_refuses_another_clients_order_another_piece_and_an_order_that_stores_nothing() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let cases = [
        (
            OrderFunding {
                client: BOB,
                ..funding_for(ALICE, 1)
            },
            ExitCode::USR_FORBIDDEN,
            "client",
        ),
        (
            OrderFunding {
                piece_cid: piece(2),
                ..funding_for(ALICE, 1)
            },
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "piece",
        ),
        (
            OrderFunding {
                open: false,
                active_replicas: 0,
                ..funding_for(ALICE, 1)
            },
            ExitCode::USR_ILLEGAL_STATE,
            "open",
        ),
    ];
    for (answer, code, needle) in cases {
        expect_funding(&rt, 7, ExitCode::OK, Some(&answer));
        let msg = expect_code(link(&rt, ALICE, 1, 7), code);
        assert!(msg.contains(needle), "{msg:?} does not mention {needle:?}");
        rt.verify();
    }
    assert_eq!(get(&rt, cid(1)).order_id, None);
    // The owner's open order for the piece links.
    expect_funding(&rt, 7, ExitCode::OK, Some(&funding_for(ALICE, 1)));
    link(&rt, ALICE, 1, 7).unwrap();
    assert_eq!(get(&rt, cid(1)).order_id, Some(7));
    check_state(&rt);
}
