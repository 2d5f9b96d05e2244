//! The simulated provider: a CAR offered for an escrow order is published, bound, activated and
//! paid only when its piece is the order's; otherwise nothing happens on chain and the record
//! says why.

use std::io::Cursor;

use filmark_devnet::{Devnet, DevnetKey, KeyKind, OfferState, Rejection, TipsetRef};
use filmark_escrow::Method as Escrow;
use filmark_escrow::state::Order;
use filmark_escrow::types::{CreateOrderParams, CreateOrderReturn, OrderIdParams, SettleReturn};
use filmark_sdk::content::{NoProgress, Options, Packed, pack};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

/// Order price per epoch per replica, in attoFIL.
const PRICE: u64 = 1_000_000_000;
/// Order minimum duration, in epochs.
const DURATION: ChainEpoch = 100;

fn key(net: &Devnet, i: usize) -> DevnetKey {
    net.account(KeyKind::Secp256k1, i).unwrap().key
}

/// `size` deterministic bytes packed: the CAR and what packing it gave.
fn content(seed: u8, size: usize) -> (Vec<u8>, Packed) {
    let data: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    let mut car = Cursor::new(Vec::new());
    let packed = pack(
        data.as_slice(),
        Some(size as u64),
        &mut car,
        &Options::default(),
        NoProgress,
    )
    .unwrap();
    (car.into_inner(), packed)
}

/// The escrow deployed by account 0, and an order of account 0 for `packed`'s piece, funded for
/// one replica over [`DURATION`].
fn escrow_with_order(net: &Devnet, packed: &Packed) -> (Address, u64) {
    let client = key(net, 0);
    let escrow = net
        .deploy(
            &client,
            filmark_actor_bundle::ESCROW_WASM,
            RawBytes::default(),
        )
        .unwrap()
        .id_address;
    let params = CreateOrderParams {
        piece_cid: packed.piece.cid_v1(),
        piece_size: packed.piece.padded_size,
        price_per_epoch: TokenAmount::from_atto(PRICE),
        min_duration: DURATION,
        replicas: 1,
        allowed_providers: vec![],
        activation_deadline: net.head().height() + 200,
        content: Some(packed.root),
        client: None,
        allow_same_provider: false,
    };
    let lookup = net
        .send(
            &client,
            escrow,
            TokenAmount::from_atto(PRICE * DURATION as u64),
            Escrow::CreateOrder.number(),
            RawBytes::serialize(params).unwrap(),
        )
        .unwrap();
    let receipt = &lookup.record.receipt;
    assert!(
        receipt.exit_code.is_success(),
        "{:?}",
        lookup.record.failure
    );
    let ret: CreateOrderReturn = receipt.return_data.deserialize().unwrap();
    (escrow, ret.order_id)
}

fn order(net: &Devnet, escrow: Address, order_id: u64) -> Order {
    let params = RawBytes::serialize(OrderIdParams { order_id }).unwrap();
    let out = net
        .call_method(escrow, escrow, Escrow::GetOrder.number(), params)
        .unwrap();
    out.receipt.return_data.deserialize().unwrap()
}

#[test]
fn a_matching_car_is_published_for_the_escrow_bound_activated_and_paid() {
    let handle = crate::devnet();
    let net = handle.devnet();
    let (car, packed) = content(1, 300_000);
    let (escrow, order_id) = escrow_with_order(&net, &packed);
    let provider = net.provider();

    let record = provider.offer(&escrow, order_id, car.as_slice()).unwrap();
    let OfferState::Active { deal_id, since } = record.state else {
        panic!("not active: {record:?}");
    };
    assert_eq!(
        record.piece,
        Some((packed.piece.cid_v1(), packed.piece.padded_size))
    );
    assert_eq!(
        (record.root, record.car_bytes),
        (Some(packed.root), car.len() as u64)
    );
    assert_eq!(provider.record(&escrow, order_id), Some(record.clone()));
    assert_eq!(
        net.provider_records(&escrow, order_id),
        vec![record.clone()]
    );

    // The escrow is the deal's client and bound it; the market shows it activated.
    let o = order(&net, escrow, order_id);
    // The deal names the provider's miner, created through the power actor (id above 1000),
    // owned and worked by the provider's key.
    let miner_address = provider.miner().unwrap().expect("a miner");
    let provider_id = miner_address.id().unwrap();
    assert!(provider_id > 1000);
    let controls = net
        .call_method(
            escrow,
            miner_address,
            filmark_devnet_actors::miner::Method::IsControllingAddressExported.number(),
            RawBytes::serialize(provider.address()).unwrap(),
        )
        .unwrap();
    assert!(controls.receipt.return_data.deserialize::<bool>().unwrap());
    let slot = o
        .deals
        .iter()
        .find(|d| d.deal_id == deal_id)
        .expect("bound");
    assert_eq!(slot.provider, provider_id);
    let client = net
        .call_method(
            escrow,
            Address::new_id(filmark_devnet::MARKET_ACTOR_ID),
            filmark_devnet_actors::market::Method::GetDealClientExported.number(),
            RawBytes::serialize(deal_id).unwrap(),
        )
        .unwrap();
    let client: u64 = client.receipt.return_data.deserialize().unwrap();
    assert_eq!(Address::new_id(client), escrow);
    assert!(
        since <= slot.start,
        "activated {since} by its start {}",
        slot.start
    );

    // Offering again publishes nothing more.
    let again = provider.offer(&escrow, order_id, car.as_slice()).unwrap();
    assert_eq!(again.state, record.state);

    // Epochs pass; a keeper settles: the provider's miner is paid price × epochs since the
    // start.
    net.advance_epochs(30).unwrap();
    let before = net.balance(&miner_address, TipsetRef::Head).unwrap();
    let keeper = key(&net, 5);
    let settled = net
        .send(
            &keeper,
            escrow,
            TokenAmount::default(),
            Escrow::Settle.number(),
            RawBytes::serialize(OrderIdParams { order_id }).unwrap(),
        )
        .unwrap();
    assert!(settled.record.receipt.exit_code.is_success());
    let paid: SettleReturn = settled.record.receipt.return_data.deserialize().unwrap();
    let epochs = (settled.record.height - slot.start) as u64;
    assert!(epochs > 0);
    assert_eq!(paid.paid, TokenAmount::from_atto(PRICE * epochs));
    let after = net.balance(&miner_address, TipsetRef::Head).unwrap();
    assert_eq!(after - before, paid.paid);
}

#[test]
fn a_car_of_another_piece_publishes_nothing_and_the_record_names_both_pieces() {
    let handle = crate::devnet();
    let net = handle.devnet();
    let (_, packed) = content(1, 300_000);
    let (other_car, other) = content(2, 300_000);
    let (escrow, order_id) = escrow_with_order(&net, &packed);
    let head = net.head();
    let provider = net.provider();

    let record = provider
        .offer(&escrow, order_id, other_car.as_slice())
        .unwrap();
    let OfferState::Rejected(rejection) = &record.state else {
        panic!("not rejected: {record:?}");
    };
    assert_eq!(
        *rejection,
        Rejection::PieceMismatch {
            expected: packed.piece.cid_v1(),
            expected_size: packed.piece.padded_size,
            got: other.piece.cid_v1(),
            got_size: other.piece.padded_size,
        }
    );
    let why = rejection.to_string();
    assert!(why.contains(&packed.piece.cid_v1().to_string()), "{why}");
    assert!(why.contains(&other.piece.cid_v1().to_string()), "{why}");
    assert_eq!(rejection.kind(), "pieceMismatch");
    // Nothing on chain changed: no tipset, no provider actor or miner, the order has no deal.
    assert_eq!(net.head(), head);
    assert_eq!(
        net.lookup_id(&provider.address(), TipsetRef::Head).unwrap(),
        None
    );
    assert_eq!(provider.miner().unwrap(), None);
    assert!(order(&net, escrow, order_id).deals.is_empty());
    assert_eq!(provider.record(&escrow, order_id), Some(record));
}

#[test]
fn an_unknown_order_garbage_and_a_too_big_car_are_refused_with_their_reason() {
    let handle = crate::devnet();
    let net = handle.devnet();
    let (car, packed) = content(1, 300_000);
    let (escrow, order_id) = escrow_with_order(&net, &packed);
    let provider = net.provider();
    let head = net.head();

    let state = |r: filmark_devnet::ProviderRecord| match r.state {
        OfferState::Rejected(why) => why,
        other => panic!("not rejected: {other:?}"),
    };
    let unknown = state(
        provider
            .offer(&escrow, order_id + 7, car.as_slice())
            .unwrap(),
    );
    assert_eq!(unknown.kind(), "unknownOrder", "{unknown}");
    let garbage = state(
        provider
            .offer(&escrow, order_id, &b"definitely not a CAR file"[..])
            .unwrap(),
    );
    assert_eq!(garbage.kind(), "notACar", "{garbage}");
    let mut big = car.clone();
    big.resize(packed.piece.padded_size as usize, 0);
    let too_big = state(provider.offer(&escrow, order_id, big.as_slice()).unwrap());
    assert_eq!(
        too_big,
        Rejection::TooBig {
            limit: packed.piece.padded_size / 128 * 127
        }
    );
    let not_escrow = state(
        provider
            .offer(&key(&net, 1).address(), order_id, car.as_slice())
            .unwrap(),
    );
    assert_eq!(not_escrow.kind(), "orderUnreadable", "{not_escrow}");
    assert_eq!(net.head(), head, "nothing was mined");
}
