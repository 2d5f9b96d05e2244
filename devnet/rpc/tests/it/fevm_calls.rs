//! Contracts no one here wrote talking to native actors, and native callers talking to
//! contracts: the published Filecoin Solidity library's `MarketAPI` reads a deal from the
//! devnet's market (as `StateMarketStorageDeal` answers); a contract calls the registry actor
//! through `call_actor_id` and the registry's event is a log; an f1 account calls a contract
//! with `InvokeContract` over the Lotus API; the library's `MinerAPI` asks a miner created
//! through the power actor who controls it.

use alloy_primitives::{Address as EthAddress, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::{KeyKind, TipsetRef};
use filmark_registry::abi::IFilmarkRegistry as Registry;
use filmark_registry::types::ConstructorParams;
use filmark_sdk::keys::json::{MessageJson, SignedMessageJson};
use filmark_sdk::keys::{Network, masked_id};
use fvm_ipld_encoding::RawBytes;
use serde_json::json;

use crate::deal_client::piece_cid;
use crate::solc::{deploy, eth_call, f410, logs, solc, transact};
use crate::support::{call, devnet};

sol! {
    interface IMarketReader {
        function dataCommitment(uint64 dealId) external view returns (int256 exit, bytes data, uint64 size);
        function client(uint64 dealId) external view returns (int256 exit, uint64 id);
        function provider(uint64 dealId) external view returns (int256 exit, uint64 id);
    }
    interface IMinerReader {
        function isControlling(uint64 miner, bytes addr) external view returns (int256 exit, bool controls);
        function owner(uint64 miner) external view returns (int256 exit, bytes ownerAddress);
        function sectorSize(uint64 miner) external view returns (int256 exit, uint64 size);
    }
    interface INativeCalls {
        function INVOKE_EVM() external view returns (uint64);
        function registerVia(uint64 registryId, bytes cid) external returns (int256, uint64);
        function remember(uint256 value) external returns (address, uint256);
        function lastCaller() external view returns (address);
    }
}

#[test]
fn market_api_reads_a_deal_as_state_market_storage_deal_answers() {
    let Some(compiled) = solc("MarketReader.sol", "MarketReader") else {
        return;
    };
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let client = net.account(KeyKind::Secp256k1, 0).unwrap().address();
    let provider = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let start = net.head().height() + 20;
    let published = call(
        &ctx,
        "filmark_publishDeal",
        json!([{
            "PieceCID": {"/": piece_cid(9).to_string()}, "PieceSize": 2048, "VerifiedDeal": false,
            "Client": client.to_string(), "Provider": provider.to_string(),
            "Label": "market api", "StartEpoch": start, "EndEpoch": start + 200,
            "StoragePricePerEpoch": "1000", "ProviderCollateral": "5000", "ClientCollateral": "0",
        }]),
    );
    let deal = published["DealID"].as_u64().expect("a deal id");
    let lotus = call(&ctx, "Filecoin.StateMarketStorageDeal", json!([deal, null]));
    let p = &lotus["Proposal"];

    let reader = deploy(&net, &ctx, compiled.bytecode);
    let get = |input: Vec<u8>| eth_call(&ctx, reader, input);
    let data = IMarketReader::dataCommitmentCall::abi_decode_returns(&get(
        IMarketReader::dataCommitmentCall { dealId: deal }.abi_encode(),
    ))
    .unwrap();
    assert_eq!(data.exit, alloy_primitives::I256::ZERO);
    // The library reads the CID's tag-42 bytes: a 0x00 multibase prefix, then the CID.
    let cid = cid::Cid::try_from(&data.data[1..]).unwrap();
    assert_eq!(data.data[0], 0);
    assert_eq!(json!({"/": cid.to_string()}), p["PieceCID"]);
    assert_eq!(json!(data.size), p["PieceSize"]);

    let id_of = |text: &serde_json::Value| -> u64 { text.as_str().unwrap()[2..].parse().unwrap() };
    let c = IMarketReader::clientCall::abi_decode_returns(&get(IMarketReader::clientCall {
        dealId: deal,
    }
    .abi_encode()))
    .unwrap();
    assert_eq!(
        (c.exit, c.id),
        (alloy_primitives::I256::ZERO, id_of(&p["Client"]))
    );
    let pr = IMarketReader::providerCall::abi_decode_returns(&get(IMarketReader::providerCall {
        dealId: deal,
    }
    .abi_encode()))
    .unwrap();
    assert_eq!(
        (pr.exit, pr.id),
        (alloy_primitives::I256::ZERO, id_of(&p["Provider"]))
    );
    // A deal the market never published: its exit code (17, not found) comes back.
    let none = IMarketReader::clientCall::abi_decode_returns(&get(IMarketReader::clientCall {
        dealId: deal + 100,
    }
    .abi_encode()))
    .unwrap();
    assert_eq!(none.exit, alloy_primitives::I256::try_from(17).unwrap());
}

#[test]
fn a_contract_calls_the_registry_through_call_actor_and_its_event_is_a_log() {
    let Some(compiled) = solc("NativeCalls.sol", "NativeCalls") else {
        return;
    };
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
    let registry = net.deploy(&owner.key, REGISTRY_WASM, ctor).unwrap();
    let registry_id = registry.id_address.id().unwrap();
    let contract = deploy(&net, &ctx, compiled.bytecode);
    let invoke = INativeCalls::INVOKE_EVMCall::abi_decode_returns(&eth_call(
        &ctx,
        contract,
        INativeCalls::INVOKE_EVMCall {}.abi_encode(),
    ))
    .unwrap();
    assert_eq!(invoke, filmark_devnet_actors::INVOKE_EVM_METHOD);

    let content = filmark_devnet::code_cid(&[3; 8]).to_bytes();
    let receipt = transact(
        &net,
        &ctx,
        0,
        contract,
        INativeCalls::registerViaCall {
            registryId: registry_id,
            cid: Bytes::from(content.clone()),
        }
        .abi_encode(),
    );
    // The registry's Registered event, emitted by the registry (its masked ID address) with the
    // contract as the owner, in the receipt and through eth_getLogs.
    let registry_eth = masked_id(registry_id);
    net.mine(1).unwrap(); // "latest" is the head's parent, as in Lotus
    let found = logs(&ctx, registry_eth, Registry::Registered::SIGNATURE_HASH);
    assert_eq!(found.len(), 1, "{found:?}");
    let owner_topic = B256::left_padding_from(contract.as_slice());
    assert_eq!(found[0]["topics"][1], json!(owner_topic), "{found:?}");
    assert_eq!(found[0]["transactionHash"], receipt["transactionHash"]);
    let log = Registry::Registered::decode_log_data(&alloy_primitives::LogData::new_unchecked(
        serde_json::from_value(found[0]["topics"].clone()).unwrap(),
        hex::decode(found[0]["data"].as_str().unwrap().trim_start_matches("0x"))
            .unwrap()
            .into(),
    ))
    .unwrap();
    assert_eq!(log.cid.as_ref(), content.as_slice());
    assert_eq!(log.owner, contract);
}

#[test]
fn an_f1_account_calls_a_contract_with_invoke_contract_over_the_lotus_api() {
    let Some(compiled) = solc("NativeCalls.sol", "NativeCalls") else {
        return;
    };
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let contract = deploy(&net, &ctx, compiled.bytecode);
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let t =
        |a: &fvm_shared::address::Address| filmark_sdk::keys::format_address(a, Network::Testnet);
    // InvokeContract's params: the calldata as one CBOR byte string.
    let calldata = INativeCalls::rememberCall {
        value: U256::from(21),
    }
    .abi_encode();
    let params = RawBytes::serialize(serde_bytes::ByteBuf::from(calldata)).unwrap();
    let nonce = call(&ctx, "Filecoin.MpoolGetNonce", json!([t(&from.address())]));
    let unsigned = json!({
        "Version": 0, "To": t(&f410(contract)), "From": t(&from.address()), "Nonce": nonce,
        "Value": "0", "GasLimit": 0, "GasFeeCap": "0", "GasPremium": "0",
        "Method": filmark_devnet_actors::INVOKE_EVM_METHOD,
        "Params": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, params.bytes()),
    });
    let estimated = call(
        &ctx,
        "Filecoin.GasEstimateMessageGas",
        json!([unsigned, null, null]),
    );
    let m: MessageJson = serde_json::from_value(estimated).unwrap();
    let signed = from
        .key
        .sign(m.to_message().unwrap(), net.chain_id())
        .unwrap();
    let body = serde_json::to_value(SignedMessageJson::new(&signed, Network::Testnet)).unwrap();
    let cid = call(&ctx, "Filecoin.MpoolPush", json!([body]));
    let lookup = call(&ctx, "Filecoin.StateWaitMsg", json!([cid, 1, 10, true]));
    assert_eq!(lookup["Receipt"]["ExitCode"], 0, "{lookup}");

    // The return: the ABI return data as a CBOR byte string.
    let ret = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        lookup["Receipt"]["Return"].as_str().unwrap(),
    )
    .unwrap();
    let ret: serde_bytes::ByteBuf = fvm_ipld_encoding::from_slice(&ret).unwrap();
    let (caller, doubled) =
        <(EthAddress, U256) as alloy_sol_types::SolValue>::abi_decode_params(&ret).unwrap();
    // msg.sender of a native caller is its masked ID address.
    let id = net
        .lookup_id(&from.address(), TipsetRef::Head)
        .unwrap()
        .unwrap();
    assert_eq!(caller, masked_id(id));
    assert_eq!(doubled, U256::from(42));
    let stored = INativeCalls::lastCallerCall::abi_decode_returns(&eth_call(
        &ctx,
        contract,
        INativeCalls::lastCallerCall {}.abi_encode(),
    ))
    .unwrap();
    assert_eq!(stored, caller);
}

#[test]
fn miner_api_asks_a_miner_who_controls_it() {
    let Some(compiled) = solc("MinerReader.sol", "MinerReader") else {
        return;
    };
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let owner = net.account(KeyKind::Secp256k1, 1).unwrap();
    let worker = net.account(KeyKind::Secp256k1, 2).unwrap();
    let params = RawBytes::serialize(filmark_devnet_actors::power::CreateMinerParams {
        owner: owner.address(),
        worker: worker.address(),
        window_post_proof_type: fvm_shared::sector::RegisteredPoStProof::StackedDRGWindow32GiBV1P1,
        peer: vec![],
        multiaddrs: vec![],
    })
    .unwrap();
    let sent = net
        .send(
            &owner.key,
            fvm_shared::address::Address::new_id(filmark_devnet::STORAGE_POWER_ACTOR_ID),
            fvm_shared::econ::TokenAmount::default(),
            filmark_devnet_actors::power::Method::CreateMinerExported.number(),
            params,
        )
        .unwrap();
    assert!(
        sent.record.receipt.exit_code.is_success(),
        "{:?}",
        sent.record.failure
    );
    let created: filmark_devnet_actors::power::CreateMinerReturn =
        sent.record.receipt.return_data.deserialize().unwrap();
    let miner = created.id_address.id().unwrap();

    let reader = deploy(&net, &ctx, compiled.bytecode);
    let controls = |who: &fvm_shared::address::Address| {
        let r = IMinerReader::isControllingCall::abi_decode_returns(&eth_call(
            &ctx,
            reader,
            IMinerReader::isControllingCall {
                miner,
                addr: Bytes::from(who.to_bytes()),
            }
            .abi_encode(),
        ))
        .unwrap();
        assert_eq!(r.exit, alloy_primitives::I256::ZERO);
        r.controls
    };
    assert!(controls(&worker.address()));
    assert!(controls(&owner.address()));
    let stranger = net.account(KeyKind::Secp256k1, 3).unwrap().address();
    assert!(!controls(&stranger));
    // An address no actor has (a fresh secp256k1 key's f1).
    let nobody = filmark_devnet::DevnetKey::derive(b"nobody", KeyKind::Secp256k1, 0).address();
    assert!(!controls(&nobody));

    let o = IMinerReader::ownerCall::abi_decode_returns(&eth_call(
        &ctx,
        reader,
        IMinerReader::ownerCall { miner }.abi_encode(),
    ))
    .unwrap();
    assert_eq!(o.exit, alloy_primitives::I256::ZERO);
    assert_eq!(o.ownerAddress.as_ref(), owner.id_address().to_bytes());
    let size = IMinerReader::sectorSizeCall::abi_decode_returns(&eth_call(
        &ctx,
        reader,
        IMinerReader::sectorSizeCall { miner }.abi_encode(),
    ))
    .unwrap();
    assert_eq!(
        (size.exit, size.size),
        (alloy_primitives::I256::ZERO, 32 << 30)
    );
}
