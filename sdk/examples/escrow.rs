//! Pay for storage with the escrow: a deposit, an order for a piece paid from it, a sponsor's
//! share, and withdrawing what the order did not lock. Amounts are `TokenAmount`s (attoFIL).
//!
//! `cargo run -p filmark-sdk --example escrow`

use filmark_devnet::{Devnet, DevnetConfig, KeyKind};
use filmark_devnet_rpc::InProcess;
use filmark_sdk::Client;
use filmark_sdk::client::OrderBuilder;
use filmark_sdk::content::pack_bytes;
use filmark_sdk::reexports::fvm_shared::econ::TokenAmount;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let devnet = Devnet::spawn(DevnetConfig::test())?;
    let alice = devnet.account(KeyKind::Secp256k1, 0)?.key.signer();
    let sponsor = devnet.account(KeyKind::Eth, 0)?.key.signer();
    let client = Client::connect(InProcess::new(devnet.devnet())).await?;
    let filmark = client
        .deploy_filmark(
            &alice,
            filmark_actor_bundle::REGISTRY_WASM,
            filmark_actor_bundle::ESCROW_WASM,
        )
        .await?;
    let escrow = client.escrow(filmark.escrow.id_address);

    // Money in: a deposit stays available until an order locks it.
    escrow.deposit(&alice, TokenAmount::from_whole(2)).await?;

    // An order pays for the content's piece: 1 nanoFIL per epoch for at least 1,000 epochs.
    let (packed, _car) = pack_bytes(b"a post worth keeping")?;
    let order = OrderBuilder::new(
        packed.piece.cid_v1(),
        packed.piece.padded_size,
        TokenAmount::from_nano(1),
        1_000,
    )
    .content(packed.root);
    let id = escrow
        .create_order(&alice, order, TokenAmount::default())
        .await?;

    // Anyone may sponsor it (here from an eth key: a Solidity-ABI call with value).
    let share = TokenAmount::from_nano(500);
    escrow
        .fund_order(&sponsor, id, TokenAmount::default(), share)
        .await?;
    let o = escrow.get_order(id).await?;
    println!(
        "order {id}: funded {} attoFIL by {} funders",
        o.funded.atto(),
        o.funders.len()
    );

    // The order locked its price from the deposit; the rest can be withdrawn. (Once its
    // deadline passes with no deal, `close_order` refunds every funder's share.)
    let account = escrow.get_account(alice.address()).await?;
    println!(
        "alice: {} attoFIL locked, {} available",
        account.locked.atto(),
        account.available.atto()
    );
    escrow.withdraw(&alice, account.available, None).await?;
    let left = escrow.get_account(alice.address()).await?.available;
    println!("withdrawn; {} attoFIL left available", left.atto());
    Ok(())
}
