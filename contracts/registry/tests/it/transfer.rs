//! Transfer and Tombstone: ownership moves with the owner index; tombstones are final.
use crate::harness::*;

fn transfer(
    rt: &FakeRuntime,
    caller: ActorID,
    n: u64,
    to: Address,
) -> Result<Option<IpldBlock>, ActorError> {
    call(
        rt,
        caller,
        Method::Transfer,
        &TransferParams {
            cid: cid(n),
            new_owner: to,
        },
    )
}

#[test]
fn transfer_moves_the_record_between_owner_indexes() {
    let rt = setup();
    for n in 1..=3 {
        register(&rt, ALICE, n);
    }
    rt.set_epoch(120);
    transfer(&rt, ALICE, 2, carol_f410()).unwrap();
    let r = get(&rt, cid(2));
    assert_eq!(
        (r.owner, r.index, r.updated, r.created),
        (CAROL, 0, 120, 100)
    );
    let alice: Vec<_> = list(&rt, ALICE, 0, 10)
        .records
        .into_iter()
        .map(|o| o.cid)
        .collect();
    assert_eq!(alice, vec![cid(1), cid(3)]);
    let carol: Vec<_> = list(&rt, CAROL, 0, 10)
        .records
        .into_iter()
        .map(|o| o.cid)
        .collect();
    assert_eq!(carol, vec![cid(2)]);
    assert_eq!(counts(&rt).owners, 2);
    // The new owner controls it now; the old one does not.
    expect_code(transfer(&rt, ALICE, 2, id(ALICE)), ExitCode::USR_FORBIDDEN);
    transfer(&rt, CAROL, 2, alice_f1()).unwrap();
    assert_eq!(get(&rt, cid(2)).index, 3);
    assert_eq!(counts(&rt).owners, 1);
    check_state(&rt);
}

#[test]
fn transfer_to_the_owner_or_an_unknown_address_is_refused() {
    let rt = setup();
    register(&rt, ALICE, 1);
    expect_code(
        transfer(&rt, ALICE, 1, alice_f1()),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let msg = expect_code(
        transfer(
            &rt,
            ALICE,
            1,
            Address::new_delegated(10, &[0x77; 20]).unwrap(),
        ),
        ExitCode::USR_NOT_FOUND,
    );
    assert!(msg.contains("new owner"), "{msg}");
    expect_code(transfer(&rt, ALICE, 9, id(BOB)), ExitCode::USR_NOT_FOUND);
    check_state(&rt);
}

#[test]
fn a_signer_with_transfer_scope_may_transfer() {
    let rt = setup();
    register(&rt, BOB, 1);
    let g = add_signer(&rt, BOB, APP, scope::TRANSFER, 1000);
    transfer(&rt, APP, 1, id(CAROL)).unwrap();
    let r = get(&rt, cid(1));
    assert_eq!((r.owner, r.via_grant), (CAROL, Some(g)));
    // Bob's grant does not act for Carol.
    expect_code(transfer(&rt, APP, 1, id(BOB)), ExitCode::USR_FORBIDDEN);
    check_state(&rt);
}

#[test]
fn tombstone_is_final() {
    let rt = setup();
    register(&rt, ALICE, 1);
    rt.set_epoch(130);
    call(
        &rt,
        ALICE,
        Method::Tombstone,
        &TombstoneParams { cid: cid(1) },
    )
    .unwrap();
    let r = get(&rt, cid(1));
    assert_eq!((r.status, r.updated), (Status::Tombstoned, 130));
    let c = counts(&rt);
    assert_eq!((c.records, c.active, c.tombstoned), (1, 0, 1));
    expect_code(
        call(
            &rt,
            ALICE,
            Method::Tombstone,
            &TombstoneParams { cid: cid(1) },
        ),
        ExitCode::USR_ILLEGAL_STATE,
    );
    expect_code(
        transfer(&rt, ALICE, 1, id(BOB)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    let msg = expect_code(
        call(&rt, BOB, Method::Register, &reg(1)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("can never be registered again"), "{msg}");
    // Still listed under its owner, as tombstoned.
    assert_eq!(
        list(&rt, ALICE, 0, 10).records[0].record.status,
        Status::Tombstoned
    );
    check_state(&rt);
}

#[test]
fn only_the_owner_may_tombstone() {
    let rt = setup();
    register(&rt, ALICE, 1);
    expect_code(
        call(
            &rt,
            BOB,
            Method::Tombstone,
            &TombstoneParams { cid: cid(1) },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    expect_code(
        call(
            &rt,
            BOB,
            Method::Tombstone,
            &TombstoneParams { cid: cid(2) },
        ),
        ExitCode::USR_NOT_FOUND,
    );
    assert_eq!(counts(&rt).tombstoned, 0);
    check_state(&rt);
}
