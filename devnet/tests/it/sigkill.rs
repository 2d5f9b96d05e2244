//! Crash safety: a child process mines a stream of signed messages on a data directory and is
//! killed with SIGKILL at random points. After each kill the directory reopens with every message
//! the child reported as mined, each tipset equal to a replay of its messages from genesis in
//! memory, and the node accepts new messages.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cid::Cid;
use filmark_devnet::{Devnet, DevnetConfig, KeyKind, Mining, TipsetRef};

use crate::{send_transfer, transfer_message};

/// Set (to the data directory) in the child process.
const CHILD_ENV: &str = "FILMARK_DEVNET_SIGKILL_CHILD";
/// Set to replay a run's kill points (the seed is printed).
const SEED_ENV: &str = "FILMARK_DEVNET_SIGKILL_SEED";
/// How many times the child is killed.
const KILLS: usize = 20;
/// How long the parent waits for a child's first mined message (its start included).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest random run of a child after its first mined message, in milliseconds.
const MAX_RUN_MS: u64 = 400;
/// What the child prints for each mined message.
const MINED: &str = "MINED ";

fn config(dir: &str) -> DevnetConfig {
    DevnetConfig::test().with_data_dir(dir)
}

/// The child: mines batches of 1 to 4 transfers from f1 account 0 (and, now and then, null
/// rounds) until it is killed, printing each mined message's CID once its tipset is committed.
#[test]
fn child_mines_until_killed() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return; // Only a child process runs this.
    };
    let net = Devnet::spawn(config(&dir)).expect("the child opens the data directory");
    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let template = transfer_message(&net, 0, 2, 1);
    let mut out = std::io::stdout().lock();
    for round in 0u64.. {
        let nonce = net.next_nonce(&key.address()).unwrap();
        let batch = (0..1 + round % 4)
            .map(|i| {
                let mut m = template.clone();
                m.sequence = nonce + i;
                m.value = fvm_shared::econ::TokenAmount::from_atto(1 + round);
                key.sign(m, net.chain_id()).unwrap()
            })
            .collect();
        for cid in net.push_many(batch).unwrap() {
            writeln!(out, "{MINED}{}", cid.unwrap()).unwrap();
        }
        out.flush().unwrap();
        if round % 7 == 6 {
            net.advance_epochs(3).unwrap();
        }
    }
}

/// A small deterministic generator for the kill points.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs a child until a random point after its first mined message, kills it with SIGKILL and
/// returns the CIDs it reported.
fn run_and_kill(dir: &str, rng: &mut XorShift) -> Vec<Cid> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sigkill::child_mines_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(cid) = line.strip_prefix(MINED) {
                let _ = tx.send(cid.parse::<Cid>().expect("the child prints CIDs"));
            }
        }
    });
    let first = rx.recv_timeout(START_TIMEOUT);
    if first.is_ok() {
        std::thread::sleep(Duration::from_millis(rng.below(MAX_RUN_MS)));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    reader.join().unwrap();
    let first = first.expect("the child mined within the start timeout");
    std::iter::once(first).chain(rx.try_iter()).collect()
}

#[test]
fn sigkill_at_random_points_loses_nothing_reported_and_replays_to_the_same_roots() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let seed = std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("{SEED_ENV}={seed}");
    let mut rng = XorShift(seed);
    let dir = tempfile::tempdir().unwrap();
    let dir_str = dir.path().to_str().unwrap().to_owned();
    // Genesis on disk, then the same chain replayed in memory as it grows.
    drop(Devnet::spawn(config(&dir_str)).unwrap());
    let replay = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let mut reported = Vec::new();
    for kill in 0..KILLS {
        reported.extend(run_and_kill(&dir_str, &mut rng));
        let net = Devnet::spawn(config(&dir_str)).expect("the data directory reopens");
        for cid in &reported {
            let lookup = net
                .lookup(cid)
                .unwrap_or_else(|e| panic!("kill {kill}: reported {cid} is lost: {e}"));
            assert!(lookup.record.receipt.exit_code.is_success(), "{cid}");
        }
        // Every tipset not replayed yet: push its messages on the replay and mine it at its
        // height; the tipsets must be identical (header, state root, receipts, messages).
        let head = net.head().height();
        for h in replay.head().height() + 1..=head {
            let tipset = net.tipset(TipsetRef::Height(h)).unwrap();
            if tipset.height() != h {
                continue; // A null round.
            }
            let signed = tipset
                .messages
                .iter()
                .map(|m| net.lookup(m).unwrap().record.signed.unwrap())
                .collect();
            for r in replay.push_many(signed).unwrap() {
                r.unwrap();
            }
            let mined = replay
                .advance_epochs((h - replay.head().height()) as u64)
                .unwrap();
            assert_eq!(
                mined, tipset,
                "kill {kill}: tipset {h} differs from its replay"
            );
        }
        // The node accepts new messages (from an account the child does not use).
        let r = send_transfer(&net, 1, 2, 1);
        assert_eq!(r.record.height, head + 1);
        drop(net);
    }
    eprintln!(
        "{KILLS} kills, {} messages reported, replayed to height {}",
        reported.len(),
        replay.head().height()
    );
}
