//! The registry twin (`contracts/solidity/FilmarkRegistry.sol`, compiled to
//! `contracts/solidity/out/`) and the native registry actor, deployed side by side on one
//! in-process devnet, run the same scenario through the SDK's ABI client (eth signers): every
//! step gives the same return value or the same error (exit code), the records, grants, pages,
//! counters and escrow links read back the same, and the two emit the same events (entries:
//! topics and data), each from its own address. Both registries read one native escrow.
//!
//! Written so it can move into the scenario suite: [`Twins`] holds the two addresses, and the
//! `write!` / `read!` macros run one step against both.

use std::collections::BTreeMap;

use alloy_primitives::{Address as EthAddress, B256, Bytes};
use alloy_sol_types::SolCall;
use filmark_abi::IFilmarkRegistry as I;
use filmark_devnet::{Devnet, DevnetConfig, KeyKind, LogFilter};
use filmark_devnet_rpc::InProcess;
use filmark_registry::types::{ConstructorParams, MetadataEntry, scope};
use filmark_sdk::client::{OrderBuilder, Register, eth_of};
use filmark_sdk::keys::{calldata_params, ext};
use filmark_sdk::{Client, Error, Signer, Transport};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::Entry;

/// EIP-170: the largest runtime bytecode an EVM chain accepts.
const MAX_RUNTIME_BYTES: usize = 24_576;

/// The twin's compiled creation bytecode, from `contracts/solidity/out/FilmarkRegistry.json`.
fn twin_initcode(escrow: EthAddress) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../contracts/solidity/out/FilmarkRegistry.json"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("compiled twin")).unwrap();
    let hex_of = |k: &str| hex::decode(json[k].as_str().unwrap().trim_start_matches("0x")).unwrap();
    assert!(hex_of("deployedBytecode").len() < MAX_RUNTIME_BYTES);
    let mut code = hex_of("bytecode");
    code.extend_from_slice(&[0; 12]);
    code.extend_from_slice(escrow.as_slice());
    code
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
    cid::Cid::new_v1(0xf101, multihash::Multihash::wrap(0x1012, &digest).unwrap())
}

fn cid_bytes(c: cid::Cid) -> Bytes {
    Bytes::from(c.to_bytes())
}

/// One entry of an event: key, codec, flags, value.
type EventEntry = (String, u64, u64, Vec<u8>);

/// The native registry (side 0) and its twin (side 1), and the epoch of every write on each
/// side, to compare epochs by the step that wrote them.
struct Twins<'a> {
    client: &'a Client<InProcess>,
    addresses: [Address; 2],
    emitters: [u64; 2],
    epochs: [Vec<ChainEpoch>; 2],
}

impl Twins<'_> {
    /// An epoch as the number of the write that happened in it, on `side`.
    fn step(&self, side: usize, epoch: i64) -> i64 {
        let at = self.epochs[side].iter().position(|e| *e == epoch);
        i64::try_from(at.unwrap_or_else(|| panic!("epoch {epoch} is no write's on side {side}")))
            .unwrap()
    }

    fn record(&self, side: usize, mut r: I::Record) -> I::Record {
        r.created = self.step(side, r.created);
        r.updated = self.step(side, r.updated);
        r
    }

    fn grant(&self, side: usize, mut g: I::SignerGrant) -> I::SignerGrant {
        g.granted = self.step(side, g.granted);
        g
    }

    /// Each side's events, in chain order: (key, codec, flags, value) of every entry.
    fn events(&self, devnet: &Devnet) -> [Vec<Vec<EventEntry>>; 2] {
        self.emitters.map(|emitter| {
            let filter = LogFilter {
                from: 0,
                to: ChainEpoch::MAX,
                emitters: vec![emitter],
                topics: [None, None, None, None],
            };
            devnet
                .logs(&filter)
                .into_iter()
                .map(|log| {
                    log.event
                        .event
                        .entries
                        .into_iter()
                        .map(
                            |Entry {
                                 flags,
                                 key,
                                 codec,
                                 value,
                             }| (key, codec, flags.bits(), value),
                        )
                        .collect()
                })
                .collect()
        })
    }
}

/// Both sides gave the same: equal values, or failures with the same exit code.
fn agree<R: PartialEq + std::fmt::Debug>(
    what: &str,
    out: [filmark_sdk::Result<R>; 2],
) -> Result<R, ExitCode> {
    let [native, twin] = out;
    match (native, twin) {
        (Ok(n), Ok(t)) => {
            assert_eq!(n, t, "{what}: native and twin returned different values");
            Ok(n)
        }
        (
            Err(Error::ActorFailed { exit_code: n, .. }),
            Err(Error::ActorFailed {
                exit_code: t,
                message,
                ..
            }),
        ) => {
            assert_eq!(
                n, t,
                "{what}: native failed with {n}, twin with {t} ({message})"
            );
            Err(n)
        }
        (n, t) => panic!("{what}: native {n:?}, twin {t:?}"),
    }
}

/// Runs a write on both sides (native first), noting the epoch it ran in.
macro_rules! both {
    ($t:ident, $what:expr, |$reg:ident| $e:expr) => {{
        let mut out = Vec::new();
        for side in 0..2 {
            let $reg = $t.client.registry($t.addresses[side]);
            out.push($e.await);
            $t.epochs[side].push($t.client.transport().head_height().await.unwrap());
        }
        let out: [_; 2] = out.try_into().unwrap();
        agree($what, out)
    }};
}

/// Runs an ABI read on both sides; both results, not compared yet.
macro_rules! both_read {
    ($t:ident, $call:expr) => {{
        let call = $call;
        [
            $t.client.read_abi($t.addresses[0], &call, "native").await,
            $t.client.read_abi($t.addresses[1], &call, "twin").await,
        ]
    }};
}

fn exit(r: Result<impl std::fmt::Debug, ExitCode>) -> ExitCode {
    r.expect_err("a failure")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_twin_behaves_as_the_native_registry() {
    let handle = Devnet::spawn(DevnetConfig::test()).expect("devnet");
    let devnet = handle.devnet();
    let client = Client::connect(InProcess::new(devnet.clone()))
        .await
        .unwrap();
    let key = |kind, i| devnet.account(kind, i).unwrap().key.secp_key().clone();
    let deployer = Signer::f1(key(KeyKind::Secp256k1, 0));
    let (alice, bob, app) = (
        Signer::eth(key(KeyKind::Eth, 0)),
        Signer::eth(key(KeyKind::Eth, 1)),
        Signer::eth(key(KeyKind::Eth, 2)),
    );

    // One native escrow; the native registry and the twin both read it (the twin through its
    // masked ID address: an EVM call to a native actor reaches its InvokeEVM).
    let escrow = client
        .deploy_actor(
            &deployer,
            filmark_actor_bundle::ESCROW_WASM,
            RawBytes::default(),
        )
        .await
        .expect("escrow");
    let ctor = RawBytes::serialize(ConstructorParams {
        escrow: Some(escrow.id_address),
    })
    .unwrap();
    let native = client
        .deploy_actor(&deployer, filmark_actor_bundle::REGISTRY_WASM, ctor)
        .await
        .expect("native registry");
    let escrow_eth = eth_of(&escrow.id_address).unwrap();
    let twin = client
        .deploy_contract(&alice, &twin_initcode(escrow_eth))
        .await
        .expect("twin");
    let mut t = Twins {
        client: &client,
        addresses: [native.id_address, twin.address],
        emitters: [
            native.id_address.id().unwrap(),
            twin.id_address.id().unwrap(),
        ],
        epochs: [Vec::new(), Vec::new()],
    };
    let (a, b, s) = (alice.address(), bob.address(), app.address());

    // Register: the gas of the same call on each side.
    let first = I::registerCall {
        request: filmark_sdk::client::register_request(
            Register::new(content(1))
                .kind("image/png")
                .size(1234)
                .platform("bluesky")
                .ref_hash([9; 32])
                .meta("title", "Sunset")
                .meta("author", "a")
                .params(),
        )
        .unwrap(),
    };
    let mut gas = [0; 2];
    for (side, gas) in gas.iter_mut().enumerate() {
        let lookup = client
            .send(
                &alice,
                t.addresses[side],
                TokenAmount::default(),
                ext::evm::INVOKE_CONTRACT,
                calldata_params(&first.abi_encode()),
                "register",
            )
            .await
            .expect("register");
        *gas = lookup.receipt.gas_used;
        t.epochs[side].push(client.transport().head_height().await.unwrap());
    }
    println!(
        "gas of Register (one record, 2 metadata entries): native {} / twin {} (twin deploy {})",
        gas[0], gas[1], twin.gas_used
    );

    let reg = |c: u8| Register::new(content(c)).kind("text/plain");
    // Already registered.
    let e = both!(t, "register again", |r| r.register(&alice, reg(1)));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_STATE);
    // A batch, one for an explicit owner.
    both!(t, "batch", |r| r.register_batch(
        &alice,
        vec![reg(2), reg(3).owner(a), reg(4).size(7)]
    ))
    .unwrap();
    // The limits and the checks, in the actor's order.
    let long = |n: usize| "x".repeat(n);
    both!(t, "kind at the limit", |r| r
        .register(&alice, reg(5).kind(long(128))))
    .unwrap();
    for (what, bad) in [
        ("kind over the limit", reg(6).kind(long(129))),
        ("empty kind", reg(6).kind("")),
        ("platform over the limit", reg(6).platform(long(33))),
        ("metadata key over the limit", reg(6).meta(long(65), "v")),
        ("metadata value over the limit", reg(6).meta("k", long(257))),
        ("metadata key twice", reg(6).meta("k", "1").meta("k", "2")),
        ("empty metadata key", reg(6).meta("", "1")),
    ] {
        let e = both!(t, what, |r| r.register(&alice, bad.clone()));
        assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT, "{what}");
    }
    let mut many = reg(6);
    for i in 0..17 {
        many = many.meta(format!("k{i:02}"), "v");
    }
    assert_eq!(
        exit(both!(t, "17 entries", |r| r.register(&alice, many.clone()))),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    let e = both!(t, "empty batch", |r| r.register_batch(&alice, vec![]));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT);
    let e = both!(t, "batch over the limit", |r| r
        .register_batch(&alice, (0..101).map(|i| reg(100).size(i)).collect()));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT);
    // Someone else's name without a grant; an owner that names no actor.
    let e = both!(t, "for another owner", |r| r
        .register(&bob, reg(6).owner(a)));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    let nobody = Address::new_delegated(10, &[7; 20]).unwrap();
    let e = both!(t, "for nobody", |r| r
        .register(&alice, reg(6).owner(nobody)));
    assert_eq!(exit(e), ExitCode::USR_NOT_FOUND);

    // Metadata.
    let entry = |k: &str, v: &str| MetadataEntry {
        key: k.into(),
        value: v.into(),
    };
    both!(t, "update", |r| r.update_metadata(
        &alice,
        content(1),
        vec![entry("z", "9"), entry("b", "2")],
        vec!["author".into()]
    ))
    .unwrap();
    let e = both!(t, "empty update", |r| r.update_metadata(
        &alice,
        content(1),
        vec![],
        vec![]
    ));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT);
    let e = both!(t, "update by another", |r| r.update_metadata(
        &bob,
        content(1),
        vec![entry("k", "v")],
        vec![]
    ));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    let e = both!(t, "update unknown", |r| r.update_metadata(
        &alice,
        content(99),
        vec![entry("k", "v")],
        vec![]
    ));
    assert_eq!(exit(e), ExitCode::USR_NOT_FOUND);

    // Signers: a grant with a scope and an expiry.
    let head = client.transport().head_height().await.unwrap();
    let expiry = head + 10_000;
    let scoped = scope::REGISTER | scope::UPDATE_METADATA;
    let g = both!(t, "add signer", |r| r.add_signer(&alice, s, scoped, expiry)).unwrap();
    assert_eq!(g, 0);
    both!(t, "register through the grant", |r| r
        .register(&app, reg(6).owner(a)))
    .unwrap();
    both!(t, "update through the grant", |r| r.update_metadata(
        &app,
        content(6),
        vec![entry("via", "app")],
        vec![]
    ))
    .unwrap();
    let e = both!(t, "transfer out of scope", |r| r.transfer(
        &app,
        content(1),
        b
    ));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    for (what, signer, scope, expiry) in [
        ("own signer", a, scoped, expiry),
        ("empty scope", s, 0, expiry),
        ("unknown scope bits", s, 1 << 5, expiry),
        ("expiry now", s, scoped, head),
        ("expiry over the TTL", s, scoped, head + 365 * 2880 + 100),
    ] {
        let e = both!(t, what, |r| r.add_signer(&alice, signer, scope, expiry));
        assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT, "{what}");
    }
    let e = both!(t, "signer nobody", |r| r
        .add_signer(&alice, nobody, scoped, expiry));
    assert_eq!(exit(e), ExitCode::USR_NOT_FOUND);
    // Replacing a grant revokes the old one (two events), then revoke by the signer.
    let g = both!(t, "replace grant", |r| r.add_signer(
        &alice,
        s,
        scope::ALL,
        expiry
    ))
    .unwrap();
    assert_eq!(g, 1);
    let e = both!(t, "revoke by a stranger", |r| r.revoke_signer(
        &bob,
        Some(a),
        s
    ));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    assert_eq!(
        both!(t, "revoke by the signer", |r| r.revoke_signer(
            &app,
            Some(a),
            s
        ))
        .unwrap(),
        1
    );
    let e = both!(t, "revoke again", |r| r.revoke_signer(&alice, None, s));
    assert_eq!(exit(e), ExitCode::USR_NOT_FOUND);
    let e = both!(t, "revoked grant", |r| r.register(&app, reg(7).owner(a)));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    // An expired grant.
    let soon = client.transport().head_height().await.unwrap() + 4;
    both!(t, "short grant", |r| r.add_signer(
        &bob,
        s,
        scope::ALL,
        soon
    ))
    .unwrap();
    devnet.advance_epochs(6).unwrap();
    let e = both!(t, "expired grant", |r| r.register(&app, reg(8).owner(b)));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);

    // Transfer and tombstone.
    both!(t, "transfer", |r| r.transfer(&alice, content(2), b)).unwrap();
    let e = both!(t, "transfer what is gone", |r| r.transfer(
        &alice,
        content(2),
        b
    ));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    let e = both!(t, "transfer to the owner", |r| r.transfer(
        &alice,
        content(3),
        a
    ));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT);
    let e = both!(t, "transfer to nobody", |r| r.transfer(
        &alice,
        content(3),
        nobody
    ));
    assert_eq!(exit(e), ExitCode::USR_NOT_FOUND);
    both!(t, "tombstone", |r| r.tombstone(&bob, content(2))).unwrap();
    let e = both!(t, "tombstone again", |r| r.tombstone(&bob, content(2)));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_STATE);
    let e = both!(t, "register a tombstoned CID", |r| r
        .register(&alice, reg(2)));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_STATE);
    let e = both!(t, "update a tombstoned record", |r| r.update_metadata(
        &bob,
        content(2),
        vec![entry("k", "v")],
        vec![]
    ));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_STATE);
    let e = both!(t, "transfer a tombstoned record", |r| r.transfer(
        &bob,
        content(2),
        a
    ));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_STATE);
    // Away and back: holes in both owners' indexes, a new index for alice.
    both!(t, "transfer 4", |r| r.transfer(&alice, content(4), b)).unwrap();
    both!(t, "transfer 4 back", |r| r.transfer(&bob, content(4), a)).unwrap();
    // Orders in the escrow: one for content 1, one for other content, one of another client.
    let esc = client.escrow(escrow.id_address);
    let order = |c: u8| {
        OrderBuilder::new(piece(c), 2048, TokenAmount::from_nano(1), 100).content(content(c))
    };
    let mine = esc
        .create_order(&alice, order(1), TokenAmount::from_whole(1))
        .await
        .unwrap();
    let other = esc
        .create_order(&alice, order(98), TokenAmount::from_whole(1))
        .await
        .unwrap();
    let bobs = esc
        .create_order(&bob, order(3), TokenAmount::from_whole(1))
        .await
        .unwrap();
    let e = both!(t, "link other content", |r| r.link_order(
        &alice,
        content(1),
        other
    ));
    assert_eq!(exit(e), ExitCode::USR_ILLEGAL_ARGUMENT);
    let e = both!(t, "link another client's order", |r| r.link_order(
        &alice,
        content(3),
        bobs
    ));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    let e = both!(t, "link by another", |r| r.link_order(
        &bob,
        content(1),
        mine
    ));
    assert_eq!(exit(e), ExitCode::USR_FORBIDDEN);
    both!(t, "link", |r| r.link_order(&alice, content(1), mine)).unwrap();

    // ---- reads, at the ABI ----
    for c in [1, 2, 3, 4, 5, 6, 99] {
        let [n, w] = both_read!(
            t,
            I::getCall {
                cid: cid_bytes(content(c))
            }
        );
        let out = agree(
            "get",
            [n.map(|r| t.record(0, r)), w.map(|r| t.record(1, r))],
        );
        assert_eq!(out.is_err(), c == 99, "get {c}");
    }
    for bad in [
        vec![],
        vec![1, 2, 3],
        [content(1).to_bytes(), vec![0]].concat(),
        vec![0x12; 101],
    ] {
        let [n, w] = both_read!(
            t,
            I::getCall {
                cid: Bytes::from(bad)
            }
        );
        assert_eq!(
            exit(agree("get malformed", [n, w])),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
    }
    for owner in [a, b, s] {
        let mut cursor = 0;
        loop {
            let call = I::listByOwnerCall {
                owner: eth_of(&owner).unwrap(),
                cursor,
                limit: 2,
            };
            let [n, w] = both_read!(t, call);
            let norm = |side, r: I::listByOwnerReturn| {
                (
                    r.records
                        .into_iter()
                        .map(|x| t.record(side, x))
                        .collect::<Vec<_>>(),
                    r.hasMore,
                    r.nextCursor,
                )
            };
            let (_, more, next) =
                agree("list", [n.map(|r| norm(0, r)), w.map(|r| norm(1, r))]).unwrap();
            if !more {
                break;
            }
            cursor = next;
        }
    }
    for limit in [0, 101] {
        let [n, w] = both_read!(
            t,
            I::listByOwnerCall {
                owner: eth_of(&a).unwrap(),
                cursor: 0,
                limit
            }
        );
        assert_eq!(
            exit(agree("list limit", [n, w])),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
    }
    let [n, w] = both_read!(
        t,
        I::listByOwnerCall {
            owner: eth_of(&nobody).unwrap(),
            cursor: 0,
            limit: 1
        }
    );
    assert_eq!(exit(agree("list nobody", [n, w])), ExitCode::USR_NOT_FOUND);
    for owner in [a, b] {
        let [n, w] = both_read!(
            t,
            I::listSignersCall {
                owner: eth_of(&owner).unwrap()
            }
        );
        let norm = |side, v: Vec<I::SignerGrant>| {
            v.into_iter().map(|g| t.grant(side, g)).collect::<Vec<_>>()
        };
        agree("signers", [n.map(|v| norm(0, v)), w.map(|v| norm(1, v))]).unwrap();
    }
    let [n, w] = both_read!(t, I::countsCall {});
    let counts = agree("counts", [n, w]).unwrap();
    assert_eq!(
        (counts.records, counts.tombstoned, counts.owners),
        (6, 1, 2)
    );
    let [n, w] = both_read!(
        t,
        I::getFundingCall {
            cid: cid_bytes(content(1))
        }
    );
    let f = agree("funding", [n, w]).unwrap();
    assert!(f.hasOrder && f.hasFunding && f.funding.open);
    assert_eq!((f.orderId, f.funding.client), (mine, eth_of(&a).unwrap()));
    let [n, w] = both_read!(
        t,
        I::getFundingCall {
            cid: cid_bytes(content(3))
        }
    );
    assert!(!agree("no funding", [n, w]).unwrap().hasOrder);
    // Unknown selector.
    let junk = client
        .read(
            t.addresses[0],
            ext::evm::INVOKE_CONTRACT,
            calldata_params(&[1, 2, 3, 4]),
            "junk",
        )
        .await;
    let junk_twin = client
        .read(
            t.addresses[1],
            ext::evm::INVOKE_CONTRACT,
            calldata_params(&[1, 2, 3, 4]),
            "junk",
        )
        .await;
    assert_eq!(
        exit(agree(
            "unknown selector",
            [junk.map(drop), junk_twin.map(drop)]
        )),
        ExitCode::USR_UNHANDLED_MESSAGE
    );

    // ---- the same events, in the same order ----
    let [native_events, twin_events] = t.events(&devnet);
    assert_eq!(native_events.len(), twin_events.len(), "event counts");
    let mut kinds = BTreeMap::<B256, usize>::new();
    for (n, w) in native_events.iter().zip(&twin_events) {
        assert_eq!(n, w, "an event differs");
        *kinds.entry(B256::from_slice(&n[0].3)).or_default() += 1;
    }
    use alloy_sol_types::SolEvent;
    assert_eq!(kinds[&I::Registered::SIGNATURE_HASH], 6);
    assert_eq!(kinds[&I::SignerRevoked::SIGNATURE_HASH], 2);
    assert_eq!(kinds[&I::OrderLinked::SIGNATURE_HASH], 1);
    assert_eq!(kinds.len(), 7, "{kinds:?}");
}
