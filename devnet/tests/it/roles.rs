//! Roles: reads, pushes and read-only calls never wait for mining, and new heads are broadcast.
//!
//! A store stops the miner in the middle of building a tipset (at its first block write from the
//! FVM's thread) until the test lets it go: every read made meanwhile must complete, which they
//! could not if they waited for the miner.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use cid::Cid;
use filmark_devnet::{
    Devnet, DevnetConfig, KeyKind, KvStore, LogFilter, MemoryKv, Mining, Store, TipsetRef,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;

use crate::{send_transfer, transfer_message};

/// Generous bound that turns a deadlock into a failure (nothing here is timed).
const DEADLOCK: Duration = Duration::from_secs(300);

/// A [`KvStore`] that, once armed, holds the first block write made on the miner's FVM thread
/// until released.
#[derive(Debug)]
struct GateKv {
    inner: MemoryKv,
    armed: AtomicBool,
    entered: Mutex<Option<mpsc::Sender<()>>>,
    release: Mutex<Option<mpsc::Receiver<()>>>,
}

impl KvStore for GateKv {
    fn get(&self, cid: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        self.inner.get(cid)
    }

    fn put(&self, cid: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let on_miner = std::thread::current().name() == Some("filmark-devnet-fvm");
        if on_miner && self.armed.swap(false, Ordering::SeqCst) {
            if let Some(tx) = self.entered.lock().unwrap().take() {
                tx.send(()).unwrap();
            }
            let release = self.release.lock().unwrap().take().unwrap();
            release.recv().unwrap();
        }
        self.inner.put(cid, block)
    }
}

#[test]
fn reads_pushes_and_calls_complete_while_a_tipset_is_being_mined() {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let gate = Arc::new(GateKv {
        inner: MemoryKv::default(),
        armed: AtomicBool::new(false),
        entered: Mutex::new(Some(entered_tx)),
        release: Mutex::new(Some(release_rx)),
    });
    let handle = Devnet::spawn_with_store(
        DevnetConfig::test().with_mining(Mining::Manual),
        Store::new(gate.clone()),
    )
    .unwrap();
    let net = handle.devnet();
    let first = send_transfer(&net, 0, 1, 5).record.cid;
    let before = net.head();
    let heads = net.subscribe_heads();

    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    net.sign_and_push(&key, transfer_message(&net, 0, 1, 6))
        .unwrap();
    gate.armed.store(true, Ordering::SeqCst);
    let miner = {
        let net = net.clone();
        std::thread::spawn(move || net.mine(1))
    };
    entered.recv().unwrap(); // The miner is now inside the FVM, building the tipset.

    let (done_tx, done) = mpsc::channel();
    let reader = {
        let net = net.clone();
        std::thread::spawn(move || {
            let alice = net.account(KeyKind::Secp256k1, 0).unwrap();
            let bob = net.account(KeyKind::Secp256k1, 1).unwrap();
            let head = net.head();
            let balance = net.balance(&bob.address(), TipsetRef::Head).unwrap();
            let found = net.lookup(&first).unwrap().record.height;
            let logs = net.logs(&LogFilter {
                from: 0,
                to: head.height(),
                ..LogFilter::default()
            });
            let call = net
                .call_method(
                    alice.address(),
                    bob.address(),
                    METHOD_SEND,
                    RawBytes::default(),
                )
                .unwrap();
            // A push too: it waits in the pool for the next tipset.
            let pushed = net
                .sign_and_push(&bob.key, transfer_message(&net, 1, 0, 1))
                .unwrap();
            done_tx
                .send((head, balance, found, logs.len(), call, pushed))
                .unwrap();
        })
    };
    let (head, balance, found, _, call, pushed) = done
        .recv_timeout(DEADLOCK)
        .expect("reads completed while the tipset was being mined");
    assert_eq!(head, before, "the tipset being mined is not the head yet");
    assert!(balance > fvm_shared::econ::TokenAmount::default());
    assert_eq!(found, 1);
    assert!(call.receipt.exit_code.is_success());
    assert!(net.pending_messages().contains(&pushed));
    release.send(()).unwrap();
    reader.join().unwrap();

    let mined = miner.join().unwrap().unwrap();
    assert_eq!(mined.height(), before.height() + 1);
    assert_eq!(
        heads.recv_timeout(DEADLOCK).unwrap(),
        mined,
        "new head broadcast"
    );
    assert!(net.pending_messages().contains(&pushed));
    assert_eq!(net.mine(1).unwrap().messages, vec![pushed]);
    assert_eq!(heads.recv_timeout(DEADLOCK).unwrap().messages, vec![pushed]);
}

#[test]
fn every_subscriber_gets_each_new_head_and_a_reverts() {
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let (a, b) = (net.subscribe_heads(), net.subscribe_heads());
    let snap = net.snapshot();
    let one = net.mine(1).unwrap();
    let two = net.advance_epochs(5).unwrap();
    net.revert(snap).unwrap();
    let genesis = net.head();
    for rx in [a, b] {
        let got: Vec<_> = rx.try_iter().collect();
        assert_eq!(got, vec![one.clone(), two.clone(), genesis.clone()]);
    }
}
