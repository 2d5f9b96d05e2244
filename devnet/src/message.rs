//! Signed messages and their Lotus-compatible CIDs.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, BytesSer, DAG_CBOR, to_vec};
use fvm_shared::message::Message;
use multihash_codetable::{Code, MultihashDigest};

use crate::Result;

/// A signature scheme, numbered as on chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureType {
    /// secp256k1 over blake2b-256 of the message CID (f1 senders).
    Secp256k1 = 1,
    /// BLS (f3 senders; the devnet refuses them).
    Bls = 2,
    /// Delegated: secp256k1 over the keccak-256 of the eth transaction the message re-encodes
    /// (f410 senders).
    Delegated = 3,
}

/// A signature: its type and bytes. On the wire it is one CBOR byte string, type byte first,
/// as Lotus encodes it (`fvm_shared`'s own type has no delegated variant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The scheme.
    pub sig_type: SignatureType,
    /// The signature bytes (65 for secp256k1 and delegated, recovery id last).
    pub bytes: Vec<u8>,
}

impl Signature {
    /// A secp256k1 signature.
    pub const fn new_secp256k1(bytes: Vec<u8>) -> Self {
        Self { sig_type: SignatureType::Secp256k1, bytes }
    }

    /// A delegated (eth transaction) signature.
    pub const fn new_delegated(bytes: Vec<u8>) -> Self {
        Self { sig_type: SignatureType::Delegated, bytes }
    }

    /// The scheme.
    pub const fn signature_type(&self) -> SignatureType {
        self.sig_type
    }
}

impl serde::Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut v = Vec::with_capacity(self.bytes.len() + 1);
        v.push(self.sig_type as u8);
        v.extend_from_slice(&self.bytes);
        BytesSer(&v).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Signature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let BytesDe(v) = BytesDe::deserialize(d)?;
        let (ty, bytes) = v.split_first().ok_or_else(|| serde::de::Error::custom("empty signature"))?;
        let sig_type = match ty {
            1 => SignatureType::Secp256k1,
            2 => SignatureType::Bls,
            3 => SignatureType::Delegated,
            t => return Err(serde::de::Error::custom(format!("unknown signature type {t}"))),
        };
        Ok(Self { sig_type, bytes: bytes.to_vec() })
    }
}

/// A message with its signature, encoded as Lotus does: the tuple `[message, signature]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SignedMessage {
    /// The unsigned message.
    pub message: Message,
    /// The sender's signature over the message CID bytes.
    pub signature: Signature,
}

impl SignedMessage {
    /// The CID the chain indexes this message by: the message CID for BLS (as Lotus), else the
    /// CID of the signed message.
    ///
    /// # Errors
    ///
    /// Fails if the message cannot be encoded.
    pub fn cid(&self) -> Result<Cid> {
        if self.signature.signature_type() == SignatureType::Bls {
            message_cid(&self.message)
        } else {
            Ok(dag_cbor_cid(&to_vec(self)?))
        }
    }

    /// The serialized length, which the FVM charges inclusion gas for.
    ///
    /// # Errors
    ///
    /// Fails if the message cannot be encoded.
    pub fn chain_length(&self) -> Result<usize> {
        Ok(to_vec(self)?.len())
    }
}

/// The CID of an unsigned message: DAG-CBOR, blake2b-256, CIDv1. A secp256k1 sender signs its bytes.
///
/// # Errors
///
/// Fails if the message cannot be encoded.
pub fn message_cid(message: &Message) -> Result<Cid> {
    Ok(dag_cbor_cid(&to_vec(message)?))
}

/// A DAG-CBOR blake2b-256 CIDv1 over already encoded bytes.
pub(crate) fn dag_cbor_cid(bytes: &[u8]) -> Cid {
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(bytes))
}

#[cfg(test)]
mod tests {
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::address::Address;
    use fvm_shared::econ::TokenAmount;

    use super::*;

    fn msg() -> Message {
        Message {
            version: 0,
            from: Address::new_id(100),
            to: Address::new_id(101),
            sequence: 3,
            value: TokenAmount::from_atto(5),
            method_num: 0,
            params: RawBytes::default(),
            gas_limit: 1_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(100),
        }
    }

    #[test]
    fn it_encodes_the_signed_message_as_a_tuple() {
        let signed = SignedMessage { message: msg(), signature: Signature::new_secp256k1(vec![7; 65]) };
        let bytes = to_vec(&signed).unwrap();
        assert_eq!(bytes[0], 0x82, "a 2-element CBOR array");
        let back: SignedMessage = fvm_ipld_encoding::from_slice(&bytes).unwrap();
        assert_eq!(back, signed);
        assert_ne!(signed.cid().unwrap(), message_cid(&signed.message).unwrap());
        assert_eq!(signed.chain_length().unwrap(), bytes.len());
        let cid = message_cid(&signed.message).unwrap();
        assert_eq!(cid.codec(), DAG_CBOR);
        assert_eq!(cid.hash().code(), u64::from(Code::Blake2b256));
    }
}
