//! Deploy Filmark's actors on an in-process devnet and register content, from an f1 key (native
//! CBOR messages) and from an eth key (Solidity-ABI transactions): the same typed calls.
//!
//! `cargo run -p filmark-sdk --example register`

use filmark_devnet::{Devnet, DevnetConfig, KeyKind};
use filmark_devnet_rpc::InProcess;
use filmark_sdk::Client;
use filmark_sdk::client::Register;
use filmark_sdk::content::pack_bytes;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A local chain in this process, with prefunded accounts. Against a node, connect with
    // `HttpTransport::new("http://127.0.0.1:1234/rpc/v1")?` instead of `InProcess`.
    let devnet = Devnet::spawn(DevnetConfig::test())?;
    let alice = devnet.account(KeyKind::Secp256k1, 0)?.key.signer();
    let bob = devnet.account(KeyKind::Eth, 0)?.key.signer();
    let client = Client::connect(InProcess::new(devnet.devnet())).await?;

    let filmark = client
        .deploy_filmark(
            &alice,
            filmark_actor_bundle::REGISTRY_WASM,
            filmark_actor_bundle::ESCROW_WASM,
        )
        .await?;
    println!("registry deployed at {}", filmark.registry.id_address);
    let registry = client.registry(filmark.registry.id_address);

    // A post's CID from its bytes (its CAR and piece are for storage: see `--example status`).
    let post = "Hello, Filmark!";
    let (packed, _car) = pack_bytes(post.as_bytes())?;

    // Only the CID is required; kind, size and metadata are optional.
    let register = Register::new(packed.root)
        .kind("text/plain")
        .size(post.len() as u64)
        .meta("title", "hello");
    registry.register(&alice, register).await?;
    let record = registry.get(packed.root).await?;
    println!(
        "{} registered by f0{}, title {:?}",
        packed.root, record.owner, record.metadata[0].value
    );

    // From an eth key the same call goes as a Solidity-ABI transaction.
    let (reply, _) = pack_bytes(b"A reply")?;
    registry.register(&bob, Register::new(reply.root)).await?;
    println!("{} registered by {}", reply.root, bob.address());
    println!(
        "records in the registry: {}",
        registry.counts().await?.records
    );
    Ok(())
}
