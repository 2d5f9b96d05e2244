//! The key store: one Lotus key-info JSON file per key (`NAME.key`, mode 0600, in a 0700
//! directory), and the choice of the sender's key for on-chain commands.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use filmark_sdk::keys::{KeyInfo, KeyType, SecpKey};

use crate::args::{ChainArgs, KeystoreArgs};

/// The environment variable an on-chain command takes its key from when no flag names one.
pub(crate) const KEY_ENV: &str = "FILMARK_KEY";
/// The store key used when neither a flag nor [`KEY_ENV`] names one.
pub(crate) const DEFAULT_KEY: &str = "default";
/// The extension of the store's key files.
const EXT: &str = "key";

/// A directory of named keys.
#[derive(Debug)]
pub(crate) struct Keystore {
    dir: PathBuf,
}

/// One stored key.
#[derive(Debug)]
pub(crate) struct StoredKey {
    pub(crate) name: String,
    pub(crate) info: KeyInfo,
}

impl Keystore {
    /// The store named by `--keystore` / `FILMARK_KEYSTORE`, else `filmark/keys` in the user's
    /// config directory (`$XDG_CONFIG_HOME`, `~/.config`, or `%APPDATA%` on Windows).
    pub(crate) fn new(args: &KeystoreArgs) -> anyhow::Result<Self> {
        let dir = match &args.keystore {
            Some(dir) => dir.clone(),
            None => config_dir()
                .context("no key store: set --keystore DIR (no HOME or config directory)")?
                .join("filmark")
                .join("keys"),
        };
        Ok(Self { dir })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.{EXT}"))
    }

    /// Stores `info` as `name`; refuses to replace a key. Returns the file's path.
    pub(crate) fn add(&self, name: &str, info: &KeyInfo) -> anyhow::Result<PathBuf> {
        check_name(name)?;
        create_private_dir(&self.dir)
            .with_context(|| format!("cannot create the key store {}", self.dir.display()))?;
        let path = self.path(name);
        let mut open = fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut file = open.open(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!("key {name:?} already exists in {}", self.dir.display())
            } else {
                anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
            }
        })?;
        file.write_all(info.to_json().as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// The key named `name`.
    pub(crate) fn get(&self, name: &str) -> anyhow::Result<KeyInfo> {
        check_name(name)?;
        let path = self.path(name);
        let text = fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow::anyhow!("no key {name:?} in {}", self.dir.display())
            } else {
                anyhow::Error::new(e).context(format!("cannot read {}", path.display()))
            }
        })?;
        KeyInfo::parse(&text).with_context(|| format!("{}", path.display()))
    }

    /// Every key, sorted by name (an absent store has none).
    pub(crate) fn list(&self) -> anyhow::Result<Vec<StoredKey>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", self.dir.display()));
            }
        };
        let mut keys = Vec::new();
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot read {}", self.dir.display()))?
                .path();
            let Some(name) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|_| path.extension().is_some_and(|e| e == EXT))
            else {
                continue;
            };
            keys.push(StoredKey {
                name: name.to_owned(),
                info: self.get(name)?,
            });
        }
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }
}

/// Names are file stems: 1–64 of `A-Z a-z 0-9 - _`.
fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        bail!("invalid key name {name:?}: 1 to 64 letters, digits, '-' or '_'");
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn config_dir() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return var("APPDATA");
    }
    var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")))
}

/// The key of an on-chain command's sender: `--key-file`, `--key NAME`, `FILMARK_KEY`, or the
/// store's `default` key, in that order. `--eth` makes it an Ethereum (f410) account.
pub(crate) fn sender(args: &ChainArgs) -> anyhow::Result<KeyInfo> {
    let info = if let Some(path) = &args.key_file {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        parse_key(&text).with_context(|| format!("key file {}", path.display()))?
    } else if let Some(name) = &args.key {
        Keystore::new(&args.store)?.get(name)?
    } else if std::env::var_os(KEY_ENV).is_some() {
        let key = SecpKey::from_env(KEY_ENV)?;
        key_info_of(&std::env::var(KEY_ENV).unwrap_or_default(), key)
    } else {
        let store = Keystore::new(&args.store)?;
        store.get(DEFAULT_KEY).map_err(|_| {
            anyhow::anyhow!(
                "no key: give --key NAME or --key-file PATH, set {KEY_ENV}, or create a key \
                 named {DEFAULT_KEY:?} in {} (filmark keys new {DEFAULT_KEY})",
                store.dir().display()
            )
        })?
    };
    Ok(if args.eth {
        KeyInfo {
            key_type: KeyType::Delegated,
            key: info.key,
        }
    } else {
        info
    })
}

/// A key from text: a Lotus export keeps its type; bare hex is an f1 key.
pub(crate) fn parse_key(text: &str) -> filmark_sdk::Result<KeyInfo> {
    let key = SecpKey::parse(text)?;
    Ok(key_info_of(text, key))
}

fn key_info_of(text: &str, key: SecpKey) -> KeyInfo {
    match KeyInfo::parse(text) {
        Ok(info) => info,
        Err(_) => KeyInfo {
            key_type: KeyType::Secp256k1,
            key,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Keystore) {
        let dir = tempfile::tempdir().unwrap();
        let store = Keystore::new(&KeystoreArgs {
            keystore: Some(dir.path().join("keys")),
        })
        .unwrap();
        (dir, store)
    }

    #[test]
    fn a_stored_key_reads_back_and_is_not_replaced() {
        let (_dir, store) = store();
        let info = KeyInfo {
            key_type: KeyType::Delegated,
            key: SecpKey::from_seed(b"t", 1),
        };
        let path = store.add("alice", &info).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            let dir = fs::metadata(store.dir()).unwrap().permissions().mode();
            assert_eq!(dir & 0o777, 0o700);
        }
        let back = store.get("alice").unwrap();
        assert_eq!(back.address(), info.address());
        let again = store.add("alice", &info).unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn names_that_are_not_plain_file_stems_are_refused() {
        let (_dir, store) = store();
        let info = KeyInfo {
            key_type: KeyType::Secp256k1,
            key: SecpKey::from_seed(b"t", 2),
        };
        for bad in ["", "../x", "a/b", "a.b", &"x".repeat(65)] {
            assert!(store.add(bad, &info).is_err(), "{bad:?}");
        }
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn bare_hex_is_an_f1_key_and_a_delegated_export_stays_eth() {
        let key = SecpKey::from_seed(b"t", 3);
        let hex = hex::encode(key.secret_bytes());
        assert_eq!(parse_key(&hex).unwrap().key_type, KeyType::Secp256k1);
        let export = KeyInfo {
            key_type: KeyType::Delegated,
            key,
        }
        .to_lotus_hex();
        assert_eq!(parse_key(&export).unwrap().key_type, KeyType::Delegated);
    }
}
