//! Every `Filecoin.*` method over HTTP (and `ChainNotify` over a WebSocket), in Lotus' shapes.

use filmark_devnet::{DevnetConfig, KeyKind, Mining, NETWORK_NAME, TipsetRef};
use filmark_devnet_rpc::RpcConfig;
use filmark_sdk::keys::Network;
use filmark_sdk::keys::json::{MessageJson, SignedMessageJson};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use serde_json::{Value, json};

use crate::common::Served;

fn t(a: &Address) -> String {
    filmark_sdk::keys::format_address(a, Network::Testnet)
}

/// A transfer of `atto` from f1 account 0 to f1 account 1, estimated, signed and pushed over
/// the RPC; its CID.
fn push_transfer(s: &Served, atto: u64) -> Value {
    let from = s.devnet().account(KeyKind::Secp256k1, 0).unwrap();
    let to = s.devnet().account(KeyKind::Secp256k1, 1).unwrap();
    let nonce = s.ok("Filecoin.MpoolGetNonce", json!([t(&from.address())]));
    let unsigned = json!({
        "Version": 0, "To": t(&to.address()), "From": t(&from.address()), "Nonce": nonce,
        "Value": atto.to_string(), "GasLimit": 0, "GasFeeCap": "0", "GasPremium": "0",
        "Method": 0, "Params": null,
    });
    let estimated = s.ok(
        "Filecoin.GasEstimateMessageGas",
        json!([unsigned, null, null]),
    );
    assert!(estimated["GasLimit"].as_u64().unwrap() > 0, "{estimated}");
    assert_ne!(estimated["GasFeeCap"], "0");
    assert_eq!(estimated["Nonce"], nonce, "the estimate keeps the nonce");
    let m: MessageJson = serde_json::from_value(estimated).unwrap();
    let signed = from
        .key
        .sign(m.to_message().unwrap(), s.devnet().chain_id())
        .unwrap();
    let body = serde_json::to_value(SignedMessageJson::new(&signed, Network::Testnet)).unwrap();
    let pushed = s.ok("Filecoin.MpoolPush", json!([body]));
    assert_eq!(pushed, json!({"/": signed.cid().to_string()}));
    pushed
}

#[test]
fn chain_and_state_reads_have_lotus_shapes() {
    let s = Served::new();
    let v = s.ok("Filecoin.Version", json!([]));
    assert_eq!(
        (v["APIVersion"].as_u64(), v["BlockDelay"].as_u64()),
        (Some(0x20300), Some(30))
    );
    assert!(
        v["Version"]
            .as_str()
            .unwrap()
            .starts_with("filmark-devnet/")
    );
    assert_eq!(
        s.ok("Filecoin.StateNetworkName", json!([])),
        json!(NETWORK_NAME)
    );
    assert_eq!(
        s.ok("Filecoin.StateNetworkVersion", json!([null])),
        json!(28)
    );

    let cid = push_transfer(&s, 1_000);
    let lookup = s.ok("Filecoin.StateWaitMsg", json!([cid, 1, 10, true]));
    assert_eq!(lookup["Message"], cid);
    assert_eq!(lookup["Receipt"]["ExitCode"], 0);
    assert!(lookup["Receipt"]["GasUsed"].as_u64().unwrap() > 0);
    assert_eq!(lookup["Receipt"]["Return"], "");
    let included = s.devnet().head();
    assert_eq!(lookup["Height"], included.height());
    assert_eq!(lookup["TipSet"], json!([{"/": included.cid.to_string()}]));
    assert_eq!(
        s.ok("Filecoin.StateSearchMsg", json!([null, cid, 10, true])),
        lookup
    );
    assert_eq!(
        s.ok(
            "Filecoin.StateSearchMsg",
            json!([null, {"/": included.cid.to_string()}, 10, true])
        ),
        Value::Null
    );
    assert_eq!(
        s.ok("Filecoin.StateGetReceipt", json!([cid, null])),
        lookup["Receipt"]
    );

    let head = s.ok("Filecoin.ChainHead", json!([]));
    assert_eq!(head["Height"], included.height());
    assert_eq!(head["Cids"], json!([{"/": included.cid.to_string()}]));
    let block = &head["Blocks"][0];
    assert_eq!(block["Miner"], "t02");
    assert_eq!(
        block["ParentStateRoot"]["/"],
        included.header.parent_state_root.to_string()
    );
    assert_eq!(
        block["ParentBaseFee"],
        included.header.parent_base_fee.atto().to_string()
    );
    assert_eq!(block["Timestamp"], included.header.timestamp);
    assert_eq!(
        s.ok("Filecoin.ChainGetBlock", json!([head["Cids"][0]])),
        *block
    );
    assert_eq!(s.ok("Filecoin.ChainGetTipSet", json!([head["Cids"]])), head);
    assert_eq!(s.ok("Filecoin.ChainGetTipSet", json!([null])), head);
    assert_eq!(
        s.ok(
            "Filecoin.ChainGetTipSetByHeight",
            json!([included.height(), null])
        ),
        head
    );
    let genesis = s.ok("Filecoin.ChainGetTipSetByHeight", json!([0, null]));
    assert_eq!(genesis["Height"], 0);
    assert_eq!(genesis["Blocks"][0]["Parents"], json!([]));
    s.err(
        "Filecoin.ChainGetTipSetByHeight",
        json!([included.height() + 5, null]),
        -32000,
    );

    let m = s.ok("Filecoin.ChainGetMessage", json!([cid]));
    assert_eq!(
        (m["Value"].as_str(), m["Method"].as_u64()),
        (Some("1000"), Some(0))
    );
    assert!(m["From"].as_str().unwrap().starts_with("t1"));

    // The next tipset's parent receipts are the transfer's.
    let next = s.devnet().mine(1).unwrap();
    let receipts = s.ok(
        "Filecoin.ChainGetParentReceipts",
        json!([{"/": next.cid.to_string()}]),
    );
    assert_eq!(receipts, json!([lookup["Receipt"]]));
    let lookup_after = s.ok("Filecoin.StateWaitMsg", json!([cid, 1, 10, true]));
    assert_eq!(
        lookup_after["TipSet"],
        json!([{"/": next.cid.to_string()}]),
        "the executing tipset once mined"
    );

    let root = json!({"/": next.header.parent_state_root.to_string()});
    let obj = s.ok("Filecoin.ChainReadObj", json!([root]));
    assert!(!obj.as_str().unwrap().is_empty());
    assert_eq!(s.ok("Filecoin.ChainHasObj", json!([root])), json!(true));
    let absent = json!({"/": "bafy2bzaceaa5lrtdplb5nr4hwuqvvo5tbsdw6u7sxmyvbqzv4gzqqnjxt6fjy"});
    assert_eq!(s.ok("Filecoin.ChainHasObj", json!([absent])), json!(false));
    assert!(
        s.err("Filecoin.ChainReadObj", json!([absent]), -32000)
            .contains("not found")
    );
}

#[test]
fn actor_reads_have_lotus_shapes() {
    let s = Served::new();
    let f1 = s.devnet().account(KeyKind::Secp256k1, 0).unwrap();
    let eth = s.devnet().account(KeyKind::Eth, 0).unwrap();
    let balance = s.devnet().balance(&f1.address(), TipsetRef::Head).unwrap();
    assert_eq!(
        s.ok("Filecoin.WalletBalance", json!([t(&f1.address())])),
        json!(balance.atto().to_string())
    );
    assert_eq!(
        s.ok("Filecoin.WalletBalance", json!(["t0999999"])),
        json!("0")
    );
    let id = format!("t0{}", f1.id);
    assert_eq!(
        s.ok("Filecoin.StateLookupID", json!([t(&f1.address()), null])),
        json!(id)
    );
    assert_eq!(
        s.ok("Filecoin.StateAccountKey", json!([id, null])),
        json!(t(&f1.address()))
    );
    let eth_id = format!("t0{}", eth.id);
    assert_eq!(
        s.ok("Filecoin.StateAccountKey", json!([eth_id, null])),
        json!(t(&eth.address()))
    );
    let actor = s.ok("Filecoin.StateGetActor", json!([t(&f1.address()), null]));
    assert_eq!(actor["Nonce"], 0);
    assert_eq!(actor["Balance"], balance.atto().to_string());
    assert_eq!(actor["DelegatedAddress"], Value::Null);
    assert!(actor["Code"]["/"].is_string() && actor["Head"]["/"].is_string());
    let eth_actor = s.ok("Filecoin.StateGetActor", json!([eth_id, null]));
    assert_eq!(eth_actor["DelegatedAddress"], json!(t(&eth.address())));
    assert!(
        s.err("Filecoin.StateGetActor", json!(["t0999999", null]), -32000)
            .contains("actor not found")
    );
    let stranger = t(&filmark_sdk::keys::SecpKey::from_seed(b"stranger", 0).f1_address());
    let e = s.err("Filecoin.StateLookupID", json!([stranger, null]), -32000);
    assert!(e.contains("actor not found"), "{e}");
    assert_eq!(
        s.ok("Filecoin.StateMarketBalance", json!([id, null])),
        json!({"Escrow": "0", "Locked": "0"})
    );
    let e = s.err("Filecoin.StateMarketStorageDeal", json!([0, null]), -32000);
    assert!(e.contains("deal 0 not found"), "{e}");
    // StateCall: a transfer of nothing to account 1, not committed.
    let to = s.devnet().account(KeyKind::Secp256k1, 1).unwrap();
    let m = json!({"Version": 0, "To": t(&to.address()), "From": t(&f1.address()), "Nonce": 0,
        "Value": "0", "GasLimit": 0, "GasFeeCap": "0", "GasPremium": "0", "Method": 0, "Params": null});
    let head = s.devnet().head();
    let r = s.ok("Filecoin.StateCall", json!([m, null]));
    assert_eq!(r["MsgRct"]["ExitCode"], 0);
    assert_eq!(r["Error"], "");
    assert_eq!(r["Msg"]["To"], json!(t(&to.address())));
    assert_eq!(r["MsgCid"], r["Msg"]["CID"]);
    assert_eq!(s.devnet().head(), head, "StateCall commits nothing");
}

#[test]
fn bad_lotus_params_are_refused_and_change_nothing() {
    let s = Served::new();
    let head = s.devnet().head();
    let f1 = s.devnet().account(KeyKind::Secp256k1, 0).unwrap();
    let e = s.err("Filecoin.WalletBalance", json!(["nope"]), -32602);
    assert!(e.starts_with("address: "), "{e}");
    let e = s.err("Filecoin.WalletBalance", json!([5]), -32602);
    assert!(e.contains("parameter 0 (address)"), "{e}");
    s.err("Filecoin.ChainHead", json!([1]), -32602);
    s.err(
        "Filecoin.ChainGetBlock",
        json!([{"/": "not a cid"}]),
        -32602,
    );
    // A signed message whose signature is another key's.
    let to = s.devnet().account(KeyKind::Secp256k1, 1).unwrap();
    let m = s
        .devnet()
        .prepare(
            f1.address(),
            to.address(),
            TokenAmount::from_atto(1),
            0,
            Default::default(),
        )
        .unwrap();
    let signed = to.key.sign(m, s.devnet().chain_id());
    let mut body = match signed {
        Ok(s) => serde_json::to_value(SignedMessageJson::new(&s, Network::Testnet)).unwrap(),
        Err(_) => return,
    };
    body["Message"]["From"] = json!(t(&f1.address()));
    let e = s.err("Filecoin.MpoolPush", json!([body]), -32000);
    assert!(!e.is_empty());
    assert_eq!(s.devnet().head(), head);
    assert_eq!(s.devnet().pending(), 0);
}

#[test]
fn mpool_pending_lists_signed_messages_on_a_manual_devnet() {
    let s = Served::with(
        DevnetConfig::test().with_mining(Mining::Manual),
        RpcConfig::test(),
    );
    let cid = push_transfer(&s, 7);
    let pending = s.ok("Filecoin.MpoolPending", json!([null]));
    assert_eq!(pending.as_array().map(Vec::len), Some(1));
    assert_eq!(pending[0]["CID"], cid);
    assert_eq!(pending[0]["Message"]["Value"], "7");
    assert_eq!(pending[0]["Signature"]["Type"], 1);
    assert_eq!(s.ok("Filecoin.ChainGetMessage", json!([cid]))["Value"], "7");
    assert_eq!(
        s.ok(
            "Filecoin.MpoolGetNonce",
            json!([t(&s
                .devnet()
                .account(KeyKind::Secp256k1, 0)
                .unwrap()
                .address())])
        ),
        json!(1)
    );
    s.devnet().mine(1).unwrap();
    assert_eq!(s.ok("Filecoin.MpoolPending", json!([null])), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_notify_streams_the_current_head_then_applies() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let s = tokio::task::spawn_blocking(Served::new).await.unwrap();
    // Over HTTP it is refused.
    let e = tokio::task::block_in_place(|| s.err("Filecoin.ChainNotify", json!([]), -32000));
    assert!(e.contains("WebSocket"), "{e}");
    let (mut ws, _) = tokio_tungstenite::connect_async(s.server.ws_url())
        .await
        .expect("ws");
    ws.send(Message::Text(
        json!({"jsonrpc":"2.0","id":9,"method":"Filecoin.ChainNotify","params":[]})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let mut read = async || -> Value {
        loop {
            let m = tokio::time::timeout(std::time::Duration::from_secs(20), ws.next())
                .await
                .expect("a message in time")
                .expect("open")
                .expect("ok");
            if let Message::Text(t) = m {
                return serde_json::from_str(&t).unwrap();
            }
        }
    };
    let reply = read().await;
    assert_eq!(reply["id"], 9, "{reply}");
    let chan = reply["result"].as_u64().expect("a channel id");
    let current = read().await;
    assert_eq!(current["method"], "xrpc.ch.val");
    assert_eq!(current["params"][0], chan);
    assert_eq!(current["params"][1][0]["Type"], "current");
    assert_eq!(current["params"][1][0]["Val"]["Height"], 0);
    let devnet = s.devnet();
    let mined = tokio::task::spawn_blocking(move || devnet.mine(2).unwrap())
        .await
        .unwrap();
    for h in 1..=2 {
        let apply = read().await;
        assert_eq!(apply["params"][1][0]["Type"], "apply", "{apply}");
        assert_eq!(apply["params"][1][0]["Val"]["Height"], h);
    }
    assert_eq!(mined.height(), 2);
    // A revert to a snapshot: the tipset that left the chain is reverted, the new one applied.
    let devnet = s.devnet();
    let snap = tokio::task::spawn_blocking(move || {
        let snap = devnet.snapshot();
        devnet.mine(1).unwrap();
        snap
    })
    .await
    .unwrap();
    let apply = read().await;
    assert_eq!(apply["params"][1][0]["Type"], "apply");
    let left = apply["params"][1][0]["Val"].clone();
    let devnet = s.devnet();
    tokio::task::spawn_blocking(move || {
        devnet.revert(snap).unwrap();
        devnet
            .set_next_timestamp(devnet.head().header.timestamp + 7)
            .unwrap();
        devnet.mine(1).unwrap();
    })
    .await
    .unwrap();
    let revert = read().await;
    assert_eq!(revert["params"][1][0]["Type"], "revert", "{revert}");
    assert_eq!(revert["params"][1][0]["Val"], left);
    let apply = read().await;
    assert_eq!(apply["params"][1][0]["Type"], "apply", "{apply}");
    assert_eq!(apply["params"][1][0]["Val"]["Height"], 3);
    assert_ne!(
        apply["params"][1][0]["Val"], left,
        "another tipset at height 3"
    );
    tokio::task::spawn_blocking(move || drop(s)).await.unwrap();
}
