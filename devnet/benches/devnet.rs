//! Devnet figures: ready time, time per message and messages mined per second.
//!
//! `cargo bench -p filmark-devnet --bench devnet` (release). Prints one line per figure.

use std::time::{Duration, Instant};

use filmark_devnet::{Devnet, DevnetConfig, KeyKind, Mining, SignedMessage};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::econ::TokenAmount;

/// Messages per throughput round.
const MESSAGES: usize = 5_000;
/// Senders the messages are spread over.
const SENDERS: usize = 10;

fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let first = Devnet::spawn(DevnetConfig::test())?;
    let cold = start.elapsed();
    drop(first);
    let start = Instant::now();
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual))?;
    let warm = start.elapsed();
    println!(
        "ready (first devnet in the process, compiles the builtin actors): {}",
        ms(cold)
    );
    println!(
        "ready (next devnets, modules cached):                             {}",
        ms(warm)
    );

    // Sign value transfers up front: signing is the client's cost, not the devnet's.
    let accounts: Vec<_> = (0..SENDERS)
        .map(|i| net.account(KeyKind::Secp256k1, i))
        .collect::<Result<_, _>>()?;
    let to = net.account(KeyKind::Eth, 0)?.address();
    let template = net.prepare(
        accounts[0].address(),
        to,
        TokenAmount::from_atto(1),
        METHOD_SEND,
        RawBytes::default(),
    )?;
    let mut batch: Vec<SignedMessage> = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES {
        let a = &accounts[i % SENDERS];
        let mut m = template.clone();
        m.from = a.address();
        m.sequence = (i / SENDERS) as u64;
        batch.push(a.key.sign(m, net.chain_id())?);
    }

    let start = Instant::now();
    let results = net.push_many(batch)?;
    let pushed = start.elapsed();
    anyhow::ensure!(results.iter().all(Result::is_ok), "a message was refused");
    let start = Instant::now();
    let mut tipsets = 0;
    while net.pending() > 0 {
        net.mine(1)?;
        tipsets += 1;
    }
    let mined = start.elapsed();
    let total = pushed + mined;
    println!(
        "pool checks (signature, nonce, balance) per message:            {}",
        us(pushed / MESSAGES as u32)
    );
    println!(
        "execution per message:                                           {}",
        us(mined / MESSAGES as u32)
    );
    println!(
        "signed value transfers pushed and mined: {MESSAGES} in {} over {tipsets} tipsets = {:.0} msgs/s",
        ms(total),
        MESSAGES as f64 / total.as_secs_f64()
    );
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}
