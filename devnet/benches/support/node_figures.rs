//! The node's figures, in memory and on redb, each backend in its own child process (the bench
//! binary run again with [`MODE_ENV`]) so that its peak RSS is its own: ready time (fresh, and
//! reopening a data directory of [`MESSAGES`] messages), signed messages mined per second, time
//! per message at 1,000 and at [`MESSAGES`] messages mined (best of [`PROBES`] rounds of
//! [`PROBE`]), peak RSS, data-directory bytes per
//! message.

use std::process::Command;
use std::time::{Duration, Instant};

use filmark_devnet::{DATA_FILE, Devnet, DevnetConfig, KeyKind, Mining, SignedMessage};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::econ::TokenAmount;
use rayon::prelude::*;

/// Set to `memory` or `redb` in a child process.
const MODE_ENV: &str = "FILMARK_BENCH_NODE";
/// Messages mined before the last probe (`FILMARK_BENCH_NODE_MESSAGES`, default 100,000).
const MESSAGES: u64 = 100_000;
/// Senders the messages are spread over (one pool's per-sender limit is 1,000 pending).
const SENDERS: usize = 100;
/// Messages per fill round (pushed at once, then mined).
const ROUND: u64 = 10_000;
/// Messages of a probe round (time per message at a chain length).
const PROBE: u64 = 1_000;
/// Probe rounds at each chain length (the best is kept).
const PROBES: usize = 5;
/// Empty tipsets of a probe round of the time to mine one.
const EMPTY_TIPSETS: u64 = 100;

fn messages() -> u64 {
    std::env::var("FILMARK_BENCH_NODE_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MESSAGES)
}

/// In the parent: runs both children and prints their lines. In a child: its figures.
///
/// # Errors
/// When a child fails.
pub(crate) fn run() -> anyhow::Result<bool> {
    if let Ok(mode) = std::env::var(MODE_ENV) {
        child(&mode)?;
        return Ok(true);
    }
    for mode in ["memory", "redb"] {
        let out = Command::new(std::env::current_exe()?)
            .args(std::env::args().skip(1))
            .env(MODE_ENV, mode)
            .output()?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        anyhow::ensure!(
            out.status.success(),
            "{mode} child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(false)
}

struct Sender {
    key: filmark_devnet::DevnetKey,
    address: fvm_shared::address::Address,
    nonce: u64,
}

/// The senders' kind: f1 (secp256k1) by default; `FILMARK_BENCH_NODE_SENDERS=f410` signs
/// Ethereum transactions (delegated signatures, whose hashes the node indexes on disk).
fn sender_kind() -> KeyKind {
    match std::env::var("FILMARK_BENCH_NODE_SENDERS").as_deref() {
        Ok("f410") => KeyKind::Eth,
        _ => KeyKind::Secp256k1,
    }
}

fn config() -> DevnetConfig {
    DevnetConfig::test()
        .with_mining(Mining::Manual)
        .with_accounts(SENDERS, SENDERS)
}

/// Signs `n` transfers (untimed: signing is the client's cost) spread over the senders.
fn sign(
    senders: &mut [Sender],
    template: &fvm_shared::message::Message,
    n: u64,
    chain_id: u64,
) -> Vec<SignedMessage> {
    let mut unsigned = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        let s = &mut senders[i % SENDERS];
        let mut m = template.clone();
        m.from = s.address;
        m.sequence = s.nonce;
        s.nonce += 1;
        unsigned.push((i % SENDERS, m));
    }
    let keys: Vec<_> = senders.iter().map(|s| s.key.clone()).collect();
    unsigned
        .into_par_iter()
        .map(|(s, m)| keys[s].sign(m, chain_id).expect("signs"))
        .collect()
}

/// Pushes and mines `batch`; its wall time.
fn mine(net: &Devnet, batch: Vec<SignedMessage>) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let results = net.push_many(batch)?;
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        anyhow::bail!("a message was refused: {e}");
    }
    while net.pending() > 0 {
        net.mine(1)?;
    }
    Ok(start.elapsed())
}

fn child(mode: &str) -> anyhow::Result<()> {
    let total = messages();
    let dir = tempfile::tempdir()?;
    let config = match mode {
        "memory" => config(),
        _ => config().with_data_dir(dir.path()),
    };
    // The first devnet in the process: ready (its builtin actors compile on a background
    // thread), then its first tipset (the FVM waits for them all).
    let start = Instant::now();
    let first = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual))?;
    let cold = start.elapsed();
    first.mine(1)?;
    let cold_tipset = start.elapsed();
    drop(first);
    let start = Instant::now();
    let net = Devnet::spawn(config.clone())?;
    let ready = start.elapsed();
    let template = net.prepare(
        net.account(sender_kind(), 0)?.address(),
        net.account(KeyKind::Eth, 0)?.address(),
        TokenAmount::from_atto(1),
        // An Ethereum transaction's transfer is an InvokeEVM call (Lotus' mapping).
        match sender_kind() {
            KeyKind::Eth => filmark_devnet_actors::INVOKE_EVM_METHOD,
            _ => METHOD_SEND,
        },
        RawBytes::default(),
    )?;
    let mut senders: Vec<Sender> = (0..SENDERS)
        .map(|i| {
            let a = net.account(sender_kind(), i)?;
            Ok(Sender {
                address: a.address(),
                key: a.key,
                nonce: 0,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let chain_id = net.chain_id();

    // Warm-up to 1,000, the probe at 1,000, fill to `total`, the probe at `total`.
    let mut mined = 0u64;
    let mut busy = Duration::ZERO;
    let mut round =
        |net: &Devnet, n: u64, mined: &mut u64| -> anyhow::Result<(Duration, Duration)> {
            // Full tipsets raise the base fee by 1/8 each: a fee cap with room for a round's.
            let mut template = template.clone();
            template.gas_fee_cap = net.base_fee() * 4 + &template.gas_premium;
            let batch = sign(&mut senders, &template, n, chain_id);
            let cpu = cpu_time();
            let t = mine(net, batch)?;
            let cpu = cpu_time().saturating_sub(cpu);
            *mined += n;
            busy += t;
            if std::env::var_os("FILMARK_BENCH_NODE_VERBOSE").is_some() {
                eprintln!("{mined} mined in {t:?}, VmRSS {}", rss("VmRSS:"));
            }
            Ok((t, cpu))
        };
    round(&net, PROBE, &mut mined)?;
    // Best of five probes at each length (the machine's other load only adds time), in wall
    // time and in the process's CPU time (which that load inflates much less).
    let (mut at_1k, mut cpu_1k) = (Duration::MAX, Duration::MAX);
    for _ in 0..PROBES {
        let (t, cpu) = round(&net, PROBE, &mut mined)?;
        at_1k = at_1k.min(t / PROBE as u32);
        cpu_1k = cpu_1k.min(cpu / PROBE as u32);
    }
    while mined < total {
        let n = ROUND.min(total - mined);
        round(&net, n, &mut mined)?;
    }
    let (mut at_total, mut cpu_total) = (Duration::MAX, Duration::MAX);
    for _ in 0..PROBES {
        let (t, cpu) = round(&net, PROBE, &mut mined)?;
        at_total = at_total.min(t / PROBE as u32);
        cpu_total = cpu_total.min(cpu / PROBE as u32);
    }
    let rate = mined as f64 / busy.as_secs_f64();
    let tipsets = net.head().height();
    // An empty tipset's fixed cost (the executor, the market's cron, the flush, the commit): what
    // an instantly mining RPC pays twice per batch. Best of [`PROBES`] rounds of 100.
    let mut empty = Duration::MAX;
    for _ in 0..PROBES {
        let start = Instant::now();
        net.mine(EMPTY_TIPSETS)?;
        empty = empty.min(start.elapsed() / EMPTY_TIPSETS as u32);
    }
    let head = net.head();
    let peak_mined = peak_rss();
    drop(net);

    let label = format!("{mode:>6}");
    if mode == "memory" {
        println!(
            "ready, first devnet in a process:                   {}",
            super::ms(cold)
        );
        println!(
            "first tipset of it mined (the builtins compiled):   {}",
            super::ms(cold_tipset)
        );
    }
    println!(
        "{label}: ready, fresh:                          {}",
        super::ms(ready)
    );
    if mode != "memory" {
        let start = Instant::now();
        let net = Devnet::spawn(config)?;
        let reopen = start.elapsed();
        anyhow::ensure!(net.head() == head, "reopened at another head");
        drop(net);
        println!(
            "{label}: ready, reopening {mined} messages:       {}",
            super::ms(reopen)
        );
        let bytes = std::fs::metadata(dir.path().join(DATA_FILE))?.len();
        println!(
            "{label}: data directory:                     {:.1} MB, {:.0} bytes a message",
            bytes as f64 / 1e6,
            bytes as f64 / mined as f64
        );
    }
    println!(
        "{label}: signed transfers pushed and mined:  {mined} at {rate:.0} msgs/s ({tipsets} tipsets)"
    );
    println!(
        "{label}: time per message at 1,000 mined:    {}",
        super::us(at_1k)
    );
    println!(
        "{label}: time per message at {total} mined:  {} (x{:.2})",
        super::us(at_total),
        at_total.as_secs_f64() / at_1k.as_secs_f64()
    );
    println!(
        "{label}: CPU time per message at 1,000 → {total}: {} → {} (x{:.2})",
        super::us(cpu_1k),
        super::us(cpu_total),
        cpu_total.as_secs_f64() / cpu_1k.as_secs_f64()
    );
    println!(
        "{label}: time to mine an empty tipset:        {}",
        super::us(empty)
    );
    println!("{label}: peak RSS (VmHWM) mining {mined}:   {peak_mined}");
    if mode != "memory" {
        println!("{label}: peak RSS (VmHWM) with the reopen:  {}", peak_rss());
    }
    Ok(())
}

/// The process's CPU time (user + system, all threads): `CLOCK_PROCESS_CPUTIME_ID`, in
/// nanoseconds (`/proc/self/stat`'s 10 ms ticks made a 60 ms probe 6 or 9 ticks).
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// The process's peak resident set size, from `/proc/self/status`.
fn peak_rss() -> String {
    rss("VmHWM:")
}

/// A `/proc/self/status` size line (`VmHWM:`, `VmRSS:`), in MB.
fn rss(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l.trim_start_matches(field).trim().to_owned())
        })
        .map_or_else(
            || "unknown".to_owned(),
            |kb| {
                let kb: f64 = kb.trim_end_matches(" kB").parse().unwrap_or(0.0);
                format!("{:.0} MB", kb / 1024.0)
            },
        )
}
