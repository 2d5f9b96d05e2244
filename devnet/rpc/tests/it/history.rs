//! Reads at any block (alloy's provider over HTTP, and dispatch for the error cases), the
//! pending-transaction filter, and `StateCall` at a tipset key with its nested trace.

use alloy_eips::BlockId;
use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{B256, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use filmark_devnet::{Devnet, DevnetConfig, Mining, TipsetRef};
use filmark_devnet_rpc::Context;
use filmark_registry::abi::IFilmarkRegistry as I;
use filmark_sdk::keys::{calldata_params, ext};
use serde_json::{Value, json};

use crate::alloy::{register_abi, register_call, with_registry};
use crate::common::Served;
use crate::support::{call, call_err, devnet, eip1559, eth_key, send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alloy_reads_the_old_value_at_the_old_block_and_the_new_at_the_new() {
    let served = tokio::task::spawn_blocking(Served::new).await.unwrap();
    let (registry, alice_key, bob) = with_registry(&served).await;
    let signer = PrivateKeySigner::from_bytes(&B256::from(alice_key)).unwrap();
    let alice = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_hyper_http(served.server.url().parse().unwrap());

    let before = provider.get_balance(bob).await.unwrap();
    let value = U256::from(7u64) * U256::from(10u64).pow(U256::from(17));
    let tx = TransactionRequest::default().with_to(bob).with_value(value);
    let sent = provider.send_transaction(tx).await.unwrap();
    let transfer = sent.get_receipt().await.unwrap();
    let cid: alloy_primitives::Bytes = filmark_devnet::code_cid(&[9; 8]).to_bytes().into();
    let register = register_abi(&provider, registry, cid.clone()).await;
    assert!(transfer.status() && register.status());
    let (b1, h1) = (transfer.block_number.unwrap(), transfer.block_hash.unwrap());
    let b2 = register.block_number.unwrap();
    assert!(b2 > b1);
    let old = BlockId::number(b1 - 1);

    // A balance: before the transfer's block, at it (by number and by EIP-1898 hash), now.
    let balance = |at: BlockId| provider.get_balance(bob).block_id(at);
    assert_eq!(balance(old).await.unwrap(), before);
    assert_eq!(balance(BlockId::number(b1)).await.unwrap(), before + value);
    assert_eq!(balance(BlockId::hash(h1)).await.unwrap(), before + value);
    assert_eq!(provider.get_balance(bob).await.unwrap(), before + value);
    // The sender's nonce.
    let nonce = |at: BlockId| provider.get_transaction_count(alice).block_id(at);
    assert_eq!(nonce(old).await.unwrap(), 0);
    assert_eq!(nonce(BlockId::number(b1)).await.unwrap(), 1);
    assert_eq!(nonce(BlockId::number(b2)).await.unwrap(), 2);
    // A call result: the registry's record count before and after the registration.
    let counts = |at: BlockId| {
        let tx = TransactionRequest::default()
            .with_to(registry)
            .with_input(I::countsCall {}.abi_encode());
        let provider = &provider;
        async move {
            let ret = provider.call(tx).block(at).await.unwrap();
            I::countsCall::abi_decode_returns(&ret).unwrap().records
        }
    };
    assert_eq!(counts(BlockId::hash(h1)).await, 0);
    assert_eq!(counts(BlockId::number(b2)).await, 1);
    assert_eq!(counts(BlockId::latest()).await, 1);
    // estimateGas at the old block runs there too (the registration works at either).
    let tx = TransactionRequest::default()
        .with_from(alice)
        .with_to(registry)
        .with_input(register_call(cid).abi_encode());
    assert!(provider.estimate_gas(tx).block(old).await.unwrap() > 0);
}

/// Runtime: `n = sload(0) + 1; sstore(0, n); return n` (a counter without its log).
const COUNTER: &[u8] = &[
    0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x80, 0x60, 0x00, 0x55, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60,
    0x00, 0xf3,
];

/// Initcode returning `runtime`.
fn initcode(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).unwrap();
    let mut code = vec![
        0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3,
    ];
    code.extend_from_slice(runtime);
    code
}

fn deploy_counter(net: &Devnet, ctx: &Context) -> (alloy_primitives::Address, u64) {
    let (key, from) = eth_key(net, 0);
    let tx = filmark_sdk::keys::EthTx::Eip1559(filmark_sdk::keys::TxEip1559 {
        chain_id: net.chain_id(),
        nonce: 0,
        max_priority_fee_per_gas: U256::from(100_000),
        max_fee_per_gas: U256::from(1_000_000),
        gas_limit: 1_000_000_000,
        to: None,
        value: U256::ZERO,
        input: initcode(COUNTER).into(),
    });
    let raw = format!("0x{}", hex::encode(key.secp_key().sign_eth_tx(tx).encode()));
    let r = call(ctx, "eth_getTransactionReceipt", json!([send(ctx, &raw)]));
    assert_eq!(r["status"], "0x1", "{r}");
    let block = u64::from_str_radix(
        r["blockNumber"].as_str().unwrap().trim_start_matches("0x"),
        16,
    );
    (from.create(0), block.unwrap())
}

fn number(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[test]
fn storage_and_calls_read_each_block_and_bad_blocks_are_errors() {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let (key, from) = eth_key(&net, 0);
    let (contract, deployed) = deploy_counter(&net, &ctx);
    let raw = eip1559(&net, &key, 1, contract, U256::ZERO, vec![], 100_000_000);
    let r = call(&ctx, "eth_getTransactionReceipt", json!([send(&ctx, &raw)]));
    let bumped = number(&r["blockNumber"]);
    let word = |n: u64| json!(B256::from(U256::from(n)));
    let at = |b: u64| json!(format!("0x{b:x}"));
    let storage = |block: Value| call(&ctx, "eth_getStorageAt", json!([contract, "0x0", block]));
    assert_eq!(storage(at(deployed)), word(0));
    assert_eq!(storage(at(bumped)), word(1));
    assert_eq!(storage(json!({"blockNumber": at(bumped)})), word(1));
    assert_eq!(storage(json!("latest")), word(1));
    let eth_call = |block: Value| {
        call(
            &ctx,
            "eth_call",
            json!([{"from": from, "to": contract}, block]),
        )
    };
    assert_eq!(eth_call(at(deployed)), word(1));
    assert_eq!(eth_call(json!({"blockNumber": at(bumped)})), word(2));
    assert_eq!(eth_call(json!("pending")), word(2));
    // Code exists from the deploy's block on, not before it.
    let code = |b: u64| call(&ctx, "eth_getCode", json!([contract, at(b)]));
    assert_eq!(code(deployed - 1), json!("0x"));
    assert_ne!(code(deployed), json!("0x"));
    // safe / finalized are 30 / 900 epochs back: genesis on this short chain.
    assert_eq!(storage(json!("safe")), word(0));
    assert_eq!(storage(json!("finalized")), word(0));

    // A null round, a future block and an unknown hash are errors, for reads and calls alike.
    let before_gap = net.head().height();
    net.advance_epochs(5).unwrap();
    net.mine(1).unwrap();
    let gap = at(u64::try_from(before_gap).unwrap() + 2);
    for (method, params) in [
        ("eth_getBalance", json!([from, gap])),
        ("eth_call", json!([{"to": contract}, gap])),
        ("eth_estimateGas", json!([{"to": contract}, gap])),
    ] {
        let e = call_err(&ctx, method, params);
        assert_eq!(e.code, -32000, "{method}: {e}");
        assert!(e.message.contains("null round"), "{method}: {e}");
    }
    let e = call_err(&ctx, "eth_call", json!([{"to": contract}, at(1 << 40)]));
    assert!(e.message.contains("beyond the head"), "{e}");
    let unknown = json!({"blockHash": B256::repeat_byte(7)});
    let e = call_err(&ctx, "eth_getStorageAt", json!([contract, "0x0", unknown]));
    assert!(e.message.contains("not found"), "{e}");
}

#[test]
fn a_pending_transaction_filter_reports_what_enters_the_pool_once() {
    let handle = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let net = handle.devnet();
    let ctx = Context::new(net.clone());
    let (key, _) = eth_key(&net, 0);
    let (_, bob) = eth_key(&net, 1);
    let id = call(&ctx, "eth_newPendingTransactionFilter", json!([]));
    let changes = || call(&ctx, "eth_getFilterChanges", json!([id]));
    assert_eq!(changes(), json!([]));
    let first = send(
        &ctx,
        &eip1559(&net, &key, 0, bob, U256::from(1), vec![], 10_000_000),
    );
    assert_eq!(net.pending(), 1, "manual mining: the transaction waits");
    assert_eq!(changes(), json!([first]));
    assert_eq!(changes(), json!([]), "reported once");
    net.mine(1).unwrap();
    assert_eq!(
        changes(),
        json!([]),
        "mined after it was reported: not again"
    );
    // One sent and mined between two polls is reported too.
    let second = send(
        &ctx,
        &eip1559(&net, &key, 1, bob, U256::from(1), vec![], 10_000_000),
    );
    net.mine(1).unwrap();
    assert_eq!(net.pending(), 0);
    assert_eq!(changes(), json!([second]));
    assert_eq!(changes(), json!([]));
    // It is not a log filter.
    let e = call_err(&ctx, "eth_getFilterLogs", json!([id]));
    assert!(e.message.contains("not a log filter"), "{e}");
}

#[test]
fn state_call_runs_at_a_tipset_key_and_traces_nested_sends() {
    let s = Served::new();
    let net = s.devnet();
    let (_, from) = eth_key(&net, 0);
    let from = filmark_sdk::keys::eth_to_filecoin(&from);
    let t = |a: &fvm_shared::address::Address| {
        filmark_sdk::keys::format_address(a, filmark_sdk::keys::Network::Testnet)
    };
    // A contract creation through the EAM: EAM → init (Exec4) → the new actor's constructor.
    let params = calldata_params(&initcode(COUNTER));
    let m = json!({"Version": 0, "To": "t010", "From": t(&from), "Nonce": 0, "Value": "0",
        "GasLimit": 0, "GasFeeCap": "0", "GasPremium": "0",
        "Method": ext::eam::CREATE_EXTERNAL,
        "Params": base64_of(params.bytes())});
    let r = s.ok("Filecoin.StateCall", json!([m, null]));
    assert_eq!(r["MsgRct"]["ExitCode"], 0, "{r}");
    let trace = &r["ExecutionTrace"];
    assert_eq!(trace["Msg"]["To"], "t010");
    assert_eq!(trace["Msg"]["Method"], ext::eam::CREATE_EXTERNAL);
    assert_eq!(trace["MsgRct"]["ExitCode"], 0);
    assert!(trace["InvokedActor"]["Id"] == 10, "{trace}");
    let init = &trace["Subcalls"][0];
    assert_eq!(init["Msg"]["From"], "t010");
    assert_eq!(init["Msg"]["To"], "t01");
    assert_eq!(init["Msg"]["Method"], 3, "Exec4");
    let ctor = &init["Subcalls"][0];
    assert_eq!(ctor["Msg"]["From"], "t01");
    assert_eq!(ctor["Msg"]["Method"], 1, "the constructor");
    assert_eq!(ctor["MsgRct"]["ExitCode"], 0);

    // At a tipset key: that tipset's parent state. An account funded in tipset N is unknown
    // to a call at N's key and known at N+1's.
    let stranger = filmark_sdk::keys::SecpKey::from_seed(b"history stranger", 0).f1_address();
    let alice = net.account(filmark_devnet::KeyKind::Secp256k1, 0).unwrap();
    let funded = net
        .send(
            &alice.key,
            stranger,
            fvm_shared::econ::TokenAmount::from_whole(1),
            0,
            Default::default(),
        )
        .unwrap();
    net.mine(1).unwrap();
    let key = |r: TipsetRef| json!([{"/": net.tipset(r).unwrap().cid.to_string()}]);
    let included = net.tipset(TipsetRef::Key(funded.inclusion)).unwrap();
    let back = json!({"Version": 0, "To": t(&alice.address()), "From": t(&stranger), "Nonce": 0,
        "Value": "1", "GasLimit": 0, "GasFeeCap": "0", "GasPremium": "0", "Method": 0,
        "Params": null});
    let at_inclusion = s.call(
        "Filecoin.StateCall",
        json!([back, key(TipsetRef::Key(included.cid))]),
    );
    let next = TipsetRef::Height(included.height() + 1);
    let at_next = s.ok("Filecoin.StateCall", json!([back, key(next)]));
    assert_eq!(at_next["MsgRct"]["ExitCode"], 0, "{at_next}");
    let ran = matches!(&at_inclusion, Ok(r) if r["MsgRct"]["ExitCode"] == 0);
    assert!(
        !ran,
        "the sender does not exist in the inclusion tipset's parent state"
    );
    let unknown = json!([{"/": filmark_devnet::code_cid(&[1]).to_string()}]);
    assert!(
        s.call("Filecoin.StateCall", json!([back, unknown]))
            .is_err()
    );
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}
