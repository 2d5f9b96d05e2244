//! The Ethereum namespace through the table's dispatch.

use alloy_primitives::{Address as EthAddress, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolEvent};
use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::{Devnet, KeyKind};
use filmark_devnet_rpc::{Context, RpcError};
use filmark_registry::abi::IFilmarkRegistry as I;
use filmark_registry::types::ConstructorParams;
use filmark_sdk::keys::masked_id;
use fvm_ipld_encoding::RawBytes;
use serde_json::{Value, json};

use crate::support::{call, call_err, devnet, eip1559, eth_key, legacy, qty, send};

fn estimate(ctx: &Context, from: EthAddress, to: EthAddress, value: U256, data: &[u8]) -> u64 {
    let v = call(
        ctx,
        "eth_estimateGas",
        json!([{"from": from, "to": to, "value": value, "data": Bytes::copy_from_slice(data)}]),
    );
    qty(&v).to()
}

fn nonce(ctx: &Context, a: EthAddress) -> u64 {
    qty(&call(ctx, "eth_getTransactionCount", json!([a, "pending"]))).to()
}

#[test]
fn basics_answer_as_lotus_does() {
    let (net, ctx) = devnet();
    assert_eq!(
        call(&ctx, "eth_chainId", json!([])),
        json!(format!("{:#x}", net.chain_id()))
    );
    assert_eq!(
        call(&ctx, "net_version", json!([])),
        json!(net.chain_id().to_string())
    );
    assert!(
        call(&ctx, "web3_clientVersion", json!([]))
            .as_str()
            .unwrap()
            .starts_with("filmark-devnet/")
    );
    net.mine(3).unwrap();
    // "latest" is the head's parent.
    let head = net.head().height();
    assert_eq!(
        qty(&call(&ctx, "eth_blockNumber", json!([]))),
        U256::from(head - 1)
    );
    let accounts = call(&ctx, "eth_accounts", json!([]));
    let (_, first) = eth_key(&net, 0);
    assert_eq!(
        accounts[0].as_str().unwrap().parse::<EthAddress>().unwrap(),
        first
    );
    assert_eq!(
        call(&ctx, "eth_getCode", json!([first, "latest"])),
        json!("0x")
    );
    let e = call_err(&ctx, "eth_getBalance", json!([first, "newest"]));
    assert_eq!(e.code, RpcError::INVALID_PARAMS);
    let e = call_err(&ctx, "eth_getBalance", json!([first, "0xffff"]));
    assert!(e.message.contains("beyond the head"), "{}", e.message);
}

#[test]
fn a_transfer_between_f410_accounts_has_a_receipt_and_moves_the_value() {
    let (net, ctx) = devnet();
    let (alice, a) = eth_key(&net, 0);
    let (_, b) = eth_key(&net, 1);
    let balance = |x: EthAddress| qty(&call(&ctx, "eth_getBalance", json!([x, "latest"])));
    let (a0, b0) = (balance(a), balance(b));
    let value = U256::from(10u64).pow(U256::from(18));
    let gas = estimate(&ctx, a, b, value, &[]);
    let raw = eip1559(&net, &alice, nonce(&ctx, a), b, value, Vec::new(), gas);
    let hash = send(&ctx, &raw);
    assert_eq!(
        hash.parse::<B256>().unwrap(),
        keccak256(hex::decode(&raw[2..]).unwrap())
    );

    let receipt = call(&ctx, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
    assert_eq!(
        receipt["from"]
            .as_str()
            .unwrap()
            .parse::<EthAddress>()
            .unwrap(),
        a
    );
    assert_eq!(
        receipt["to"]
            .as_str()
            .unwrap()
            .parse::<EthAddress>()
            .unwrap(),
        b
    );
    assert_eq!(receipt["logs"], json!([]));
    // The block holding it is "latest" (instant mining mines its execution tipset too).
    assert_eq!(
        receipt["blockNumber"],
        call(&ctx, "eth_blockNumber", json!([]))
    );
    let paid = qty(&receipt["gasUsed"]) * qty(&receipt["effectiveGasPrice"]);
    assert_eq!(balance(b), b0 + value);
    // effectiveGasPrice is rounded down: the sender paid at most one attoFIL per gas unit more.
    let spent = a0 - balance(a) - value;
    assert!(
        spent >= paid && spent - paid < qty(&receipt["gasUsed"]),
        "{spent} vs {paid}"
    );

    let tx = call(&ctx, "eth_getTransactionByHash", json!([hash]));
    assert_eq!(tx["hash"], json!(hash));
    assert_eq!(tx["type"], json!("0x2"));
    assert_eq!(qty(&tx["value"]), value);
    assert_eq!(tx["blockHash"], receipt["blockHash"]);
    assert_eq!(
        qty(&call(&ctx, "eth_getTransactionCount", json!([a, "latest"]))),
        U256::from(1)
    );

    // The block, by number and by hash, lists it.
    let block = call(
        &ctx,
        "eth_getBlockByNumber",
        json!([receipt["blockNumber"], false]),
    );
    assert_eq!(block["hash"], receipt["blockHash"]);
    assert_eq!(block["transactions"], json!([hash]));
    let full = call(
        &ctx,
        "eth_getBlockByHash",
        json!([receipt["blockHash"], true]),
    );
    assert_eq!(full["transactions"][0]["hash"], json!(hash));
    assert_eq!(full["number"], block["number"]);
    let parent = call(
        &ctx,
        "eth_getBlockByNumber",
        json!([
            format!("{:#x}", qty(&block["number"]) - U256::from(1)),
            false
        ]),
    );
    assert_eq!(block["parentHash"], parent["hash"]);
    assert_eq!(
        call(
            &ctx,
            "eth_getTransactionReceipt",
            json!([B256::repeat_byte(7)])
        ),
        Value::Null
    );
}

#[test]
fn raw_transactions_are_refused_with_a_reason_and_change_nothing() {
    let (net, ctx) = devnet();
    let (alice, a) = eth_key(&net, 0);
    let (_, b) = eth_key(&net, 1);
    let head = net.head();
    let one = U256::from(1);

    let unprotected = legacy(&alice, None, 0, b, one);
    let e = call_err(&ctx, "eth_sendRawTransaction", json!([unprotected]));
    assert!(e.message.contains("replay-protected"), "{}", e.message);
    let other_chain = legacy(&alice, Some(314), 0, b, one);
    let e = call_err(&ctx, "eth_sendRawTransaction", json!([other_chain]));
    assert!(e.message.contains("invalid chain id 314"), "{}", e.message);
    let e = call_err(&ctx, "eth_sendRawTransaction", json!(["0x02f8"]));
    assert_eq!(e.code, RpcError::INVALID_PARAMS);
    let huge = format!(
        "0x{}",
        "00".repeat(filmark_devnet_rpc::MAX_RAW_TX_BYTES + 1)
    );
    let e = call_err(&ctx, "eth_sendRawTransaction", json!([huge]));
    assert!(e.message.contains("the limit is"), "{}", e.message);
    // A bad signature: flip a byte of s.
    let mut bad =
        hex::decode(&eip1559(&net, &alice, 0, b, one, Vec::new(), 10_000_000)[2..]).unwrap();
    let n = bad.len();
    bad[n - 2] ^= 1;
    let e = call_err(
        &ctx,
        "eth_sendRawTransaction",
        json!([format!("0x{}", hex::encode(bad))]),
    );
    assert!(e.code == RpcError::SERVER_ERROR, "{e}");
    // A nonce gap.
    let gap = eip1559(&net, &alice, 5, b, one, Vec::new(), 10_000_000);
    let e = call_err(&ctx, "eth_sendRawTransaction", json!([gap]));
    assert!(e.message.contains("nonce"), "{}", e.message);
    assert_eq!(net.head(), head);
    assert_eq!(net.pending(), 0);

    // Behind the flag, the homestead transaction goes through.
    let allowed = ctx.clone().with_unprotected_txs(true);
    let hash = send(&allowed, &unprotected);
    let receipt = call(&allowed, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], json!("0x1"));
    assert_eq!(receipt["type"], json!("0x0"));
    assert_eq!(nonce(&ctx, a), 1);
    // And an EIP-155 legacy transaction needs no flag.
    let protected = legacy(&alice, Some(net.chain_id()), 1, b, one);
    let receipt = call(
        &ctx,
        "eth_getTransactionReceipt",
        json!([send(&ctx, &protected)]),
    );
    assert_eq!(receipt["status"], json!("0x1"));
}

fn deploy_registry(net: &Devnet) -> EthAddress {
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
    let deployed = net.deploy(&owner.key, REGISTRY_WASM, ctor).unwrap();
    masked_id(deployed.id_address.id().unwrap())
}

/// The ABI calldata of the registry's `register` of the `n`-th test CID.
fn register_call(n: u8) -> Vec<u8> {
    crate::alloy::register_call(Bytes::from(filmark_devnet::code_cid(&[n; 8]).to_bytes()))
        .abi_encode()
}

#[test]
fn a_registry_call_emits_a_log_read_back_by_get_logs_and_filters() {
    let (net, ctx) = devnet();
    let registry = deploy_registry(&net);
    let (alice, a) = eth_key(&net, 0);

    let counts = I::countsCall {}.abi_encode();
    let ret = call(
        &ctx,
        "eth_call",
        json!([{"to": registry, "data": Bytes::from(counts.clone())}, "latest"]),
    );
    let decoded =
        I::countsCall::abi_decode_returns(&hex::decode(&ret.as_str().unwrap()[2..]).unwrap())
            .unwrap();
    assert_eq!(decoded.records, 0);

    let filter = call(&ctx, "eth_newFilter", json!([{"address": registry}]));
    let blocks = call(&ctx, "eth_newBlockFilter", json!([]));
    let data = register_call(1);
    let gas = estimate(&ctx, a, registry, U256::ZERO, &data);
    let hash = send(
        &ctx,
        &eip1559(&net, &alice, 0, registry, U256::ZERO, data, gas),
    );
    let receipt = call(&ctx, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
    let logs = receipt["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{receipt}");
    let log = &logs[0];
    assert_eq!(
        log["address"]
            .as_str()
            .unwrap()
            .parse::<EthAddress>()
            .unwrap(),
        registry
    );
    assert_eq!(log["topics"][0], json!(I::Registered::SIGNATURE_HASH));
    assert_eq!(log["topics"][1], json!(a.into_word()));
    assert_eq!(log["transactionHash"], json!(hash));

    let by_address = call(
        &ctx,
        "eth_getLogs",
        json!([{"address": registry, "fromBlock": "earliest"}]),
    );
    assert_eq!(by_address, json!([log]));
    let by_topic = call(
        &ctx,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "topics": [I::Registered::SIGNATURE_HASH, [a.into_word()]]}]),
    );
    assert_eq!(by_topic, json!([log]));
    let none = call(
        &ctx,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "topics": [B256::repeat_byte(1)]}]),
    );
    assert_eq!(none, json!([]));
    let by_block = call(
        &ctx,
        "eth_getLogs",
        json!([{"blockHash": receipt["blockHash"]}]),
    );
    assert_eq!(by_block, json!([log]));
    let e = call_err(
        &ctx,
        "eth_getLogs",
        json!([{"topics": [null, null, null, null, null]}]),
    );
    assert_eq!(e.code, RpcError::INVALID_PARAMS);

    assert_eq!(
        call(&ctx, "eth_getFilterChanges", json!([filter])),
        json!([log])
    );
    assert_eq!(
        call(&ctx, "eth_getFilterChanges", json!([filter])),
        json!([])
    );
    assert_eq!(
        call(&ctx, "eth_getFilterLogs", json!([filter])),
        json!([log])
    );
    let new_blocks = call(&ctx, "eth_getFilterChanges", json!([blocks]));
    assert!(
        new_blocks
            .as_array()
            .unwrap()
            .contains(&receipt["blockHash"]),
        "{new_blocks}"
    );
    assert_eq!(
        call(&ctx, "eth_uninstallFilter", json!([filter])),
        json!(true)
    );
    assert_eq!(
        call(&ctx, "eth_uninstallFilter", json!([filter])),
        json!(false)
    );
    assert!(
        call_err(&ctx, "eth_getFilterChanges", json!([filter]))
            .message
            .contains("not found")
    );

    let ret = call(
        &ctx,
        "eth_call",
        json!([{"to": registry, "data": Bytes::from(counts)}]),
    );
    let decoded =
        I::countsCall::abi_decode_returns(&hex::decode(&ret.as_str().unwrap()[2..]).unwrap())
            .unwrap();
    assert_eq!(decoded.records, 1);
    // Registering the same CID again reverts: code 3.
    let e = call_err(
        &ctx,
        "eth_estimateGas",
        json!([{"from": a, "to": registry, "data": Bytes::from(register_call(1))}]),
    );
    assert_eq!(e.code, RpcError::EXECUTION_ERROR, "{e}");
}

#[test]
fn fee_methods_have_lotus_shapes() {
    let (net, ctx) = devnet();
    net.mine(4).unwrap();
    let price = qty(&call(&ctx, "eth_gasPrice", json!([])));
    let tip = qty(&call(&ctx, "eth_maxPriorityFeePerGas", json!([])));
    let base = filmark_devnet::MINIMUM_BASE_FEE_ATTO;
    assert_eq!(price, tip + U256::from(base));
    let h = call(
        &ctx,
        "eth_feeHistory",
        json!(["0x3", "latest", [25.0, 75.0]]),
    );
    assert_eq!(h["baseFeePerGas"].as_array().unwrap().len(), 4);
    assert_eq!(h["gasUsedRatio"].as_array().unwrap().len(), 3);
    assert_eq!(h["reward"].as_array().unwrap().len(), 3);
    assert_eq!(h["reward"][0].as_array().unwrap().len(), 2);
    let latest = qty(&call(&ctx, "eth_blockNumber", json!([])));
    assert_eq!(qty(&h["oldestBlock"]), latest - U256::from(2));
    let e = call_err(&ctx, "eth_feeHistory", json!([2000, "latest"]));
    assert_eq!(e.code, RpcError::INVALID_PARAMS);
    let e = call_err(&ctx, "eth_feeHistory", json!([2, "latest", [50.0, 10.0]]));
    assert_eq!(e.code, RpcError::INVALID_PARAMS);
}
