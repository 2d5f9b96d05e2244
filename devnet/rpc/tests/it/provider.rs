//! The simulated provider over HTTP: a CAR uploaded to `/provider/car/{escrow}/{orderId}`, its
//! record read with `filmark_providerStatus`; bad bodies and paths are refused clearly and the
//! node goes on.

use std::io::Cursor;

use filmark_devnet::KeyKind;
use filmark_escrow::Method as Escrow;
use filmark_escrow::types::{CreateOrderParams, CreateOrderReturn};
use filmark_sdk::content::{NoProgress, Options, pack};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::econ::TokenAmount;
use serde_json::json;

use crate::common::Served;

#[test]
fn a_car_uploaded_over_http_makes_a_deal_and_its_status_reads_over_json_rpc() {
    let served = Served::new();
    let net = served.devnet();
    let client = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let mut car = Cursor::new(Vec::new());
    let packed = pack(
        data.as_slice(),
        None,
        &mut car,
        &Options::default(),
        NoProgress,
    )
    .unwrap();
    let car = car.into_inner();
    let escrow = net
        .deploy(
            &client,
            filmark_actor_bundle::ESCROW_WASM,
            RawBytes::default(),
        )
        .unwrap()
        .id_address;
    let order = CreateOrderParams {
        piece_cid: packed.piece.cid_v1(),
        piece_size: packed.piece.padded_size,
        price_per_epoch: TokenAmount::from_atto(1_000u64),
        min_duration: 100,
        replicas: 1,
        allowed_providers: vec![],
        activation_deadline: net.head().height() + 200,
        content: None,
        client: None,
        allow_same_provider: false,
    };
    let created = net
        .send(
            &client,
            escrow,
            TokenAmount::from_atto(100_000u64),
            Escrow::CreateOrder.number(),
            RawBytes::serialize(order).unwrap(),
        )
        .unwrap();
    let order_id = created
        .record
        .receipt
        .return_data
        .deserialize::<CreateOrderReturn>()
        .unwrap()
        .order_id;
    let url = served.server.provider_car_url(&escrow, order_id);

    // A body that is not a CAR: 422 with the reason; nothing was made.
    let (status, record) = served.put(&url, b"hello, not a CAR");
    assert_eq!(status, 422, "{record}");
    assert_eq!(record["state"], json!("rejected"));
    assert_eq!(record["rejection"]["kind"], json!("notACar"), "{record}");
    // A bad path: 400 naming what is wrong.
    let (status, reply) = served.put(
        &format!(
            "http://{}/provider/car/{escrow}/seven",
            served.server.addr()
        ),
        &car,
    );
    assert_eq!(status, 400);
    assert!(
        reply["error"].as_str().unwrap().contains("\"seven\""),
        "{reply}"
    );

    // The CAR itself: 200, the deal active.
    let (status, record) = served.put(&url, &car);
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["state"], json!("active"), "{record}");
    assert_eq!(record["carBytes"], json!(car.len()));
    assert_eq!(
        record["pieceCid"],
        json!({ "/": packed.piece.cid_v1().to_string() })
    );
    let deal_id = record["dealId"].as_u64().expect("a deal id");

    let status = served.ok(
        "filmark_providerStatus",
        json!([escrow.to_string(), order_id]),
    );
    assert_eq!(status, json!([record]));
    assert_eq!(status[0]["dealId"], json!(deal_id));
    // The node goes on: a JSON-RPC call after the uploads answers.
    let head = served.ok("Filecoin.ChainHead", json!([]));
    assert!(head["Height"].as_i64().unwrap() > 0);
    // An unknown order over JSON-RPC, through the small-CAR method.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&car);
    let other = served.ok(
        "filmark_providerOffer",
        json!([escrow.to_string(), order_id + 1, b64]),
    );
    assert_eq!(other["rejection"]["kind"], json!("unknownOrder"), "{other}");
}
