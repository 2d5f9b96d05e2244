//! secp256k1 keys and the addresses derived from them (f1, f410, 0x).

use std::fmt;

use alloy_primitives::{B256, keccak256};
use filmark_actor_shared::abi;
use fvm_shared::address::{Address, Network};
use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, SigningKey, VerifyingKey};

use super::EthAddress;
use crate::{Error, Result};

/// Length of an uncompressed secp256k1 public key (`0x04 ‖ x ‖ y`).
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of a recoverable signature: `r (32) ‖ s (32) ‖ recovery id (1)`.
pub const RECOVERABLE_SIG_LEN: usize = 65;

/// Domain separator of [`SecpKey::from_seed`].
const SEED_DOMAIN: &[u8] = b"filmark/secp256k1/v1";

/// A secp256k1 secret key: signs Filecoin messages as an f1 account and Ethereum transactions
/// as an f410 (eth) account.
///
/// The same key has both identities: [`f1_address`](Self::f1_address) for native messages
/// (secp256k1 signatures) and [`f410_address`](Self::f410_address) / [`eth_address`](Self::eth_address)
/// for Ethereum transactions (delegated signatures). `Debug` never prints the secret.
#[derive(Clone)]
pub struct SecpKey {
    signing: SigningKey,
}

impl SecpKey {
    /// Builds a key from its 32 secret bytes (big-endian scalar).
    ///
    /// # Errors
    /// [`Error::InvalidSecretKey`] if the scalar is zero or not below the curve order.
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self> {
        SigningKey::from_bytes(secret.into())
            .map(|signing| Self { signing })
            .map_err(|_| Error::InvalidSecretKey)
    }

    /// Builds a key from 64 hex digits, with or without a `0x` prefix (the form Ethereum tools
    /// print); surrounding whitespace is ignored.
    ///
    /// # Errors
    /// [`Error::InvalidKeyFormat`] if the text is not 64 hex digits, [`Error::InvalidSecretKey`]
    /// if they are not a valid scalar.
    pub fn from_hex(secret: &str) -> Result<Self> {
        let text = secret.trim();
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        if digits.len() != 64 {
            return Err(Error::InvalidKeyFormat(format!(
                "expected a secret key of 64 hex digits (optionally 0x-prefixed), got {} characters",
                digits.len()
            )));
        }
        let bytes: [u8; 32] = alloy_primitives::hex::decode(digits)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| {
                Error::InvalidKeyFormat("the secret key has a character that is not hex".into())
            })?;
        Self::from_bytes(&bytes)
    }

    /// Derives the `index`-th key of `seed`, deterministically.
    ///
    /// The secret is `blake2b-256("filmark/secp256k1/v1" ‖ seed ‖ index as 8 bytes big-endian ‖
    /// counter as 1 byte)` with `counter = 0`; in the (2^-128-likely) case that digest is not a
    /// valid scalar, the counter is increased until it is. The devnet derives its prefunded
    /// accounts this way, so the same seed gives the same accounts everywhere.
    pub fn from_seed(seed: &[u8], index: u64) -> Self {
        (0..=u8::MAX)
            .find_map(|counter| {
                let digest = blake2b_simd::Params::new()
                    .hash_length(32)
                    .to_state()
                    .update(SEED_DOMAIN)
                    .update(seed)
                    .update(&index.to_be_bytes())
                    .update(&[counter])
                    .finalize();
                let secret: [u8; 32] = digest.as_bytes().try_into().ok()?;
                Self::from_bytes(&secret).ok()
            })
            .expect("256 consecutive blake2b digests are not all invalid scalars")
    }

    /// A fresh key from the operating system's random source (`crypto.getRandomValues` in a
    /// browser).
    ///
    /// # Errors
    /// [`Error::Random`] if the random source is unavailable.
    #[cfg(feature = "rand")]
    pub fn random() -> Result<Self> {
        loop {
            let mut secret = [0u8; 32];
            getrandom::getrandom(&mut secret).map_err(|e| Error::Random(e.to_string()))?;
            if let Ok(key) = Self::from_bytes(&secret) {
                return Ok(key);
            }
        }
    }

    /// The 32 secret bytes. Handle with care.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes().into()
    }

    /// The uncompressed public key, `0x04 ‖ x ‖ y`.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        uncompressed(self.signing.verifying_key())
    }

    /// The f1 address: protocol 1, blake2b-160 of the uncompressed public key.
    pub fn f1_address(&self) -> Address {
        f1_from_public_key(&self.public_key())
    }

    /// The Ethereum address: the last 20 bytes of keccak256 of the public key without its
    /// `0x04` prefix.
    pub fn eth_address(&self) -> EthAddress {
        eth_from_public_key(&self.public_key())
    }

    /// The f410 address: the Ethereum address in the EAM's namespace (10).
    pub fn f410_address(&self) -> Address {
        f410_from_eth(&self.eth_address())
    }

    /// Signs a 32-byte digest: `r ‖ s ‖ recovery id` with a low `s` (RFC 6979 nonces, so the
    /// same key and digest always give the same signature, as Lotus's signer does).
    pub fn sign_prehash(&self, digest: &B256) -> [u8; RECOVERABLE_SIG_LEN] {
        let (sig, recid) = self
            .signing
            .sign_prehash_recoverable(digest.as_slice())
            .expect("a 32-byte digest is always signable");
        let (sig, recid) = match sig.normalize_s() {
            Some(low) => (
                low,
                RecoveryId::from_byte(recid.to_byte() ^ 1).expect("0..=3"),
            ),
            None => (sig, recid),
        };
        let mut out = [0u8; RECOVERABLE_SIG_LEN];
        out[..64].copy_from_slice(&sig.to_bytes());
        out[64] = recid.to_byte();
        out
    }
}

impl fmt::Debug for SecpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecpKey")
            .field("eth_address", &self.eth_address())
            .finish_non_exhaustive()
    }
}

/// Recovers the uncompressed public key that made `sig` (`r ‖ s ‖ recovery id`) over `digest`.
///
/// A high `s` (above half the curve order) is refused. `(r, n − s)` with the recovery id flipped
/// recovers the same key, so accepting both would give one signed message two CIDs (or one
/// Ethereum transaction two hashes), and a relayer could push the twin so that the owner's CID
/// never gets a receipt:
/// - delegated (f410, Ethereum transaction) signatures: Ethereum refuses high `s` in
///   transactions since EIP-2 (Homestead), and so does this;
/// - f1 signatures: Lotus accepts a high `s` (its `go-crypto` `EcRecover` uses secp256k1-voi's
///   `RecoverPublicKey`, which takes any `s` in `[1, n)` and leaves the check to the caller, as
///   go-ethereum's libsecp256k1 recovery did before). The devnet refuses it anyway: every
///   Filecoin signer (go-crypto signs with `RejectMalleable`, libsecp256k1, k256, this SDK) makes
///   low-`s` signatures, so only a malleated twin is refused, and one message keeps one CID.
///
/// # Errors
/// [`Error::InvalidSignature`] if `r`/`s` are not valid scalars, `s` is high, the recovery id
/// is above 3, or no key recovers.
pub fn recover_public_key(
    digest: &B256,
    sig: &[u8; RECOVERABLE_SIG_LEN],
) -> Result<[u8; PUBLIC_KEY_LEN]> {
    let signature = EcdsaSignature::from_slice(&sig[..64])
        .map_err(|e| Error::InvalidSignature(e.to_string()))?;
    if signature.normalize_s().is_some() {
        return Err(Error::InvalidSignature(
            "high s: a signature's s must be at most half the curve order (EIP-2), else it has \
             a malleated twin"
                .into(),
        ));
    }
    let recid = RecoveryId::from_byte(sig[64])
        .ok_or_else(|| Error::InvalidSignature(format!("recovery id {} > 3", sig[64])))?;
    recover(digest, sig, &signature, recid)
}

/// The recovery itself, natively with libsecp256k1 (`secp256k1_ecdsa_recover`, the key is
/// `r⁻¹(sR − zG)`, as k256 computes it, without k256's second check that the key it just
/// computed verifies).
#[cfg(not(target_arch = "wasm32"))]
fn recover(
    digest: &B256,
    sig: &[u8; RECOVERABLE_SIG_LEN],
    _: &EcdsaSignature,
    recid: RecoveryId,
) -> Result<[u8; PUBLIC_KEY_LEN]> {
    use secp256k1::ecdsa::{RecoverableSignature, RecoveryId as Id};
    let invalid = |e: secp256k1::Error| Error::InvalidSignature(e.to_string());
    let id = Id::try_from(i32::from(recid.to_byte())).map_err(invalid)?;
    let signature = RecoverableSignature::from_compact(&sig[..64], id).map_err(invalid)?;
    let message = secp256k1::Message::from_digest(digest.0);
    let key = secp256k1::SECP256K1
        .recover_ecdsa(&message, &signature)
        .map_err(invalid)?;
    Ok(key.serialize_uncompressed())
}

/// The recovery itself, with k256 (on wasm32).
#[cfg(target_arch = "wasm32")]
fn recover(
    digest: &B256,
    _: &[u8; RECOVERABLE_SIG_LEN],
    signature: &EcdsaSignature,
    recid: RecoveryId,
) -> Result<[u8; PUBLIC_KEY_LEN]> {
    let key = VerifyingKey::recover_from_prehash(digest.as_slice(), signature, recid)
        .map_err(|e| Error::InvalidSignature(e.to_string()))?;
    Ok(uncompressed(&key))
}

fn uncompressed(key: &VerifyingKey) -> [u8; PUBLIC_KEY_LEN] {
    key.to_encoded_point(false)
        .as_bytes()
        .try_into()
        .expect("an uncompressed point is 65 bytes")
}

/// The f1 address of an uncompressed public key.
pub fn f1_from_public_key(public_key: &[u8; PUBLIC_KEY_LEN]) -> Address {
    Address::new_secp256k1(public_key).expect("a 65-byte key is a valid secp256k1 payload")
}

/// The Ethereum address of an uncompressed public key.
pub fn eth_from_public_key(public_key: &[u8; PUBLIC_KEY_LEN]) -> EthAddress {
    EthAddress::from_slice(&keccak256(&public_key[1..])[12..])
}

/// The f410 address of an Ethereum address (namespace 10, the EAM).
pub fn f410_from_eth(eth: &EthAddress) -> Address {
    abi::f410_address(&eth.0.0)
}

/// The masked-ID Ethereum address of an actor: `0xff ‖ 11 zero bytes ‖ id (8 bytes BE)`.
pub fn masked_id(id: u64) -> EthAddress {
    EthAddress::from(abi::masked_id_address(id))
}

/// The actor id of a masked-ID Ethereum address, `None` for any other address.
pub fn as_masked_id(eth: &EthAddress) -> Option<u64> {
    abi::masked_id_of(&eth.0.0)
}

/// The Filecoin address an Ethereum `to` stands for, as Lotus maps it: a masked-ID address
/// becomes `f0<id>`, anything else the f410 address.
pub fn eth_to_filecoin(eth: &EthAddress) -> Address {
    abi::filecoin_address_of_eth(&eth.0.0)
}

/// The Ethereum address of a Filecoin address: `f0<id>` gives the masked-ID address, an f410
/// address its 20 bytes; other addresses (f1, f2, f3, other namespaces) have none.
pub fn filecoin_to_eth(addr: &Address) -> Option<EthAddress> {
    abi::eth_address_of_filecoin(addr).map(EthAddress::from)
}

/// Formats an address with the given network's prefix (`f` for mainnet, `t` for test networks
/// such as the devnet), whatever `fvm_shared`'s process-wide network is.
pub fn format_address(addr: &Address, network: Network) -> String {
    let text = addr.to_string();
    let prefix = match network {
        Network::Mainnet => 'f',
        Network::Testnet => 't',
    };
    // `Address`'s `Display` always starts with the one-letter network prefix.
    let mut out = String::with_capacity(text.len());
    out.push(prefix);
    out.push_str(&text[1..]);
    out
}

/// Parses an address with either prefix (`f…` or `t…`).
///
/// # Errors
/// [`Error::InvalidAddress`] if the text is not a valid Filecoin address.
pub fn parse_address(text: &str) -> Result<Address> {
    let network = match text.as_bytes().first() {
        Some(b't') => Network::Testnet,
        _ => Network::Mainnet,
    };
    network
        .parse_address(text)
        .map_err(|e| Error::InvalidAddress(format!("{text}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_derives_distinct_stable_keys_from_a_seed() {
        let a = SecpKey::from_seed(b"devnet", 0);
        let b = SecpKey::from_seed(b"devnet", 1);
        let c = SecpKey::from_seed(b"other", 0);
        assert_eq!(
            a.secret_bytes(),
            SecpKey::from_seed(b"devnet", 0).secret_bytes()
        );
        assert_ne!(a.secret_bytes(), b.secret_bytes());
        assert_ne!(a.secret_bytes(), c.secret_bytes());
        let expected = blake2b_simd::Params::new()
            .hash_length(32)
            .to_state()
            .update(b"filmark/secp256k1/v1devnet")
            .update(&0u64.to_be_bytes())
            .update(&[0])
            .finalize();
        assert_eq!(&a.secret_bytes()[..], expected.as_bytes());
    }

    #[test]
    fn it_rejects_invalid_secrets() {
        assert!(matches!(
            SecpKey::from_bytes(&[0; 32]),
            Err(Error::InvalidSecretKey)
        ));
        assert!(matches!(
            SecpKey::from_bytes(&[0xff; 32]),
            Err(Error::InvalidSecretKey)
        ));
        assert!(matches!(
            SecpKey::from_hex("0x1234"),
            Err(Error::InvalidKeyFormat(_))
        ));
        assert!(matches!(
            SecpKey::from_hex(&"g".repeat(64)),
            Err(Error::InvalidKeyFormat(_))
        ));
        assert!(matches!(
            SecpKey::from_hex(&"0".repeat(64)),
            Err(Error::InvalidSecretKey)
        ));
        let k = SecpKey::from_seed(b"x", 7);
        let hex = alloy_primitives::hex::encode(k.secret_bytes());
        assert_eq!(
            SecpKey::from_hex(&format!("0x{hex}"))
                .unwrap()
                .secret_bytes(),
            k.secret_bytes()
        );
    }

    #[test]
    fn it_derives_the_well_known_hardhat_address() {
        // Account #0 of the Hardhat/Anvil test mnemonic: a widely published key/address pair.
        let key =
            SecpKey::from_hex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                .unwrap();
        assert_eq!(
            key.eth_address(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
                .parse::<EthAddress>()
                .unwrap()
        );
        let f410 = key.f410_address();
        assert_eq!(
            format_address(&f410, Network::Mainnet).get(..5),
            Some("f410f")
        );
        assert_eq!(filecoin_to_eth(&f410), Some(key.eth_address()));
        assert_eq!(eth_to_filecoin(&key.eth_address()), f410);
    }

    #[test]
    fn it_maps_masked_ids_both_ways() {
        let eth = masked_id(1234);
        assert_eq!(
            eth,
            "0xff000000000000000000000000000000000004d2"
                .parse::<EthAddress>()
                .unwrap()
        );
        assert_eq!(as_masked_id(&eth), Some(1234));
        assert_eq!(eth_to_filecoin(&eth), Address::new_id(1234));
        assert_eq!(filecoin_to_eth(&Address::new_id(1234)), Some(eth));
        // 0xff followed by a non-zero byte is an ordinary address.
        let mut bytes = [0u8; 20];
        bytes[0] = 0xff;
        bytes[5] = 1;
        assert_eq!(as_masked_id(&EthAddress::from(bytes)), None);
        let f1 = SecpKey::from_seed(b"x", 0).f1_address();
        assert_eq!(filecoin_to_eth(&f1), None);
    }

    #[test]
    fn it_formats_and_parses_both_networks() {
        let addr = SecpKey::from_seed(b"x", 1).f1_address();
        let f = format_address(&addr, Network::Mainnet);
        let t = format_address(&addr, Network::Testnet);
        assert!(f.starts_with("f1") && t.starts_with("t1"));
        assert_eq!(f[1..], t[1..]);
        assert_eq!(parse_address(&f).unwrap(), addr);
        assert_eq!(parse_address(&t).unwrap(), addr);
        assert_eq!(parse_address("t010").unwrap(), Address::new_id(10));
        assert!(matches!(
            parse_address("x1abc"),
            Err(Error::InvalidAddress(_))
        ));
    }

    #[cfg(feature = "rand")]
    #[test]
    fn it_makes_distinct_random_keys() {
        let a = SecpKey::random().unwrap();
        let b = SecpKey::random().unwrap();
        assert_ne!(a.secret_bytes(), b.secret_bytes());
        assert_eq!(
            SecpKey::from_bytes(&a.secret_bytes()).unwrap().f1_address(),
            a.f1_address()
        );
    }

    #[test]
    fn it_recovers_the_signer_of_a_digest() {
        let key = SecpKey::from_seed(b"x", 2);
        let digest = keccak256(b"hello");
        let sig = key.sign_prehash(&digest);
        assert!(sig[64] <= 1);
        assert_eq!(recover_public_key(&digest, &sig).unwrap(), key.public_key());
        let mut bad = sig;
        bad[64] = 4;
        assert!(matches!(
            recover_public_key(&digest, &bad),
            Err(Error::InvalidSignature(_))
        ));
    }
}
