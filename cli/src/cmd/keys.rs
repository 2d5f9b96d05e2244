//! `filmark keys new|import|list`: the key store.

use std::io::Read as _;

use anyhow::{Context as _, bail};
use filmark_sdk::keys::{HdAccount, KeyInfo, KeyType, SecpKey};
use serde_json::{Value, json};

use crate::args::{KeysCommand, KeysImportArgs, KeysListArgs, KeysNewArgs};
use crate::keystore::{Keystore, StoredKey, parse_key};
use crate::output::emit;

/// Runs one `keys` command.
pub(crate) fn run(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::New(args) => new(&args),
        KeysCommand::Import(args) => import(&args),
        KeysCommand::List(args) => list(&args),
    }
}

fn key_type(eth: bool) -> KeyType {
    if eth {
        KeyType::Delegated
    } else {
        KeyType::Secp256k1
    }
}

fn new(args: &KeysNewArgs) -> anyhow::Result<()> {
    let store = Keystore::new(&args.store)?;
    let info = KeyInfo {
        key_type: key_type(args.eth),
        key: SecpKey::random()?,
    };
    let path = store.add(&args.name, &info)?;
    let stored = StoredKey {
        name: args.name.clone(),
        info,
    };
    let text = format!("{}\nsaved to {}", line(&stored), path.display());
    emit(args.json, key_json(&stored, Some(&path)), || text)
}

fn import(args: &KeysImportArgs) -> anyhow::Result<()> {
    let store = Keystore::new(&args.store)?;
    let text = if let Some(var) = &args.from_env {
        std::env::var(var).map_err(|e| anyhow::anyhow!("environment variable {var}: {e}"))?
    } else if let Some(path) = &args.from_file {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the key from stdin")?;
        text
    };
    if text.trim().is_empty() {
        bail!("no key given: pipe it to stdin, or use --from-env VAR or --from-file PATH");
    }
    let info = if args.mnemonic {
        let passphrase = match &args.passphrase_env {
            Some(var) => std::env::var(var)
                .map_err(|e| anyhow::anyhow!("environment variable {var}: {e}"))?,
            None => String::new(),
        };
        let account = if args.eth {
            HdAccount::Eth
        } else {
            HdAccount::F1
        };
        let phrase = text.split_whitespace().collect::<Vec<_>>().join(" ");
        KeyInfo {
            key_type: key_type(args.eth),
            key: SecpKey::from_mnemonic(&phrase, &passphrase, account, args.index)?,
        }
    } else {
        let mut info = parse_key(&text)?;
        if args.eth {
            info.key_type = KeyType::Delegated;
        }
        info
    };
    let path = store.add(&args.name, &info)?;
    let stored = StoredKey {
        name: args.name.clone(),
        info,
    };
    let text = format!("{}\nsaved to {}", line(&stored), path.display());
    emit(args.json, key_json(&stored, Some(&path)), || text)
}

fn list(args: &KeysListArgs) -> anyhow::Result<()> {
    let store = Keystore::new(&args.store)?;
    let keys = store.list()?;
    let json = Value::Array(keys.iter().map(|k| key_json(k, None)).collect());
    emit(args.json, json, || {
        if keys.is_empty() {
            format!("no keys in {}", store.dir().display())
        } else {
            keys.iter().map(line).collect::<Vec<_>>().join("\n")
        }
    })
}

/// `NAME  TYPE  ADDRESS [0x…]`.
fn line(k: &StoredKey) -> String {
    let eth = match k.info.key_type {
        KeyType::Delegated => format!("  {}", k.info.key.eth_address()),
        KeyType::Secp256k1 => String::new(),
    };
    format!(
        "{:<12} {:<9} {}{eth}",
        k.name,
        k.info.key_type.as_str(),
        k.info.address()
    )
}

fn key_json(k: &StoredKey, path: Option<&std::path::Path>) -> Value {
    let mut v = json!({
        "name": k.name,
        "type": k.info.key_type.as_str(),
        "address": k.info.address().to_string(),
    });
    if k.info.key_type == KeyType::Delegated {
        v["eth_address"] = json!(k.info.key.eth_address().to_string());
    }
    if let Some(p) = path {
        v["path"] = json!(p.display().to_string());
    }
    v
}
