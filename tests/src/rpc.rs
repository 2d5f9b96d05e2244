//! A [`Chain`] over HTTP JSON-RPC: a `filmark devnet` process, reached with the SDK's
//! [`HttpTransport`] (Lotus' `Filecoin.*` and `eth_*` methods, the devnet's controls through
//! [`filmark_sdk::transport::DevnetControls`]).
//!
//! The process is the workspace's own `filmark` binary: [`spawn`] builds it (a no-op when it is
//! fresh) into the target directory this test binary runs from, or takes the path in
//! `FILMARK_BIN`. It starts on a free loopback port with the `fast` market policy, as
//! [`filmark_devnet::DevnetConfig::test`], and is killed when the chain drops.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use filmark_devnet::KeyKind;
use filmark_sdk::HttpTransport;
use filmark_sdk::keys::SecpKey;

use crate::chain::{Chain, Error, Node, Result};

/// How long the process may take to print its RPC URL.
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How long one request may take: the spawned devnet compiles its builtin actors in the
/// background, and a debug build on a loaded 2-core CI machine has needed more than the SDK's
/// default 30 s for the first gas estimate.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A [`Chain`] over HTTP.
pub type RpcChain = Chain<HttpTransport>;

/// The `filmark devnet` process, killed on drop.
#[derive(Debug)]
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Node for Process {}

fn rpc_err(what: impl std::fmt::Display) -> Error {
    Error::Process(what.to_string())
}

/// The `filmark` binary: `FILMARK_BIN`, or built next to this test binary's profile directory.
fn binary() -> Result<PathBuf> {
    static BIN: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("FILMARK_BIN") {
            return Ok(PathBuf::from(bin));
        }
        // target/<profile>/deps/<test binary>
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .ok_or("no target directory above the test binary")?;
        let target = profile_dir.parent().ok_or("no target directory")?;
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "-p", "filmark-cli", "--bin", "filmark"])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        if release {
            build.arg("--release");
        }
        let status = build.status().map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build -p filmark-cli failed: {status}"));
        }
        Ok(profile_dir.join(format!("filmark{}", std::env::consts::EXE_SUFFIX)))
    })
    .clone()
    .map_err(Error::Process)
}

/// Starts `filmark devnet --port 0 --market-policy fast`, reads its startup text (URL, chain
/// id, keys) and connects the SDK to it.
///
/// # Errors
/// [`Error::Process`] when the binary cannot be built or started, or prints no RPC URL in
/// time; the SDK's when it cannot connect.
pub fn spawn() -> Result<RpcChain> {
    let mut child = Command::new(binary()?)
        .args(["devnet", "--port", "0", "--market-policy", "fast"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| rpc_err(format!("starting filmark devnet: {e}")))?;
    let stdout = child.stdout.take().ok_or_else(|| rpc_err("no stdout"))?;
    let process = Process(child);
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + START_TIMEOUT;
    let mut text = String::new();
    while !text.contains("Listening on") {
        if Instant::now() > deadline {
            return Err(rpc_err(format!("no RPC URL in time: {text}")));
        }
        match lines.next() {
            Some(Ok(line)) => {
                text.push_str(&line);
                text.push('\n');
            }
            _ => return Err(rpc_err(format!("filmark devnet exited: {text}"))),
        }
    }
    let (url, _chain_id, f1, eth) = parse_banner(&text)?;
    let transport = HttpTransport::new(url)?.with_timeout(REQUEST_TIMEOUT)?;
    Chain::new("rpc", transport, f1, eth, Box::new(process))
}

/// The URL, chain id and keys from `filmark devnet`'s startup text.
fn parse_banner(text: &str) -> Result<(String, u64, Vec<SecpKey>, Vec<SecpKey>)> {
    let mut kinds = Vec::new();
    let mut keys = Vec::new();
    let mut section = "";
    let mut chain_id = None;
    let mut url = None;
    for line in text.lines() {
        if let Some(u) = line.strip_prefix("RPC URL:") {
            url = Some(u.trim().to_owned());
        }
        if !line.starts_with('(') && !line.starts_with('=') && !line.is_empty() {
            if section == "Chain ID" && chain_id.is_none() {
                chain_id = line.trim().parse::<u64>().ok();
            }
            if !line.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                section = line.trim();
            }
            continue;
        }
        let Some((_, rest)) = line.split_once(") ") else {
            continue;
        };
        let first = rest.split_whitespace().next().unwrap_or_default();
        match section {
            "Available Accounts" => kinds.push(if first.starts_with("t410") {
                KeyKind::Eth
            } else {
                KeyKind::Secp256k1
            }),
            "Private Keys" => keys.push(
                SecpKey::from_hex(first.trim_start_matches("0x"))
                    .map_err(|e| rpc_err(format!("private key: {e}")))?,
            ),
            _ => {}
        }
    }
    let (mut f1, mut eth) = (Vec::new(), Vec::new());
    for (kind, key) in kinds.into_iter().zip(keys) {
        match kind {
            KeyKind::Eth => eth.push(key),
            _ => f1.push(key),
        }
    }
    Ok((
        url.ok_or_else(|| rpc_err("no RPC URL in the startup text"))?,
        chain_id.ok_or_else(|| rpc_err("no chain id in the startup text"))?,
        f1,
        eth,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_the_startup_text() {
        let text = "filmark devnet 0.1.0\n\nAvailable Accounts\n==================\n\
            (0) t1abc  t0100  (1 FIL)\n(1) t410fxyz  0xab  t0101  (1 FIL)\n\nPrivate Keys\n\
            ==================\n(0) 0x0101010101010101010101010101010101010101010101010101010101010101\n\
            (1) 0x0202020202020202020202020202020202020202020202020202020202020202\n\nChain ID\n\
            ==================\n314159\n\nRPC URL:   http://127.0.0.1:5/rpc/v1\nListening on 127.0.0.1:5\n";
        let (url, chain_id, f1, eth) = parse_banner(text).unwrap();
        assert_eq!(
            (url.as_str(), chain_id),
            ("http://127.0.0.1:5/rpc/v1", 314_159)
        );
        assert_eq!((f1.len(), eth.len()), (1, 1));
        assert_eq!(
            eth[0].f410_address(),
            SecpKey::from_bytes(&[2; 32]).unwrap().f410_address()
        );
        assert_eq!(
            f1[0].f1_address(),
            SecpKey::from_bytes(&[1; 32]).unwrap().f1_address()
        );
    }
}
