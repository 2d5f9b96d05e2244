//! alloy's provider (Rust) against the served devnet, the same flow as viem: chain id, a value
//! transfer between prefunded f410 accounts, a registry call through its `sol!` interface, the
//! event read back with `get_logs` and with a filter, the receipt.

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address as EthAddress, B256, Bytes, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::{Filter, Log, TransactionReceipt, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolEvent};
use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::KeyKind;
use filmark_registry::abi::IFilmarkRegistry as I;
use filmark_registry::types::ConstructorParams;
use filmark_sdk::keys::masked_id;
use fvm_ipld_encoding::RawBytes;

use crate::common::Served;

/// Deploys the registry on `served`'s devnet: its masked ID address, the first f410 key's
/// secret and the second's 0x address.
pub(crate) async fn with_registry(served: &Served) -> (EthAddress, [u8; 32], EthAddress) {
    let net = served.devnet();
    tokio::task::spawn_blocking(move || {
        let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
        let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
        let d = net.deploy(&owner.key, REGISTRY_WASM, ctor).unwrap();
        let alice = net.account(KeyKind::Eth, 0).unwrap().key;
        let bob = net.account(KeyKind::Eth, 1).unwrap().key;
        (
            masked_id(d.id_address.id().unwrap()),
            alice.secp_key().secret_bytes(),
            bob.secp_key().eth_address(),
        )
    })
    .await
    .unwrap()
}

/// The registry's ABI `register` of `cid` (8 bytes of text, no metadata).
pub(crate) fn register_call(cid: Bytes) -> I::registerCall {
    I::registerCall {
        request: I::RegisterRequest {
            cid,
            owner: EthAddress::ZERO,
            kind: "text/plain".into(),
            size: 8,
            pieceCid: Bytes::new(),
            platform: String::new(),
            refHash: B256::ZERO,
            metadata: Vec::new(),
        },
    }
}

/// Sends [`register_call`] of `cid` to `registry` from `provider`'s wallet; the receipt.
pub(crate) async fn register_abi(
    provider: &impl Provider,
    registry: EthAddress,
    cid: Bytes,
) -> TransactionReceipt {
    let call = register_call(cid);
    let tx = TransactionRequest::default()
        .with_to(registry)
        .with_input(call.abi_encode());
    provider
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alloy_provider_transfers_calls_the_registry_and_reads_its_event() {
    let served = tokio::task::spawn_blocking(Served::new).await.unwrap();
    let net = served.devnet();
    let (registry, alice_key, bob) = with_registry(&served).await;
    let signer = PrivateKeySigner::from_bytes(&B256::from(alice_key)).unwrap();
    let alice = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_hyper_http(served.server.url().parse().unwrap());

    assert_eq!(provider.get_chain_id().await.unwrap(), net.chain_id());

    // A value transfer.
    let value = U256::from(3u64) * U256::from(10u64).pow(U256::from(17));
    let before = provider.get_balance(bob).await.unwrap();
    let tx = TransactionRequest::default().with_to(bob).with_value(value);
    let receipt = provider
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.from, alice);
    assert_eq!(receipt.to, Some(bob));
    assert_eq!(provider.get_balance(bob).await.unwrap(), before + value);
    let fetched = provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fetched.inner.signer(), alice);

    // The registry through its sol! interface.
    let filter = Filter::new()
        .address(registry)
        .event_signature(I::Registered::SIGNATURE_HASH)
        .from_block(0);
    let filter_id = provider.new_filter(&filter).await.unwrap();
    let cid = Bytes::from(filmark_devnet::code_cid(&[3; 8]).to_bytes());
    let receipt = register_abi(&provider, registry, cid.clone()).await;
    assert!(receipt.status());
    let logs = receipt.inner.logs();
    assert_eq!(logs.len(), 1);
    let event = I::Registered::decode_log(&logs[0].inner).unwrap();
    assert_eq!(event.owner, alice);
    assert_eq!(event.cid, cid);

    let found = provider.get_logs(&filter).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].transaction_hash, Some(receipt.transaction_hash));
    let changes: Vec<Log> = provider.get_filter_changes(filter_id).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].inner, found[0].inner);
    assert!(provider.uninstall_filter(filter_id).await.unwrap());

    let counts = TransactionRequest::default()
        .with_to(registry)
        .with_input(I::countsCall {}.abi_encode());
    let ret = provider.call(counts).await.unwrap();
    assert_eq!(I::countsCall::abi_decode_returns(&ret).unwrap().records, 1);
}
