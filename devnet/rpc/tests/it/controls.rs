//! The devnet controls over HTTP: Anvil's names and `filmark_*`.

use filmark_devnet::{KeyKind, TipsetRef};
use filmark_sdk::keys::Network;
use fvm_shared::econ::TokenAmount;
use serde_json::{Value, json};

use crate::common::Served;

#[test]
fn mine_snapshot_revert_and_time() {
    let s = Served::new();
    let start = s.devnet().head();
    let id = s.ok("evm_snapshot", json!([]));
    assert_eq!(id, json!("0x0"));
    assert_eq!(s.ok("evm_mine", json!([])), json!("0x0"));
    assert_eq!(s.ok("anvil_mine", json!(["0x3"])), Value::Null);
    assert_eq!(s.devnet().head().height(), start.height() + 4);
    let e = s.err("anvil_mine", json!([10_001]), -32602);
    assert!(e.contains("at most 10000"), "{e}");
    assert_eq!(s.ok("evm_increaseTime", json!([100])), json!(100));
    let ts = s.devnet().head().header.timestamp + 1_000;
    assert_eq!(
        s.ok("evm_setNextBlockTimestamp", json!([format!("{ts:#x}")])),
        Value::Null
    );
    s.ok("evm_mine", json!([]));
    assert_eq!(s.devnet().head().header.timestamp, ts);
    s.ok("evm_mine", json!([ts + 500]));
    assert_eq!(s.devnet().head().header.timestamp, ts + 500);
    assert!(
        s.err("evm_setNextBlockTimestamp", json!([1]), -32000)
            .contains("not after")
    );
    assert_eq!(
        s.ok("filmark_advanceEpochs", json!([1_000])),
        json!(start.height() + 1_006)
    );
    assert_eq!(s.ok("evm_revert", json!([id])), json!(true));
    assert_eq!(s.devnet().head(), start);
    assert_eq!(s.ok("evm_revert", json!([id])), json!(false), "used up");
    s.ok("evm_mine", json!([]));
    assert_eq!(
        s.devnet().head().header.timestamp,
        start.header.timestamp + 30,
        "the time shift is reverted too"
    );
    s.err("evm_increaseTime", json!(["ten"]), -32602);
    s.err("filmark_advanceEpochs", json!([0]), -32000);
}

#[test]
fn set_balance_takes_eth_and_filecoin_addresses() {
    let s = Served::new();
    let eth = s.devnet().account(KeyKind::Eth, 0).unwrap();
    let hex = filmark_sdk::keys::filecoin_to_eth(&eth.address())
        .unwrap()
        .to_string();
    s.ok("anvil_setBalance", json!([hex, "0xde0b6b3a7640000"]));
    assert_eq!(
        s.devnet().balance(&eth.address(), TipsetRef::Head).unwrap(),
        TokenAmount::from_whole(1)
    );
    let f1 = s.devnet().account(KeyKind::Secp256k1, 0).unwrap().address();
    s.ok(
        "anvil_setBalance",
        json!([filmark_sdk::keys::format_address(&f1, Network::Testnet), 5]),
    );
    assert_eq!(
        s.ok("Filecoin.WalletBalance", json!([f1.to_string()])),
        json!("5")
    );
    // A fresh Ethereum address gets an actor.
    let fresh = "0x00000000000000000000000000000000000000aa";
    s.ok("anvil_setBalance", json!([fresh, "0x10"]));
    let fresh_f = filmark_sdk::keys::eth_to_filecoin(&fresh.parse().unwrap());
    assert_eq!(
        s.devnet().balance(&fresh_f, TipsetRef::Head).unwrap(),
        TokenAmount::from_atto(16)
    );
    s.err("anvil_setBalance", json!(["0x12", "0x1"]), -32602);
    s.err("anvil_setBalance", json!([hex, "12"]), -32602);
}

#[test]
fn install_code_stores_and_compiles_a_module() {
    use base64::Engine as _;
    let s = Served::new();
    let wasm = filmark_actor_bundle::REGISTRY_WASM;
    let code = s.ok(
        "filmark_installCode",
        json!([base64::engine::general_purpose::STANDARD.encode(wasm)]),
    );
    assert_eq!(code["/"], filmark_actor_bundle::code_cid(wasm).to_string());
    assert_eq!(s.ok("Filecoin.ChainHasObj", json!([code])), json!(true));
    let e = s.err("filmark_installCode", json!(["AAEC"]), -32000);
    assert!(!e.is_empty());
    s.err("filmark_installCode", json!(["***"]), -32602);
}

fn piece_cid() -> String {
    let mut digest = [7u8; 32];
    digest[31] &= 0x3f;
    cid::Cid::new_v1(
        0xf101,
        cid::multihash::Multihash::wrap(0x1012, &digest).unwrap(),
    )
    .to_string()
}

#[test]
fn a_deal_is_published_activated_and_terminated() {
    let s = Served::new();
    let client = s.devnet().account(KeyKind::Secp256k1, 0).unwrap();
    let provider = s.devnet().account(KeyKind::Secp256k1, 1).unwrap();
    let start = s.devnet().head().height() + 20;
    let proposal = json!({
        "PieceCID": {"/": piece_cid()}, "PieceSize": 2048, "VerifiedDeal": false,
        "Client": client.address().to_string(), "Provider": provider.address().to_string(),
        "Label": "rpc deal", "StartEpoch": start, "EndEpoch": start + 200,
        "StoragePricePerEpoch": "1000", "ProviderCollateral": "5000", "ClientCollateral": "0",
    });
    let published = s.ok("filmark_publishDeal", json!([proposal]));
    let deal = published["DealID"].as_u64().expect("a deal id");
    let lookup = s.ok(
        "Filecoin.StateSearchMsg",
        json!([null, published["Message"], 10, true]),
    );
    assert_eq!(lookup["Receipt"]["ExitCode"], 0);
    let root = &lookup["Receipt"]["EventsRoot"];
    assert!(
        root.is_object(),
        "the market emits a deal-published event: {lookup}"
    );
    let events = s.ok("Filecoin.ChainGetEvents", json!([root]));
    assert_eq!(events[0]["Emitter"], 5, "{events}");
    assert!(
        events[0]["Entries"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{events}"
    );
    assert!(
        events[0]["Entries"][0]["Key"].is_string() && events[0]["Entries"][0]["Value"].is_string()
    );
    let d = s.ok("Filecoin.StateMarketStorageDeal", json!([deal, null]));
    assert_eq!(d["Proposal"]["Label"], "rpc deal");
    assert_eq!(d["Proposal"]["PieceCID"]["/"], piece_cid());
    assert_eq!(d["State"]["SectorStartEpoch"], -1);
    let bal = s.ok(
        "Filecoin.StateMarketBalance",
        json!([client.address().to_string(), null]),
    );
    assert_eq!(bal["Locked"], "200000");
    s.ok("filmark_activateDeals", json!([[deal]]));
    let d = s.ok("Filecoin.StateMarketStorageDeal", json!([deal, null]));
    assert_eq!(d["State"]["SectorStartEpoch"], s.devnet().head().height());
    s.ok("filmark_terminateDeals", json!([[deal]]));
    let e = s.err(
        "Filecoin.StateMarketStorageDeal",
        json!([deal, null]),
        -32000,
    );
    assert!(e.contains("not found"), "{e}");
    // A party the devnet holds no key for is refused before anything is sent.
    let mut stranger = proposal;
    stranger["Client"] = json!("t01999");
    let head = s.devnet().head();
    let e = s.err("filmark_publishDeal", json!([stranger]), -32602);
    assert!(e.contains("prefunded"), "{e}");
    assert_eq!(s.devnet().head(), head);
    s.err("filmark_activateDeals", json!([[]]), -32602);
    s.err("filmark_activateDeals", json!([[deal + 100]]), -32000);
}
