//! Keys from text: hex secrets, Lotus key-info exports, environment variables and BIP-39
//! mnemonics (BIP-32 / BIP-44 derivation).

use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bip32::{DerivationPath, XPrv};
use fvm_shared::address::Address;
use serde::{Deserialize, Serialize};

use super::secp::SecpKey;
use crate::{Error, Result};

/// BIP-44 coin type of Filecoin (SLIP-44): f1 accounts derive at `m/44'/461'/0'/0/i`.
pub const FILECOIN_COIN_TYPE: u32 = 461;
/// BIP-44 coin type of Ethereum (SLIP-44): eth (f410) accounts derive at `m/44'/60'/0'/0/i`.
pub const ETHEREUM_COIN_TYPE: u32 = 60;

/// Which BIP-44 account a mnemonic key is derived for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HdAccount {
    /// A native Filecoin account (f1): `m/44'/461'/0'/0/i`, as Lotus-compatible wallets
    /// (Glif, Ledger's Filecoin app, iso-filecoin) derive it.
    F1,
    /// An Ethereum account (f410 / `0x`): `m/44'/60'/0'/0/i`, as MetaMask and ethers derive it.
    Eth,
}

impl HdAccount {
    /// The BIP-44 coin type: 461 or 60.
    pub const fn coin_type(self) -> u32 {
        match self {
            Self::F1 => FILECOIN_COIN_TYPE,
            Self::Eth => ETHEREUM_COIN_TYPE,
        }
    }

    /// The derivation path of account `index`: `m/44'/<coin>'/0'/0/<index>`.
    pub fn path(self, index: u32) -> String {
        format!("m/44'/{}'/0'/0/{index}", self.coin_type())
    }
}

/// The 64-byte BIP-39 seed of an English mnemonic and a passphrase (`""` for none); the
/// mnemonic's words and checksum are checked first. Both are NFKD-normalized, as BIP-39 says.
///
/// # Errors
/// [`Error::InvalidMnemonic`] for a word outside the English list, a word count other than
/// 12, 15, 18, 21 or 24, or a wrong checksum.
pub fn mnemonic_seed(phrase: &str, passphrase: &str) -> Result<[u8; 64]> {
    let mnemonic = bip39::Mnemonic::parse_in(bip39::Language::English, phrase)
        .map_err(|e| mnemonic_error(phrase, e))?;
    Ok(mnemonic.to_seed(passphrase))
}

fn mnemonic_error(phrase: &str, error: bip39::Error) -> Error {
    let reason = match error {
        bip39::Error::UnknownWord(i) => {
            let word = phrase.split_whitespace().nth(i).unwrap_or_default();
            format!(
                "word {} ({word:?}) is not in the BIP-39 English word list",
                i + 1
            )
        }
        bip39::Error::BadWordCount(n) => {
            format!("{n} words; a mnemonic has 12, 15, 18, 21 or 24")
        }
        bip39::Error::InvalidChecksum => {
            "wrong checksum (a word is mistyped, missing or out of order)".to_owned()
        }
        other => other.to_string(),
    };
    Error::InvalidMnemonic(reason)
}

pub(super) fn derive_xprv(seed: &[u8], path: &str) -> Result<XPrv> {
    let parsed = DerivationPath::from_str(path)
        .map_err(|e| Error::InvalidDerivationPath(format!("{path:?}: {e}")))?;
    XPrv::derive_from_path(seed, &parsed)
        .map_err(|e| Error::InvalidDerivationPath(format!("{path:?}: {e}")))
}

impl SecpKey {
    /// The key of BIP-39 mnemonic `phrase` (English) with `passphrase` (`""` for none) for
    /// `account` number `index`: `m/44'/461'/0'/0/index` for [`HdAccount::F1`],
    /// `m/44'/60'/0'/0/index` for [`HdAccount::Eth`] — the keys Filecoin wallets and
    /// MetaMask give for the same words.
    ///
    /// # Errors
    /// [`Error::InvalidMnemonic`] for a wrong word, word count or checksum;
    /// [`Error::InvalidDerivationPath`] if `index` is 2^31 or more (a hardened index).
    pub fn from_mnemonic(
        phrase: &str,
        passphrase: &str,
        account: HdAccount,
        index: u32,
    ) -> Result<Self> {
        if index >= 1 << 31 {
            return Err(Error::InvalidDerivationPath(format!(
                "account index {index} is not below 2^31"
            )));
        }
        Self::from_mnemonic_path(phrase, passphrase, &account.path(index))
    }

    /// The key of BIP-39 mnemonic `phrase` with `passphrase` at any BIP-32 `path`
    /// (`m/…`, hardened steps marked `'`).
    ///
    /// # Errors
    /// [`Error::InvalidMnemonic`] as [`mnemonic_seed`]; [`Error::InvalidDerivationPath`] for a
    /// path that does not parse.
    pub fn from_mnemonic_path(phrase: &str, passphrase: &str, path: &str) -> Result<Self> {
        Self::from_bip32_seed(&mnemonic_seed(phrase, passphrase)?, path)
    }

    /// The BIP-32 key at `path` under the master key of `seed` (16 to 64 bytes; a BIP-39
    /// seed is 64).
    ///
    /// # Errors
    /// [`Error::InvalidDerivationPath`] for a path that does not parse, a seed of the wrong
    /// length, or (with probability below 2^-127) a derived key that is not a valid scalar.
    pub fn from_bip32_seed(seed: &[u8], path: &str) -> Result<Self> {
        let xprv = derive_xprv(seed, path)?;
        Self::from_bytes(&xprv.private_key().to_bytes().into())
    }

    /// A key from a Lotus key-info export (`lotus wallet export`): the hex of
    /// `{"Type":"secp256k1","PrivateKey":"<base64>"}`, or that JSON itself. `delegated` keys
    /// (f410 accounts) are secp256k1 keys too and are accepted.
    ///
    /// # Errors
    /// As [`KeyInfo::parse`].
    pub fn from_key_info(text: &str) -> Result<Self> {
        KeyInfo::parse(text).map(|info| info.key)
    }

    /// A key from any text form this SDK reads: 64 hex digits (with or without `0x`), or a
    /// Lotus key-info export (hex or JSON). Surrounding whitespace is ignored.
    ///
    /// # Errors
    /// [`Error::InvalidKeyFormat`] if the text is in none of these forms;
    /// [`Error::UnsupportedKeyType`] for a `bls` export; [`Error::InvalidSecretKey`] if the
    /// bytes are not a valid secp256k1 scalar.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        if digits.len() == 64 {
            Self::from_hex(text)
        } else if text.starts_with('{') || digits.len() > 64 {
            Self::from_key_info(text)
        } else {
            Err(Error::InvalidKeyFormat(format!(
                "expected 64 hex digits or a Lotus key-info export, got {} characters",
                text.len()
            )))
        }
    }

    /// The key held by environment variable `name`, in any form [`parse`](Self::parse) reads.
    /// (On wasm32 in a browser there is no environment: every variable is unset.)
    ///
    /// # Errors
    /// [`Error::KeyFromEnv`], naming the variable, if it is unset, not Unicode, or does not
    /// hold a key (the reason says which).
    pub fn from_env(name: &str) -> Result<Self> {
        let fail = |reason: String| Error::KeyFromEnv {
            name: name.to_owned(),
            reason,
        };
        let text = std::env::var(name).map_err(|e| match e {
            std::env::VarError::NotPresent => fail("not set".to_owned()),
            std::env::VarError::NotUnicode(_) => fail("not valid Unicode".to_owned()),
        })?;
        Self::parse(&text).map_err(|e| fail(e.to_string()))
    }
}

/// The key types of a Lotus key-info export this SDK signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `"secp256k1"`: an f1 account.
    Secp256k1,
    /// `"delegated"`: a secp256k1 key used as an f410 (Ethereum) account.
    Delegated,
}

impl KeyType {
    /// The `Type` string Lotus writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Secp256k1 => "secp256k1",
            Self::Delegated => "delegated",
        }
    }
}

/// A Lotus key-info export: a key type and a secp256k1 key.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    /// The key type.
    pub key_type: KeyType,
    /// The key.
    pub key: SecpKey,
}

/// The JSON shape Lotus exports.
#[derive(Serialize, Deserialize)]
struct KeyInfoJson {
    #[serde(rename = "Type")]
    key_type: String,
    #[serde(rename = "PrivateKey")]
    private_key: String,
}

impl KeyInfo {
    /// Reads a Lotus key-info export: the hex of its JSON (what `lotus wallet export` prints,
    /// with or without `0x`) or the JSON `{"Type":…,"PrivateKey":"<base64>"}` itself.
    ///
    /// # Errors
    /// [`Error::InvalidKeyFormat`] if the text is neither, or the private key is not 32 bytes
    /// of base64; [`Error::UnsupportedKeyType`] for `bls` or any other type;
    /// [`Error::InvalidSecretKey`] if the bytes are not a valid secp256k1 scalar.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let json = if text.starts_with('{') {
            text.as_bytes().to_vec()
        } else {
            let digits = text
                .strip_prefix("0x")
                .or_else(|| text.strip_prefix("0X"))
                .unwrap_or(text);
            alloy_primitives::hex::decode(digits).map_err(|_| {
                Error::InvalidKeyFormat(
                    "a Lotus key-info export is hex-encoded JSON or JSON; this is neither".into(),
                )
            })?
        };
        let info: KeyInfoJson = serde_json::from_slice(&json).map_err(|_| {
            Error::InvalidKeyFormat(
                r#"expected Lotus key-info JSON {"Type":…,"PrivateKey":"<base64>"}"#.into(),
            )
        })?;
        let key_type = match info.key_type.as_str() {
            "secp256k1" => KeyType::Secp256k1,
            "delegated" => KeyType::Delegated,
            other => return Err(Error::UnsupportedKeyType(other.to_owned())),
        };
        let secret: [u8; 32] = BASE64
            .decode(info.private_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                Error::InvalidKeyFormat("PrivateKey is not 32 bytes of base64".into())
            })?;
        Ok(Self {
            key_type,
            key: SecpKey::from_bytes(&secret)?,
        })
    }

    /// The export's JSON: `{"Type":"secp256k1","PrivateKey":"<base64>"}`.
    pub fn to_json(&self) -> String {
        let json = KeyInfoJson {
            key_type: self.key_type.as_str().to_owned(),
            private_key: BASE64.encode(self.key.secret_bytes()),
        };
        serde_json::to_string(&json).expect("two strings always serialize")
    }

    /// The export as `lotus wallet export` prints it: the hex of [`to_json`](Self::to_json).
    pub fn to_lotus_hex(&self) -> String {
        alloy_primitives::hex::encode(self.to_json())
    }

    /// The account's address: f1 for a `secp256k1` key, f410 for a `delegated` one.
    pub fn address(&self) -> Address {
        match self.key_type {
            KeyType::Secp256k1 => self.key.f1_address(),
            KeyType::Delegated => self.key.f410_address(),
        }
    }
}
