//! `filmark deploy --network`: the Solidity twins deployed to a spawned `filmark devnet` as the
//! public networks get them (EIP-1559 transactions to the EAM), the dry run sending nothing, the
//! deployment file, the written addresses used through the SDK and the CLI; then the refusals
//! (no key, wrong chain id, no terminal without `--yes`).

use std::process::{Command, Output, Stdio};

use filmark_sdk::client::Register;
use filmark_sdk::keys::{SecpKey, parse_address};
use filmark_sdk::reexports::alloy_primitives::Bytes;
use filmark_sdk::reexports::filmark_abi::IFilmarkRegistry as I;
use filmark_sdk::{Client, HttpTransport, Signer};
use serde_json::Value;

use crate::devnet::start;

/// A `filmark devnet` (no native actors deployed): its URL and its funded f410 accounts' keys.
struct Node {
    child: std::process::Child,
    url: String,
    eth_keys: Vec<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node() -> Node {
    let (child, text) = start(&["--accounts", "1"]);
    let section = |label: &str| -> Vec<String> {
        let body = text.split(label).nth(1).unwrap();
        body.split("\n\n")
            .next()
            .unwrap()
            .lines()
            .skip(2)
            .map(str::to_owned)
            .collect()
    };
    // The accounts listed with an Ethereum address are the f410 ones; same order for keys.
    let eth: Vec<bool> = section("Available Accounts")
        .iter()
        .map(|l| l.contains(" 0x"))
        .collect();
    let eth_keys = section("Private Keys")
        .iter()
        .zip(eth)
        .filter(|(_, e)| *e)
        .map(|(l, _)| l.split_whitespace().nth(1).unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(!eth_keys.is_empty(), "{text}");
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("RPC URL:"))
        .unwrap()
        .trim()
        .to_owned();
    Node {
        child,
        url,
        eth_keys,
    }
}

/// `filmark ARGS` with a clean environment: the deployer key in `FILMARK_DEPLOY_KEY` if given,
/// stdin not a terminal.
fn filmark(key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_filmark"));
    cmd.args(args)
        .stdin(Stdio::null())
        .env_remove("FILMARK_DEPLOY_KEY")
        .env_remove("FILMARK_KEY")
        .env_remove("FILMARK_RPC")
        .env_remove("FILMARK_DEPLOYMENT")
        .env_remove("FILMARK_REGISTRY")
        .env_remove("FILMARK_ESCROW")
        .env("FILMARK_KEYSTORE", "/nonexistent/filmark-keys");
    if let Some(k) = key {
        cmd.env("FILMARK_DEPLOY_KEY", k);
    }
    cmd.output().unwrap()
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A failing run: its one stderr line.
fn one_line_error(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(out.status.code(), Some(0), "{err}");
    let last = err.lines().last().unwrap_or_default().to_owned();
    assert!(last.starts_with("error: "), "{err}");
    assert!(out.stdout.is_empty());
    last
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn cid(n: u8) -> cid::Cid {
    let digest = cid::multihash::Multihash::<64>::wrap(0x12, &[n; 32]);
    cid::Cid::new_v1(0x55, digest.unwrap())
}

#[test]
fn deploy_dry_run_sends_nothing_then_the_twins_deploy_and_take_calls() {
    let node = node();
    let key = node.eth_keys[0].clone();
    let signer = Signer::eth(SecpKey::parse(&key).unwrap());
    let rt = rt();
    let client = rt.block_on(Client::connect(HttpTransport::new(&node.url).unwrap()));
    let client = client.unwrap();
    let nonce = || rt.block_on(client.next_nonce(&signer.address())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = format!("{}/", dir.path().display());
    // A first gas estimate waits for the devnet's builtins to compile: a loaded machine's
    // debug build may take long.
    let base = [
        "deploy",
        "--network",
        "devnet",
        "--rpc-url",
        &node.url,
        "--timeout",
        "300",
    ];

    // The dry run: both transactions built and signed, nothing sent, nothing written.
    let before = nonce();
    let dry = json_of(&filmark(
        Some(&key),
        &[&base[..], &["--dry-run", "--json", "--out", &out_dir]].concat(),
    ));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["chain_id"], 31_415_926);
    for c in ["escrow", "registry"] {
        let tx = dry[c]["tx"].as_str().unwrap();
        assert!(tx.starts_with("0x") && tx.len() == 66, "{dry}");
        assert!(dry[c]["raw_bytes"].as_u64().unwrap() > 1_000, "{dry}");
        assert!(dry[c]["gas_limit"].as_u64().unwrap() > 1_000_000, "{dry}");
    }
    assert_eq!(dry["escrow"]["nonce"], before);
    assert_eq!(dry["registry"]["nonce"], before + 1);
    assert_eq!(nonce(), before, "the dry run sent something");
    assert!(!dir.path().join("devnet.json").exists());

    // The deployment: at the addresses the dry run predicted, two nonces used.
    let done = json_of(&filmark(
        Some(&key),
        &[&base[..], &["--yes", "--json", "--out", &out_dir]].concat(),
    ));
    let path = dir.path().join("devnet.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(done, file);
    assert_eq!(nonce(), before + 2);
    assert_eq!(file["format"], 1);
    assert_eq!(file["network"], "devnet");
    assert_eq!(file["chain_id"], 31_415_926);
    assert_eq!(
        file["deployer"]["eth"],
        signer.key().eth_address().to_string()
    );
    for c in ["escrow", "registry"] {
        let d = &file["contracts"][c];
        assert_eq!(d["eth"], dry[c]["eth"], "{file}");
        assert_eq!(file[c], d["f410"], "{file}");
        assert!(d["f410"].as_str().unwrap().starts_with("t410f"), "{file}");
        assert!(d["id"].as_str().unwrap().starts_with("t0"), "{file}");
        assert!(d["gas_used"].as_u64().unwrap() > 0, "{file}");
        assert_eq!(d["runtime_bytecode_keccak256"].as_str().unwrap().len(), 66);
    }
    assert!(
        file["compiler"].as_str().unwrap().contains("0.8."),
        "{file}"
    );
    // The registry was built to read this escrow.
    assert_eq!(
        file["contracts"]["registry"]["constructor_args"],
        format!(
            "0x000000000000000000000000{}",
            file["contracts"]["escrow"]["eth"]
                .as_str()
                .unwrap()
                .trim_start_matches("0x")
                .to_lowercase()
        )
    );

    // Through the SDK: register on the twin at the written address, read it back by its ABI.
    let registry = parse_address(file["registry"].as_str().unwrap()).unwrap();
    rt.block_on(
        client
            .registry(registry)
            .register(&signer, Register::new(cid(1)).kind("text/plain")),
    )
    .unwrap();
    let got = rt
        .block_on(client.read_abi(
            registry,
            &I::getCall {
                cid: Bytes::from(cid(1).to_bytes()),
            },
            "get",
        ))
        .unwrap();
    assert_eq!(got.cid.as_ref(), cid(1).to_bytes().as_slice());
    assert_eq!(got.kind, "text/plain");
    assert_eq!(got.owner, signer.key().eth_address());

    // Through the CLI with the deployment file: a second registration, then the first again is
    // the twin's "already registered" (the registry's exit code).
    let deployment = path.to_str().unwrap();
    let cli = |c: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_filmark"));
        cmd.args(["register", c, "--eth", "--json", "--deployment", deployment])
            .args([
                "--rpc",
                &node.url,
                "--network",
                "devnet",
                "--timeout",
                "300",
            ])
            .env("FILMARK_KEY", &key)
            .env_remove("FILMARK_REGISTRY")
            .env_remove("FILMARK_ESCROW");
        cmd.output().unwrap()
    };
    let reg = json_of(&cli(&cid(2).to_string()));
    assert_eq!(reg["registry"], file["registry"]);
    let again = one_line_error(&cli(&cid(1).to_string()));
    assert!(again.contains("exit code"), "{again}");
    let second = rt
        .block_on(client.read_abi(
            registry,
            &I::getCall {
                cid: Bytes::from(cid(2).to_bytes()),
            },
            "get",
        ))
        .unwrap();
    assert_eq!(second.owner, signer.key().eth_address());
    // `filmark status` reads the twin through the ABI with the same deployment file.
    let status = json_of(
        &Command::new(env!("CARGO_BIN_EXE_filmark"))
            .args(["status", &cid(2).to_string(), "--json"])
            .args(["--deployment", deployment, "--rpc", &node.url])
            .args(["--timeout", "300"])
            .env_remove("FILMARK_REGISTRY")
            .env_remove("FILMARK_ESCROW")
            .output()
            .unwrap(),
    );
    assert_eq!(status["cid"], cid(2).to_string().as_str(), "{status}");
    assert_eq!(status["order"], Value::Null, "{status}");

    // The node's chain id is checked: not calibration's, nor a --chain-id it does not serve.
    let wrong = one_line_error(&filmark(
        Some(&key),
        &[
            "deploy",
            "--network",
            "calibration",
            "--rpc-url",
            &node.url,
            "--yes",
        ],
    ));
    assert!(
        wrong.contains("refusing") && wrong.contains("314159") && wrong.contains("31415926"),
        "{wrong}"
    );
    let wrong = one_line_error(&filmark(
        Some(&key),
        &[&base[..], &["--chain-id", "5", "--yes", "--dry-run"]].concat(),
    ));
    assert!(wrong.contains("not devnet's 5"), "{wrong}");
    // `--chain-id` matching the devnet is accepted.
    let now = nonce();
    let dry = json_of(&filmark(
        Some(&key),
        &[
            &base[..],
            &["--chain-id", "31415926", "--dry-run", "--json"],
        ]
        .concat(),
    ));
    assert_eq!(dry["escrow"]["nonce"], now);
    assert_eq!(nonce(), now);
}

#[test]
fn deploy_refuses_without_a_key_a_terminal_or_the_right_chain() {
    // Nothing listens on port 9: each refusal comes before the node is asked.
    let rpc = "http://127.0.0.1:9/rpc/v1";
    let key = format!("0x{}", "11".repeat(32));
    let e = one_line_error(&filmark(
        None,
        &[
            "deploy",
            "--network",
            "calibration",
            "--rpc-url",
            rpc,
            "--yes",
        ],
    ));
    assert!(
        e.contains("no deployer key") && e.contains("FILMARK_DEPLOY_KEY"),
        "{e}"
    );
    let e = one_line_error(&filmark(
        Some(&key),
        &["deploy", "--network", "mainnet", "--rpc-url", rpc],
    ));
    assert!(
        e.contains("refusing to deploy without confirmation") && e.contains("--yes"),
        "{e}"
    );
    let e = one_line_error(&filmark(
        Some(&key),
        &[
            "deploy",
            "--network",
            "mainnet",
            "--chain-id",
            "314",
            "--yes",
            "--rpc-url",
            rpc,
        ],
    ));
    assert!(e.contains("only for --network devnet"), "{e}");
    // A key is never a flag's value: there is no such flag.
    let e = one_line_error(&filmark(
        None,
        &["deploy", "--network", "devnet", "--private-key", &key],
    ));
    assert!(e.contains("--private-key"), "{e}");
    // Calibration's committed deployment records none yet: the commands say where to look.
    let cid = cid(3).to_string();
    let e = one_line_error(&filmark(
        None,
        &["status", &cid, "--network", "calibration", "--rpc-url", rpc],
    ));
    assert!(
        e.contains("no registry") && e.contains("--network NAME with a committed deployment"),
        "{e}"
    );
    // --dry-run and --yes belong to the contracts' deployment.
    let e = one_line_error(&filmark(Some(&key), &["deploy", "--dry-run"]));
    assert!(e.contains("--network"), "{e}");
}
