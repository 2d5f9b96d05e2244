//! `filmark devnet` as a process: startup text, JSON-RPC over HTTP, clean shutdown on SIGINT.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn filmark() -> Command {
    Command::new(env!("CARGO_BIN_EXE_filmark"))
}

/// Starts `filmark devnet ARGS --port 0`; the child and its startup text up to "Listening on".
pub(crate) fn start(args: &[&str]) -> (Child, String) {
    let mut child = filmark()
        .arg("devnet")
        .args(args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !text.contains("Listening on") {
        assert!(Instant::now() < deadline, "no startup text: {text}");
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("exited early: {text}{err}");
        }
        text.push_str(&line);
    }
    (child, text)
}

/// Posts a JSON-RPC body to `host:port` over a plain HTTP/1.1 connection; the reply body.
fn post(addr: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /rpc/v1 HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    reply
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

fn interrupt(child: &mut Child) -> std::process::ExitStatus {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    child.wait().unwrap()
}

#[test]
fn it_announces_accounts_serves_json_rpc_and_stops_on_ctrl_c() {
    // Calibration's chain id: still a Filmark devnet (known by its network name), so --deploy works.
    let (mut child, text) = start(&["--accounts", "2", "--chain-id", "314159", "--deploy"]);
    for want in [
        "Available Accounts",
        "(0) t1",
        "(2) t410f",
        "Private Keys",
        "(0) 0x",
        "Lotus Key Info",
        "(0) 7b2254797065223a22736563703235366b31222c22507269766174654b6579223a22",
        "registry  t0",
        "escrow    t0",
        "Chain ID\n==================\n314159",
        "RPC URL:   http://127.0.0.1:",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    assert!(
        text.contains("  0x"),
        "the f410 accounts' 0x addresses:\n{text}"
    );
    assert!(
        text.contains("(3) 0x") && !text.contains("(4) 0x"),
        "two accounts of each kind:\n{text}"
    );
    let addr = text
        .lines()
        .find_map(|l| l.strip_prefix("Listening on "))
        .unwrap()
        .trim()
        .to_owned();
    let reply = post(
        &addr,
        r#"{"jsonrpc":"2.0","id":1,"method":"Filecoin.ChainHead","params":[]}"#,
    );
    assert!(
        reply.contains(r#""Height":2"#),
        "two deploys, two tipsets: {reply}"
    );
    let status = interrupt(&mut child);
    assert!(status.success(), "{status:?}");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("Shutting down"), "{err}");
    assert!(
        TcpStream::connect(&addr).is_err(),
        "still listening after shutdown"
    );
}

#[test]
fn it_warns_off_loopback_and_refuses_a_bad_block_time() {
    let (mut child, _) = start(&["--host", "0.0.0.0", "--accounts", "1"]);
    assert!(interrupt(&mut child).success());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("warning: listening on 0.0.0.0"), "{err}");
    let out = filmark()
        .args(["devnet", "--block-time", "-1", "--port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

fn listening(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("Listening on "))
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn a_data_dir_resumes_after_ctrl_c_and_a_foreign_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("chain");
    let data = data.to_str().unwrap();
    let head = r#"{"jsonrpc":"2.0","id":1,"method":"Filecoin.ChainHead","params":[]}"#;

    let (mut child, text) = start(&["--accounts", "1", "--data-dir", data, "--deploy"]);
    let before = post(&listening(&text), head);
    assert!(before.contains(r#""Height":2"#), "{before}");
    assert!(interrupt(&mut child).success());

    let (mut child, text) = start(&["--accounts", "1", "--data-dir", data]);
    let after = post(&listening(&text), head);
    assert_eq!(after, before, "the same head after a restart");
    assert!(interrupt(&mut child).success());

    // Another chain id than the directory's chain: refused, not a silent new chain.
    let out = filmark()
        .args([
            "devnet",
            "--accounts",
            "1",
            "--data-dir",
            data,
            "--chain-id",
            "7",
        ])
        .args(["--port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: ") && err.contains(data), "{err}");

    // A file that is not a devnet database.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("devnet.redb"), b"not a database").unwrap();
    let out = filmark()
        .args([
            "devnet",
            "--data-dir",
            foreign.to_str().unwrap(),
            "--port",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}
