//! The typed clients against a devnet, in process and over HTTP (`RpcServer`), from an f1 key
//! (native CBOR messages) and from an eth key (Solidity-ABI transactions).

use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle, KeyKind};
use filmark_devnet_rpc::{InProcess, RpcConfig, RpcServer};
use filmark_sdk::client::{DealState, Deployment, OrderBuilder, Register};
use filmark_sdk::content::{NoProgress, Options, Packed, pack};
use filmark_sdk::transport::{DevnetControls, OfferState, Transport};
use filmark_sdk::{Client, Error, HttpTransport, Network, Signer};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

fn devnet() -> DevnetHandle {
    Devnet::spawn(DevnetConfig::test()).expect("devnet")
}

fn signers(devnet: &Devnet) -> (Signer, Signer, Signer) {
    let key = |kind, i| {
        devnet
            .account(kind, i)
            .expect("account")
            .key
            .secp_key()
            .clone()
    };
    (
        Signer::f1(key(KeyKind::Secp256k1, 0)),
        Signer::eth(key(KeyKind::Eth, 0)),
        Signer::f1(key(KeyKind::Secp256k1, 1)),
    )
}

fn content(n: u8) -> cid::Cid {
    use multihash_codetable::{Code, MultihashDigest};
    cid::Cid::new_v1(0x55, Code::Sha2_256.digest(&[n; 8]))
}

fn piece(n: u8) -> cid::Cid {
    use multihash_codetable::{Code, MultihashDigest};
    // fil-commitment-unsealed (0xf101), sha2-256-trunc254-padded (0x1012).
    let mut digest = Code::Sha2_256.digest(&[n; 4]).digest().to_vec();
    digest[31] &= 0x3f;
    cid::Cid::new_v1(
        0xf101,
        multihash::Multihash::wrap(0x1012, &digest).expect("digest"),
    )
}

/// Deploys both actors, registers from both paths, sees both kinds of failure, creates and
/// sponsors an order, links it, and reads `status`.
async fn scenario<T: Transport>(
    client: &Client<T>,
    f1: &Signer,
    eth: &Signer,
    sponsor: &Signer,
) -> Deployment {
    assert_eq!(client.network(), &Network::DEVNET);
    let Deployment { registry, escrow } = client
        .deploy_filmark(
            f1,
            filmark_actor_bundle::REGISTRY_WASM,
            filmark_actor_bundle::ESCROW_WASM,
        )
        .await
        .expect("deploy");
    let reg = client.registry(registry.id_address);
    let esc = client.escrow(escrow.id_address);

    // f1 / CBOR: a register needs the CID and little else.
    let a = content(1);
    reg.register(f1, Register::new(a).kind("text/plain").meta("title", "a"))
        .await
        .expect("register from f1");
    let record = reg.get(a).await.expect("get");
    let f1_id = client
        .transport()
        .lookup_id(&f1.address())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.owner, f1_id);
    assert_eq!(record.kind, "text/plain");
    assert_eq!(record.metadata[0].value, "a");

    // eth / ABI.
    let b = content(2);
    reg.register(eth, Register::new(b).size(8))
        .await
        .expect("register from eth");
    let eth_id = client
        .transport()
        .lookup_id(&eth.address())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reg.get(b).await.unwrap().owner, eth_id);
    assert_eq!(reg.counts().await.unwrap().records, 2);

    // An actor error on the native path: exit code and the actor's message.
    match reg.register(f1, Register::new(a)).await {
        Err(Error::ActorFailed {
            exit_code,
            message,
            revert,
            ..
        }) => {
            assert_eq!(exit_code, ExitCode::USR_ILLEGAL_STATE);
            assert!(message.contains("already registered"), "{message}");
            assert_eq!(revert, None);
        }
        other => panic!("expected an actor failure, got {other:?}"),
    }
    // ... and on the ABI path: the decoded revert string too.
    match reg.register(eth, Register::new(b)).await {
        Err(Error::ActorFailed {
            exit_code, revert, ..
        }) => {
            assert_eq!(exit_code, ExitCode::USR_ILLEGAL_STATE);
            let revert = revert.expect("a revert string");
            assert!(revert.contains("already registered"), "{revert}");
            assert!(revert.contains("exit code 20"), "{revert}");
        }
        other => panic!("expected a revert, got {other:?}"),
    }
    // A read of a CID never registered.
    match reg.get(content(9)).await {
        Err(Error::ActorFailed { exit_code, .. }) => assert_eq!(exit_code, ExitCode::USR_NOT_FOUND),
        other => panic!("expected not found, got {other:?}"),
    }

    // Escrow: deposit from eth (ABI, payable), an order from f1 (CBOR), sponsored by another.
    esc.deposit(eth, TokenAmount::from_whole(2))
        .await
        .expect("deposit");
    let acct = esc.get_account(Address::new_id(eth_id)).await.unwrap();
    assert_eq!(acct.available, TokenAmount::from_whole(2));
    let price = TokenAmount::from_nano(1);
    let order = OrderBuilder::new(piece(1), 2048, price.clone(), 100).content(a);
    let id = esc
        .create_order(f1, order, TokenAmount::from_whole(1))
        .await
        .expect("create order");
    esc.fund_order(
        sponsor,
        id,
        TokenAmount::default(),
        TokenAmount::from_whole(1),
    )
    .await
    .expect("fund");
    reg.link_order(f1, a, id).await.expect("link");

    let status = client
        .status(registry.id_address, escrow.id_address, a)
        .await
        .expect("status");
    assert_eq!(status.owner(), Address::new_id(f1_id));
    assert!(!status.tombstoned);
    let order = status.order.expect("an order");
    assert_eq!(order.id, id);
    assert_eq!(order.price_per_epoch, price);
    assert_eq!(order.sponsors.len(), 2);
    assert!(order.deals.is_empty());
    assert_eq!(
        order.funded,
        TokenAmount::from_nano(100) + TokenAmount::from_whole(1)
    );
    // No deal stores it yet: the escrow funds no epoch.
    assert_eq!(order.funded_until, -1, "{order:?}");

    // Tombstone from f1; status shows it.
    reg.tombstone(f1, a).await.expect("tombstone");
    let status = client
        .status(registry.id_address, escrow.id_address, a)
        .await
        .unwrap();
    assert!(status.tombstoned);
    Deployment { registry, escrow }
}

/// `size` deterministic bytes packed: the CAR and what packing it gave.
fn packed(seed: u8, size: usize) -> (Vec<u8>, Packed) {
    let data: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    let mut car = std::io::Cursor::new(Vec::new());
    let p = pack(
        data.as_slice(),
        Some(size as u64),
        &mut car,
        &Options::default(),
        NoProgress,
    )
    .expect("pack");
    (car.into_inner(), p)
}

/// The content of `p` registered by `f1` with an order for its piece, funded and linked.
async fn order_for<T: Transport>(
    client: &Client<T>,
    d: &Deployment,
    f1: &Signer,
    p: &Packed,
) -> u64 {
    let reg = client.registry(d.registry.id_address);
    reg.register(f1, Register::new(p.root))
        .await
        .expect("register");
    let order = OrderBuilder::new(
        p.piece.cid_v1(),
        p.piece.padded_size,
        TokenAmount::from_nano(1),
        100,
    )
    .content(p.root);
    let id = client
        .escrow(d.escrow.id_address)
        .create_order(f1, order, TokenAmount::from_whole(1))
        .await
        .expect("create order");
    reg.link_order(f1, p.root, id).await.expect("link");
    id
}

/// The provider is offered, with the SDK's upload, a matching CAR for one order and another
/// piece's CAR for a second: `status` shows the first's deal active, and the second's rejection
/// naming both pieces; once the deal is terminated, the provider's record says it ended.
async fn provider_scenario<T: DevnetControls>(
    client: &Client<T>,
    devnet: &Devnet,
    d: &Deployment,
    f1: &Signer,
) {
    let (car, good) = packed(1, 300_000);
    let (other_car, other) = packed(2, 300_000);
    let (_, wanted) = packed(3, 300_000);
    let good_order = order_for(client, d, f1, &good).await;
    let bad_order = order_for(client, d, f1, &wanted).await;
    let escrow = d.escrow.id_address;
    let provider = devnet.provider();
    let uploaded = client
        .upload_car(escrow, good_order, car)
        .await
        .expect("upload");
    assert!(
        matches!(uploaded.state, OfferState::Active { .. }),
        "{uploaded:?}"
    );
    let refused = client
        .upload_car(escrow, bad_order, other_car)
        .await
        .expect("upload");
    assert!(
        matches!(&refused.state, OfferState::Rejected { kind, .. } if kind == "pieceMismatch"),
        "{refused:?}"
    );
    // The deal names the provider's miner actor.
    let provider_id = provider.miner().unwrap().expect("a miner").id().unwrap();

    let s = client
        .status(d.registry.id_address, escrow, good.root)
        .await
        .expect("status");
    let o = s.order.expect("an order");
    let [offer] = o.offers.as_slice() else {
        panic!("one offer: {:?}", o.offers);
    };
    assert_eq!(offer.provider, provider.address());
    assert_eq!(offer.piece, Some(good.piece.cid_v1()));
    let OfferState::Active { deal_id, since } = offer.state else {
        panic!("not active: {offer:?}");
    };
    let [deal] = o.deals.as_slice() else {
        panic!("one deal: {:?}", o.deals);
    };
    assert_eq!(deal.deal_id, deal_id);
    assert_eq!(deal.provider, Address::new_id(provider_id));
    assert_eq!(deal.state, DealState::Active { since });

    let s = client
        .status(d.registry.id_address, escrow, wanted.root)
        .await
        .expect("status");
    let o = s.order.expect("an order");
    assert!(o.deals.is_empty(), "{:?}", o.deals);
    let [offer] = o.offers.as_slice() else {
        panic!("one offer: {:?}", o.offers);
    };
    assert_eq!(offer.piece, Some(other.piece.cid_v1()));
    let OfferState::Rejected { kind, message } = &offer.state else {
        panic!("not rejected: {offer:?}");
    };
    assert_eq!(kind, "pieceMismatch");
    assert!(
        message.contains(&other.piece.cid_v1().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&wanted.piece.cid_v1().to_string()),
        "{message}"
    );

    // The deal is terminated: the provider's record no longer says active.
    let slashed = client
        .transport()
        .terminate_deals(&[deal_id])
        .await
        .expect("terminate");
    let offers = client
        .transport()
        .provider_offers(&escrow, good_order)
        .await
        .expect("offers");
    let [offer] = offers.as_slice() else {
        panic!("one offer: {offers:?}");
    };
    assert!(
        matches!(offer.state, OfferState::Ended { deal_id: d, at } if d == deal_id && at.is_none_or(|at| at <= slashed)),
        "ended: {offer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_in_process() {
    let handle = devnet();
    let devnet = handle.devnet();
    let (f1, eth, sponsor) = signers(&devnet);
    let client = Client::connect(InProcess::new(devnet.clone()))
        .await
        .unwrap();
    let d = scenario(&client, &f1, &eth, &sponsor).await;
    provider_scenario(&client, &devnet, &d, &f1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_over_http() {
    let handle = devnet();
    let devnet = handle.devnet();
    let (f1, eth, sponsor) = signers(&devnet);
    let server = RpcServer::spawn(devnet.clone(), RpcConfig::test()).expect("server");
    let client = Client::connect(HttpTransport::new(server.url()).unwrap())
        .await
        .unwrap();
    let d = scenario(&client, &f1, &eth, &sponsor).await;
    provider_scenario(&client, &devnet, &d, &f1).await;
}

#[tokio::test]
async fn an_unreachable_node_is_a_transport_error() {
    let t = HttpTransport::new("http://127.0.0.1:9/rpc/v1").unwrap();
    match Client::connect(t).await {
        Err(Error::Transport { method, .. }) => assert_eq!(method, "eth_chainId"),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// A node without the devnet's provider method (a public Lotus node answers JSON-RPC's
/// "method not found") has no provider records: an empty list, not an error.
#[tokio::test]
async fn a_node_without_provider_records_answers_none() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rpc/v1", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = vec![0; 64 * 1024];
        let n = conn.read(&mut buf).unwrap();
        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
        let body = r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"method 'filmark_providerStatus' not found"}}"#;
        write!(
            conn,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        request
    });
    let t = HttpTransport::new(url).unwrap();
    let offers = t
        .provider_offers(&Address::new_id(1000), 0)
        .await
        .expect("none");
    assert!(offers.is_empty());
    assert!(server.join().unwrap().contains("filmark_providerStatus"));
}
