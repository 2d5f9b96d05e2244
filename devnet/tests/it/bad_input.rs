//! Refused and failing messages: the devnet keeps going.

use filmark_devnet::{DevnetKey, Error, INIT_ACTOR_ID, KeyKind, Signature, TipsetRef};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;

use crate::devnet;

#[test]
fn refusals_leave_the_chain_unchanged_and_it_keeps_going() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let good = net
        .prepare(
            from.address(),
            to,
            TokenAmount::from_whole(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();

    // Bad signature: signed, then tampered with.
    let mut tampered = from.key.sign(good.clone(), net.chain_id()).unwrap();
    tampered.message.value = TokenAmount::from_whole(2);
    assert!(matches!(
        net.push(tampered).unwrap_err(),
        Error::BadSignature { .. }
    ));
    // Signed by another key.
    let other = net.account(KeyKind::Secp256k1, 2).unwrap();
    let mut forged = other
        .key
        .sign(
            Message {
                from: other.address(),
                ..good.clone()
            },
            net.chain_id(),
        )
        .unwrap();
    forged.message = good.clone();
    assert!(matches!(
        net.push(forged.clone()).unwrap_err(),
        Error::BadSignature { .. }
    ));
    // Garbage signature bytes.
    forged.signature = Signature::secp256k1(vec![1; 10]);
    assert!(matches!(
        net.push(forged).unwrap_err(),
        Error::BadSignature { .. }
    ));

    // A nonce further ahead than the pool queues.
    let mut m = good.clone();
    m.sequence = 5;
    let e = net.sign_and_push(&from.key, m).unwrap_err();
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

    // Too little balance for value + gas.
    let mut m = good.clone();
    m.value = TokenAmount::from_whole(1_000_000);
    assert!(matches!(
        net.sign_and_push(&from.key, m).unwrap_err(),
        Error::InsufficientBalance(_)
    ));

    // Insane gas limit and fee cap.
    let mut m = good.clone();
    m.gas_limit = 0;
    assert!(matches!(
        net.sign_and_push(&from.key, m).unwrap_err(),
        Error::InvalidMessage(_)
    ));
    let mut m = good.clone();
    m.gas_fee_cap = TokenAmount::from_atto(1);
    m.gas_premium = TokenAmount::from_atto(1);
    assert!(matches!(
        net.sign_and_push(&from.key, m).unwrap_err(),
        Error::InvalidMessage(_)
    ));
    // Oversized params.
    let mut m = good.clone();
    m.params = RawBytes::new(vec![0; 70_000]);
    assert!(matches!(
        net.sign_and_push(&from.key, m).unwrap_err(),
        Error::InvalidMessage(_)
    ));

    // A sender without an actor.
    let stranger = DevnetKey::derive(&[7; 32], KeyKind::Secp256k1, 0);
    let mut m = good.clone();
    m.from = stranger.address();
    assert!(matches!(
        net.sign_and_push(&stranger, m).unwrap_err(),
        Error::UnknownSender(_)
    ));

    // Nothing was mined; the good message still goes through.
    assert_eq!(net.head().height(), 0);
    let cid = net.sign_and_push(&from.key, good).unwrap();
    assert!(
        net.lookup(&cid)
            .unwrap()
            .record
            .receipt
            .exit_code
            .is_success()
    );
    assert_eq!(net.head().height(), 1);
}

#[test]
fn unknown_method_and_malformed_params_fail_with_exit_codes() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap().address();

    // An unknown method below 2^24 is unhandled; an unknown exported one succeeds on an
    // account, as the builtin account actor's fallback (what lets the market notify it).
    let send = |method| {
        net.send(
            &from.key,
            to,
            TokenAmount::default(),
            method,
            RawBytes::default(),
        )
        .unwrap()
        .record
    };
    let r = send(77);
    assert_eq!(r.receipt.exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
    assert!(r.failure.is_some());
    assert!(send(0x1234_5678).receipt.exit_code.is_success());

    let garbage = RawBytes::new(vec![0xff, 0x00, 0x13]);
    let r = net
        .send(
            &from.key,
            Address::new_id(INIT_ACTOR_ID),
            TokenAmount::default(),
            2,
            garbage,
        )
        .unwrap()
        .record;
    assert_eq!(
        r.receipt.exit_code,
        ExitCode::USR_SERIALIZATION,
        "{:?}",
        r.failure
    );

    // Failed messages still consume the nonce and pay gas; the chain goes on (3 messages).
    assert_eq!(net.sequence(&from.address(), TipsetRef::Head).unwrap(), 3);
    let r = net
        .send(
            &from.key,
            to,
            TokenAmount::from_atto(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success());
}

#[test]
fn read_only_calls_commit_nothing() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let to = DevnetKey::derive(&[8; 32], KeyKind::Secp256k1, 0).address();
    let mut m = net
        .prepare(
            from.address(),
            to,
            TokenAmount::from_whole(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();
    m.gas_limit = 0;
    let r = net.call(m).unwrap();
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    assert!(net.actor(&to, TipsetRef::Head).unwrap().is_none());
    assert_eq!(net.head().height(), 0);
}
