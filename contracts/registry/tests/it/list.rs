//! ListByOwner: cursor pages, holes left by transfers, page limits; ListSigners; Counts.
use crate::harness::*;

#[test]
fn pages_follow_the_cursor_to_the_end() {
    let rt = setup();
    for n in 0..25 {
        register(&rt, ALICE, n);
    }
    register(&rt, BOB, 100);
    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let page = list(&rt, ALICE, cursor, 10);
        assert!(page.records.len() <= 10);
        seen.extend(page.records.iter().map(|o| o.cid));
        match page.next_cursor {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(seen, (0..25).map(cid).collect::<Vec<_>>());
    check_state(&rt);
}

#[test]
fn transferred_records_leave_holes_the_cursor_skips() {
    let rt = setup();
    for n in 0..6 {
        register(&rt, ALICE, n);
    }
    for n in [1, 2, 4] {
        call(
            &rt,
            ALICE,
            Method::Transfer,
            &TransferParams {
                cid: cid(n),
                new_owner: id(BOB),
            },
        )
        .unwrap();
    }
    let page = list(&rt, ALICE, 0, 2);
    assert_eq!(
        page.records.iter().map(|o| o.cid).collect::<Vec<_>>(),
        vec![cid(0), cid(3)]
    );
    assert_eq!(page.next_cursor, Some(5));
    let page = list(&rt, ALICE, 5, 2);
    assert_eq!(
        page.records.iter().map(|o| o.cid).collect::<Vec<_>>(),
        vec![cid(5)]
    );
    assert_eq!(page.next_cursor, None);
    // A cursor past the end, or an owner without records, gives an empty page.
    assert!(list(&rt, ALICE, 1000, 5).records.is_empty());
    assert!(list(&rt, CAROL, 0, 5).records.is_empty());
    check_state(&rt);
}

#[test]
fn page_limits_are_enforced() {
    let rt = setup();
    for limit in [0, MAX_PAGE_SIZE + 1] {
        let msg = expect_code(
            call(
                &rt,
                ALICE,
                Method::ListByOwner,
                &ListByOwnerParams {
                    owner: id(ALICE),
                    cursor: 0,
                    limit,
                },
            ),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        );
        assert!(msg.contains("MAX_PAGE_SIZE"), "{msg}");
    }
    for n in 0..(MAX_PAGE_SIZE as u64 + 5) / 32 + 1 {
        let records = (0..32).map(|i| reg(n * 32 + i)).collect();
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams { records },
        )
        .unwrap();
    }
    let page = list(&rt, ALICE, 0, MAX_PAGE_SIZE);
    assert_eq!(page.records.len(), MAX_PAGE_SIZE as usize);
    assert_eq!(page.next_cursor, Some(u64::from(MAX_PAGE_SIZE)));
    check_state(&rt);
}

#[test]
fn listing_an_unknown_address_is_not_found() {
    let rt = setup();
    expect_code(
        call(
            &rt,
            ALICE,
            Method::ListByOwner,
            &ListByOwnerParams {
                owner: Address::new_delegated(10, &[1; 20]).unwrap(),
                cursor: 0,
                limit: 5,
            },
        ),
        ExitCode::USR_NOT_FOUND,
    );
    expect_code(
        call(
            &rt,
            ALICE,
            Method::ListSigners,
            &ListSignersParams {
                owner: Address::new_delegated(10, &[1; 20]).unwrap(),
            },
        ),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn counts_track_every_change() {
    let rt = setup();
    assert_eq!(counts(&rt), CountsReturn::default());
    register(&rt, ALICE, 1);
    register(&rt, ALICE, 2);
    register(&rt, BOB, 3);
    call(
        &rt,
        BOB,
        Method::Tombstone,
        &TombstoneParams { cid: cid(3) },
    )
    .unwrap();
    add_signer(&rt, ALICE, APP, scope::ALL, 1000);
    add_signer(&rt, ALICE, APP2, scope::ALL, 1000);
    revoke_signer(&rt, ALICE, APP2);
    assert_eq!(
        counts(&rt),
        CountsReturn {
            records: 3,
            active: 2,
            tombstoned: 1,
            owners: 2,
            signers: 1,
            revoked: 1
        }
    );
    check_state(&rt);
}
