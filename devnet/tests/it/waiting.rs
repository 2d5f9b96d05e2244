//! Review finding 5: `wait` mines only on an instantly mining devnet; on a manual or interval
//! devnet it waits for a tipset, and a CID that is neither executed nor pending fails at once.

use crate::{send_transfer, transfer_message};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle, Error, KeyKind, Mining};

/// Pushes a one-atto transfer; its CID.
fn push_transfer(net: &Devnet, from: usize) -> cid::Cid {
    let key = net.account(KeyKind::Secp256k1, from).unwrap().key;
    let m = transfer_message(net, from, 9, 1);
    net.sign_and_push(&key, m).unwrap()
}

/// `wait` on a devnet that does not mine instantly returns only once someone else mines.
fn waits_without_mining(handle: DevnetHandle) {
    let net = handle.devnet();
    let cid = push_transfer(&net, 0);
    let done = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (net, done) = (net.clone(), done.clone());
        std::thread::spawn(move || {
            let r = net.wait(&cid);
            done.store(true, Ordering::SeqCst);
            r
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(net.head().height(), 0, "wait mined");
    assert_eq!(net.pending_messages(), vec![cid]);
    assert!(!done.load(Ordering::SeqCst));
    net.mine(1).unwrap();
    let lookup = waiter.join().unwrap().unwrap();
    assert_eq!(lookup.record.height, 1);
    assert!(lookup.record.receipt.exit_code.is_success());
}

#[test]
fn wait_does_not_mine_on_a_manual_devnet() {
    waits_without_mining(Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap());
}

#[test]
fn wait_does_not_mine_on_an_interval_devnet() {
    // A block time that never ticks during the test.
    waits_without_mining(
        Devnet::spawn(DevnetConfig::test().with_block_time(Duration::from_secs(3_600))).unwrap(),
    );
}

#[test]
fn waiting_on_an_unknown_cid_fails_at_once_and_mines_nothing() {
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let pending = push_transfer(&net, 0);
    let unknown = filmark_devnet::code_cid(b"no such message");
    assert!(matches!(
        net.wait(&unknown).unwrap_err(),
        Error::UnknownMessage(c) if c == unknown
    ));
    assert_eq!(net.head().height(), 0);
    assert_eq!(net.pending_messages(), vec![pending]);
}

#[test]
fn send_on_a_manual_devnet_mines_its_own_message() {
    // `send` is "push and see it executed": on a manual devnet it mines that tipset itself.
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let sent = send_transfer(&net, 0, 1, 1);
    assert_eq!(sent.record.height, 1);
    assert_eq!(net.head().height(), 1);
}
