//! Real clients no one here wrote, run by `node` against a served devnet: viem, ethers v6
//! (`js/test/viem.js`, `js/test/ethers.js`) and iso-filecoin's Lotus RPC (`js/test/lotus.js`).
//! The packages are pinned in `js/package-lock.json` (`npm ci` in `devnet/rpc/js`, which
//! `scripts/test.sh` runs). Without `node` the tests say so and pass; without the packages they
//! fail, naming the command.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alloy_primitives::hex;
use alloy_sol_types::{SolCall, SolEvent};
use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::KeyKind;
use filmark_registry::abi::IFilmarkRegistry as I;
use filmark_registry::types::ConstructorParams;
use filmark_sdk::keys::masked_id;
use fvm_ipld_encoding::RawBytes;

use crate::common::Served;

/// How long one client script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

pub(crate) fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// `node`, if installed.
pub(crate) fn node() -> Option<&'static str> {
    let ok = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some("node")
}

/// Runs `script` against a fresh served devnet with the registry deployed; panics with the
/// script's output if it fails.
fn run(script: &str) {
    let Some(node) = node() else {
        eprintln!(
            "SKIPPED {script}: `node` is not installed (the real-client tests need Node.js ≥ 20)"
        );
        return;
    };
    let dir = js_dir();
    assert!(
        dir.join("node_modules").is_dir(),
        "the client packages are not installed: run `npm ci` in {}",
        dir.display()
    );
    let served = Served::new();
    let net = served.devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
    let registry = net.deploy(&owner.key, REGISTRY_WASM, ctor).unwrap();
    let registry = masked_id(registry.id_address.id().unwrap());
    let eth_keys: Vec<String> = (0..3)
        .map(|i| {
            let key = net.account(KeyKind::Eth, i).unwrap().key;
            format!("0x{}", hex::encode(key.secp_key().secret_bytes()))
        })
        .collect();
    let cids: Vec<String> = (1..=2u8)
        .map(|n| {
            format!(
                "0x{}",
                hex::encode(filmark_devnet::code_cid(&[n; 8]).to_bytes())
            )
        })
        .collect();
    let mut child = Command::new(node)
        .arg(format!("test/{script}"))
        .current_dir(&dir)
        .env("FILMARK_RPC_URL", served.server.url())
        .env("FILMARK_CHAIN_ID", net.chain_id().to_string())
        .env("FILMARK_ETH_KEYS", eth_keys.join(","))
        .env(
            "FILMARK_F1_KEY",
            hex::encode(owner.key.secp_key().secret_bytes()),
        )
        .env("FILMARK_REGISTRY", registry.to_string())
        .env(
            "FILMARK_REGISTER_SELECTOR",
            hex::encode_prefixed(I::registerCall::SELECTOR),
        )
        .env(
            "FILMARK_COUNTS_SELECTOR",
            hex::encode_prefixed(I::countsCall::SELECTOR),
        )
        .env(
            "FILMARK_REGISTERED_TOPIC",
            I::Registered::SIGNATURE_HASH.to_string(),
        )
        .env("FILMARK_CIDS", cids.join(","))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning node");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        status.success(),
        "{script} failed ({status}, after {:?}):\n{stdout}\n{stderr}",
        started.elapsed()
    );
    assert!(stdout.contains(": ok"), "{stdout}\n{stderr}");
}

#[test]
fn viem_transfers_calls_the_registry_and_reads_its_event() {
    run("viem.js");
}

#[test]
fn ethers_v6_transfers_calls_the_registry_and_reads_its_event() {
    run("ethers.js");
}

#[test]
fn a_lotus_client_from_npm_pushes_a_message_and_waits_for_it() {
    run("lotus.js");
}

#[test]
// An OpenZeppelin ERC-20, compiled by solc-js in the script, deployed and transferred by viem.
fn viem_deploys_and_transfers_an_openzeppelin_erc20() {
    run("erc20-viem.js");
}

#[test]
// The same ERC-20 with ethers v6.
fn ethers_deploys_and_transfers_an_openzeppelin_erc20() {
    run("erc20-ethers.js");
}

#[test]
// The devnet README's viem deploy, run as the README shows it.
fn the_readme_viem_deploy_runs_and_is_what_the_readme_shows() {
    let script = std::fs::read_to_string(js_dir().join("test/readme-deploy.js")).unwrap();
    let from = script.find("\nimport").unwrap() + 1;
    let to = script.find("\nconsole.log(`deployed").unwrap();
    let end = to + 1 + script[to + 1..].find('\n').unwrap();
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(readme).unwrap();
    assert!(
        readme.contains(&format!("```js\n{}\n```", &script[from..end])),
        "devnet/README.md does not show js/test/readme-deploy.js as is"
    );
    run("readme-deploy.js");
}
