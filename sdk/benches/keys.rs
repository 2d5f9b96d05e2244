//! Throughput of signing and of the message-pool check, per message kind.
//!
//! `cargo bench -p filmark-sdk --bench keys`. Prints operations per second (best of 3 runs of
//! 2,000 operations) for: secp256k1 signing, secp256k1 verification, EIP-1559 signing
//! (transaction + raw bytes), and the delegated path a node runs for `eth_sendRawTransaction`
//! (parse the raw transaction, recover the sender, rebuild and verify the message).

#![allow(missing_docs, reason = "bench binary")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use filmark_sdk::keys::{
    DEVNET_CHAIN_ID, SecpKey, SignedMessage, calldata_params, ext, sign_secp, verify_signed_message,
};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

const OPS: u32 = 2_000;

fn message(from: Address) -> Message {
    Message {
        version: 0,
        from,
        to: Address::new_id(1001),
        sequence: 42,
        value: TokenAmount::from_whole(1),
        method_num: ext::evm::INVOKE_CONTRACT,
        params: calldata_params(&[0xab; 100]),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(200_000),
        gas_premium: TokenAmount::from_atto(100_000),
    }
}

fn bench(name: &str, mut op: impl FnMut()) {
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..OPS {
                op();
            }
            start.elapsed()
        })
        .min()
        .unwrap_or(Duration::MAX);
    println!(
        "{name:<40} {:>10.0} ops/s",
        f64::from(OPS) / best.as_secs_f64()
    );
}

fn main() {
    let key = SecpKey::from_seed(b"bench", 0);
    let native = message(key.f1_address());
    let eth = message(key.f410_address());
    let signed = sign_secp(&key, native.clone()).expect("own f1 message");
    let raw = key
        .sign_eip1559(&eth, DEVNET_CHAIN_ID)
        .expect("own f410 message")
        .encode();

    bench("secp256k1 sign", || {
        black_box(sign_secp(&key, black_box(native.clone())).unwrap());
    });
    bench("secp256k1 verify", || {
        verify_signed_message(black_box(&signed), DEVNET_CHAIN_ID).unwrap();
    });
    bench("EIP-1559 sign + encode", || {
        black_box(
            key.sign_eip1559(black_box(&eth), DEVNET_CHAIN_ID)
                .unwrap()
                .encode(),
        );
    });
    bench("raw EIP-1559 tx -> verified message", || {
        let m = SignedMessage::from_eth_raw_tx(black_box(&raw), DEVNET_CHAIN_ID).unwrap();
        verify_signed_message(&m, DEVNET_CHAIN_ID).unwrap();
    });
}
