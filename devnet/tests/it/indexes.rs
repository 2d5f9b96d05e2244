//! The indexes an Ethereum JSON-RPC needs: transaction hash → message, logs by emitter and
//! topic over a height range; a revert forgets what it removed.

use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::{Error, KeyKind, LogFilter};
use filmark_devnet_actors::INVOKE_EVM_METHOD;
use filmark_registry::types::ConstructorParams;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::econ::TokenAmount;

use crate::devnet;

#[test]
fn a_transaction_hash_finds_its_message_for_f1_and_f410_senders() {
    let net = devnet();
    for (kind, method) in [
        (KeyKind::Secp256k1, METHOD_SEND),
        (KeyKind::Eth, INVOKE_EVM_METHOD),
    ] {
        let key = net.account(kind, 0).unwrap().key;
        let to = net.account(kind, 1).unwrap().address();
        let m = net
            .prepare(
                key.address(),
                to,
                TokenAmount::from_atto(1),
                method,
                RawBytes::default(),
            )
            .unwrap();
        let signed = key.sign(m, net.chain_id()).unwrap();
        let hash = signed.eth_tx_hash(net.chain_id()).unwrap().0;
        assert!(matches!(net.lookup_eth_tx(&hash), Err(Error::NotFound(_))));
        let cid = net.push(signed).unwrap();
        assert_eq!(
            net.lookup_eth_tx(&hash).unwrap().record.cid,
            cid,
            "{kind:?}"
        );
    }
}

#[test]
fn logs_are_found_by_emitter_topic_and_range_and_a_revert_forgets_them() {
    let net = devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
    let registry = net
        .deploy(&owner.key, REGISTRY_WASM, ctor)
        .unwrap()
        .id_address
        .id()
        .unwrap();
    let register = |n: u64| {
        crate::register(
            &net,
            &owner.key,
            fvm_shared::address::Address::new_id(registry),
            &n.to_be_bytes(),
        )
    };
    let first = register(1);
    let snapshot = net.snapshot();
    let second = register(2);
    let all = LogFilter {
        from: 0,
        to: net.head().height(),
        emitters: vec![registry],
        ..LogFilter::default()
    };
    let logs = net.logs(&all);
    assert!(!first.events.is_empty());
    assert_eq!(logs.len(), first.events.len() + second.events.len());
    assert_eq!(logs[0].message, first.cid);
    assert_eq!(logs.last().unwrap().message, second.cid);
    assert!(logs.iter().all(|l| l.event.emitter == registry));

    // By range: only the second message's tipset.
    let later = LogFilter {
        from: second.height,
        ..all.clone()
    };
    assert!(net.logs(&later).iter().all(|l| l.message == second.cid));
    assert_eq!(net.logs(&later).len(), second.events.len());
    // By topic: the first log's t1 (its signature hash) and, at t2, nothing that was emitted.
    let t1 = logs[0]
        .event
        .event
        .entries
        .iter()
        .find(|e| e.key == "t1")
        .unwrap()
        .value
        .clone();
    let by_topic = LogFilter {
        emitters: vec![],
        topics: [
            Some(vec![t1.as_slice().try_into().unwrap()]),
            None,
            None,
            None,
        ],
        ..all
    };
    let found = net.logs(&by_topic);
    assert!(found.iter().any(|l| l.message == first.cid));
    assert!(
        found
            .iter()
            .all(|l| l.event.event.entries.iter().any(|e| e.value == t1))
    );
    let nothing = LogFilter {
        topics: [None, Some(vec![[0xee; 32]]), None, None],
        ..all
    };
    assert!(net.logs(&nothing).is_empty());

    // A revert forgets the second message's logs and transaction hash.
    let hash = second
        .signed
        .as_ref()
        .unwrap()
        .eth_tx_hash(net.chain_id())
        .unwrap()
        .0;
    assert!(net.lookup_eth_tx(&hash).is_ok());
    net.revert(snapshot).unwrap();
    assert!(net.lookup_eth_tx(&hash).is_err());
    let after = net.logs(&LogFilter {
        to: i64::MAX,
        emitters: vec![registry],
        ..LogFilter::default()
    });
    assert!(after.iter().all(|l| l.message == first.cid));
    assert_eq!(after.len(), first.events.len());
}

#[test]
fn only_f410_transactions_are_indexed_and_a_cid_digest_finds_explicit_messages_only() {
    let net = devnet();
    let (cid, keccak) = crate::eth_transfer(&net, 0, 1);
    let digest = filmark_sdk::keys::cid_digest(&cid).unwrap().0;
    assert_ne!(digest, keccak);
    // The keccak hash through the index; the CID's digest as Lotus' `EthHash.ToCid` fallback.
    assert_eq!(net.lookup_eth_tx(&keccak).unwrap().record.cid, cid);
    assert_eq!(net.lookup_eth_tx(&digest).unwrap().record.cid, cid);
    // An implicit message (the system actor's) has a CID but no transaction hash.
    let cron = net
        .system_call(
            fvm_shared::address::Address::new_id(0),
            METHOD_SEND,
            RawBytes::default(),
            "a system call",
        )
        .unwrap();
    assert!(net.lookup(&cron.cid).is_ok());
    let implicit = filmark_sdk::keys::cid_digest(&cron.cid).unwrap().0;
    assert!(matches!(
        net.lookup_eth_tx(&implicit),
        Err(Error::NotFound(_))
    ));
}
