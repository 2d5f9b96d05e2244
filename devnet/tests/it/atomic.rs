//! Atomic tipsets: a tipset that fails part-way (a store write or read failure, a panic inside
//! the FVM) changes nothing, its messages stay in the pool, and the node goes on serving.

use crate::transfer_message;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cid::Cid;
use filmark_devnet::{
    Devnet, DevnetConfig, DevnetHandle, KeyKind, KvStore, MemoryKv, Mining, Store, Tipset,
    TipsetRef,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

/// What the injector does when its trigger is reached.
const OFF: u64 = 0;
const FAIL: u64 = 1;
const PANIC: u64 = 2;

/// A [`KvStore`] that fails (or panics on) its N-th write or read once armed.
#[derive(Debug, Default)]
struct FlakyKv {
    inner: MemoryKv,
    writes: AtomicU64,
    reads: AtomicU64,
    /// Fail every write from this count on (0: never).
    fail_write_at: AtomicU64,
    /// Fail or panic on the read with this count (0: never).
    read_trigger_at: AtomicU64,
    read_action: AtomicU64,
}

impl FlakyKv {
    fn fail_write_in(&self, n: u64) {
        self.fail_write_at
            .store(self.writes.load(Ordering::SeqCst) + n, Ordering::SeqCst);
    }

    fn on_read_in(&self, n: u64, action: u64) {
        self.read_action.store(action, Ordering::SeqCst);
        self.read_trigger_at
            .store(self.reads.load(Ordering::SeqCst) + n, Ordering::SeqCst);
    }

    fn disarm(&self) {
        self.fail_write_at.store(0, Ordering::SeqCst);
        self.read_trigger_at.store(0, Ordering::SeqCst);
        self.read_action.store(OFF, Ordering::SeqCst);
    }
}

impl KvStore for FlakyKv {
    fn get(&self, cid: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        let n = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.read_trigger_at.load(Ordering::SeqCst) {
            match self.read_action.load(Ordering::SeqCst) {
                FAIL => anyhow::bail!("injected read failure at read {n}"),
                PANIC => panic!("injected panic at read {n}"),
                _ => {}
            }
        }
        self.inner.get(cid)
    }

    fn put(&self, cid: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        let at = self.fail_write_at.load(Ordering::SeqCst);
        if at != 0 && n >= at {
            anyhow::bail!("injected write failure at write {n}");
        }
        self.inner.put(cid, block)
    }

    fn has(&self, cid: &Cid) -> anyhow::Result<bool> {
        Ok(self.get(cid)?.is_some())
    }
}

/// Everything a failed tipset must leave as it was.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    head: Tipset,
    pending: Vec<Cid>,
    nonces: Vec<(u64, u64)>,
    balances: Vec<TokenAmount>,
    mined: Vec<bool>,
}

fn observe(net: &Devnet, senders: &[Address], cids: &[Cid]) -> Observed {
    Observed {
        head: net.head(),
        pending: net.pending_messages(),
        nonces: senders
            .iter()
            .map(|a| {
                (
                    net.sequence(a, TipsetRef::Head).unwrap(),
                    net.next_nonce(a).unwrap(),
                )
            })
            .collect(),
        balances: senders
            .iter()
            .map(|a| net.balance(a, TipsetRef::Head).unwrap())
            .collect(),
        mined: cids.iter().map(|c| net.lookup(c).is_ok()).collect(),
    }
}

/// A manual devnet on a flaky store, with two transfers pending from each of two senders.
fn pending_transfers() -> (DevnetHandle, Arc<FlakyKv>, Vec<Address>, Vec<Cid>) {
    let kv = Arc::new(FlakyKv::default());
    let net = Devnet::spawn_with_store(
        DevnetConfig::test().with_mining(Mining::Manual),
        Store::new(kv.clone()),
    )
    .unwrap();
    let to = net.account(KeyKind::Secp256k1, 2).unwrap().address();
    let mut senders = vec![];
    let mut cids = vec![];
    for i in 0..2 {
        let from = net.account(KeyKind::Secp256k1, i).unwrap();
        for _ in 0..2 {
            let m = net
                .prepare(
                    from.address(),
                    to,
                    TokenAmount::from_atto(7),
                    METHOD_SEND,
                    RawBytes::default(),
                )
                .unwrap();
            cids.push(net.sign_and_push(&from.key, m).unwrap());
        }
        senders.push(from.address());
    }
    senders.push(to);
    (net, kv, senders, cids)
}

/// Mines after a successful recovery: every pending message lands in one tipset.
fn recovers(net: &Devnet, kv: &FlakyKv, cids: &[Cid]) {
    kv.disarm();
    let head = net.mine(1).unwrap();
    assert_eq!(head.height(), 1);
    assert_eq!(head.messages, cids);
    assert!(net.pending_messages().is_empty());
    for cid in cids {
        let l = net.lookup(cid).unwrap();
        assert!(l.record.receipt.exit_code.is_success());
        assert_eq!(l.record.height, 1);
    }
}

#[test]
fn a_store_write_failure_at_any_point_of_a_tipset_changes_nothing() {
    let (net, kv, senders, cids) = pending_transfers();
    let before = observe(&net, &senders, &cids);
    let mut failures = 0;
    for n in 1.. {
        kv.fail_write_in(n);
        match net.mine(1) {
            Ok(_) => break,
            Err(e) => {
                failures += 1;
                assert!(e.to_string().contains("injected write failure"), "{e}");
                assert_eq!(
                    observe(&net, &senders, &cids),
                    before,
                    "after failing write {n}"
                );
            }
        }
        assert!(n < 1_000, "a tipset never wrote this much");
    }
    assert!(
        failures > 3,
        "a tipset writes more than 3 blocks: {failures}"
    );
    // The last attempt succeeded with the fault armed past its last write.
    assert_eq!(net.head().height(), 1);
    assert_eq!(net.head().messages, cids);
    assert_eq!(net.sequence(&senders[0], TipsetRef::Head).unwrap(), 2);
}

/// Fails (or panics on) the 1st, 2nd, ... read of a tipset until the tipset reads less than
/// that: each failed tipset changes nothing. Returns how many failed.
fn sweep_reads(action: u64, expected: &str) -> u64 {
    let (net, kv, senders, cids) = pending_transfers();
    let before = observe(&net, &senders, &cids);
    let mut failures = 0;
    for n in 1.. {
        kv.on_read_in(n, action);
        match net.mine(1) {
            Ok(_) => break,
            Err(e) => {
                failures += 1;
                assert!(e.to_string().contains(expected), "{e}");
                kv.disarm();
                assert_eq!(observe(&net, &senders, &cids), before, "after read {n}");
            }
        }
        assert!(n < 1_000, "a tipset never read this much");
    }
    assert_eq!(net.head().messages, cids);
    assert_eq!(net.sequence(&senders[0], TipsetRef::Head).unwrap(), 2);
    failures
}

#[test]
fn a_store_read_failure_inside_the_fvm_changes_nothing() {
    let failures = sweep_reads(FAIL, "injected read failure");
    assert!(
        failures > 3,
        "a tipset reads more than 3 blocks: {failures}"
    );
}

#[test]
fn a_panic_inside_the_fvm_fails_the_tipset_and_the_node_goes_on() {
    let failures = sweep_reads(PANIC, "aborted by a panic: injected panic");
    assert!(
        failures > 3,
        "a tipset reads more than 3 blocks: {failures}"
    );
}

#[test]
fn a_panic_under_the_node_lock_does_not_take_the_devnet_down() {
    let (net, kv, senders, cids) = pending_transfers();
    let before = observe(&net, &senders, &cids);
    // A panic outside mining (a state read for an address lookup) poisons the node's lock.
    let stranger = filmark_devnet::DevnetKey::derive(&[9; 32], KeyKind::Secp256k1, 0).address();
    kv.on_read_in(1, PANIC);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        net.lookup_id(&stranger, TipsetRef::Head)
    }));
    assert!(panicked.is_err(), "the read did not reach the store");
    kv.disarm();
    assert_eq!(observe(&net, &senders, &cids), before);
    recovers(&net, &kv, &cids);
}

#[test]
fn the_background_miner_keeps_failed_messages_and_mines_them_later() {
    let kv = Arc::new(FlakyKv::default());
    let handle = Devnet::spawn_with_store(
        DevnetConfig::test().with_block_time(std::time::Duration::from_millis(10)),
        Store::new(kv.clone()),
    )
    .unwrap();
    let net = handle.devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let m = transfer_message(&net, 0, 1, 1);
    // Every write fails from now on: the miner's tipsets fail while the message waits (a push
    // writes nothing).
    kv.fail_write_in(1);
    let cid = net.sign_and_push(&from.key, m).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while net.mining_error().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the miner never failed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        net.mining_error()
            .unwrap()
            .contains("injected write failure"),
        "{:?}",
        net.mining_error()
    );
    let head = net.head();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(net.head(), head, "no tipset while writes fail");
    assert_eq!(net.pending_messages(), vec![cid]);
    kv.disarm();
    while net.lookup(&cid).is_err() {
        assert!(std::time::Instant::now() < deadline, "the message was lost");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        net.lookup(&cid)
            .unwrap()
            .record
            .receipt
            .exit_code
            .is_success()
    );
    assert!(net.pending_messages().is_empty());
    assert!(net.mining_error().is_none(), "a tipset was mined since");
}
