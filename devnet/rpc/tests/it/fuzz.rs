//! A bounded fuzz test on loopback: random and mutated bodies between valid transfers. Every
//! body gets a reply (or none, for notifications), the server keeps answering, and the chain
//! ends exactly where the valid traffic alone takes an in-process twin devnet.

use std::time::{Duration, Instant};

use filmark_devnet::{Devnet, DevnetConfig, KeyKind, SignedMessage};
use filmark_devnet_rpc::methods;
use filmark_sdk::keys::Network;
use filmark_sdk::keys::json::SignedMessageJson;
use serde_json::{Value, json};

use crate::common::Served;

/// Bodies sent at most, and the time allowed for them.
const BODIES: usize = 10_000;
const TIME: Duration = Duration::from_secs(90);

/// xorshift64*: deterministic, seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_json(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.next().is_multiple_of(2)),
        2 => json!(rng.next() as i64),
        3 => json!(format!("0x{:x}", rng.next())),
        4 => json!(["t01", "f1abc", "0xff", "bafy", "", "💥"][rng.below(6)]),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        6 => json!({"/": format!("bafy{}", rng.next())}),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(4) {
                m.insert(
                    ["Message", "To", "Value", "CID", "x"][rng.below(5)].into(),
                    random_json(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
    }
}

fn mutate(rng: &mut Rng, body: &[u8]) -> Vec<u8> {
    let mut b = body.to_vec();
    for _ in 0..=rng.below(4) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(5) {
            0 => b[at] = rng.next() as u8,
            1 => b.truncate(at),
            2 => b.insert(at, b"[{\"},:0x"[rng.below(8)]),
            3 => {
                b.remove(at);
            }
            _ => {
                let tail = b[at..].to_vec();
                b.extend_from_slice(&tail[..tail.len().min(64)]);
            }
        }
    }
    b
}

/// Names a fuzzed body may call: reads and pushes, not the controls (which change the chain
/// by design).
fn fuzzable() -> Vec<&'static str> {
    methods()
        .into_iter()
        .map(|m| m.name)
        .filter(|n| {
            !["evm_", "anvil_", "filmark_"]
                .iter()
                .any(|p| n.starts_with(p))
        })
        .collect()
}

fn transfer(net: &Devnet, nonce: u64) -> SignedMessage {
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap();
    let mut m = net
        .prepare(
            from.address(),
            to.address(),
            fvm_shared::econ::TokenAmount::from_atto(1 + nonce),
            0,
            Default::default(),
        )
        .unwrap();
    m.sequence = nonce;
    from.key.sign(m, net.chain_id()).unwrap()
}

#[test]
fn random_and_mutated_bodies_change_nothing_but_valid_traffic() {
    let s = Served::new();
    let twin = Devnet::spawn(DevnetConfig::test()).unwrap();
    let names = fuzzable();
    let mut rng = Rng(0x5eed_f11e_c0de_0001);
    let mut pushed: Vec<Vec<u8>> = Vec::new();
    let mut nonce = 0;
    let started = Instant::now();
    let mut sent = 0;
    let (mut replies, mut silent) = (0, 0);
    while sent < BODIES && started.elapsed() < TIME {
        sent += 1;
        // Every 100th body is valid traffic: a transfer, pushed to both devnets.
        if sent.is_multiple_of(100) {
            let signed = transfer(&twin, nonce);
            let body = json!({"jsonrpc": "2.0", "id": sent, "method": "Filecoin.MpoolPush",
                "params": [SignedMessageJson::new(&signed, Network::Testnet)]});
            let reply = s.post(&body);
            assert!(reply.get("result").is_some(), "{reply}");
            twin.push(signed).unwrap();
            pushed.push(body.to_string().into_bytes());
            nonce += 1;
            continue;
        }
        let body: Vec<u8> = match rng.below(6) {
            0 => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
            1 if !pushed.is_empty() => {
                // A pushed message, mutated: refused (bad signature, parse error or a replay).
                let i = rng.below(pushed.len());
                mutate(&mut rng, &pushed[i])
            }
            2 => {
                let batch: Vec<Value> = (0..rng.below(5))
                    .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": names[rng.below(names.len())], "params": random_json(&mut rng, 0)}))
                    .collect();
                mutate(&mut rng, Value::Array(batch).to_string().as_bytes())
            }
            3 => "[".repeat(rng.below(5_000)).into_bytes(),
            _ => {
                let mut call = json!({"jsonrpc": "2.0", "method": names[rng.below(names.len())], "params": random_json(&mut rng, 0)});
                if rng.below(4) > 0 {
                    call["id"] = json!(sent);
                }
                let text = call.to_string().into_bytes();
                if rng.below(2) == 0 {
                    mutate(&mut rng, &text)
                } else {
                    text
                }
            }
        };
        let (status, text) = s.post_raw(&body);
        match status {
            200 => {
                let v: Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
                assert!(v.is_object() || v.is_array(), "{v}");
                replies += 1;
            }
            204 => silent += 1,
            other => panic!(
                "status {other} for {:?}: {text}",
                String::from_utf8_lossy(&body)
            ),
        }
    }
    // Still answering, and where the valid traffic alone led.
    let head = s.ok("Filecoin.ChainHead", json!([]));
    assert_eq!(head["Cids"][0]["/"], twin.head().cid.to_string());
    assert_eq!(s.devnet().head().state_root, twin.head().state_root);
    assert_eq!(s.devnet().pending(), 0);
    assert!(
        nonce >= 10 && replies > 1_000,
        "sent {sent}: {replies} replies, {silent} notifications, {nonce} transfers"
    );
    eprintln!(
        "fuzz: {sent} bodies in {:.1} s: {replies} replies, {silent} without one, {nonce} valid transfers",
        started.elapsed().as_secs_f64()
    );
}
