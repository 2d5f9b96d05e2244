//! The opt-in gas breakdown: off by default, and when on it accounts for every unit of gas.

use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::{Devnet, DevnetConfig, GasBreakdown, KeyKind, Receipt};
use filmark_registry::Method;
use filmark_registry::types::{ConstructorParams, RegisterParams};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::econ::TokenAmount;

use crate::devnet;

fn register(n: u8) -> RawBytes {
    RawBytes::serialize(RegisterParams {
        cid: filmark_devnet::code_cid(&[n; 8]),
        owner: None,
        kind: "text/plain".into(),
        size: 1,
        piece: None,
        platform: "test".into(),
        ref_hash: [n; 32],
        metadata: vec![],
    })
    .unwrap()
}

fn assert_sums_to_receipt(trace: Option<&GasBreakdown>, receipt: &Receipt) {
    let trace = trace.expect("gas tracing is on");
    assert!(receipt.exit_code.is_success());
    assert_eq!(trace.total_gas(), receipt.gas_used, "{trace}");
}

#[test]
fn gas_tracing_is_off_by_default() {
    let net = devnet();
    assert!(!net.config().gas_tracing);
    let alice = net.account(KeyKind::Secp256k1, 0).unwrap();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let sent = net
        .send(
            &alice.key,
            to,
            TokenAmount::from_atto(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();
    assert!(sent.record.gas_trace.is_none());
}

#[test]
fn the_breakdown_of_a_register_sums_to_its_gas_used() {
    let net = Devnet::spawn(DevnetConfig::test().with_gas_tracing(true)).unwrap();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
    let registry = net
        .deploy(&owner.key, REGISTRY_WASM, ctor)
        .unwrap()
        .id_address;

    let sent = net
        .send(
            &owner.key,
            registry,
            TokenAmount::default(),
            Method::Register as u64,
            register(1),
        )
        .unwrap();
    let record = &sent.record;
    assert_sums_to_receipt(record.gas_trace.as_ref(), &record.receipt);
    let trace = record.gas_trace.as_ref().unwrap();
    // An explicit message pays for its inclusion once; a Register writes state blocks.
    assert_eq!(trace.get("OnChainMessage").map(|l| l.count), Some(1));
    for name in ["OnBlockOpenBase", "OnBlockLink", "wasm_exec", "OnSyscall"] {
        assert!(
            trace.get(name).is_some_and(|l| l.count > 0),
            "{name}: {trace}"
        );
    }
    // The lookup keeps it.
    let looked_up = net.lookup(&sent.record.cid).unwrap();
    assert_eq!(looked_up.record.gas_trace.as_ref(), Some(trace));

    // A read-only call is traced too (implicit: no inclusion charge).
    let call = net
        .call_method(
            owner.address(),
            registry,
            Method::Register as u64,
            register(2),
        )
        .unwrap();
    assert_sums_to_receipt(call.gas_trace.as_ref(), &call.receipt);
    assert!(call.gas_trace.unwrap().get("OnChainMessage").is_none());

    // Off at run time: no breakdown, same gas for the same kind of message.
    net.set_gas_tracing(false);
    let untraced = net
        .send(
            &owner.key,
            registry,
            TokenAmount::default(),
            Method::Register as u64,
            register(3),
        )
        .unwrap();
    assert!(untraced.record.gas_trace.is_none());
    assert!(untraced.record.receipt.exit_code.is_success());
}
