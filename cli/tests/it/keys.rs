//! `filmark keys new|import|list`: the key store on disk, every import form, and bad keys.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use filmark_sdk::keys::{HdAccount, KeyInfo, KeyType, SecpKey};
use serde_json::Value;

/// `filmark keys ARGS --keystore STORE`, with `stdin` piped in, no key in the environment.
fn keys(store: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_filmark"))
        .arg("keys")
        .args(args)
        .arg("--keystore")
        .arg(store)
        .env_remove("FILMARK_KEY")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one stderr line of a failed run (exit code 1, nothing on stdout).
fn one_error(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

const MNEMONIC: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon \
                        abandon abandon about";

#[test]
fn new_import_and_list_keep_each_key_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("keys");

    let alice = ok_json(&keys(&store, &["new", "alice", "--json"], "", &[]));
    assert_eq!(alice["type"], "secp256k1");
    assert!(alice["address"].as_str().unwrap().starts_with("f1"));
    let bob = ok_json(&keys(&store, &["new", "bob", "--eth", "--json"], "", &[]));
    assert_eq!(bob["type"], "delegated");
    assert!(bob["address"].as_str().unwrap().starts_with("f410f"));
    assert!(bob["eth_address"].as_str().unwrap().starts_with("0x"));

    // Hex on stdin, a Lotus export from the environment, a mnemonic from a file.
    let hex_key = SecpKey::from_seed(b"cli", 1);
    let carol = ok_json(&keys(
        &store,
        &["import", "carol", "--json"],
        &format!("0x{}\n", hex::encode(hex_key.secret_bytes())),
        &[],
    ));
    assert_eq!(carol["address"], hex_key.f1_address().to_string());
    let lotus = KeyInfo {
        key_type: KeyType::Delegated,
        key: SecpKey::from_seed(b"cli", 2),
    };
    let dave = ok_json(&keys(
        &store,
        &["import", "dave", "--from-env", "DAVE", "--json"],
        "",
        &[("DAVE", &lotus.to_lotus_hex())],
    ));
    assert_eq!(dave["address"], lotus.address().to_string());
    assert_eq!(dave["type"], "delegated");
    let words = dir.path().join("words");
    std::fs::write(&words, MNEMONIC).unwrap();
    let eve = ok_json(&keys(
        &store,
        &[
            "import",
            "eve",
            "--mnemonic",
            "--eth",
            "--index",
            "1",
            "--from-file",
            words.to_str().unwrap(),
            "--json",
        ],
        "",
        &[],
    ));
    // The published BIP-44 vector (ethers): m/44'/60'/0'/0/1 of the "abandon … about" words.
    assert_eq!(
        eve["eth_address"],
        "0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0"
    );
    let f1 = SecpKey::from_mnemonic(MNEMONIC, "", HdAccount::F1, 0).unwrap();
    let frank = ok_json(&keys(
        &store,
        &["import", "frank", "--mnemonic", "--json"],
        MNEMONIC,
        &[],
    ));
    assert_eq!(frank["address"], f1.f1_address().to_string());

    let list = ok_json(&keys(&store, &["list", "--json"], "", &[]));
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave", "eve", "frank"]);
    assert_eq!(list[2]["address"], carol["address"]);

    let text = keys(&store, &["list"], "", &[]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("bob ")
            && l.contains("delegated")
            && l.contains(bob["eth_address"].as_str().unwrap())),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for name in names {
            let mode = std::fs::metadata(store.join(format!("{name}.key")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
    // The secret is never printed.
    let secret = hex::encode(hex_key.secret_bytes());
    assert!(!String::from_utf8_lossy(&keys(&store, &["list"], "", &[]).stdout).contains(&secret));
}

#[test]
fn bad_keys_and_mnemonics_give_one_line_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("keys");
    let cases: [(&[&str], &str, &str); 6] = [
        (&["import", "k"], "0x1234", "invalid key format"),
        (&["import", "k"], "", "no key given"),
        (
            &["import", "k"],
            &"00".repeat(32),
            "invalid secp256k1 secret key",
        ),
        (
            &["import", "k", "--mnemonic"],
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon \
             abandon abandon",
            "invalid mnemonic: wrong checksum",
        ),
        (
            &["import", "k", "--mnemonic"],
            "abandon abandon abandon",
            "invalid mnemonic: 3 words",
        ),
        (&["new", "../escape"], "", "invalid key name"),
    ];
    for (args, stdin, want) in cases {
        let err = one_error(&keys(&store, args, stdin, &[]));
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let err = one_error(&keys(
        &store,
        &["import", "k", "--from-env", "FILMARK_TEST_UNSET_VAR"],
        "",
        &[],
    ));
    assert!(err.contains("FILMARK_TEST_UNSET_VAR"), "{err}");
    assert!(!store.join("k.key").exists());

    ok_json(&keys(&store, &["new", "k", "--json"], "", &[]));
    let err = one_error(&keys(&store, &["new", "k"], "", &[]));
    assert!(err.contains("already exists"), "{err}");
    let list = ok_json(&keys(&store, &["list", "--json"], "", &[]));
    assert_eq!(list.as_array().unwrap().len(), 1);
}
