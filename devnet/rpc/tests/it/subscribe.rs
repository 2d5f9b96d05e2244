//! `eth_subscribe` over the server's WebSocket.

use std::time::Duration;

use alloy_primitives::{Address as EthAddress, U256};
use alloy_sol_types::SolEvent;
use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::KeyKind;
use filmark_registry::abi::IFilmarkRegistry as I;
use filmark_registry::types::ConstructorParams;
use filmark_sdk::keys::masked_id;
use futures_util::{SinkExt, StreamExt};
use fvm_ipld_encoding::RawBytes;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::Served;
use crate::support::{eip1559, eth_key};

async fn next_json<S>(ws: &mut S) -> Value
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a WebSocket message within 20 s")
            .expect("open")
            .expect("a message");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_heads_and_logs_are_notified_over_websocket() {
    let served = tokio::task::spawn_blocking(Served::new).await.unwrap();
    let net = served.devnet();
    let registry = {
        let net = net.clone();
        tokio::task::spawn_blocking(move || {
            let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
            let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
            let d = net.deploy(&owner.key, REGISTRY_WASM, ctor).unwrap();
            masked_id(d.id_address.id().unwrap())
        })
        .await
        .unwrap()
    };
    let (mut ws, _) = tokio_tungstenite::connect_async(served.server.ws_url())
        .await
        .unwrap();
    let send = |id: u64, method: &str, params: Value| {
        Message::Text(
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
                .to_string()
                .into(),
        )
    };
    ws.send(send(1, "eth_subscribe", json!(["newHeads"])))
        .await
        .unwrap();
    let heads = next_json(&mut ws).await["result"].clone();
    ws.send(send(
        2,
        "eth_subscribe",
        json!(["logs", {"address": registry, "topics": [I::Registered::SIGNATURE_HASH]}]),
    ))
    .await
    .unwrap();
    let logs = next_json(&mut ws).await["result"].clone();
    assert!(heads.is_string() && logs.is_string() && heads != logs);

    let (alice, _) = eth_key(&net, 0);
    let data = alloy_sol_types::SolCall::abi_encode(&I::registerCall {
        request: I::RegisterRequest {
            cid: filmark_devnet::code_cid(&[9; 8]).to_bytes().into(),
            owner: EthAddress::ZERO,
            kind: "text/plain".into(),
            size: 8,
            pieceCid: Default::default(),
            platform: String::new(),
            refHash: Default::default(),
            metadata: Vec::new(),
        },
    });
    let raw = eip1559(&net, &alice, 0, registry, U256::ZERO, data, 200_000_000);
    let hash = {
        let served = &served;
        tokio::task::block_in_place(|| served.ok("eth_sendRawTransaction", json!([raw])))
    };

    let (mut saw_block, mut saw_log) = (false, false);
    while !(saw_block && saw_log) {
        let n = next_json(&mut ws).await;
        assert_eq!(n["method"], json!("eth_subscription"), "{n}");
        let sub = &n["params"]["subscription"];
        let result = &n["params"]["result"];
        if *sub == heads {
            let txs = result["transactions"].as_array().unwrap();
            if txs.iter().any(|t| t["hash"] == hash) {
                saw_block = true;
            }
        } else if *sub == logs {
            assert_eq!(result["transactionHash"], hash, "{n}");
            assert_eq!(result["topics"][0], json!(I::Registered::SIGNATURE_HASH));
            saw_log = true;
        }
    }
    ws.send(send(3, "eth_unsubscribe", json!([heads])))
        .await
        .unwrap();
    loop {
        let n = next_json(&mut ws).await;
        if n["id"] == json!(3) {
            assert_eq!(n["result"], json!(true), "{n}");
            break;
        }
    }
    // Over HTTP there is no connection to notify.
    let e =
        tokio::task::block_in_place(|| served.err("eth_subscribe", json!(["newHeads"]), -32000));
    assert!(e.contains("WebSocket"), "{e}");
}
