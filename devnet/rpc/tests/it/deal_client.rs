//! A deal-client contract written here (`js/contracts/DealClient.sol`, compiled by solc-js) is
//! the client of a deal on the devnet's market: the market's `AuthenticateMessage` (read-only)
//! and `MarketNotifyDeal` reach its `handle_filecoin_method`; it refuses a proposal its owner did
//! not approve, and its state and event show the deal it accepted.

use alloy_primitives::{B256, keccak256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use filmark_devnet::{Devnet, KeyKind, MARKET_ACTOR_ID, TipsetRef};
use filmark_devnet_actors::market::{
    self, ClientDealProposal, DealProposal, Label, PublishStorageDealsParams,
    PublishStorageDealsReturn, ext,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use serde_json::json;

use crate::solc::{deploy, eth_call, f410, logs, solc, transact};
use crate::support::{call, devnet};

sol! {
    interface IDealClient {
        function AUTHENTICATE_MESSAGE() external view returns (uint64);
        function MARKET_NOTIFY_DEAL() external view returns (uint64);
        function approve(bytes32 proposalHash) external;
        function dealCount() external view returns (uint256);
        function deals(uint256 index) external view returns (uint64);
        function proposalOf(uint64 dealId) external view returns (bytes32);
        event DealPublished(uint64 indexed dealId, bytes32 indexed proposalHash);
    }
}
use IDealClient as I;

const fn market_address() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

/// A piece CID: CIDv1, fil-commitment-unsealed, sha2-256-trunc254-padded.
pub(crate) fn piece_cid(seed: u8) -> cid::Cid {
    let mut digest = [seed; 32];
    digest[31] &= 0x3f;
    cid::Cid::new_v1(
        0xf101,
        cid::multihash::Multihash::wrap(0x1012, &digest).unwrap(),
    )
}

/// A deal of `client` with `provider`, starting 20 epochs from now for 100 epochs, paying 10
/// nanoFIL an epoch with 500 nanoFIL of provider collateral.
pub(crate) fn proposal(net: &Devnet, client: Address, provider: Address) -> DealProposal {
    let start = net.head().height() + 20;
    DealProposal {
        piece_cid: piece_cid(7),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client,
        provider,
        label: Label::String("deal-client contract".into()),
        start_epoch: start,
        end_epoch: start + 100,
        storage_price_per_epoch: TokenAmount::from_nano(10),
        provider_collateral: TokenAmount::from_nano(500),
        client_collateral: TokenAmount::default(),
    }
}

/// Escrows `amount` in the market for `whom`, paid by f1 account `payer`.
pub(crate) fn add_balance(net: &Devnet, payer: usize, whom: Address, amount: TokenAmount) {
    let key = net.account(KeyKind::Secp256k1, payer).unwrap().key;
    let r = net
        .send(
            &key,
            market_address(),
            amount,
            market::Method::AddBalanceExported.number(),
            RawBytes::serialize(whom).unwrap(),
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
}

/// Publishes `proposal` from f1 account `provider` (its own provider); the receipt's exit code,
/// failure and return.
pub(crate) fn publish(
    net: &Devnet,
    provider: usize,
    proposal: DealProposal,
) -> (ExitCode, Option<String>, RawBytes) {
    let key = net.account(KeyKind::Secp256k1, provider).unwrap().key;
    let params = PublishStorageDealsParams {
        deals: vec![ClientDealProposal {
            proposal,
            // A contract authenticates in its own way: no signature.
            client_signature: Signature::new_secp256k1(vec![]),
        }],
    };
    let r = net
        .send(
            &key,
            market_address(),
            TokenAmount::default(),
            market::Method::PublishStorageDealsExported.number(),
            RawBytes::serialize(params).unwrap(),
        )
        .unwrap()
        .record;
    (r.receipt.exit_code, r.failure, r.receipt.return_data)
}

#[test]
fn a_contract_client_authenticates_is_notified_and_records_its_deal() {
    let Some(compiled) = solc("DealClient.sol", "DealClient") else {
        return;
    };
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let contract = deploy(&net, &ctx, compiled.bytecode);
    let get = |input: Vec<u8>| eth_call(&ctx, contract, input);
    // The contract's method numbers are the market's.
    let auth = I::AUTHENTICATE_MESSAGECall::abi_decode_returns(&get(
        I::AUTHENTICATE_MESSAGECall {}.abi_encode(),
    ))
    .unwrap();
    assert_eq!(auth, ext::AUTHENTICATE_MESSAGE_METHOD);
    let notify = I::MARKET_NOTIFY_DEALCall::abi_decode_returns(&get(
        I::MARKET_NOTIFY_DEALCall {}.abi_encode()
    ))
    .unwrap();
    assert_eq!(notify, ext::MARKET_NOTIFY_DEAL_METHOD);

    // Client funds (price × duration) and provider collateral in the market's escrow.
    let client = f410(contract);
    let provider = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    add_balance(&net, 0, client, TokenAmount::from_nano(10_000));
    add_balance(&net, 1, provider, TokenAmount::from_nano(10_000));

    // Not approved: the contract reverts in AuthenticateMessage, the market skips the deal
    // and, none being valid, fails with 16.
    let deal = proposal(&net, client, provider);
    let (exit, failure, _) = publish(&net, 1, deal.clone());
    assert_eq!(exit, ExitCode::USR_ILLEGAL_ARGUMENT, "{failure:?}");
    assert!(
        failure
            .as_deref()
            .unwrap_or_default()
            .contains("authentication failed"),
        "{failure:?}"
    );

    // Approved by keccak256 of the proposal's CBOR as signed: published.
    let signed = fvm_ipld_encoding::to_vec(&deal).unwrap();
    transact(
        &net,
        &ctx,
        0,
        contract,
        I::approveCall {
            proposalHash: keccak256(&signed),
        }
        .abi_encode(),
    );
    let (exit, failure, ret) = publish(&net, 1, deal.clone());
    assert!(exit.is_success(), "{failure:?}");
    let ids = ret.deserialize::<PublishStorageDealsReturn>().unwrap().ids;
    assert_eq!(ids.len(), 1);
    let id = ids[0];

    // MarketNotifyDeal carried the proposal with ID-address parties and the deal id.
    let contract_id = net.lookup_id(&client, TipsetRef::Head).unwrap().unwrap();
    let provider_id = net.lookup_id(&provider, TipsetRef::Head).unwrap().unwrap();
    let mut notified = deal;
    notified.client = Address::new_id(contract_id);
    notified.provider = Address::new_id(provider_id);
    let notified_hash = keccak256(fvm_ipld_encoding::to_vec(&notified).unwrap());

    let count =
        I::dealCountCall::abi_decode_returns(&get(I::dealCountCall {}.abi_encode())).unwrap();
    assert_eq!(count, alloy_primitives::U256::from(1));
    let first = I::dealsCall::abi_decode_returns(&get(I::dealsCall {
        index: alloy_primitives::U256::ZERO,
    }
    .abi_encode()))
    .unwrap();
    assert_eq!(first, id);
    let hash =
        I::proposalOfCall::abi_decode_returns(&get(I::proposalOfCall { dealId: id }.abi_encode()))
            .unwrap();
    assert_eq!(hash, notified_hash);

    // Its event, through eth_getLogs (one more tipset: "latest" is the head's parent, as Lotus).
    net.mine(1).unwrap();
    let found = logs(&ctx, contract, I::DealPublished::SIGNATURE_HASH);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["topics"],
        json!([
            I::DealPublished::SIGNATURE_HASH,
            B256::from(alloy_primitives::U256::from(id)),
            notified_hash
        ])
    );

    // The market names the contract as the deal's client.
    let onchain = call(&ctx, "Filecoin.StateMarketStorageDeal", json!([id, null]));
    assert_eq!(
        onchain["Proposal"]["Client"],
        json!(filmark_sdk::keys::format_address(
            &Address::new_id(contract_id),
            filmark_sdk::keys::Network::Testnet
        )),
        "{onchain}"
    );
}
