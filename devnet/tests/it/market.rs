//! The simulated storage market: publish, activate, terminate, read back with getters.

use filmark_devnet::{Devnet, GenesisAccount, KeyKind, MARKET_ACTOR_ID, TipsetRef};
use filmark_devnet_actors::market::{
    self, ClientDealProposal, DealProposal, EX_DEAL_EXPIRED, GetBalanceReturn,
    GetDealActivationReturn, GetDealTermReturn, Label, PublishStorageDealsParams,
    PublishStorageDealsReturn,
};
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;

use crate::devnet;

pub(crate) fn market() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

pub(crate) fn add_balance(net: &Devnet, who: &GenesisAccount, amount: TokenAmount) {
    let params = RawBytes::serialize(who.address()).unwrap();
    let r = net
        .send(
            &who.key,
            market(),
            amount,
            market::Method::AddBalanceExported.number(),
            params,
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
}

/// A piece CID: CIDv1, fil-commitment-unsealed, sha2-256-trunc254-padded.
fn piece_cid() -> cid::Cid {
    let mut digest = [7u8; 32];
    digest[31] &= 0x3f;
    cid::Cid::new_v1(
        0xf101,
        cid::multihash::Multihash::wrap(0x1012, &digest).unwrap(),
    )
}

/// A proposal signed by the client the way its account actor's `AuthenticateMessage` checks:
/// secp256k1 over blake2b-256 of the CBOR proposal.
fn signed_proposal(
    client: &GenesisAccount,
    provider: &GenesisAccount,
    start: ChainEpoch,
) -> ClientDealProposal {
    signed_proposal_for(client, provider, start, 100)
}

/// [`signed_proposal`] for a term of `duration` epochs.
pub(crate) fn signed_proposal_for(
    client: &GenesisAccount,
    provider: &GenesisAccount,
    start: ChainEpoch,
    duration: ChainEpoch,
) -> ClientDealProposal {
    let proposal = DealProposal {
        piece_cid: piece_cid(),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client: client.address(),
        provider: provider.address(),
        label: Label::String("devnet deal".into()),
        start_epoch: start,
        end_epoch: start + duration,
        storage_price_per_epoch: TokenAmount::from_nano(10),
        provider_collateral: TokenAmount::from_nano(500),
        client_collateral: TokenAmount::default(),
    };
    let bytes = fvm_ipld_encoding::to_vec(&proposal).unwrap();
    let digest = blake2b_simd::Params::new().hash_length(32).hash(&bytes);
    let sig = client
        .key
        .secp_key()
        .sign_prehash(&digest.as_bytes().try_into().unwrap());
    ClientDealProposal {
        proposal,
        client_signature: Signature::new_secp256k1(sig.to_vec()),
    }
}

pub(crate) fn getter<T: serde::de::DeserializeOwned>(
    net: &Devnet,
    method: market::Method,
    deal: u64,
) -> Result<T, ExitCode> {
    let caller = net.account(KeyKind::Secp256k1, 3).unwrap().address();
    let r = net
        .call_method(
            caller,
            market(),
            method.number(),
            RawBytes::serialize(deal).unwrap(),
        )
        .unwrap();
    if r.receipt.exit_code.is_success() {
        Ok(r.receipt.return_data.deserialize().unwrap())
    } else {
        Err(r.receipt.exit_code)
    }
}

pub(crate) fn check_market(net: &Devnet) {
    let store = net.store();
    let root = net.state_root(&market(), TipsetRef::Head).unwrap();
    let state: market::State = store.get_cbor(&root).unwrap().unwrap();
    let balance = net.balance(&market(), TipsetRef::Head).unwrap();
    let (_, violations) = market::testing::check_state_invariants(&state, &store, &balance);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn a_deal_is_published_activated_and_terminated() {
    let net = devnet();
    let client = net.account(KeyKind::Secp256k1, 0).unwrap();
    let provider = net.account(KeyKind::Secp256k1, 1).unwrap();
    add_balance(&net, &client, TokenAmount::from_whole(1));
    add_balance(&net, &provider, TokenAmount::from_whole(1));

    let start = net.head().height() + 20;
    let params = RawBytes::serialize(PublishStorageDealsParams {
        deals: vec![signed_proposal(&client, &provider, start)],
    })
    .unwrap();
    let r = net
        .send(
            &provider.key,
            market(),
            TokenAmount::default(),
            market::Method::PublishStorageDealsExported.number(),
            params,
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    let ret: PublishStorageDealsReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.ids.len(), 1);
    let deal = ret.ids[0];
    check_market(&net);

    let term: GetDealTermReturn = getter(&net, market::Method::GetDealTermExported, deal).unwrap();
    assert_eq!((term.start, term.duration), (start, 100));
    let client_id: u64 = getter(&net, market::Method::GetDealClientExported, deal).unwrap();
    assert_eq!(client_id, client.id);
    let act: GetDealActivationReturn =
        getter(&net, market::Method::GetDealActivationExported, deal).unwrap();
    assert_eq!((act.activated, act.terminated), (-1, -1));
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealClientExported, 999),
        Err(ExitCode::USR_NOT_FOUND)
    );
    let caller = net.account(KeyKind::Secp256k1, 3).unwrap().address();
    let bal = net
        .call_method(
            caller,
            market(),
            market::Method::GetBalanceExported.number(),
            RawBytes::serialize(client.address()).unwrap(),
        )
        .unwrap();
    let bal: GetBalanceReturn = bal.receipt.return_data.deserialize().unwrap();
    assert_eq!(bal.balance, TokenAmount::from_whole(1));
    assert_eq!(bal.locked, TokenAmount::from_nano(1000));

    // Activate now.
    let rec = net.activate_deals(&[deal]).unwrap();
    let act: GetDealActivationReturn =
        getter(&net, market::Method::GetDealActivationExported, deal).unwrap();
    assert_eq!((act.activated, act.terminated), (rec.height, -1));
    // Unknown deal: the implicit call fails and the devnet says so.
    assert!(net.activate_deals(&[77]).is_err());

    // Terminate at a later epoch; the cron settles it; the getter then reports it gone.
    let at = net.head().height() + 3;
    net.terminate_deals_at(at, &[deal]).unwrap();
    net.mine(3).unwrap();
    assert_eq!(net.head().height(), at);
    assert_eq!(
        getter::<GetDealActivationReturn>(&net, market::Method::GetDealActivationExported, deal),
        Err(EX_DEAL_EXPIRED)
    );
    check_market(&net);
}
