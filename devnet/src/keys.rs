//! Deterministic prefunded keys and Filecoin secp256k1 signing.
//!
//! TODO(sdk-keys): minimal local helper until `filmark_sdk::keys` lands; replace these
//! derivation and signing functions with the SDK's so there is one implementation. Verification
//! already goes through `fvm_shared` (the FVM's own secp256k1 recovery).

use fvm_shared::address::Address;
use fvm_shared::message::Message;
use k256::ecdsa::SigningKey;

use crate::message::{Signature, SignedMessage, message_cid};
use crate::{Error, Result};

/// The Ethereum Address Manager's actor id: the namespace of f410 addresses.
pub(crate) const EAM_NAMESPACE: u64 = 10;

/// What a prefunded key is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// An f1 account (secp256k1, Filecoin signatures).
    Secp256k1,
    /// An f410 eth account (secp256k1 key, delegated signatures over eth transactions).
    Eth,
}

/// A secp256k1 key with the address it controls.
#[derive(Clone)]
pub struct DevnetKey {
    kind: KeyKind,
    secret: SigningKey,
    address: Address,
}

impl std::fmt::Debug for DevnetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevnetKey").field("kind", &self.kind).field("address", &self.address).finish_non_exhaustive()
    }
}

impl DevnetKey {
    /// The `index`-th key of `kind` derived from `seed`: the secret is
    /// `blake2b-256("filmark-devnet/key" || seed || kind || index)`.
    ///
    /// # Errors
    ///
    /// Fails in the (negligible) case the hash is not a valid secp256k1 scalar.
    pub fn derive(seed: &[u8; 32], kind: KeyKind, index: u32) -> Result<Self> {
        let tag: u8 = match kind {
            KeyKind::Secp256k1 => 1,
            KeyKind::Eth => 2,
        };
        let hash = blake2b_simd::Params::new()
            .hash_length(32)
            .to_state()
            .update(b"filmark-devnet/key")
            .update(seed)
            .update(&[tag])
            .update(&index.to_be_bytes())
            .finalize();
        Self::from_secret(kind, hash.as_bytes())
    }

    /// A key from its 32-byte secret.
    ///
    /// # Errors
    ///
    /// Fails if `secret` is not a valid secp256k1 scalar.
    pub fn from_secret(kind: KeyKind, secret: &[u8]) -> Result<Self> {
        let secret = SigningKey::from_slice(secret).map_err(|e| Error::Key(e.to_string()))?;
        let public = secret.verifying_key().to_encoded_point(false);
        let address = match kind {
            KeyKind::Secp256k1 => Address::new_secp256k1(public.as_bytes()),
            KeyKind::Eth => {
                let hash = alloy_primitives::keccak256(&public.as_bytes()[1..]);
                Address::new_delegated(EAM_NAMESPACE, &hash[12..])
            }
        }
        .map_err(|e| Error::Key(e.to_string()))?;
        Ok(Self { kind, secret, address })
    }

    /// What the key is used as.
    pub const fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The f1 or f410 address.
    pub const fn address(&self) -> Address {
        self.address
    }

    /// The 20-byte eth address (f410 keys only).
    pub fn eth_address(&self) -> Option<[u8; 20]> {
        match self.address.payload() {
            fvm_shared::address::Payload::Delegated(d) => d.subaddress().try_into().ok(),
            _ => None,
        }
    }

    /// The 32-byte secret (a devnet key: printed like Anvil's, never a real one).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes().into()
    }

    /// Signs `message` the Lotus way: secp256k1 over blake2b-256 of the message CID bytes,
    /// 65 bytes with the recovery id last.
    ///
    /// # Errors
    ///
    /// Fails for an eth key (it signs eth transactions), or if the message cannot be encoded.
    pub fn sign_message(&self, message: Message) -> Result<SignedMessage> {
        if self.kind != KeyKind::Secp256k1 {
            return Err(Error::Key("an eth key signs eth transactions, not Filecoin messages".into()));
        }
        let cid = message_cid(&message)?;
        let digest = blake2b_simd::Params::new().hash_length(32).hash(&cid.to_bytes());
        let (sig, rec) = self
            .secret
            .sign_prehash_recoverable(digest.as_bytes())
            .map_err(|e| Error::Key(e.to_string()))?;
        let mut bytes = sig.to_bytes().to_vec();
        bytes.push(rec.to_byte());
        Ok(SignedMessage { message, signature: Signature::new_secp256k1(bytes) })
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::address::Protocol;
    use fvm_shared::econ::TokenAmount;

    use super::*;

    #[test]
    fn it_derives_stable_distinct_keys() {
        let a = DevnetKey::derive(&[0; 32], KeyKind::Secp256k1, 0).unwrap();
        let b = DevnetKey::derive(&[0; 32], KeyKind::Secp256k1, 1).unwrap();
        let e = DevnetKey::derive(&[0; 32], KeyKind::Eth, 0).unwrap();
        assert_eq!(a.address(), DevnetKey::derive(&[0; 32], KeyKind::Secp256k1, 0).unwrap().address());
        assert_ne!(a.address(), b.address());
        assert_eq!(a.address().protocol(), Protocol::Secp256k1);
        assert_eq!(e.address().protocol(), Protocol::Delegated);
        assert_eq!(e.eth_address().unwrap().len(), 20);
        assert!(a.eth_address().is_none());
    }

    #[test]
    fn it_signs_what_fvm_shared_verifies() {
        let key = DevnetKey::derive(&[3; 32], KeyKind::Secp256k1, 0).unwrap();
        let msg = Message {
            version: 0,
            from: key.address(),
            to: Address::new_id(1000),
            sequence: 0,
            value: TokenAmount::from_atto(1),
            method_num: 0,
            params: RawBytes::default(),
            gas_limit: 10_000_000,
            gas_fee_cap: TokenAmount::from_atto(1000),
            gas_premium: TokenAmount::from_atto(100),
        };
        let signed = key.sign_message(msg).unwrap();
        let data = message_cid(&signed.message).unwrap().to_bytes();
        let sig = fvm_shared::crypto::signature::Signature::new_secp256k1(signed.signature.bytes.clone());
        sig.verify(&data, &key.address()).unwrap();
        let other = DevnetKey::derive(&[3; 32], KeyKind::Secp256k1, 1).unwrap();
        assert!(sig.verify(&data, &other.address()).is_err());
    }
}
