//! Review finding 3: a read-only call runs on a snapshot of the head without the node's lock, its
//! gas is capped at the block gas limit, and it has a wall-clock limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use filmark_devnet::{
    BLOCK_GAS_LIMIT, Devnet, DevnetConfig, DevnetHandle, Error, KeyKind, TipsetRef,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;

/// An actor whose `invoke` returns at once when it gets no params (its constructor) and loops
/// forever otherwise: `(func (param i32) (result i32) (if (i32.eqz (local.get 0)) (return
/// (i32.const 0))) (loop (br 0)) (i32.const 0))`, exported as `invoke`, with a `memory`.
const LOOP_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type: (i32) -> i32
    0x03, 0x02, 0x01, 0x00, // function 0 of type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: min 1 page
    0x07, 0x13, 0x02, // exports: 2
    0x06, b'i', b'n', b'v', b'o', b'k', b'e', 0x00, 0x00, // "invoke": func 0
    0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00, // "memory": memory 0
    0x0a, 0x14, 0x01, 0x12, 0x00, // code: 1 body of 18 bytes, no locals
    0x20, 0x00, 0x45, 0x04, 0x40, 0x41, 0x00, 0x0f, 0x0b, // if params == 0: return 0
    0x03, 0x40, 0x0c, 0x00, 0x0b, // loop: br 0
    0x41, 0x00, 0x0b, // i32.const 0; end
];

/// A devnet with the looping actor deployed; returns it and the actor's address.
fn with_looper(config: DevnetConfig) -> (DevnetHandle, Address, Address) {
    let net = Devnet::spawn(config).unwrap();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let deployed = net
        .deploy(&from.key, LOOP_WASM, RawBytes::default())
        .unwrap();
    (net, from.address(), deployed.id_address)
}

/// A call of the looper's method 2 with `gas_limit`.
fn loop_call(from: Address, looper: Address, gas_limit: u64) -> Message {
    Message {
        version: 0,
        from,
        to: looper,
        sequence: 0,
        value: TokenAmount::default(),
        method_num: 2,
        params: RawBytes::new(vec![0x80]),
        gas_limit,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    }
}

#[test]
fn a_read_only_call_is_capped_at_the_block_gas_limit() {
    // Generous: this test is about gas, not time (10B gas of a loop takes seconds).
    let (net, from, looper) =
        with_looper(DevnetConfig::test().with_call_timeout(Duration::from_secs(600)));
    // More than a block (up to i64::MAX was accepted) runs with a block's gas; so does 0
    // ("unset", which became 10 blocks' worth), by the same rule (unit-tested in `reader`).
    let r = net.call(loop_call(from, looper, i64::MAX as u64)).unwrap();
    assert_eq!(r.receipt.exit_code, ExitCode::SYS_OUT_OF_GAS);
    assert_eq!(r.receipt.gas_used, BLOCK_GAS_LIMIT);
}

#[test]
fn a_read_only_call_past_its_wall_clock_limit_is_a_clear_error() {
    let limit = Duration::from_secs(2);
    let (net, from, looper) = with_looper(DevnetConfig::test().with_call_timeout(limit));
    let e = net
        .call(loop_call(from, looper, BLOCK_GAS_LIMIT))
        .unwrap_err();
    assert!(matches!(e, Error::CallTimeout(d) if d == limit), "{e}");
    assert!(e.to_string().contains("2s"), "{e}");
    // A quick call still answers.
    let to = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let r = net
        .call_method(from, to, METHOD_SEND, RawBytes::default())
        .unwrap();
    assert!(r.receipt.exit_code.is_success());
}

#[test]
fn a_running_call_does_not_hold_reads_pushes_or_mining() {
    let (net, from, looper) =
        with_looper(DevnetConfig::test().with_call_timeout(Duration::from_secs(600)));
    let done = Arc::new(AtomicBool::new(false));
    let call = {
        let (net, done) = (net.devnet(), done.clone());
        std::thread::spawn(move || {
            let r = net.call(loop_call(from, looper, 3_000_000_000));
            done.store(true, Ordering::SeqCst);
            r
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !done.load(Ordering::SeqCst),
        "the loop ended too soon to test"
    );
    // Meanwhile: a read, a push mined at once, another read.
    let height = net.head().height();
    let key = net.account(KeyKind::Secp256k1, 1).unwrap().key;
    let sent = net
        .send(
            &key,
            from,
            TokenAmount::from_atto(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();
    assert!(sent.record.receipt.exit_code.is_success());
    assert_eq!(net.head().height(), height + 1);
    assert_eq!(net.sequence(&key.address(), TipsetRef::Head).unwrap(), 1);
    assert!(
        !done.load(Ordering::SeqCst),
        "the call ended before the node answered: it may have waited for it"
    );
    let r = call.join().unwrap().unwrap();
    assert_eq!(r.receipt.exit_code, ExitCode::SYS_OUT_OF_GAS);
}
