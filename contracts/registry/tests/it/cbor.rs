//! CBOR round-trips of every params/return type, and the wire shapes other parts rely on.
use crate::harness::*;
use fvm_ipld_encoding::{RawBytes, to_vec};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    v: &T,
) -> Result<(), TestCaseError> {
    let bytes = to_vec(v).unwrap();
    let back: T = RawBytes::new(bytes).deserialize().unwrap();
    prop_assert_eq!(&back, v);
    Ok(())
}

fn arb_cid() -> impl Strategy<Value = Cid> {
    any::<u64>().prop_map(cid)
}

fn arb_addr() -> impl Strategy<Value = Address> {
    prop_oneof![
        any::<u64>().prop_map(Address::new_id),
        any::<[u8; 20]>().prop_map(|b| Address::new_delegated(10, &b).unwrap()),
        any::<[u8; 20]>().prop_map(|b| {
            let mut key = [4u8; 65];
            key[1..21].copy_from_slice(&b);
            Address::new_secp256k1(&key).unwrap()
        }),
    ]
}

fn arb_entry() -> impl Strategy<Value = MetadataEntry> {
    (".{0,8}", ".{0,16}").prop_map(|(key, value)| MetadataEntry { key, value })
}

prop_compose! {
    fn arb_register()(cid in arb_cid(), owner in proptest::option::of(arb_addr()), kind in ".{0,12}",
        size in any::<u64>(), piece in proptest::option::of(arb_cid()), platform in ".{0,8}",
        ref_hash in any::<[u8; 32]>(), metadata in proptest::collection::vec(arb_entry(), 0..4)) -> RegisterParams {
        RegisterParams { cid, owner, kind, size, piece, platform, ref_hash, metadata }
    }
}

prop_compose! {
    fn arb_record()(owner in any::<u64>(), kind in ".{0,12}", size in any::<u64>(),
        piece in proptest::option::of(arb_cid()), platform in ".{0,8}", ref_hash in any::<[u8; 32]>(),
        metadata in proptest::collection::vec(arb_entry(), 0..4), created in any::<i64>(), updated in any::<i64>(),
        tomb in any::<bool>(), order_id in proptest::option::of(any::<u64>()), index in any::<u64>(),
        seq in any::<u64>(), via_grant in proptest::option::of(any::<u64>())) -> Record {
        let status = if tomb { Status::Tombstoned } else { Status::Active };
        Record { owner, kind, size, piece, platform, ref_hash, metadata, created, updated, status, order_id, index, seq, via_grant }
    }
}

prop_compose! {
    fn arb_grant()(signer in any::<u64>(), grant_id in any::<u64>(), scope in any::<u32>(), granted in any::<i64>(), expiry in any::<i64>()) -> SignerGrant {
        SignerGrant { signer, grant_id, scope, granted, expiry }
    }
}

prop_compose! {
    fn arb_funding()(piece_cid in arb_cid(), content in proptest::option::of(arb_cid()), client in any::<u64>(),
        funded_until in any::<i64>(), active_replicas in any::<u64>(), open in any::<bool>()) -> OrderFunding {
        OrderFunding { piece_cid, content, client, funded_until, active_replicas, open }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn params_round_trip(r in arb_register(), batch in proptest::collection::vec(arb_register(), 0..3),
        c in arb_cid(), a in arb_addr(), b in proptest::option::of(arb_addr()), n in any::<u64>(), s in any::<u32>(),
        e in any::<i64>(), set in proptest::collection::vec(arb_entry(), 0..3), remove in proptest::collection::vec(".{0,6}", 0..3)) {
        round_trip(&ConstructorParams { escrow: b })?;
        round_trip(&r)?;
        round_trip(&RegisterBatchParams { records: batch })?;
        round_trip(&UpdateMetadataParams { cid: c, set, remove })?;
        round_trip(&TransferParams { cid: c, new_owner: a })?;
        round_trip(&TombstoneParams { cid: c })?;
        round_trip(&AddSignerParams { signer: a, scope: s, expiry: e })?;
        round_trip(&RevokeSignerParams { owner: b, signer: a })?;
        round_trip(&GetParams { cid: c })?;
        round_trip(&ListByOwnerParams { owner: a, cursor: n, limit: s })?;
        round_trip(&ListSignersParams { owner: a })?;
        round_trip(&LinkOrderParams { cid: c, order_id: n })?;
        round_trip(&GetFundingParams { cid: c })?;
        round_trip(&GetOrderFundingParams { order_id: n })?;
    }

    #[test]
    fn returns_round_trip(rec in arb_record(), c in arb_cid(), grants in proptest::collection::vec(arb_grant(), 0..3),
        f in proptest::option::of(arb_funding()), o in proptest::option::of(any::<u64>()), n in any::<u64>(),
        counts in any::<[u64; 6]>()) {
        round_trip(&rec)?;
        round_trip(&ListByOwnerReturn { records: vec![OwnedRecord { cid: c, record: rec }], next_cursor: o })?;
        round_trip(&ListSignersReturn { grants })?;
        round_trip(&AddSignerReturn { grant_id: n })?;
        round_trip(&RevokeSignerReturn { grant_id: n })?;
        round_trip(&GetFundingReturn { order_id: o, funding: f })?;
        let [records, active, tombstoned, owners, signers, revoked] = counts;
        round_trip(&CountsReturn { records, active, tombstoned, owners, signers, revoked })?;
    }
}

#[test]
fn wire_shapes() {
    // Constructor params are a one-element array (the cross-actor contract's `[escrow]`).
    assert_eq!(
        to_vec(&ConstructorParams { escrow: None }).unwrap(),
        vec![0x81, 0xf6]
    );
    // Single-field params are transparent: a bare CID / integer.
    assert_eq!(
        to_vec(&GetParams { cid: cid(1) }).unwrap(),
        to_vec(&cid(1)).unwrap()
    );
    assert_eq!(
        to_vec(&AddSignerReturn { grant_id: 5 }).unwrap(),
        vec![0x05]
    );
    // LinkOrder params are `[cid, order_id]`.
    assert_eq!(
        to_vec(&LinkOrderParams {
            cid: cid(1),
            order_id: 3
        })
        .unwrap(),
        to_vec(&(cid(1), 3u64)).unwrap()
    );
    // Status is an integer; unknown values do not decode.
    assert_eq!(to_vec(&Status::Tombstoned).unwrap(), vec![0x01]);
    assert!(RawBytes::new(vec![0x02]).deserialize::<Status>().is_err());
    // The ref hash is a 32-byte CBOR byte string.
    let bytes = to_vec(&reg(1)).unwrap();
    let hash_start = bytes
        .windows(2)
        .position(|w| w == [0x58, 0x20])
        .expect("bytes(32) header");
    assert_eq!(&bytes[hash_start + 2..hash_start + 34], &[1u8; 32]);
}
