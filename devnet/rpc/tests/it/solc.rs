//! Solidity compiled by solc-js (`js/test/compile.js`, npm `solc` pinned in
//! `js/package-lock.json`) for the contract tests, and the few RPC steps they share: deploy,
//! transact, `eth_call`.

use std::process::Command;

use alloy_primitives::{Address as EthAddress, B256};
use filmark_devnet::Devnet;
use filmark_devnet_rpc::Context;
use fvm_shared::address::Address;
use serde_json::{Value, json};

use crate::clients::{js_dir, node};
use crate::support::{call, eip1559, eth_key, qty, send};

/// A compiled contract's creation bytecode.
pub(crate) struct Compiled {
    pub(crate) bytecode: Vec<u8>,
}

/// Compiles `contract` of `js/contracts/{file}`; `None` (saying so) without `node`.
pub(crate) fn solc(file: &str, contract: &str) -> Option<Compiled> {
    let Some(node) = node() else {
        eprintln!("SKIPPED {file}: `node` is not installed (the Solidity tests need Node.js ≥ 20)");
        return None;
    };
    let dir = js_dir();
    assert!(
        dir.join("node_modules").is_dir(),
        "the JS packages are not installed: run `npm ci` in {}",
        dir.display()
    );
    let out = Command::new(node)
        .args(["test/compile.js", &format!("contracts/{file}"), contract])
        .current_dir(&dir)
        .output()
        .expect("running node");
    assert!(
        out.status.success(),
        "compiling {file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("compile.js prints JSON");
    let hex = json["bytecode"].as_str().expect("bytecode");
    Some(Compiled {
        bytecode: hex::decode(hex.trim_start_matches("0x")).expect("hex bytecode"),
    })
}

/// The next nonce of `from`.
pub(crate) fn nonce(ctx: &Context, from: EthAddress) -> u64 {
    qty(&call(
        ctx,
        "eth_getTransactionCount",
        json!([from, "latest"]),
    ))
    .to::<u64>()
}

/// Deploys `initcode` from eth key 0: the contract's 0x address.
pub(crate) fn deploy(net: &Devnet, ctx: &Context, initcode: Vec<u8>) -> EthAddress {
    let (_, from) = eth_key(net, 0);
    let receipt = crate::evm::deploy(net, ctx, nonce(ctx, from), initcode);
    crate::evm::contract_of(&receipt)
}

/// Sends `input` to `to` from eth key `index`; the receipt (status checked).
pub(crate) fn transact(
    net: &Devnet,
    ctx: &Context,
    index: usize,
    to: EthAddress,
    input: Vec<u8>,
) -> Value {
    let (key, from) = eth_key(net, index);
    let raw = eip1559(
        net,
        &key,
        nonce(ctx, from),
        to,
        Default::default(),
        input,
        1_000_000_000,
    );
    let hash = send(ctx, &raw);
    let receipt = call(ctx, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt
}

/// `eth_call` of `input` on `to`: the return bytes.
pub(crate) fn eth_call(ctx: &Context, to: EthAddress, input: Vec<u8>) -> Vec<u8> {
    let out = call(
        ctx,
        "eth_call",
        json!([{"to": to, "data": format!("0x{}", hex::encode(input))}, "latest"]),
    );
    hex::decode(out.as_str().unwrap().trim_start_matches("0x")).unwrap()
}

/// The contract's Filecoin address (f410, namespace 10).
pub(crate) fn f410(contract: EthAddress) -> Address {
    Address::new_delegated(10, contract.as_slice()).unwrap()
}

/// `eth_getLogs` of `address` with first topic `topic`, from genesis.
pub(crate) fn logs(ctx: &Context, address: EthAddress, topic: B256) -> Vec<Value> {
    let logs = call(
        ctx,
        "eth_getLogs",
        json!([{"address": address, "topics": [topic], "fromBlock": "0x0", "toBlock": "latest"}]),
    );
    logs.as_array().unwrap().clone()
}
