//! The escrow's Solidity twin (`contracts/solidity/FilmarkEscrow.sol`) against the native actor
//! on one in-process devnet, through the SDK's `EscrowClient` with `Signer::eth`: the same
//! lifecycle (deposit, a sponsored order, a deal published with the escrow as client, activated,
//! settled, terminated, re-filled, settled to the end, refunded, closed, withdrawn) ends in the
//! same accounts, order records and events (topics and data) on both; and the gas of
//! `CreateOrder`, `FundOrder` and `Settle` side by side.
//!
//! Both runs start from one devnet snapshot (`Devnet::snapshot` / `revert`), so they see the
//! same epochs and deal ids. The twin's bytecode comes from the solc-js pipeline
//! (`contracts/solidity/out/FilmarkEscrow.json`, built by `scripts/test.sh`); without it the
//! tests say so and pass, unless `FILMARK_REQUIRE_SOLIDITY` is set (as `scripts/test.sh` does).
//! Written against the SDK and the devnet only, so it can move into the scenario suite.

use std::path::PathBuf;

use alloy_primitives::{Address as EthAddress, U256};
use alloy_sol_types::SolCall;
use filmark_abi::IFilmarkEscrow as I;
use filmark_devnet::{Devnet, DevnetConfig, DevnetKey, KeyKind, LogFilter, TipsetRef};
use filmark_devnet_rpc::InProcess;
use filmark_escrow::ext::market::{DealProposal, Label};
use filmark_sdk::client::OrderBuilder;
use filmark_sdk::keys::ext;
use filmark_sdk::{Client, Signer};
use fvm_ipld_encoding::{BytesDe, BytesSer, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;

/// The market's exported `PublishStorageDeals` (FRC-42).
const PUBLISH_STORAGE_DEALS: u64 = 2_236_929_350;
/// The EAM.
const EAM: u64 = 10;
/// The market.
const MARKET: u64 = 5;

type Rpc = Client<InProcess>;

/// The twin's initcode from the solc-js output, if built.
fn twin_initcode() -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../contracts/solidity/out/FilmarkEscrow.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var_os("FILMARK_REQUIRE_SOLIDITY").is_none(),
            "{} is missing: run the solc-js pipeline (contracts/solidity)",
            path.display()
        );
        eprintln!(
            "skipped: {} not built (npm run build in contracts/solidity)",
            path.display()
        );
        return None;
    };
    let json: serde_json::Value = serde_json::from_str(&text).expect("compiler output");
    let code = &json["bytecode"];
    let hex_code = code
        .as_str()
        .or_else(|| code["object"].as_str())
        .expect("bytecode");
    Some(hex::decode(hex_code.trim_start_matches("0x")).expect("hex bytecode"))
}

fn piece() -> cid::Cid {
    use multihash_codetable::{Code, MultihashDigest};
    let mut digest = Code::Sha2_256.digest(b"twin").digest().to_vec();
    digest[31] &= 0x3f;
    cid::Cid::new_v1(
        0xf101,
        multihash::Multihash::wrap(0x1012, &digest).expect("digest"),
    )
}

struct World {
    devnet: Devnet,
    client: Signer,
    sponsor: Signer,
    provider: DevnetKey,
    native: Address,
    twin: Address,
}

fn eth(devnet: &Devnet, i: usize) -> Signer {
    Signer::eth(
        devnet
            .account(KeyKind::Eth, i)
            .expect("account")
            .key
            .secp_key()
            .clone(),
    )
}

/// Deploys the native escrow (f1 deployer) and the twin (an eth deployer, EAM CreateExternal).
async fn world(devnet: Devnet, initcode: Vec<u8>) -> World {
    let rpc = Client::connect(InProcess::new(devnet.clone()))
        .await
        .expect("client");
    let f1 = Signer::f1(
        devnet
            .account(KeyKind::Secp256k1, 0)
            .expect("account")
            .key
            .secp_key()
            .clone(),
    );
    let native = rpc
        .deploy_actor(&f1, filmark_actor_bundle::ESCROW_WASM, RawBytes::default())
        .await
        .expect("native escrow")
        .id_address;
    let deployer = eth(&devnet, 2);
    let twin = deploy_contract(&rpc, &deployer, initcode).await;
    World {
        client: eth(&devnet, 0),
        sponsor: eth(&devnet, 1),
        provider: devnet
            .account(KeyKind::Secp256k1, 1)
            .expect("provider")
            .key,
        devnet,
        native,
        twin,
    }
}

/// Creates a contract through the EAM's `CreateExternal`; its id address.
async fn deploy_contract(rpc: &Rpc, signer: &Signer, initcode: Vec<u8>) -> Address {
    let lookup = rpc
        .send(
            signer,
            Address::new_id(EAM),
            TokenAmount::default(),
            ext::eam::CREATE_EXTERNAL,
            RawBytes::serialize(BytesSer(&initcode)).expect("params"),
            "deploy twin",
        )
        .await
        .expect("deploy twin");
    let (id, _robust, _eth): (u64, Option<Address>, BytesDe) =
        lookup.receipt.return_data.deserialize().expect("CreateExternal return");
    Address::new_id(id)
}

/// An ABI read through `InvokeEVM` (the native escrow's and the contract's alike).
async fn read<C: SolCall>(rpc: &Rpc, from: Address, to: Address, call: C) -> C::Return {
    let params = RawBytes::serialize(BytesSer(&call.abi_encode())).expect("params");
    let ret = rpc
        .call(from, to, ext::evm::INVOKE_CONTRACT, params, "read")
        .await
        .expect("read");
    let BytesDe(bytes) = ret.deserialize().expect("bytes");
    C::abi_decode_returns(&bytes).expect("abi return")
}

/// Publishes a deal with `escrow` as client for order `order_id`, from the provider's key.
fn publish(w: &World, escrow: Address, order_id: u64, start: i64, end: i64) -> u64 {
    let proposal = DealProposal {
        piece_cid: piece(),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client: escrow,
        provider: w.provider.address(),
        label: Label::String(order_id.to_string()),
        start_epoch: start,
        end_epoch: end,
        storage_price_per_epoch: TokenAmount::default(),
        provider_collateral: TokenAmount::default(),
        client_collateral: TokenAmount::default(),
    };
    let params = RawBytes::serialize((vec![(proposal, Signature::new_secp256k1(vec![]))],))
        .expect("params");
    let lookup = w
        .devnet
        .send(
            &w.provider,
            Address::new_id(MARKET),
            TokenAmount::default(),
            PUBLISH_STORAGE_DEALS,
            params,
        )
        .expect("publish");
    let receipt = &lookup.record.receipt;
    assert!(
        receipt.exit_code.is_success(),
        "publish: {:?} {:?}",
        receipt.exit_code,
        lookup.record.failure
    );
    let (ids, _valid): (Vec<u64>, BytesDe) = receipt.return_data.deserialize().expect("ids");
    ids[0]
}

async fn settle(
    esc: &filmark_sdk::client::EscrowClient<'_, InProcess>,
    signer: &Signer,
    order_id: u64,
) -> (U256, U256) {
    let r = esc.settle(signer, order_id).await.expect("settle");
    (
        filmark_escrow::abi::u256_of(&r.paid),
        filmark_escrow::abi::u256_of(&r.unlocked),
    )
}

/// What one run leaves behind, to compare.
#[derive(Debug, PartialEq)]
struct Trace {
    accounts: Vec<(U256, U256)>,
    /// `getOrder`'s answer, ABI-encoded (alloy's structs have no `PartialEq`), and the fields
    /// the test checks.
    order: Vec<u8>,
    closed: bool,
    completed: u64,
    paid: U256,
    funding: (i64, u64, bool),
    settled: Vec<(U256, U256)>,
    /// Every event of the escrow: its entries (`t1`..`t4`, `d`) as (key, value).
    events: Vec<Vec<(String, Vec<u8>)>>,
    escrow_balance: TokenAmount,
}

/// The lifecycle against `escrow`, from the current head.
async fn lifecycle(w: &World, escrow: Address) -> Trace {
    let rpc = Client::connect(InProcess::new(w.devnet.clone()))
        .await
        .expect("client");
    let esc = rpc.escrow(escrow);
    let from = w.devnet.head().height();
    let now = || w.devnet.head().height();
    esc.deposit(&w.client, TokenAmount::from_atto(5_000))
        .await
        .expect("deposit");
    // price 10 × 100 epochs × 1 replica = 1,000 locked; a sponsor adds 500.
    let deadline = now() + 80;
    let order_id = esc
        .create_order(
            &w.client,
            OrderBuilder::new(piece(), 2048, TokenAmount::from_atto(10), 100)
                .activation_deadline(deadline),
            TokenAmount::default(),
        )
        .await
        .expect("create order");
    esc.fund_order(&w.sponsor, order_id, TokenAmount::default(), TokenAmount::from_atto(500))
        .await
        .expect("sponsor");
    let mut settled = Vec::new();
    // A deal with the escrow as client; activated; paid for 20 epochs.
    let start = now() + 5;
    let first = publish(w, escrow, order_id, start, start + 150);
    w.devnet.activate_deals(&[first]).expect("activate");
    w.devnet.advance_epochs(25).expect("advance");
    settled.push(settle(&esc, &w.client, order_id).await);
    // Terminated: paid up to the first settlement that sees it gone; its slot reopens.
    w.devnet.terminate_deals(&[first]).expect("terminate");
    settled.push(settle(&esc, &w.client, order_id).await);
    // Re-filled by a second deal, settled to its end and past the deadline: refunds.
    let start = now() + 5;
    let second = publish(w, escrow, order_id, start, start + 100);
    w.devnet.activate_deals(&[second]).expect("activate");
    w.devnet.advance_epochs(40).expect("advance");
    settled.push(settle(&esc, &w.client, order_id).await);
    w.devnet.advance_epochs(100).expect("advance");
    settled.push(settle(&esc, &w.client, order_id).await);
    esc.close_order(&w.client, order_id).await.expect("close");
    esc.withdraw(&w.sponsor, TokenAmount::from_atto(1), None)
        .await
        .expect("withdraw");

    let reader = w.client.address();
    let mut accounts = Vec::new();
    for who in [&w.client, &w.sponsor] {
        let eth_of = EthAddress::from(who.key().eth_address());
        let r = read(&rpc, reader, escrow, I::getAccountCall { account: eth_of }).await;
        accounts.push((r.available, r.locked));
    }
    let order = read(&rpc, reader, escrow, I::getOrderCall { orderId: order_id }).await;
    let (closed, completed, paid) = (order.closed, order.completed, order.paid);
    let order = alloy_sol_types::SolValue::abi_encode(&order);
    let f = read(&rpc, reader, escrow, I::getOrderFundingCall { orderId: order_id }).await;
    let id = w
        .devnet
        .lookup_id(&escrow, TipsetRef::Head)
        .expect("lookup")
        .expect("escrow id");
    let logs = w.devnet.logs(&LogFilter {
        from,
        to: now(),
        emitters: vec![id],
        topics: Default::default(),
    });
    let events = logs
        .iter()
        .map(|l| {
            l.event
                .event
                .entries
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect()
        })
        .collect();
    Trace {
        accounts,
        order,
        closed,
        completed,
        paid,
        funding: (f.fundedUntil, f.activeReplicas, f.open),
        settled,
        events,
        escrow_balance: w.devnet.balance(&escrow, TipsetRef::Head).expect("balance"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_twin_and_the_native_escrow_end_alike() {
    let Some(initcode) = twin_initcode() else {
        return;
    };
    let handle = Devnet::spawn(DevnetConfig::test()).expect("devnet");
    let w = world(handle.devnet(), initcode).await;
    let snapshot = w.devnet.snapshot();
    let native = lifecycle(&w, w.native).await;
    w.devnet.revert(snapshot).expect("revert");
    let twin = lifecycle(&w, w.twin).await;

    // The run did what it says: paid, refunded, closed, and the books balance.
    assert!(native.closed);
    assert_eq!(native.completed, 1);
    let paid: U256 = native.settled.iter().map(|s| s.0).sum();
    assert!(paid > U256::ZERO);
    assert_eq!(native.paid, paid);
    let held: U256 = native.accounts.iter().map(|a| a.0 + a.1).sum();
    assert_eq!(filmark_escrow::abi::u256_of(&native.escrow_balance), held);
    assert_eq!(native.events.len(), twin.events.len(), "{native:#?}\n{twin:#?}");
    for (i, (a, b)) in native.events.iter().zip(&twin.events).enumerate() {
        assert_eq!(a, b, "event {i}");
    }
    assert_eq!(native, twin);
}
