//! Register and RegisterBatch: happy paths, owners by any address kind, duplicates, batches.
use crate::harness::*;
use filmark_actor_shared::events::cid_topic;
use filmark_actor_shared::events::decode_log;

#[test]
fn register_stores_the_record_and_counts() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let r = get(&rt, cid(1));
    assert_eq!(r.owner, ALICE);
    assert_eq!(r.kind, "image/png");
    assert_eq!(r.size, 1001);
    assert_eq!(r.piece, Some(piece(1)));
    assert_eq!(r.platform, "bluesky");
    assert_eq!(r.ref_hash, [1; 32]);
    // Metadata comes back sorted by key.
    assert_eq!(
        r.metadata,
        vec![entry("alt", "a cat"), entry("title", "post")]
    );
    assert_eq!((r.created, r.updated), (100, 100));
    assert_eq!(r.status, Status::Active);
    assert_eq!(r.order_id, None);
    assert_eq!(r.index, 0);
    assert_eq!(r.via_grant, None);
    let c = counts(&rt);
    assert_eq!((c.records, c.active, c.tombstoned, c.owners), (1, 1, 0, 1));
    check_state(&rt);
}

#[test]
fn register_emits_an_event_filterable_by_owner_and_cid() {
    let rt = setup();
    rt.take_events();
    register(&rt, CAROL, 5);
    let events = rt.take_events();
    assert_eq!(events.len(), 1);
    let (topics, _) = decode_log(&events[0]).unwrap();
    assert_eq!(topics.len(), 3);
    let mut owner_topic = [0u8; 32];
    owner_topic[12..].copy_from_slice(&CAROL_ETH);
    assert_eq!(topics[1], owner_topic);
    assert_eq!(topics[2], cid_topic(&cid(5)).0);
    check_state(&rt);
}

#[test]
fn owners_may_be_named_by_f1_f410_or_f0() {
    let rt = setup();
    // A caller may name itself by any of its addresses.
    let mut p = reg(1);
    p.owner = Some(alice_f1());
    call(&rt, ALICE, Method::Register, &p).unwrap();
    let mut p = reg(2);
    p.owner = Some(carol_f410());
    call(&rt, CAROL, Method::Register, &p).unwrap();
    let mut p = reg(3);
    p.owner = Some(id(BOB));
    call(&rt, BOB, Method::Register, &p).unwrap();
    assert_eq!(get(&rt, cid(1)).owner, ALICE);
    assert_eq!(get(&rt, cid(2)).owner, CAROL);
    assert_eq!(get(&rt, cid(3)).owner, BOB);
    assert_eq!(counts(&rt).owners, 3);
    check_state(&rt);
}

#[test]
fn unknown_owner_is_not_found() {
    let rt = setup();
    let mut p = reg(1);
    p.owner = Some(Address::new_secp256k1(&[9u8; 65]).unwrap());
    let msg = expect_code(
        call(&rt, ALICE, Method::Register, &p),
        ExitCode::USR_NOT_FOUND,
    );
    assert!(msg.contains("does not resolve"), "{msg}");
    check_state(&rt);
}

#[test]
fn registering_for_another_owner_without_a_grant_is_forbidden() {
    let rt = setup();
    let mut p = reg(1);
    p.owner = Some(id(BOB));
    expect_code(
        call(&rt, ALICE, Method::Register, &p),
        ExitCode::USR_FORBIDDEN,
    );
    assert_eq!(counts(&rt).records, 0);
    check_state(&rt);
}

#[test]
fn the_same_cid_cannot_be_registered_twice() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let msg = expect_code(
        call(&rt, BOB, Method::Register, &reg(1)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("already registered"), "{msg}");
    assert_eq!(get(&rt, cid(1)).owner, ALICE);
    check_state(&rt);
}

#[test]
fn register_batch_registers_all_or_none() {
    let rt = setup();
    let records: Vec<_> = (1..=5).map(reg).collect();
    call(
        &rt,
        ALICE,
        Method::RegisterBatch,
        &RegisterBatchParams { records },
    )
    .unwrap();
    assert_eq!(counts(&rt).records, 5);
    assert_eq!(list(&rt, ALICE, 0, 10).records.len(), 5);
    // A duplicate inside the batch (or of an existing record) fails the whole batch.
    let records = vec![reg(6), reg(7), reg(6)];
    expect_code(
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams { records },
        ),
        ExitCode::USR_ILLEGAL_STATE,
    );
    let records = vec![reg(8), reg(3)];
    expect_code(
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams { records },
        ),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert_eq!(counts(&rt).records, 5);
    expect_code(
        call(&rt, ALICE, Method::Get, &GetParams { cid: cid(6) }),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn register_batch_may_mix_owners_the_caller_may_act_for() {
    let rt = setup();
    add_signer(&rt, BOB, ALICE, scope::REGISTER, 1000);
    let mut for_bob = reg(2);
    for_bob.owner = Some(id(BOB));
    let records = vec![reg(1), for_bob];
    call(
        &rt,
        ALICE,
        Method::RegisterBatch,
        &RegisterBatchParams { records },
    )
    .unwrap();
    assert_eq!(get(&rt, cid(1)).via_grant, None);
    let r = get(&rt, cid(2));
    assert_eq!((r.owner, r.via_grant), (BOB, Some(0)));
    // An owner it has no grant from fails the whole batch.
    let mut for_carol = reg(4);
    for_carol.owner = Some(id(CAROL));
    let records = vec![reg(3), for_carol];
    expect_code(
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams { records },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    assert_eq!(counts(&rt).records, 2);
    check_state(&rt);
}

#[test]
fn get_of_an_unknown_cid_is_not_found() {
    let rt = setup();
    expect_code(
        call(&rt, ALICE, Method::Get, &GetParams { cid: cid(42) }),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn content_cids_the_fvm_cannot_link_are_kept_as_bytes() {
    use multihash_codetable::{Code, MultihashDigest};
    // A UnixFS root (dag-pb, sha2-256), a raw sha2-256 leaf and a v2 piece CID (raw, 0x1011):
    // none is a link the FVM accepts in state (the fake runtime fails the test on one).
    let rt = setup();
    let unixfs = Cid::new_v1(0x70, Code::Sha2_256.digest(b"post"));
    let leaf = Cid::new_v1(0x55, Code::Sha2_256.digest(b"image"));
    let piece_v2 = Cid::new_v1(
        0x55,
        multihash_codetable::Multihash::wrap(0x1011, &[9u8; 34]).unwrap(),
    );
    let mut p = reg(1);
    p.cid = unixfs;
    p.piece = Some(piece_v2);
    call(&rt, ALICE, Method::Register, &p).unwrap();
    let mut p = reg(2);
    p.cid = leaf;
    call(&rt, ALICE, Method::Register, &p).unwrap();
    call(
        &rt,
        ALICE,
        Method::Transfer,
        &TransferParams {
            cid: leaf,
            new_owner: id(BOB),
        },
    )
    .unwrap();
    assert_eq!(get(&rt, unixfs).piece, Some(piece_v2));
    assert_eq!(list(&rt, ALICE, 0, 10).records[0].cid, unixfs);
    assert_eq!(list(&rt, BOB, 0, 10).records[0].cid, leaf);
    check_state(&rt);
}
