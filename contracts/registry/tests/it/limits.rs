//! Every limit of `policy` on Register/RegisterBatch, each refused with USR_ILLEGAL_ARGUMENT
//! and a message naming it; values at the limit pass.
use crate::harness::*;

fn refused(rt: &FakeRuntime, p: &RegisterParams, limit: &str) {
    let msg = expect_code(
        call(rt, ALICE, Method::Register, p),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains(limit), "message {msg:?} should name {limit}");
}

#[test]
fn string_limits() {
    let rt = setup();
    let mut p = reg(1);
    p.kind = "k".repeat(MAX_KIND_BYTES + 1);
    refused(&rt, &p, "MAX_KIND_BYTES");
    p.kind = "k".repeat(MAX_KIND_BYTES);
    call(&rt, ALICE, Method::Register, &p).unwrap();

    let mut p = reg(2);
    p.kind = String::new();
    refused(&rt, &p, "kind");

    let mut p = reg(3);
    p.platform = "p".repeat(MAX_PLATFORM_BYTES + 1);
    refused(&rt, &p, "MAX_PLATFORM_BYTES");
    p.platform = "p".repeat(MAX_PLATFORM_BYTES);
    call(&rt, ALICE, Method::Register, &p).unwrap();
    check_state(&rt);
}

#[test]
fn metadata_limits() {
    let rt = setup();
    let mut p = reg(1);
    p.metadata = (0..=MAX_METADATA_ENTRIES)
        .map(|i| entry(&format!("k{i}"), "v"))
        .collect();
    refused(&rt, &p, "MAX_METADATA_ENTRIES");
    p.metadata.pop();
    call(&rt, ALICE, Method::Register, &p).unwrap();

    let mut p = reg(2);
    p.metadata = vec![entry(&"k".repeat(MAX_METADATA_KEY_BYTES + 1), "v")];
    refused(&rt, &p, "MAX_METADATA_KEY_BYTES");
    p.metadata = vec![entry("k", &"v".repeat(MAX_METADATA_VALUE_BYTES + 1))];
    refused(&rt, &p, "MAX_METADATA_VALUE_BYTES");
    p.metadata = vec![entry(
        &"k".repeat(MAX_METADATA_KEY_BYTES),
        &"v".repeat(MAX_METADATA_VALUE_BYTES),
    )];
    call(&rt, ALICE, Method::Register, &p).unwrap();

    let mut p = reg(3);
    p.metadata = vec![entry("dup", "1"), entry("dup", "2")];
    refused(&rt, &p, "given twice");
    check_state(&rt);
}

#[test]
fn the_largest_cid_fits_the_cid_limit() {
    // CIDs carry at most a 64-byte digest, so every decodable CID is within MAX_CID_BYTES;
    // longer byte strings can only come through the ABI, where they are refused (see abi.rs).
    let rt = setup();
    let digest = multihash_codetable::Multihash::wrap(u64::from(u32::MAX), &[1u8; 64]).unwrap();
    let mut p = reg(1);
    p.cid = Cid::new_v1(u64::from(u32::MAX), digest);
    assert!(p.cid.encoded_len() <= MAX_CID_BYTES);
    call(&rt, ALICE, Method::Register, &p).unwrap();
    check_state(&rt);
}

#[test]
fn batch_limits() {
    let rt = setup();
    let msg = expect_code(
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams { records: vec![] },
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("empty batch"), "{msg}");
    let records: Vec<_> = (0..=MAX_BATCH_SIZE as u64).map(reg).collect();
    let msg = expect_code(
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams {
                records: records.clone(),
            },
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_BATCH_SIZE"), "{msg}");
    call(
        &rt,
        ALICE,
        Method::RegisterBatch,
        &RegisterBatchParams {
            records: records[..MAX_BATCH_SIZE].to_vec(),
        },
    )
    .unwrap();
    assert_eq!(counts(&rt).records, MAX_BATCH_SIZE as u64);
    // One bad item fails the batch with its limit named.
    let mut records: Vec<_> = (100..105).map(reg).collect();
    records[3].kind = "k".repeat(MAX_KIND_BYTES + 1);
    let msg = expect_code(
        call(
            &rt,
            ALICE,
            Method::RegisterBatch,
            &RegisterBatchParams { records },
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_KIND_BYTES"), "{msg}");
    assert_eq!(counts(&rt).records, MAX_BATCH_SIZE as u64);
    check_state(&rt);
}

/// Counters use checked arithmetic: at `u64::MAX` a change fails with `USR_ILLEGAL_STATE`
/// naming the counter, and nothing is written.
#[test]
fn a_full_counter_is_an_error_not_a_trap() {
    let rt = setup();
    register(&rt, ALICE, 1);
    rt.call(
        |rt, _, _| {
            let mut st: State = rt.state()?;
            st.seq = u64::MAX;
            rt.create(&st)?;
            Ok(None)
        },
        0,
        None,
    )
    .unwrap();
    let root = rt.root();
    let msg = expect_code(
        call(&rt, ALICE, Method::Register, &reg(2)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert_eq!(msg, "counter seq is at u64::MAX and cannot grow");
    let msg = expect_code(
        call(
            &rt,
            ALICE,
            Method::Tombstone,
            &TombstoneParams { cid: cid(1) },
        ),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert_eq!(msg, "counter seq is at u64::MAX and cannot grow");
    assert_eq!(rt.root(), root, "nothing written");
    assert_eq!(counts(&rt).records, 1);
}
