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
    expect_funding(&rt, 9, ExitCode::OK, Some(&funding_for(ALICE, 2)));
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

/// A state root derived without the actor's map code: the same records put into
/// `fvm_ipld_hamt` / `fvm_ipld_amt` directly (the configuration `state.rs` documents: HAMT bit
/// width 3, buckets of 1, SHA-256 of the key bytes; AMT bit width 3) and the root encoded as a
/// plain tuple, block for block the root the actor wrote.
#[test]
fn state_root_rebuilt_with_the_ipld_libraries() {
    use fvm_ipld_amt::Amt;
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_ipld_encoding::{CborStore, RawBytes};
    use fvm_ipld_hamt::{BytesKey, Config, Hamt, Sha256};
    use multihash_codetable::Code;

    let rt = setup();
    let alice: Vec<u64> = (0..12).collect();
    let bob: Vec<u64> = (100..104).collect();
    for n in &alice {
        register(&rt, ALICE, *n);
    }
    for n in &bob {
        register(&rt, BOB, *n);
    }
    check_state(&rt);

    let store = MemoryBlockstore::new();
    let config = Config {
        bit_width: 3,
        min_data_depth: 0,
        max_array_width: 1,
    };
    let mut records: Hamt<_, Cid, BytesKey, Sha256> = Hamt::new_with_config(&store, config.clone());
    let mut owners: Hamt<_, (u64, u64, Cid), BytesKey, Sha256> =
        Hamt::new_with_config(&store, config.clone());
    for (owner, ns) in [(ALICE, &alice), (BOB, &bob)] {
        // Each owner's index: AMT<index → content CID as a CBOR byte string>.
        let mut index: Amt<RawBytes, _> = Amt::new_with_bit_width(&store, 3);
        for (i, n) in ns.iter().enumerate() {
            let record = get(&rt, cid(*n));
            assert_eq!((record.owner, record.index), (owner, i as u64));
            let block = store.put_cbor(&record, Code::Blake2b256).unwrap();
            records.set(BytesKey(cid(*n).to_bytes()), block).unwrap();
            index
                .set(i as u64, RawBytes::new(cid(*n).to_bytes()))
                .unwrap();
        }
        let len = ns.len() as u64;
        owners
            .set(
                BytesKey(owner.to_be_bytes().to_vec()),
                (len, len, index.flush().unwrap()),
            )
            .unwrap();
    }
    let empty = Hamt::<_, ()>::new_with_config(&store, config)
        .flush()
        .unwrap();
    let n = (alice.len() + bob.len()) as u64;
    // [escrow, records, owners, signers, revoked, next_grant_id, seq, record_count,
    //  tombstoned_count, owner_count, signer_count, revoked_count]
    let root = (
        Some(id(ESCROW)),
        records.flush().unwrap(),
        owners.flush().unwrap(),
        empty,
        empty,
        0u64,
        n,
        n,
        0u64,
        2u64,
        0u64,
        0u64,
    );
    let root = store.put_cbor(&root, Code::Blake2b256).unwrap();
    assert_eq!(Some(root), rt.root());
}
