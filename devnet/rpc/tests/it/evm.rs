//! EVM contracts on the devnet through the Ethereum RPC: deploy (no `to`), call, storage, logs,
//! revert data, bad opcodes and oversized initcode. The contracts are hand-assembled bytecode
//! (listed opcode by opcode); the Solidity tests live in the JS harness.

use alloy_primitives::{Address as EthAddress, B256, U256};
use filmark_devnet::Devnet;
use filmark_devnet_rpc::Context;
use filmark_sdk::keys::{EthTx, TxEip1559};
use serde_json::{Value, json};

use crate::support::{call, devnet, eip1559, eth_key, send};

/// Runtime: `n = sload(0) + 1; sstore(0, n); log1(n, topic 42); return n`.
const COUNTER_RUNTIME: &[u8] = &[
    0x60, 0x00, 0x54, // PUSH1 0, SLOAD
    0x60, 0x01, 0x01, // PUSH1 1, ADD
    0x80, 0x60, 0x00, 0x55, // DUP1, PUSH1 0, SSTORE
    0x60, 0x00, 0x52, // PUSH1 0, MSTORE
    0x60, 0x2a, 0x60, 0x20, 0x60, 0x00, 0xa1, // LOG1(0, 32, 42)
    0x60, 0x20, 0x60, 0x00, 0xf3, // RETURN(0, 32)
];

/// Runtime: `revert(Error("no"))`, the Solidity revert payload.
const REVERT_RUNTIME: &[u8] = &[
    // mstore(0, 0x08c379a0 << 224) ... built by copying the payload from code
    0x60, 0x64, 0x60, 0x0c, 0x60, 0x00, 0x39, // CODECOPY(0, 12, 100)
    0x60, 0x64, 0x60, 0x00, 0xfd, // REVERT(0, 100)
];

/// Initcode that returns `runtime` (`CODECOPY` + `RETURN`, 12 bytes, then the runtime).
pub(crate) fn initcode(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).unwrap();
    let mut code = vec![
        0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, // CODECOPY(0, 12, len)
        0x60, len, 0x60, 0x00, 0xf3, // RETURN(0, len)
    ];
    code.extend_from_slice(runtime);
    code
}

/// `Error(string)` with "no", ABI-encoded (100 bytes).
fn error_no() -> Vec<u8> {
    let mut p = vec![0x08, 0xc3, 0x79, 0xa0];
    p.extend(U256::from(32).to_be_bytes::<32>());
    p.extend(U256::from(2).to_be_bytes::<32>());
    let mut s = [0u8; 32];
    s[..2].copy_from_slice(b"no");
    p.extend(s);
    p
}

/// Deploys `initcode` from the first eth key; returns the receipt.
pub(crate) fn deploy(net: &Devnet, ctx: &Context, nonce: u64, initcode: Vec<u8>) -> Value {
    let (key, _) = eth_key(net, 0);
    let tx = EthTx::Eip1559(TxEip1559 {
        chain_id: net.chain_id(),
        nonce,
        max_priority_fee_per_gas: U256::from(100_000),
        max_fee_per_gas: U256::from(1_000_000),
        gas_limit: 1_000_000_000,
        to: None,
        value: U256::ZERO,
        input: initcode.into(),
    });
    let raw = format!("0x{}", hex::encode(key.secp_key().sign_eth_tx(tx).encode()));
    let hash = send(ctx, &raw);
    call(ctx, "eth_getTransactionReceipt", json!([hash]))
}

pub(crate) fn contract_of(receipt: &Value) -> EthAddress {
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt["contractAddress"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_contract_deploys_counts_in_storage_and_logs() {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let (key, from) = eth_key(&net, 0);
    let receipt = deploy(&net, &ctx, 0, initcode(COUNTER_RUNTIME));
    let contract = contract_of(&receipt);
    // CREATE's address: keccak(rlp([from, 0]))[12..].
    assert_eq!(contract, from.create(0));
    let code = call(&ctx, "eth_getCode", json!([contract, "latest"]));
    assert_eq!(code, json!(format!("0x{}", hex::encode(COUNTER_RUNTIME))));

    // eth_call runs it without committing.
    let out = call(
        &ctx,
        "eth_call",
        json!([{"from": from, "to": contract}, "latest"]),
    );
    assert_eq!(out, json!(B256::from(U256::from(1))));

    for n in 1..=2u64 {
        let raw = eip1559(&net, &key, n, contract, U256::ZERO, vec![], 100_000_000);
        let hash = send(&ctx, &raw);
        let r = call(&ctx, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!(r["status"], "0x1", "{r}");
        let log = &r["logs"][0];
        assert_eq!(log["address"], json!(contract));
        assert_eq!(log["topics"], json!([B256::from(U256::from(42))]));
        assert_eq!(log["data"], json!(B256::from(U256::from(n))));
    }
    let slot = call(&ctx, "eth_getStorageAt", json!([contract, "0x0", "latest"]));
    assert_eq!(slot, json!(B256::from(U256::from(2))));
    // Another actor has no code and zero storage.
    assert_eq!(
        call(&ctx, "eth_getCode", json!([from, "latest"])),
        json!("0x")
    );
}

#[test]
fn a_revert_reaches_eth_call_with_its_data_and_the_devnet_goes_on() {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let (_, from) = eth_key(&net, 0);
    let mut runtime = REVERT_RUNTIME.to_vec();
    runtime.extend(error_no());
    let contract = contract_of(&deploy(&net, &ctx, 0, initcode(&runtime)));
    let err = crate::support::call_err(
        &ctx,
        "eth_call",
        json!([{"from": from, "to": contract}, "latest"]),
    );
    let err = serde_json::to_value(&err).unwrap();
    assert_eq!(err["code"], 3, "{err}");
    assert_eq!(
        err["data"],
        json!(format!("0x{}", hex::encode(error_no()))),
        "{err}"
    );

    // An invalid opcode (0xfe) fails the deployment; the next one still works.
    let bad = deploy(&net, &ctx, 1, vec![0xfe]);
    assert_eq!(bad["status"], "0x0", "{bad}");
    let good = deploy(&net, &ctx, 2, initcode(COUNTER_RUNTIME));
    contract_of(&good);
}

#[test]
fn initcode_over_the_limit_fails() {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let receipt = deploy(&net, &ctx, 0, vec![0; 49_153]);
    assert_eq!(receipt["status"], "0x0", "{receipt}");
    let receipt = deploy(&net, &ctx, 1, initcode(COUNTER_RUNTIME));
    contract_of(&receipt);
}
