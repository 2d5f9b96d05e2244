//! The devnet's deterministic prefunded keys, over [`filmark_sdk::keys::SecpKey`].

use filmark_sdk::Signer;
use filmark_sdk::keys::{SecpKey, SignedMessage};
use fvm_shared::address::Address;
use fvm_shared::message::Message;

use crate::{Error, Result};

/// Key indices of f410 accounts start here, so f1 and f410 accounts never share a key.
pub const ETH_KEY_INDEX_OFFSET: u64 = 1 << 32;

/// What a key's account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// An f1 account (secp256k1 signatures over the message CID).
    Secp256k1,
    /// An f410 eth account (delegated signatures: EIP-1559 transactions).
    Eth,
}

/// A secp256k1 key used as an f1 or as an f410 account.
#[derive(Clone)]
pub struct DevnetKey {
    kind: KeyKind,
    key: SecpKey,
}

impl std::fmt::Debug for DevnetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevnetKey")
            .field("kind", &self.kind)
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

impl DevnetKey {
    /// The `index`-th key of `kind` derived from `seed` ([`SecpKey::from_seed`]; f410 keys use
    /// index [`ETH_KEY_INDEX_OFFSET`]` + index`).
    pub fn derive(seed: &[u8], kind: KeyKind, index: u64) -> Self {
        let index = match kind {
            KeyKind::Secp256k1 => index,
            KeyKind::Eth => ETH_KEY_INDEX_OFFSET + index,
        };
        Self {
            kind,
            key: SecpKey::from_seed(seed, index),
        }
    }

    /// Wraps an SDK key.
    pub const fn new(kind: KeyKind, key: SecpKey) -> Self {
        Self { kind, key }
    }

    /// What the key's account is.
    pub const fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The SDK key.
    pub const fn secp_key(&self) -> &SecpKey {
        &self.key
    }

    /// The SDK signer of this key's account: native messages from an f1, Solidity-ABI
    /// transactions from an f410.
    pub fn signer(&self) -> Signer {
        match self.kind {
            KeyKind::Secp256k1 => Signer::f1(self.key.clone()),
            KeyKind::Eth => Signer::eth(self.key.clone()),
        }
    }

    /// The account's address: f1 or f410.
    pub fn address(&self) -> Address {
        match self.kind {
            KeyKind::Secp256k1 => self.key.f1_address(),
            KeyKind::Eth => self.key.f410_address(),
        }
    }

    /// Signs `message` (whose `from` must be [`DevnetKey::address`]): a secp256k1 signature for
    /// an f1, an EIP-1559 transaction for an f410 (as `eth_sendRawTransaction` would deliver it).
    ///
    /// # Errors
    ///
    /// [`Error::Key`] if `from` is not this key's, or the message has no eth form.
    pub fn sign(&self, message: Message, chain_id: u64) -> Result<SignedMessage> {
        if message.from != self.address() {
            return Err(Error::Key(format!(
                "{} cannot sign for {}",
                self.address(),
                message.from
            )));
        }
        self.key
            .sign(message, chain_id)
            .map_err(|e| Error::Key(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use fvm_shared::address::Protocol;

    use super::*;

    #[test]
    fn it_derives_stable_distinct_keys() {
        let a = DevnetKey::derive(b"s", KeyKind::Secp256k1, 0);
        let b = DevnetKey::derive(b"s", KeyKind::Secp256k1, 1);
        let e = DevnetKey::derive(b"s", KeyKind::Eth, 0);
        assert_eq!(
            a.address(),
            DevnetKey::derive(b"s", KeyKind::Secp256k1, 0).address()
        );
        assert_ne!(a.address(), b.address());
        assert_eq!(a.address().protocol(), Protocol::Secp256k1);
        assert_eq!(e.address().protocol(), Protocol::Delegated);
        assert_ne!(e.secp_key().f1_address(), a.address());
    }
}
