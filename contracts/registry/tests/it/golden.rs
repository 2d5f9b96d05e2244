//! The state encoding is fixed: a scripted history that exercises every collection (records,
//! owner index, per-owner signer maps, revocations) must end in the same state roots, block for
//! block, as the layout documented in `state.rs` gives. A change to how the actor holds its maps
//! in memory must not move these roots.
use crate::harness::*;

/// Runs the script and returns the state root after each step.
fn script() -> Vec<Cid> {
    let rt = setup();
    let mut roots = vec![rt.root().unwrap()];
    let mut step = |rt: &FakeRuntime| {
        check_state(rt);
        roots.push(rt.root().unwrap());
    };
    // Two owners, one batch, enough records to split HAMT buckets and AMT nodes.
    for n in 0..12 {
        register(&rt, ALICE, n);
    }
    step(&rt);
    let batch: Vec<_> = (100..110).map(reg).collect();
    call(
        &rt,
        BOB,
        Method::RegisterBatch,
        &RegisterBatchParams { records: batch },
    )
    .unwrap();
    step(&rt);
    // Signers: a grant, a registration through it, a replacement (revokes the first), a revoke.
    add_signer(&rt, ALICE, APP, scope::ALL, 10_000);
    add_signer(&rt, ALICE, APP2, scope::REGISTER, 10_000);
    add_signer(&rt, BOB, APP, scope::TRANSFER, 10_000);
    step(&rt);
    let mut p = reg(200);
    p.owner = Some(id(ALICE));
    call(&rt, APP, Method::Register, &p).unwrap();
    add_signer(&rt, ALICE, APP, scope::REGISTER | scope::TOMBSTONE, 20_000);
    revoke_signer(&rt, ALICE, APP2);
    step(&rt);
    // Metadata, transfers (one empties nothing, one moves BOB's last-but-all records), tombstone.
    call(
        &rt,
        ALICE,
        Method::UpdateMetadata,
        &UpdateMetadataParams {
            cid: cid(3),
            set: vec![entry("zz", "last"), entry("alt", "a dog")],
            remove: vec!["title".into()],
        },
    )
    .unwrap();
    for n in [1, 5, 200] {
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
    for n in 100..110 {
        call(
            &rt,
            BOB,
            Method::Transfer,
            &TransferParams {
                cid: cid(n),
                new_owner: id(CAROL),
            },
        )
        .unwrap();
    }
    call(
        &rt,
        APP,
        Method::Tombstone,
        &TombstoneParams { cid: cid(7) },
    )
    .unwrap();
    step(&rt);
    // An escrow link.
    expect_funding(&rt, 9, ExitCode::OK, Some(&funding_for(Some(cid(2)))));
    call(
        &rt,
        ALICE,
        Method::LinkOrder,
        &LinkOrderParams {
            cid: cid(2),
            order_id: 9,
        },
    )
    .unwrap();
    step(&rt);
    roots
}

#[test]
fn state_roots_are_fixed() {
    let roots: Vec<String> = script().iter().map(Cid::to_string).collect();
    let expected: [&str; 7] = [
        "bafy2bzaceabfqcihwbpmlqlfcjym4oaitjax7hvv3qjg22nufgmxq247o4vyi",
        "bafy2bzacedgqxqbphbryt4zeegdiys32it53rwzqutate6mbmskncgciaogtg",
        "bafy2bzaced3pgaeldnksf4qobcbqo6ko5mlsrra3m5et5t47qaft7wqlhb2jw",
        "bafy2bzacecfc2fv4xngrcvhzigg27fnf7utc7bzuigcc3bnce32peiqj3oq6m",
        "bafy2bzacea4er5tdrevgk24cgyxssefnekyoucsusu5jbprlmcyabfplfvrl6",
        "bafy2bzacectscoezt23ajqnxtkxlqpbrxtkvn3pfcgkhvjwto66hocyhrremk",
        "bafy2bzacecvjgxqifg2hestaqbvt7gcs5vlx34nbmycr27gh6svefjsld5rho",
    ];
    assert_eq!(roots, expected);
}
