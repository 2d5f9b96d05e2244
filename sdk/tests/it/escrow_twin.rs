//! The escrow's Solidity twin (`contracts/solidity/FilmarkEscrow.sol`) against the native actor
//! on one in-process devnet, through the SDK's `EscrowClient` with `Signer::eth`: the same
//! lifecycle (deposit, a sponsored order, a deal published with the escrow as client, activated,
//! settled, terminated, re-filled, settled to the end, refunded, closed, withdrawn) ends in the
//! same accounts, order records and events (topics and data) on both; and the gas of
//! `CreateOrder`, `FundOrder` and `Settle` side by side.
//!
//! Both runs start from one devnet snapshot (`Devnet::snapshot` / `revert`), so they see the
//! same epochs and deal ids. The twin's bytecode is the solc-js pipeline's
//! (`contracts/solidity/out/FilmarkEscrow.json`, committed; `scripts/test.sh` checks it is what
//! the sources give). Written against the SDK and the devnet only, so it can move into the
//! scenario suite.

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

/// The twin's initcode from the solc-js output (committed in `contracts/solidity/out`).
fn twin_initcode() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../contracts/solidity/out/FilmarkEscrow.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (npm run build in contracts/solidity)",
            path.display()
        )
    });
    let json: serde_json::Value = serde_json::from_str(&text).expect("compiler output");
    let code = json["bytecode"].as_str().expect("bytecode");
    hex::decode(code.trim_start_matches("0x")).expect("hex bytecode")
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
        provider: devnet.account(KeyKind::Secp256k1, 1).expect("provider").key,
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
    let (id, _robust, _eth): (u64, Option<Address>, BytesDe) = lookup
        .receipt
        .return_data
        .deserialize()
        .expect("CreateExternal return");
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
    let params =
        RawBytes::serialize((vec![(proposal, Signature::new_secp256k1(vec![]))],)).expect("params");
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
    esc.fund_order(
        &w.sponsor,
        order_id,
        TokenAmount::default(),
        TokenAmount::from_atto(500),
    )
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
        let eth_of = who.key().eth_address();
        let r = read(&rpc, reader, escrow, I::getAccountCall { account: eth_of }).await;
        accounts.push((r.available, r.locked));
    }
    let order = read(&rpc, reader, escrow, I::getOrderCall { orderId: order_id }).await;
    let (closed, completed, paid) = (order.closed, order.completed, order.paid);
    let order = alloy_sol_types::SolValue::abi_encode(&order);
    let f = read(
        &rpc,
        reader,
        escrow,
        I::getOrderFundingCall { orderId: order_id },
    )
    .await;
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
    let initcode = twin_initcode();
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
    assert_eq!(
        native.events.len(),
        twin.events.len(),
        "{native:#?}\n{twin:#?}"
    );
    for (i, (a, b)) in native.events.iter().zip(&twin.events).enumerate() {
        assert_eq!(a, b, "event {i}");
    }
    assert_eq!(native, twin);
}

/// Gas of one message: `calldata` through `InvokeEVM` from an eth signer, or CBOR `params` to
/// the native `method` from an f1 signer.
async fn gas(
    rpc: &Rpc,
    signer: &Signer,
    escrow: Address,
    value: u64,
    call: (u64, RawBytes, Vec<u8>),
) -> u64 {
    let (method, params) = match signer.path() {
        filmark_sdk::client::Path::Eth => (
            ext::evm::INVOKE_CONTRACT,
            RawBytes::serialize(BytesSer(&call.2)).expect("params"),
        ),
        _ => (call.0, call.1),
    };
    rpc.send(
        signer,
        escrow,
        TokenAmount::from_atto(value),
        method,
        params,
        "gas",
    )
    .await
    .expect("message")
    .receipt
    .gas_used
}

/// `CreateOrder`, `FundOrder` (a sponsor's value) and `Settle` (one active deal) on `escrow`
/// from `client` / `sponsor`; their gas.
async fn gas_run(w: &World, escrow: Address, client: &Signer, sponsor: &Signer) -> [u64; 3] {
    use filmark_escrow::Method;
    use filmark_escrow::types::{FundOrderParams, OrderIdParams};
    let rpc = Client::connect(InProcess::new(w.devnet.clone()))
        .await
        .expect("client");
    rpc.escrow(escrow)
        .deposit(client, TokenAmount::from_atto(5_000))
        .await
        .expect("deposit");
    let deadline = w.devnet.head().height() + 80;
    let order = OrderBuilder::new(piece(), 2048, TokenAmount::from_atto(10), 100)
        .activation_deadline(deadline)
        .into_params();
    let abi_order = I::OrderParams {
        pieceCid: order.piece_cid.to_bytes().into(),
        pieceSize: order.piece_size,
        pricePerEpoch: U256::from(10),
        minDuration: order.min_duration,
        replicas: order.replicas,
        allowedProviders: Vec::new(),
        activationDeadline: order.activation_deadline,
        content: Default::default(),
        client: EthAddress::ZERO,
        allowSameProvider: false,
    };
    let create = gas(
        &rpc,
        client,
        escrow,
        0,
        (
            Method::CreateOrder.number(),
            RawBytes::serialize(&order).expect("params"),
            I::createOrderCall { params: abi_order }.abi_encode(),
        ),
    )
    .await;
    let fund = gas(
        &rpc,
        sponsor,
        escrow,
        500,
        (
            Method::FundOrder.number(),
            RawBytes::serialize(FundOrderParams {
                order_id: 0,
                from_available: TokenAmount::default(),
            })
            .expect("params"),
            I::fundOrderCall {
                orderId: 0,
                fromAvailable: U256::ZERO,
            }
            .abi_encode(),
        ),
    )
    .await;
    let start = w.devnet.head().height() + 5;
    let deal = publish(w, escrow, 0, start, start + 150);
    w.devnet.activate_deals(&[deal]).expect("activate");
    w.devnet.advance_epochs(20).expect("advance");
    let settle = gas(
        &rpc,
        client,
        escrow,
        0,
        (
            Method::Settle.number(),
            RawBytes::serialize(OrderIdParams { order_id: 0 }).expect("params"),
            I::settleCall { orderId: 0 }.abi_encode(),
        ),
    )
    .await;
    [create, fund, settle]
}

/// The gas table of the issue: the twin and the native actor side by side (printed; run with
/// `--nocapture`). Gas is deterministic, so this is a figure, not a timing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gas_of_the_twin_and_the_native_escrow() {
    let initcode = twin_initcode();
    let handle = Devnet::spawn(DevnetConfig::test()).expect("devnet");
    let w = world(handle.devnet(), initcode).await;
    let f1 = |i| {
        Signer::f1(
            w.devnet
                .account(KeyKind::Secp256k1, i)
                .expect("account")
                .key
                .secp_key()
                .clone(),
        )
    };
    let snapshot = w.devnet.snapshot();
    let native_f1 = gas_run(&w, w.native, &f1(2), &f1(3)).await;
    w.devnet.revert(snapshot).expect("revert");
    // A snapshot is reverted to once.
    let snapshot = w.devnet.snapshot();
    let native_eth = gas_run(&w, w.native, &w.client, &w.sponsor).await;
    w.devnet.revert(snapshot).expect("revert");
    let twin = gas_run(&w, w.twin, &w.client, &w.sponsor).await;
    println!("| method | native (f1, CBOR) | native (eth, ABI) | twin (eth, ABI) |");
    println!("|---|---:|---:|---:|");
    for (i, name) in ["CreateOrder", "FundOrder", "Settle (1 deal)"]
        .iter()
        .enumerate()
    {
        println!(
            "| {name} | {} | {} | {} |",
            native_f1[i], native_eth[i], twin[i]
        );
    }
    assert!(
        native_f1
            .iter()
            .chain(&native_eth)
            .chain(&twin)
            .all(|g| *g > 0)
    );
}
