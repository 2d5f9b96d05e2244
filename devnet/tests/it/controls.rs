//! Anvil-style controls: set a balance, move time, and the pool's queue of future nonces.

use filmark_devnet::{
    BLOCK_DELAY_SECS, Devnet, DevnetConfig, Error, KeyKind, POOL_MAX_NONCE_GAP, TipsetRef,
};
use filmark_sdk::keys::SecpKey;
use fvm_shared::econ::TokenAmount;

use crate::{send_transfer, transfer_message};

#[test]
fn set_balance_changes_any_address_at_once_and_a_revert_undoes_it() {
    let net = Devnet::spawn(DevnetConfig::test()).unwrap();
    let f1 = net.account(KeyKind::Secp256k1, 0).unwrap().address();
    let head = net.head();
    let snap = net.snapshot();
    net.set_balance(&f1, TokenAmount::from_atto(42)).unwrap();
    assert_eq!(
        net.balance(&f1, TipsetRef::Head).unwrap(),
        TokenAmount::from_atto(42)
    );
    assert_eq!(net.head().cid, head.cid, "an existing actor: no tipset");
    assert_ne!(net.head().state_root, head.state_root);
    // A fresh f1 address gets an actor (one tipset), then the balance.
    let fresh = SecpKey::from_seed(b"fresh", 0).f1_address();
    net.set_balance(&fresh, TokenAmount::from_whole(7)).unwrap();
    assert_eq!(
        net.balance(&fresh, TipsetRef::Head).unwrap(),
        TokenAmount::from_whole(7)
    );
    assert_eq!(net.head().height(), head.height() + 1);
    // The funds spend: the fresh balance pays for a mined tipset's state like any other.
    net.mine(1).unwrap();
    assert_eq!(
        net.balance(&fresh, TipsetRef::Head).unwrap(),
        TokenAmount::from_whole(7)
    );
    let e = net
        .set_balance(&f1, TokenAmount::from_atto(-1))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidMessage(_)), "{e}");
    net.revert(snap).unwrap();
    assert_eq!(net.head(), head);
    assert_eq!(
        net.balance(&fresh, TipsetRef::Head).unwrap(),
        TokenAmount::default()
    );
    assert_ne!(
        net.balance(&f1, TipsetRef::Head).unwrap(),
        TokenAmount::from_atto(42)
    );
}

#[test]
fn a_set_balance_is_spendable_by_a_signed_message() {
    let net = Devnet::spawn(DevnetConfig::test()).unwrap();
    let key = net.account(KeyKind::Secp256k1, 3).unwrap();
    net.set_balance(&key.address(), TokenAmount::from_whole(1))
        .unwrap();
    let big = TokenAmount::from_whole(2);
    let m = net
        .prepare(
            key.address(),
            net.account(KeyKind::Secp256k1, 4).unwrap().address(),
            big,
            0,
            Default::default(),
        )
        .unwrap();
    let e = net.sign_and_push(&key.key, m).unwrap_err();
    assert!(matches!(e, Error::InsufficientBalance(_)), "{e}");
    let lookup = send_transfer(&net, 3, 4, 1_000);
    assert!(lookup.record.receipt.exit_code.is_success());
}

#[test]
fn the_next_timestamp_and_time_increases_move_later_tipsets_and_revert() {
    let net = Devnet::spawn(DevnetConfig::test()).unwrap();
    let t0 = net.head().header.timestamp;
    let snap = net.snapshot();
    let e = net.set_next_timestamp(t0).unwrap_err();
    assert!(matches!(e, Error::InvalidMessage(_)), "{e}");
    net.set_next_timestamp(t0 + 1_000).unwrap();
    assert_eq!(net.mine(1).unwrap().header.timestamp, t0 + 1_000);
    assert_eq!(
        net.mine(1).unwrap().header.timestamp,
        t0 + 1_000 + BLOCK_DELAY_SECS
    );
    let shift = net.increase_time(3_600).unwrap();
    assert_eq!(shift, 1_000 - 30 + 3_600);
    assert_eq!(
        net.mine(1).unwrap().header.timestamp,
        t0 + 1_000 + 2 * BLOCK_DELAY_SECS + 3_600
    );
    net.revert(snap).unwrap();
    assert_eq!(
        net.mine(1).unwrap().header.timestamp,
        t0 + BLOCK_DELAY_SECS,
        "the shift is undone"
    );
}

#[test]
fn future_nonces_wait_in_the_pool_until_the_gap_fills() {
    let net = Devnet::spawn(DevnetConfig::test()).unwrap();
    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let base = transfer_message(&net, 0, 1, 1);
    let with_nonce = |n: u64| {
        let mut m = base.clone();
        m.sequence = n;
        m
    };
    let head = net.head();
    let later = net.sign_and_push(&key, with_nonce(2)).unwrap();
    let latest = net.sign_and_push(&key, with_nonce(1)).unwrap();
    assert_eq!(net.head().cid, head.cid, "nothing mined for queued nonces");
    assert_eq!((net.pending(), net.queued()), (0, 2));
    assert_eq!(net.next_nonce(&key.address()).unwrap(), 0);
    let e = net
        .sign_and_push(&key, with_nonce(POOL_MAX_NONCE_GAP + 1))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NonceGap {
                expected: 0,
                got: 5,
                max_gap: 4,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.is_refusal());
    assert!(e.to_string().contains("at most 4 ahead"), "{e}");
    // Nonce 0 fills the gap: all three are mined together, in nonce order.
    let first = net.sign_and_push(&key, with_nonce(0)).unwrap();
    let mined = net.head();
    assert_eq!(mined.height(), head.height() + 1);
    assert_eq!(mined.messages, vec![first, latest, later]);
    assert_eq!((net.pending(), net.queued()), (0, 0));
    assert_eq!(net.sequence(&key.address(), TipsetRef::Head).unwrap(), 3);
}
