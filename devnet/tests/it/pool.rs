//! Review finding 2: the pool is bounded, load raises the base fee as Filecoin's EIP-1559-style
//! rule does, and a block is packed by gas premium (nonce order per sender kept).

use crate::transfer_message;
use cid::Cid;
use filmark_devnet::{
    BLOCK_GAS_LIMIT, Devnet, DevnetConfig, DevnetHandle, Error, KeyKind, MINIMUM_BASE_FEE_ATTO,
    Mining, POOL_LIMIT, POOL_SENDER_LIMIT,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

fn manual() -> DevnetHandle {
    Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap()
}

/// A one-atto transfer from the `from`-th f1 account with this nonce, gas limit and premium.
fn transfer(net: &Devnet, from: usize, nonce: u64, gas_limit: u64, premium: u64) -> Cid {
    let key = net.account(KeyKind::Secp256k1, from).unwrap().key;
    let to = net.account(KeyKind::Secp256k1, 9).unwrap().address();
    let message = Message {
        version: 0,
        from: key.address(),
        to,
        sequence: nonce,
        value: TokenAmount::from_atto(1),
        method_num: METHOD_SEND,
        params: RawBytes::default(),
        gas_limit,
        gas_fee_cap: TokenAmount::from_atto(10_000),
        gas_premium: TokenAmount::from_atto(premium),
    };
    net.sign_and_push(&key, message).unwrap()
}

#[test]
fn the_pool_caps_each_sender_and_the_total_with_a_clear_refusal() {
    assert_eq!((POOL_SENDER_LIMIT, POOL_LIMIT), (1_000, 30_000));
    let net = Devnet::spawn(
        DevnetConfig::test()
            .with_mining(Mining::Manual)
            .with_pool_limits(3, 5),
    )
    .unwrap();
    for n in 0..3 {
        transfer(&net, 0, n, 1_000_000, 100);
    }
    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let m = transfer_message(&net, 0, 0, 0);
    let e = net.sign_and_push(&key, m).unwrap_err();
    assert!(
        matches!(&e, Error::PoolFull(why) if why.contains("3 pending")),
        "{e}"
    );
    assert!(e.is_refusal());
    transfer(&net, 1, 0, 1_000_000, 100);
    transfer(&net, 1, 1, 1_000_000, 100);
    let key = net.account(KeyKind::Secp256k1, 2).unwrap().key;
    let m = transfer_message(&net, 2, 2, 0);
    let e = net.sign_and_push(&key, m.clone()).unwrap_err();
    assert!(
        matches!(&e, Error::PoolFull(why) if why.contains("5 messages")),
        "{e}"
    );
    assert_eq!(net.pending(), 5);
    // Mining frees room.
    net.mine(1).unwrap();
    assert_eq!(net.pending(), 0);
    net.sign_and_push(&key, m).unwrap();
}

#[test]
fn full_tipsets_raise_the_base_fee_by_an_eighth_and_empty_ones_lower_it_to_the_minimum() {
    let net = manual();
    let min = TokenAmount::from_atto(MINIMUM_BASE_FEE_ATTO);
    assert_eq!(net.base_fee(), min);
    // A full block: gas limits summing to the block gas limit (twice the target).
    let per = BLOCK_GAS_LIMIT / 10;
    let mut fees = vec![];
    for round in 0..3u64 {
        for i in 0..10 {
            transfer(&net, i % 5, round * 2 + i as u64 / 5, per, 100);
        }
        let head = net.mine(1).unwrap();
        assert_eq!(head.messages.len(), 10);
        fees.push(net.base_fee());
    }
    // 100 -> 112 (100 + 100/8, rounded down) -> 126 -> 141.
    let atto: Vec<_> = fees.iter().map(|f| f.atto().to_string()).collect();
    assert_eq!(atto, ["112", "126", "141"]);
    let head = net.head();
    assert_eq!(head.header.parent_base_fee, TokenAmount::from_atto(126));
    // Empty tipsets: down by an eighth each, never below the minimum.
    net.mine(1).unwrap();
    assert_eq!(net.base_fee(), TokenAmount::from_atto(141 - 141 / 8 - 1));
    net.mine(20).unwrap();
    assert_eq!(net.base_fee(), min);
}

#[test]
fn a_block_is_packed_by_gas_premium_keeping_each_senders_nonce_order() {
    let net = manual();
    let a0 = transfer(&net, 0, 0, 1_000_000, 100);
    let a1 = transfer(&net, 0, 1, 1_000_000, 900);
    let b0 = transfer(&net, 1, 0, 1_000_000, 500);
    let c0 = transfer(&net, 2, 0, 1_000_000, 300);
    let head = net.mine(1).unwrap();
    assert_eq!(head.messages, vec![b0, c0, a0, a1]);

    // When the block is full, the higher premiums go first and the rest wait.
    let half = BLOCK_GAS_LIMIT / 2;
    let low = transfer(&net, 3, 0, half, 100);
    let high = transfer(&net, 4, 0, half, 200);
    let mid = transfer(&net, 5, 0, half, 150);
    assert_eq!(net.mine(1).unwrap().messages, vec![high, mid]);
    assert_eq!(net.pending_messages(), vec![low]);
}

#[test]
fn a_pending_message_is_replaced_by_one_with_the_same_nonce_and_a_premium_25_percent_higher() {
    let net = manual();
    let old = transfer(&net, 0, 0, 1_000_000, 100);
    let other = transfer(&net, 1, 0, 1_000_000, 100);
    // Lotus' rule: at least premium × 1.25 + 1 (here 126).
    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let to = net.account(KeyKind::Secp256k1, 9).unwrap().address();
    let replacement = |premium: u64| Message {
        version: 0,
        from: key.address(),
        to,
        sequence: 0,
        value: TokenAmount::from_atto(2),
        method_num: METHOD_SEND,
        params: RawBytes::default(),
        gas_limit: 1_000_000,
        gas_fee_cap: TokenAmount::from_atto(10_000),
        gas_premium: TokenAmount::from_atto(premium),
    };
    let e = net.sign_and_push(&key, replacement(125)).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidMessage(why) if why.contains("126")),
        "{e}"
    );
    assert!(e.is_refusal());
    let new = net.sign_and_push(&key, replacement(126)).unwrap();
    assert_eq!(
        net.pending_messages(),
        vec![new, other],
        "replaced in place"
    );
    assert_eq!(net.next_nonce(&key.address()).unwrap(), 1);
    let head = net.mine(1).unwrap();
    assert_eq!(head.messages, vec![new, other]);
    assert!(net.lookup(&old).is_err());
    // A nonce already on chain is not pending: no replacement, a nonce mismatch.
    let e = net.sign_and_push(&key, replacement(1_000)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NonceMismatch {
                expected: 1,
                got: 0,
                ..
            }
        ),
        "{e}"
    );
}
