//! One scenario per on-chain command, each run as the `filmark` binary against a spawned
//! `filmark devnet` process: its output, and the chain read back (through other commands, which
//! go through the SDK's `status` and escrow reads). Then the bad inputs of issue 15: each one
//! clear line on stderr and a non-zero exit.

use std::path::Path;
use std::process::{Child, Command, Output};

use serde_json::Value;

use crate::devnet::start;

/// A `filmark devnet --deploy` process: its URL, its f1 keys (hex) and Filmark's addresses.
struct Node {
    child: Child,
    url: String,
    keys: Vec<String>,
    registry: String,
    escrow: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node() -> Node {
    let (child, text) = start(&["--accounts", "2", "--deploy"]);
    let after = |label: &str| -> Vec<String> {
        text.split(label)
            .nth(1)
            .unwrap()
            .split("\n\n")
            .next()
            .unwrap()
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().nth(1).unwrap_or_default().to_owned())
            .collect()
    };
    let keys = after("Private Keys");
    let actors = after("Filmark Actors");
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("RPC URL:"))
        .unwrap()
        .trim()
        .to_owned();
    Node {
        child,
        url,
        keys,
        registry: actors[0].clone(),
        escrow: actors[1].clone(),
    }
}

impl Node {
    /// `filmark ARGS --rpc URL --registry R --escrow E` as key `key` (index of an f1 account).
    fn run(&self, key: usize, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_filmark"));
        cmd.args(args)
            .args(["--rpc", &self.url, "--timeout", "30"])
            .env("FILMARK_KEY", &self.keys[key])
            .env("FILMARK_REGISTRY", &self.registry)
            .env("FILMARK_ESCROW", &self.escrow)
            .env_remove("FILMARK_DEPLOYMENT")
            .env_remove("FILMARK_KEYSTORE");
        cmd.output().unwrap()
    }

    fn json(&self, key: usize, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(key, &all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// A failing run: its one stderr line.
    fn fails(&self, key: usize, args: &[&str]) -> String {
        one_line_error(&self.run(key, args))
    }
}

fn one_line_error(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

fn atto(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

const FIL: u128 = 1_000_000_000_000_000_000;

#[test]
fn deploy_writes_both_addresses_and_they_take_calls() {
    let node = node();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deployment.json");
    let printed = node.json(0, &["deploy", "--out", out.to_str().unwrap()]);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(printed, file);
    for actor in ["registry", "escrow"] {
        let a = file[actor].as_str().unwrap();
        assert!(a.starts_with("t0"), "{a}");
        assert_ne!(a, node.registry);
        assert_ne!(a, node.escrow);
    }
    // The new escrow answers: an account that never deposited holds nothing.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_filmark"));
    let shown = cmd
        .args(["escrow", "show", "--json", "--rpc", &node.url])
        .args(["--deployment", out.to_str().unwrap()])
        .env("FILMARK_KEY", &node.keys[1])
        .env_remove("FILMARK_ESCROW")
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["available"], "0");
}

fn write_file(dir: &Path, bytes: usize) -> String {
    let path = dir.join("post.txt");
    let text: Vec<u8> = (0..bytes).map(|i| b"filmark "[i % 8]).collect();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn register_then_status_shows_the_record() {
    let node = node();
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), 5000);
    let reg = node.json(
        0,
        &[
            "register",
            &file,
            "--meta",
            "title=hello",
            "--meta",
            "lang=en",
        ],
    );
    let cid = reg["cid"].as_str().unwrap().to_owned();
    assert!(cid.starts_with("baf"), "{reg}");
    assert!(reg["registry"].as_str().unwrap().starts_with("t0"), "{reg}");
    assert_eq!(reg["size"], 5000);
    assert!(reg["piece_cid"].as_str().unwrap().starts_with("baga"));
    let status = node.json(1, &["status", &cid]);
    assert_eq!(status["cid"], cid.as_str());
    assert_eq!(status["size"], 5000);
    assert_eq!(status["metadata"]["title"], "hello");
    assert_eq!(status["metadata"]["lang"], "en");
    assert_eq!(status["piece_cid"], reg["piece_cid"]);
    // The registry keeps owners as actor ids; the sender was an f1.
    assert!(
        status["owner"].as_str().unwrap().starts_with("t0"),
        "{status}"
    );
    assert!(reg["owner"].as_str().unwrap().starts_with("t1"), "{reg}");
    assert_eq!(status["order"], Value::Null);
    // Text output names the record.
    let text = node.run(1, &["status", &cid]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("meta       title=hello") && text.contains("order      none"),
        "{text}"
    );

    // The same CID again: the registry's error, with its exit code.
    let again = node.fails(0, &["register", &cid]);
    assert!(again.contains("exit code"), "{again}");
    assert!(
        again.contains(&cid),
        "names what was not registered: {again}"
    );
}

#[test]
fn escrow_deposit_withdraw_order_fund_settle_close_and_show() {
    let node = node();
    let dep = node.json(0, &["escrow", "deposit", "2"]);
    assert_eq!(atto(&dep["available"]), 2 * FIL);
    let wd = node.json(0, &["escrow", "withdraw", "0.5"]);
    assert_eq!(atto(&wd["available"]), 3 * FIL / 2);
    let shown = node.json(0, &["escrow", "show"]);
    assert_eq!(atto(&shown["available"]), 3 * FIL / 2);
    // The same through the Ethereum path: an f410 account's key (index 2), Solidity-ABI calls.
    let eth = node.json(2, &["escrow", "deposit", "0.25", "--eth"]);
    assert_eq!(atto(&eth["available"]), FIL / 4);
    let shown = node.json(2, &["escrow", "show", "--eth"]);
    assert!(
        shown["account"].as_str().unwrap().starts_with("t410f"),
        "{shown}"
    );
    assert_eq!(atto(&shown["available"]), FIL / 4);

    // A real piece: a file's CAR, packed by `filmark content pack`.
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), 3000);
    let car = dir.path().join("post.car");
    let packed = Command::new(env!("CARGO_BIN_EXE_filmark"))
        .args([
            "content",
            "pack",
            &file,
            "--json",
            "-o",
            car.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let packed: Value = serde_json::from_slice(&packed.stdout).unwrap();
    let piece = packed["piece_cid_v1"].as_str().unwrap();
    let size = packed["padded_size"].to_string();
    let order = node.json(
        0,
        &[
            "escrow",
            "order",
            "--piece",
            piece,
            "--piece-size",
            &size,
            "--price",
            "0.001",
            "--duration",
            "100",
        ],
    );
    let id = order["order_id"].as_u64().unwrap().to_string();
    assert_eq!(atto(&order["sent"]), FIL / 10);
    // Sponsored by the second account.
    node.json(1, &["escrow", "fund", &id, "0.05"]);
    let o = node.json(1, &["escrow", "show", &id]);
    assert_eq!(o["piece_cid"], piece);
    assert_eq!(atto(&o["funded"]), FIL / 10 + FIL / 20);
    assert_eq!(o["closed"], false);
    // No deal yet: settling pays nothing; binding a deal that does not exist is the escrow's
    // error with its exit code.
    let settled = node.json(1, &["escrow", "settle", &id]);
    assert_eq!(settled["paid"], "0");
    let bind = node.fails(1, &["escrow", "bind", &id, "999"]);
    assert!(bind.contains("exit code"), "{bind}");
    // Closing before the order could end is refused by the escrow, which says why.
    let close = node.fails(0, &["escrow", "close", &id]);
    assert!(close.contains("exit code"), "{close}");
    let text = String::from_utf8(node.run(0, &["escrow", "show", &id]).stdout).unwrap();
    assert!(text.contains("funded    0.15 FIL"), "{text}");
}

#[test]
fn bad_input_is_one_clear_line() {
    let node = node();
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), 100);
    let unregistered = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    let e = node.fails(0, &["status", unregistered]);
    assert!(e.contains("is not registered"), "{e}");
    let e = node.fails(0, &["register", "/nonexistent/file"]);
    assert!(e.contains("no such file, and not a CID"), "{e}");
    let e = node.fails(0, &["escrow", "deposit", "1000000000"]);
    assert!(
        e.to_lowercase().contains("fund") || e.contains("balance"),
        "{e}"
    );
    let e = node.fails(0, &["escrow", "deposit", "abc"]);
    assert!(e.contains("is not an amount"), "{e}");

    // Unreachable node: refused at once; a node that never answers: the timeout.
    let out = Command::new(env!("CARGO_BIN_EXE_filmark"))
        .args(["register", &file, "--rpc", "http://127.0.0.1:9/rpc/v1"])
        .env("FILMARK_KEY", &node.keys[0])
        .env("FILMARK_REGISTRY", &node.registry)
        .output()
        .unwrap();
    let e = one_line_error(&out);
    assert!(
        e.contains("cannot reach the node at http://127.0.0.1:9/rpc/v1"),
        "{e}"
    );
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rpc/v1", silent.local_addr().unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_filmark"))
        .args(["status", unregistered, "--rpc", &url, "--timeout", "1"])
        .env("FILMARK_REGISTRY", &node.registry)
        .env("FILMARK_ESCROW", &node.escrow)
        .output()
        .unwrap();
    let e = one_line_error(&out);
    assert!(e.contains("no answer within 1 s"), "{e}");

    // Wrong key formats: the environment's, a key file's.
    let out = Command::new(env!("CARGO_BIN_EXE_filmark"))
        .args(["escrow", "show", "--rpc", &node.url])
        .env("FILMARK_KEY", "0x1234")
        .env("FILMARK_ESCROW", &node.escrow)
        .output()
        .unwrap();
    let e = one_line_error(&out);
    assert!(
        e.contains("FILMARK_KEY") && e.contains("invalid key format"),
        "{e}"
    );
    let bad_key = dir.path().join("bad.key");
    std::fs::write(&bad_key, "not a key").unwrap();
    let e = node.fails(
        0,
        &["escrow", "show", "--key-file", bad_key.to_str().unwrap()],
    );
    assert!(
        e.contains("bad.key") && e.contains("invalid key format"),
        "{e}"
    );
}

#[test]
fn demo_stores_a_file_end_to_end() {
    let out = Command::new(env!("CARGO_BIN_EXE_filmark"))
        .args(["demo", "--json", "--size", "20000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paid = atto(&v["paid_to_provider"]);
    let funded = atto(&v["funded"]);
    let refunded = atto(&v["refunded"]);
    assert!(paid > 0, "{v}");
    assert_eq!(paid + refunded, funded, "what is not paid is refunded: {v}");
    assert!(refunded > 0, "the sponsor's surplus comes back: {v}");
    let status = &v["status"];
    assert_eq!(status["cid"], v["cid"]);
    assert_eq!(status["order"]["id"], v["order_id"]);
    assert_eq!(status["order"]["closed"], true);
    assert_eq!(status["order"]["sponsors"].as_array().unwrap().len(), 2);
    assert!(v["funded_until"].as_i64().unwrap() > 0, "{v}");
}
