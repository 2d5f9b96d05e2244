//! "Where is my content?": register a post, pay for its storage, hand its CAR to the devnet's
//! simulated provider, and read `status(cid)`: the record, the order, the deal and its state.
//!
//! `cargo run -p filmark-sdk --example status`

use filmark_devnet::{Devnet, DevnetConfig, KeyKind};
use filmark_devnet_rpc::InProcess;
use filmark_sdk::Client;
use filmark_sdk::client::{OrderBuilder, Register};
use filmark_sdk::content::pack_bytes;
use filmark_sdk::reexports::fvm_shared::econ::TokenAmount;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let devnet = Devnet::spawn(DevnetConfig::test())?;
    let alice = devnet.account(KeyKind::Secp256k1, 0)?.key.signer();
    let client = Client::connect(InProcess::new(devnet.devnet())).await?;
    let filmark = client
        .deploy_filmark(
            &alice,
            filmark_actor_bundle::REGISTRY_WASM,
            filmark_actor_bundle::ESCROW_WASM,
        )
        .await?;
    let (registry, escrow) = (filmark.registry.id_address, filmark.escrow.id_address);

    // The content: its CID, its CAR and the CAR's piece, from one read.
    let (packed, car) = pack_bytes(&[7u8; 100_000])?;
    let cid = packed.root;
    client
        .registry(registry)
        .register(&alice, Register::new(cid).kind("image/png"))
        .await?;

    // An order for its piece, paid in full when created, linked to the record.
    let order = OrderBuilder::new(
        packed.piece.cid_v1(),
        packed.piece.padded_size,
        TokenAmount::from_nano(1),
        1_000,
    )
    .content(cid);
    let price = TokenAmount::from_nano(1_000);
    let order_id = client
        .escrow(escrow)
        .create_order(&alice, order, price)
        .await?;
    client
        .registry(registry)
        .link_order(&alice, cid, order_id)
        .await?;

    // The provider checks the CAR's piece against the order's, then publishes and activates a
    // deal with the escrow as client. (Over HTTP: `PUT /provider/car/{escrow}/{orderId}`.)
    let offer = client.upload_car(escrow, order_id, car).await?;
    println!("provider {}: {:?}", offer.provider, offer.state);

    let status = client.status(registry, escrow, cid).await?;
    println!("{cid} owned by {}", status.owner());
    let order = status.order.expect("linked");
    println!(
        "order {}: funded until epoch {}",
        order.id, order.funded_until
    );
    for deal in &order.deals {
        println!(
            "deal {} with {}: {:?}",
            deal.deal_id, deal.provider, deal.state
        );
    }
    for offer in &order.offers {
        println!("provider {}: {:?}", offer.provider, offer.state);
    }
    Ok(())
}
