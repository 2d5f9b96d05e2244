//! Load benchmark (loopback only, bounded): 10,000 signed EIP-1559 transfers from 10 senders
//! sent with `eth_sendRawTransaction` over HTTP, by one Node script (`js/bench/load.js`), against
//! the devnet's server and, in the same run, a Hardhat node (`js/bench`, pinned) with the same
//! keys and chain id; with instant mining (automine) and a 1 s block time. Prints each run's
//! line, a table with the ratio to Hardhat, and the resident memory after each load.
//!
//! `cargo bench -p filmark-devnet-rpc --bench load` (needs `node` and `npm ci` in
//! `devnet/rpc/js/bench`). `FILMARK_BENCH_TXS` overrides the count (default 10,000);
//! `FILMARK_BENCH_MINING=instant` (or `interval`) runs one mining mode only, and
//! `FILMARK_BENCH_HARDHAT=0` skips Hardhat (for profiling the devnet).
//!
//! The devnet's line also gives the tipsets mined during its load (`tipsets`; with instant mining
//! each batch of sends takes two, see the group commit in `src/eth/batch.rs`).
//!
//! The table also gives the CPU time (user + system) per transaction of each node's process
//! during its load and of the load client itself (`clientCpuUsPerTx`, node's own measure while
//! sending): the two share the machine's cores, so a client that needs as much CPU as the node
//! bounds what any node can show.
//!
//! `FILMARK_BENCH_ERC20=1` makes the transactions OpenZeppelin ERC-20 `transfer`s (`load.js
//! --erc20`; also needs `npm ci` in `devnet/rpc/js`, for solc-js): each run also prints the
//! token's deploy time and the gas one transfer used (FVM gas on the devnet, EVM gas on
//! Hardhat).

/// The allocator of the `filmark` binary that serves `filmark devnet` (cli/src/main.rs), so that
/// the devnet served here runs as the command's does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use filmark_devnet::{Devnet, DevnetConfig, KeyKind, Mining};
use filmark_devnet_rpc::{RpcConfig, RpcServer};
use serde_json::Value;

/// Senders (the devnet's prefunded f410 accounts).
const SENDERS: usize = 10;
/// How long one load run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js/bench")
}

/// CPU time (user + system) of process `pid` so far, in µs (`/proc/<pid>/stat`, 10 ms ticks).
fn cpu_us(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks * 10_000.0
}

/// Resident memory of process `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs the load script against `url`; its JSON line.
fn load(url: &str, label: &str, keys: &str, txs: usize) -> anyhow::Result<Value> {
    let mut child = Command::new("node")
        .args(["load.js", "--url", url, "--label", label, "--txs"])
        .arg(txs.to_string())
        .args(erc20().then_some("--erc20"))
        .current_dir(bench_dir())
        .env("FILMARK_BENCH_KEYS", keys)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("spawning node")?;
    let started = Instant::now();
    let stdout = child.stdout.take().context("stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut last = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            last = line;
        }
        let _ = tx.send(last);
    });
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("load.js against {label} failed: {status}");
            }
            break;
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            bail!("load.js against {label} ran past {RUN_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let line = rx.recv_timeout(Duration::from_secs(5))?;
    let v: Value = serde_json::from_str(&line).with_context(|| format!("parsing {line:?}"))?;
    println!("{line}");
    Ok(v)
}

/// Whether the load is ERC-20 transfers (`FILMARK_BENCH_ERC20` set, not `0`).
fn erc20() -> bool {
    std::env::var("FILMARK_BENCH_ERC20").is_ok_and(|v| v != "0")
}

/// A free loopback port.
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A Hardhat node with the same keys and chain id; killed on drop.
struct Hardhat(Child, String);

impl Hardhat {
    fn start(keys: &str, chain_id: u64, interval_ms: u64) -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new("node")
            .args([
                "node_modules/hardhat/internal/cli/bootstrap.js",
                "node",
                "--hostname",
                "127.0.0.1",
                "--port",
            ])
            .arg(port.to_string())
            .current_dir(bench_dir())
            .env("FILMARK_BENCH_KEYS", keys)
            .env("FILMARK_BENCH_CHAIN_ID", chain_id.to_string())
            .env("FILMARK_BENCH_INTERVAL_MS", interval_ms.to_string())
            .env("HARDHAT_DISABLE_TELEMETRY_PROMPT", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("spawning the Hardhat node")?;
        let url = format!("http://127.0.0.1:{port}");
        let hardhat = Self(child, url);
        let deadline = Instant::now() + Duration::from_secs(120);
        let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
        loop {
            let up = agent
                .post(&hardhat.1)
                .header("Content-Type", "application/json")
                .send(r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#)
                .is_ok();
            if up {
                return Ok(hardhat);
            }
            if Instant::now() > deadline {
                bail!("the Hardhat node did not answer within 120 s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Hardhat {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether `FILMARK_BENCH_MINING` (unset: both) selects the mode named `name`.
fn mode_selected(name: &str) -> bool {
    std::env::var("FILMARK_BENCH_MINING").map_or(true, |m| name.starts_with(m.as_str()))
}

fn main() -> anyhow::Result<()> {
    if Command::new("node").arg("--version").output().is_err() {
        bail!("the load benchmark needs `node` (Node.js ≥ 20)");
    }
    if !bench_dir().join("node_modules").is_dir() {
        bail!("run `npm ci` in {} first", bench_dir().display());
    }
    let txs: usize = std::env::var("FILMARK_BENCH_TXS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let hardhat_too = std::env::var("FILMARK_BENCH_HARDHAT").map_or(true, |v| v != "0");
    let mut rows = Vec::new();
    for (name, mining, interval_ms) in [
        ("instant", Mining::Instant, 0),
        ("1 s blocks", Mining::Interval(Duration::from_secs(1)), 1000),
    ] {
        if !mode_selected(if interval_ms == 0 {
            "instant"
        } else {
            "interval"
        }) {
            continue;
        }
        let mut config = DevnetConfig::test().with_mining(mining);
        config.verbose = false;
        let handle = Devnet::spawn(config)?;
        let net = handle.devnet();
        // One tipset first: it waits for the builtin actors' background compile, which would
        // otherwise count in the devnet's CPU time during the load.
        net.mine(1)?;
        let keys: Vec<String> = (0..SENDERS)
            .map(|i| {
                let key = net.account(KeyKind::Eth, i).map(|a| a.key)?;
                Ok(format!("0x{}", hex::encode(key.secp_key().secret_bytes())))
            })
            .collect::<anyhow::Result<_>>()?;
        let keys = keys.join(",");
        let server = RpcServer::spawn(net.clone(), RpcConfig::test())?;
        let me = std::process::id();
        let cpu = cpu_us(me);
        let height = net.head().height();
        let mut ours = load(&server.url(), &format!("filmark {name}"), &keys, txs)?;
        ours["nodeCpuUsPerTx"] = ((cpu_us(me) - cpu) / txs as f64).round().into();
        ours["tipsets"] = (net.head().height() - height).into();
        let ours_rss = rss_mib(me);
        drop(server);
        drop(handle);
        let (theirs, theirs_rss) = if hardhat_too {
            let hardhat = Hardhat::start(&keys, net.chain_id(), interval_ms)?;
            let pid = hardhat.0.id();
            let cpu = cpu_us(pid);
            let mut theirs = load(&hardhat.1, &format!("hardhat {name}"), &keys, txs)?;
            theirs["nodeCpuUsPerTx"] = ((cpu_us(pid) - cpu) / txs as f64).round().into();
            (theirs, rss_mib(pid))
        } else {
            (Value::Null, f64::NAN)
        };
        rows.push((name, ours, ours_rss, theirs, theirs_rss));
    }
    println!();
    println!(
        "| mining | node | sent tx/s | p50 ms | p99 ms | mined tx/s | RSS after (MiB) | node CPU µs/tx | client CPU µs/tx | failures | tipsets |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, ours, ours_rss, theirs, theirs_rss) in &rows {
        for (node, v, rss) in [("filmark", ours, ours_rss), ("hardhat", theirs, theirs_rss)] {
            if v.is_null() {
                continue;
            }
            println!(
                "| {name} | {node} | {} | {} | {} | {} | {rss:.0} | {} | {} | {} | {} |",
                v["sentTps"],
                v["p50ms"],
                v["p99ms"],
                v["minedTps"],
                v["nodeCpuUsPerTx"],
                v["clientCpuUsPerTx"],
                v["failures"],
                v.get("tipsets")
                    .map_or_else(String::new, ToString::to_string)
            );
        }
        if theirs.is_null() {
            continue;
        }
        let ratio =
            ours["sentTps"].as_f64().unwrap_or(0.0) / theirs["sentTps"].as_f64().unwrap_or(1.0);
        let mined =
            ours["minedTps"].as_f64().unwrap_or(0.0) / theirs["minedTps"].as_f64().unwrap_or(1.0);
        println!("| {name} | filmark ÷ hardhat | ×{ratio:.2} | | | ×{mined:.2} | | |");
    }
    if erc20() {
        println!();
        println!("| mining | node | ERC-20 deploy (s) | gas of one transfer |");
        println!("|---|---|---|---|");
        for (name, ours, _, theirs, _) in &rows {
            for (node, v) in [("filmark", ours), ("hardhat", theirs)] {
                if v.is_null() {
                    continue;
                }
                println!(
                    "| {name} | {node} | {} | {} |",
                    v["deploySecs"], v["transferGasUsed"]
                );
            }
        }
    }
    Ok(())
}
