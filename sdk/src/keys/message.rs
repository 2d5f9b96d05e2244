//! Filecoin signatures and signed messages, Lotus-compatible.
//!
//! A message's CID is CIDv1, DAG-CBOR, blake2b-256 of the tuple `[version, to, from, nonce,
//! value, gas_limit, gas_fee_cap, gas_premium, method, params]` (`fvm_shared`'s encoding). A
//! secp256k1 signature is `r ‖ s ‖ recovery id` over blake2b-256 of that CID's bytes; a
//! delegated signature is an Ethereum transaction's (see [`super::eth`]). A signed message is
//! the CBOR tuple `[message, signature]`, the signature being one byte string `type ‖ data`.

use std::borrow::Cow;

use alloy_primitives::B256;
use cid::Cid;
use cid::multihash::Multihash;
use fvm_ipld_encoding::{de, ser, strict_bytes};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::crypto::signature::SignatureType as FvmSigType;
use fvm_shared::message::Message;

use super::eth::SignedEthTx;
use super::secp::{RECOVERABLE_SIG_LEN, SecpKey, f1_from_public_key, recover_public_key};
use crate::{Error, Result};

/// Multicodec of DAG-CBOR.
const DAG_CBOR: u64 = 0x71;
/// Multicodec of blake2b-256.
const BLAKE2B_256: u64 = 0xb220;

/// The kind of a [`Signature`], its first byte on the wire (`go-state-types` numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SigType {
    /// secp256k1 over blake2b-256 of the message CID; signer is an f1 address.
    Secp256k1 = 1,
    /// BLS12-381; signer is an f3 address. Carried, not verified, by this crate.
    Bls = 2,
    /// An Ethereum transaction's signature; signer is an f410 address.
    Delegated = 3,
}

impl TryFrom<u8> for SigType {
    type Error = Error;

    fn try_from(byte: u8) -> Result<Self> {
        match byte {
            1 => Ok(Self::Secp256k1),
            2 => Ok(Self::Bls),
            3 => Ok(Self::Delegated),
            other => Err(Error::UnsupportedSignatureType(other)),
        }
    }
}

/// A Filecoin signature: its type and its data. CBOR: one byte string, `type ‖ data`.
///
/// `fvm_shared`'s `Signature` has no delegated type, hence this one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Which scheme made the signature.
    pub sig_type: SigType,
    /// The signature bytes, without the type byte.
    pub data: Vec<u8>,
}

impl Signature {
    /// A secp256k1 signature (`r ‖ s ‖ recovery id`).
    pub fn secp256k1(data: Vec<u8>) -> Self {
        Self {
            sig_type: SigType::Secp256k1,
            data,
        }
    }

    /// A delegated (Ethereum) signature, laid out as in [`SignedEthTx::filecoin_signature`].
    pub fn delegated(data: Vec<u8>) -> Self {
        Self {
            sig_type: SigType::Delegated,
            data,
        }
    }

    /// The wire form: type byte followed by the data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.data.len());
        out.push(self.sig_type as u8);
        out.extend_from_slice(&self.data);
        out
    }

    /// Parses the wire form.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if empty, [`Error::UnsupportedSignatureType`] for an
    /// unknown type byte.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (&ty, data) = bytes
            .split_first()
            .ok_or_else(|| Error::InvalidSignature("empty signature".into()))?;
        Ok(Self {
            sig_type: SigType::try_from(ty)?,
            data: data.to_vec(),
        })
    }
}

impl ser::Serialize for Signature {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        strict_bytes::Serialize::serialize(&self.to_bytes(), s)
    }
}

impl<'de> de::Deserialize<'de> for Signature {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let bytes: Cow<'de, [u8]> = strict_bytes::Deserialize::deserialize(d)?;
        Self::from_bytes(&bytes).map_err(de::Error::custom)
    }
}

/// A message with its signature. CBOR: `[message, signature]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedMessage {
    /// The unsigned message.
    pub message: Message,
    /// Its signature.
    pub signature: Signature,
}

impl ser::Serialize for SignedMessage {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        (&self.message, &self.signature).serialize(s)
    }
}

impl<'de> de::Deserialize<'de> for SignedMessage {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let (message, signature) = de::Deserialize::deserialize(d)?;
        Ok(Self { message, signature })
    }
}

impl SignedMessage {
    /// The message's CID as Lotus reports it (`MpoolPush`, `StateSearchMsg`): the CID of the
    /// CBOR `[message, signature]`, except for BLS messages, whose CID is the unsigned
    /// message's.
    pub fn cid(&self) -> Cid {
        match self.signature.sig_type {
            SigType::Bls => message_cid(&self.message),
            _ => cbor_cid(&self.to_cbor()),
        }
    }

    /// The CBOR encoding, `[message, signature]`.
    pub fn to_cbor(&self) -> Vec<u8> {
        fvm_ipld_encoding::to_vec(self).expect("messages always encode")
    }

    /// Decodes the CBOR encoding (no trailing bytes allowed).
    ///
    /// # Errors
    /// [`Error::Cbor`] if the bytes are not a signed message.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        fvm_ipld_encoding::from_slice(bytes).map_err(|e| Error::Cbor(e.to_string()))
    }

    /// Parses a raw signed Ethereum transaction (as given to `eth_sendRawTransaction`) into
    /// the Filecoin message Lotus would put in its message pool, for a network with
    /// `chain_id`.
    ///
    /// # Errors
    /// Any parse error of [`SignedEthTx::decode`] and conversion error of
    /// [`SignedEthTx::to_signed_message`] (wrong chain id, unrecoverable signature).
    pub fn from_eth_raw_tx(raw: &[u8], chain_id: u64) -> Result<Self> {
        SignedEthTx::decode(raw)?.to_signed_message(chain_id)
    }

    /// The transaction hash `eth_*` methods show for this message (Lotus's
    /// `ethTxHashFromSignedMessage`): for a delegated signature, the keccak256 hash of the
    /// rebuilt signed Ethereum transaction; for secp256k1, the blake2b-256 digest inside the
    /// signed message's CID; for BLS, the digest inside the unsigned message's CID.
    ///
    /// # Errors
    /// For a delegated signature, the errors of [`SignedEthTx::from_signed_message`].
    pub fn eth_tx_hash(&self, chain_id: u64) -> Result<B256> {
        match self.signature.sig_type {
            SigType::Delegated => Ok(SignedEthTx::from_signed_message(self, chain_id)?.hash()),
            _ => Ok(cid_digest(&self.cid()).expect("message CIDs are blake2b-256 DAG-CBOR")),
        }
    }

    /// Checks the signature against `From`; see [`verify_signed_message`].
    ///
    /// # Errors
    /// As [`verify_signed_message`].
    pub fn verify(&self, chain_id: u64) -> Result<()> {
        verify_signed_message(self, chain_id)
    }
}

/// The CID of an unsigned message: CIDv1, DAG-CBOR, blake2b-256 of its CBOR tuple.
pub fn message_cid(message: &Message) -> Cid {
    cbor_cid(&fvm_ipld_encoding::to_vec(message).expect("messages always encode"))
}

/// The CID an Ethereum hash stands for when no transaction index knows it (Lotus's
/// `EthHash.ToCid`): CIDv1, DAG-CBOR, with the 32 bytes as a blake2b-256 digest. This is how
/// `eth_getTransactionByHash` finds native (secp256k1 and BLS) messages.
pub fn cid_from_eth_hash(hash: &B256) -> Cid {
    Cid::new_v1(
        DAG_CBOR,
        Multihash::wrap(BLAKE2B_256, hash.as_slice()).expect("32 < 64"),
    )
}

/// The 32-byte digest of a CIDv1 DAG-CBOR blake2b-256 CID (Lotus's `EthHashFromCid`), `None`
/// for any other kind of CID.
pub fn cid_digest(cid: &Cid) -> Option<B256> {
    let hash = cid.hash();
    (cid.version() == cid::Version::V1
        && cid.codec() == DAG_CBOR
        && hash.code() == BLAKE2B_256
        && hash.size() == 32)
        .then(|| B256::from_slice(hash.digest()))
}

fn cbor_cid(cbor: &[u8]) -> Cid {
    let digest = blake2b_256(cbor);
    Cid::new_v1(
        DAG_CBOR,
        Multihash::wrap(BLAKE2B_256, digest.as_slice()).expect("32 < 64"),
    )
}

pub(crate) fn blake2b_256(data: &[u8]) -> B256 {
    let hash = blake2b_simd::Params::new().hash_length(32).hash(data);
    B256::from_slice(hash.as_bytes())
}

/// The digest a secp256k1 Filecoin signature signs: blake2b-256 of the message CID's bytes.
pub fn secp_signing_digest(message: &Message) -> B256 {
    blake2b_256(&message_cid(message).to_bytes())
}

/// Signs `message` with a secp256k1 signature (for an f1 sender).
///
/// # Errors
/// [`Error::SignerMismatch`] if `message.from` is not `key`'s f1 address: such a message
/// would never verify.
pub fn sign_secp(key: &SecpKey, message: Message) -> Result<SignedMessage> {
    let own = key.f1_address();
    if message.from != own {
        return Err(super::signer_mismatch(message.from, own));
    }
    let sig = key.sign_prehash(&secp_signing_digest(&message));
    Ok(SignedMessage {
        message,
        signature: Signature::secp256k1(sig.to_vec()),
    })
}

/// The one verification entry point for a message pool: checks that `signed`'s signature was
/// made by its `From`, the way Lotus does (`chain/consensus/signatures.go`).
///
/// - secp256k1: recovers the public key from the signature over blake2b-256 of the message
///   CID and requires its f1 address to equal `From`.
/// - delegated: rebuilds the Ethereum transaction from the message and signature (its kind
///   chosen by the signature length, see [`SignedEthTx::from_signed_message`]), requires the
///   message rebuilt from that transaction to have the same CID
///   ([`Error::RoundtripMismatch`] otherwise), then recovers the signer from the
///   transaction's keccak digest and requires its f410 address to equal `From`.
/// - BLS and unknown types: [`Error::UnsupportedSignatureType`].
///
/// `chain_id` is the network's EIP-155 chain id (the devnet's is
/// [`DEVNET_CHAIN_ID`](super::DEVNET_CHAIN_ID)).
///
/// # Errors
/// [`Error::SignerMismatch`] when the signature is valid for another address, and the
/// errors above for malformed signatures or messages.
pub fn verify_signed_message(signed: &SignedMessage, chain_id: u64) -> Result<()> {
    verify_signature_for(signed, &signed.message.from, chain_id)
}

/// [`verify_signed_message`] for a message whose `From` the node has resolved: `signer` is the
/// key address (f1 or f410) the signature must come from, for example the account's key
/// address when `From` is an `f0` ID address (Lotus's `AuthenticateMessage` with
/// `ResolveToDeterministicAddress`). For a delegated message `signer` is the f410 address, and
/// `From` may be that address or the account's f0 ID.
///
/// # Errors
/// As [`verify_signed_message`]; [`Error::SignerMismatch`] reports `signer` as `from`.
pub fn verify_signature_for(signed: &SignedMessage, signer: &Address, chain_id: u64) -> Result<()> {
    match signed.signature.sig_type {
        SigType::Secp256k1 => {
            if signer.protocol() != Protocol::Secp256k1 {
                return Err(Error::InvalidSignature(format!(
                    "a secp256k1 signature cannot sign for {signer}"
                )));
            }
            let sig: &[u8; RECOVERABLE_SIG_LEN] =
                signed.signature.data.as_slice().try_into().map_err(|_| {
                    Error::InvalidSignature(format!(
                        "secp256k1 signature is {} bytes, must be 65",
                        signed.signature.data.len()
                    ))
                })?;
            let key = recover_public_key(&secp_signing_digest(&signed.message), sig)?;
            let recovered = f1_from_public_key(&key);
            if recovered == *signer {
                Ok(())
            } else {
                Err(super::signer_mismatch(*signer, recovered))
            }
        }
        SigType::Delegated => {
            let tx = SignedEthTx::from_signed_message(signed, chain_id)?;
            tx.verify_for(&signed.message, signer)
        }
        SigType::Bls => Err(Error::UnsupportedSignatureType(SigType::Bls as u8)),
    }
}

impl From<fvm_shared::crypto::signature::Signature> for Signature {
    fn from(sig: fvm_shared::crypto::signature::Signature) -> Self {
        let sig_type = match sig.sig_type {
            FvmSigType::Secp256k1 => SigType::Secp256k1,
            FvmSigType::BLS => SigType::Bls,
        };
        Self {
            sig_type,
            data: sig.bytes,
        }
    }
}

impl TryFrom<Signature> for fvm_shared::crypto::signature::Signature {
    type Error = Error;

    /// `fvm_shared` has no delegated type: those give [`Error::UnsupportedSignatureType`].
    fn try_from(sig: Signature) -> Result<Self> {
        let sig_type = match sig.sig_type {
            SigType::Secp256k1 => FvmSigType::Secp256k1,
            SigType::Bls => FvmSigType::BLS,
            SigType::Delegated => {
                return Err(Error::UnsupportedSignatureType(SigType::Delegated as u8));
            }
        };
        Ok(Self {
            sig_type,
            bytes: sig.data,
        })
    }
}
