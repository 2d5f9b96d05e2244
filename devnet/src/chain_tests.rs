//! The persisted chain types: CBOR round trips (proptest) and the exact bytes they are stored as.

use fvm_ipld_encoding::from_slice;
use fvm_shared::EMPTY_ARR_CID;
use fvm_shared::event::{ActorEvent, Entry, Flags};
use proptest::prelude::*;

use super::*;
use crate::gas::{GasBreakdown, GasLine};
use filmark_sdk::keys::Signature;

fn header(height: ChainEpoch) -> BlockHeader {
    BlockHeader {
        miner: Address::new_id(2),
        parents: vec![EMPTY_ARR_CID],
        height,
        parent_state_root: EMPTY_ARR_CID,
        parent_message_receipts: EMPTY_ARR_CID,
        messages: EMPTY_ARR_CID,
        timestamp: 9,
        parent_base_fee: TokenAmount::from_atto(100),
    }
}

fn cid_of(seed: &[u8]) -> Cid {
    Cid::new_v1(fvm_ipld_encoding::DAG_CBOR, Code::Blake2b256.digest(seed))
}

fn message(nonce: u64, value: u64, params: Vec<u8>) -> Message {
    Message {
        version: 0,
        from: Address::new_id(100),
        to: Address::new_id(101),
        sequence: nonce,
        value: TokenAmount::from_atto(value),
        method_num: 0,
        params: RawBytes::new(params),
        gas_limit: 1_000_000,
        gas_fee_cap: TokenAmount::from_atto(300),
        gas_premium: TokenAmount::from_atto(100),
    }
}

fn golden_tipset() -> Tipset {
    let header = header(1);
    Tipset {
        cid: header.cid().unwrap(),
        header,
        state_root: cid_of(b"state"),
        receipts_root: EMPTY_ARR_CID,
        messages: vec![cid_of(b"m")],
    }
}

fn golden_record() -> MessageRecord {
    let message = message(3, 7, vec![1, 2]);
    MessageRecord {
        cid: cid_of(b"m"),
        signed: Some(SignedMessage {
            message: message.clone(),
            signature: Signature::secp256k1(vec![5; 65]),
        }),
        message,
        height: 1,
        index: Some(0),
        receipt: Receipt {
            exit_code: ExitCode::OK,
            return_data: RawBytes::new(vec![9]),
            gas_used: 42,
            events_root: Some(EMPTY_ARR_CID),
        },
        events: vec![StampedEvent::new(
            1000,
            ActorEvent::from(vec![Entry {
                flags: Flags::FLAG_INDEXED_ALL,
                key: "t1".into(),
                codec: fvm_ipld_encoding::IPLD_RAW,
                value: vec![0xaa; 32],
            }]),
        )],
        failure: None,
        gas_cost: TokenAmount::from_atto(4200),
        gas_trace: Some(GasBreakdown {
            lines: vec![GasLine {
                name: "OnChainMessage".into(),
                count: 1,
                compute_milligas: 38_863_000,
                other_milligas: 0,
            }],
        }),
    }
}

#[test]
fn it_round_trips_the_header_and_derives_its_cid() {
    let h = header(4);
    let bytes = to_vec(&h).unwrap();
    assert_eq!(from_slice::<BlockHeader>(&bytes).unwrap(), h);
    assert_eq!(
        h.cid().unwrap().hash().digest(),
        Code::Blake2b256.digest(&bytes).digest()
    );
    let mut other = h.clone();
    other.height = 5;
    assert_ne!(other.cid().unwrap(), h.cid().unwrap());
}

/// The stored bytes of a tipset and a record: a change here breaks every data directory (bump
/// [`crate::SCHEMA`] instead, or append fields).
#[test]
fn it_stores_tipsets_and_records_as_these_exact_bytes() {
    let tipset = to_vec(&golden_tipset()).unwrap();
    let record = to_vec(&golden_record()).unwrap();
    assert_eq!(hex::encode(&tipset), GOLDEN_TIPSET, "tipset");
    assert_eq!(hex::encode(&record), GOLDEN_RECORD, "record");
    assert_eq!(from_slice::<Tipset>(&tipset).unwrap(), golden_tipset());
    assert_eq!(
        from_slice::<MessageRecord>(&record).unwrap(),
        golden_record()
    );
}

const GOLDEN_TIPSET: &str = "858842000281d82a5827000171a0e4022045b0cfc220ceec5b7c1c62c4d4193d38e4eba48e8815729ce75f9c0ab0e4c1c001d82a5827000171a0e4022045b0cfc220ceec5b7c1c62c4d4193d38e4eba48e8815729ce75f9c0ab0e4c1c0d82a5827000171a0e4022045b0cfc220ceec5b7c1c62c4d4193d38e4eba48e8815729ce75f9c0ab0e4c1c0d82a5827000171a0e4022045b0cfc220ceec5b7c1c62c4d4193d38e4eba48e8815729ce75f9c0ab0e4c1c009420064d82a5827000171a0e402209c4567cac28bd592f5a69d2d96659194af286f96b47e8cff225d55ab10b3ef51d82a5827000171a0e402200ced162a56b08dffb00f664b30b788b95dc961e36f5edc6ae67ba2d5261282f1d82a5827000171a0e4022045b0cfc220ceec5b7c1c62c4d4193d38e4eba48e8815729ce75f9c0ab0e4c1c081d82a5827000171a0e4022074251f61829e506fefe285ade22e26f0931850cd50b0079f232a6c6a416d329a";
const GOLDEN_RECORD: &str = "8ad82a5827000171a0e4022074251f61829e506fefe285ade22e26f0931850cd50b0079f232a6c6a416d329a8a00420065420064034200071a000f42404300012c42006400420102828a00420065420064034200071a000f42404300012c420064004201025842010505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505010084004109182ad82a5827000171a0e4022045b0cfc220ceec5b7c1c62c4d4193d38e4eba48e8815729ce75f9c0ab0e4c1c081821903e881840362743118555820aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaf6430010688181846e4f6e436861696e4d657373616765011a0251009800";

fn arb_cid() -> impl Strategy<Value = Cid> {
    any::<[u8; 8]>().prop_map(|b| cid_of(&b))
}

fn arb_tipset() -> impl Strategy<Value = Tipset> {
    (
        0..i64::MAX,
        any::<u64>(),
        arb_cid(),
        arb_cid(),
        proptest::collection::vec(arb_cid(), 0..5),
        any::<u64>(),
    )
        .prop_map(
            |(height, timestamp, state_root, receipts_root, messages, fee)| {
                let mut header = header(height);
                header.timestamp = timestamp;
                header.parent_base_fee = TokenAmount::from_atto(fee);
                Tipset {
                    cid: header.cid().unwrap(),
                    header,
                    state_root,
                    receipts_root,
                    messages,
                }
            },
        )
}

fn arb_record() -> impl Strategy<Value = MessageRecord> {
    (
        (
            any::<u64>(),
            any::<u64>(),
            proptest::collection::vec(any::<u8>(), 0..40),
        ),
        proptest::option::of((1u8..=3, proptest::collection::vec(any::<u8>(), 0..70))),
        (
            0..i64::MAX,
            proptest::option::of(0usize..10_000),
            any::<u32>(),
            any::<u64>(),
        ),
        proptest::collection::vec(
            (
                any::<u64>(),
                "[a-z0-9]{0,4}",
                proptest::collection::vec(any::<u8>(), 0..33),
            ),
            0..3,
        ),
        proptest::option::of("[ -~]{0,30}"),
        proptest::option::of(proptest::collection::vec(
            ("[a-zA-Z]{1,12}", any::<u64>()),
            0..3,
        )),
    )
        .prop_map(
            |((nonce, value, params), sig, (height, index, code, gas), events, failure, trace)| {
                let message = message(nonce, value, params);
                MessageRecord {
                    cid: message_cid_of(&message),
                    signed: sig.map(|(ty, data)| SignedMessage {
                        message: message.clone(),
                        signature: Signature::from_bytes(&[vec![ty], data].concat()).unwrap(),
                    }),
                    message,
                    height,
                    index,
                    receipt: Receipt {
                        exit_code: ExitCode::new(code),
                        return_data: RawBytes::new(vec![1; (gas % 5) as usize]),
                        gas_used: gas,
                        events_root: (gas % 2 == 0).then_some(EMPTY_ARR_CID),
                    },
                    events: events
                        .into_iter()
                        .map(|(emitter, key, value)| {
                            StampedEvent::new(
                                emitter,
                                ActorEvent::from(vec![Entry {
                                    flags: Flags::FLAG_INDEXED_ALL,
                                    key,
                                    codec: fvm_ipld_encoding::IPLD_RAW,
                                    value,
                                }]),
                            )
                        })
                        .collect(),
                    failure,
                    gas_cost: TokenAmount::from_atto(gas),
                    gas_trace: trace.map(|lines| GasBreakdown {
                        lines: lines
                            .into_iter()
                            .map(|(name, n)| GasLine {
                                name,
                                count: n % 7,
                                compute_milligas: n,
                                other_milligas: n / 3,
                            })
                            .collect(),
                    }),
                }
            },
        )
}

fn message_cid_of(m: &Message) -> Cid {
    filmark_sdk::keys::message_cid(m)
}

proptest! {
    #[test]
    fn tipsets_round_trip_through_cbor(t in arb_tipset()) {
        let bytes = to_vec(&t).unwrap();
        prop_assert_eq!(from_slice::<Tipset>(&bytes).unwrap(), t);
    }

    #[test]
    fn records_round_trip_through_cbor(r in arb_record()) {
        let bytes = to_vec(&r).unwrap();
        prop_assert_eq!(from_slice::<MessageRecord>(&bytes).unwrap(), r);
    }
}
