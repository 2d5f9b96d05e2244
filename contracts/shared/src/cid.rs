//! CIDs the FVM will not accept as links in actor state, kept as bytes.
//!
//! The FVM scans every DAG-CBOR block an actor writes and refuses links it cannot resolve on
//! chain: only blake2b-256 CIDs with codec DAG-CBOR, CBOR or raw (and identity-hashed inline
//! blocks) may be linked, plus Filecoin piece and sector commitments (codecs 0xf101, 0xf102),
//! which it ignores. A UnixFS root (dag-pb, sha2-256), a raw leaf (sha2-256) or a v2 piece CID
//! (FRC-0069, multihash 0x1011) would abort the message with `USR_ILLEGAL_STATE`. Store such CIDs
//! as [`ExternalCid`] (or a field with `#[serde(with = "filmark_actor_shared::cid::as_bytes")]`):
//! a CBOR byte string holding the CID's binary form, which the FVM does not follow.

use core::fmt;

pub use ::cid::Cid;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Codecs the FVM lets a state block link to (and follows).
pub const ALLOWED_LINK_CODECS: [u64; 3] = [
    fvm_ipld_encoding::CBOR,
    fvm_ipld_encoding::DAG_CBOR,
    fvm_ipld_encoding::IPLD_RAW,
];

/// Codecs the FVM accepts as links without following them (piece and sector commitments).
pub const IGNORED_LINK_CODECS: [u64; 2] = [0xf101, 0xf102];

const BLAKE2B_256: u64 = 0xb220;
const IDENTITY: u64 = 0x00;

/// Why the FVM would refuse a state block linking to `cid`, or `None` if it accepts the link.
pub fn forbidden_link(cid: &Cid) -> Option<String> {
    let codec = cid.codec();
    if IGNORED_LINK_CODECS.contains(&codec) {
        return None;
    }
    if !ALLOWED_LINK_CODECS.contains(&codec) {
        return Some(format!(
            "link to {cid} has codec {codec:#x}, which the FVM forbids"
        ));
    }
    let hash = cid.hash();
    if hash.code() == IDENTITY || (hash.code() == BLAKE2B_256 && hash.size() == 32) {
        None
    } else {
        Some(format!(
            "link to {cid} has multihash {:#x} (len {}), which the FVM forbids",
            hash.code(),
            hash.size()
        ))
    }
}

/// A CID kept in state as bytes, so the FVM does not treat it as a link.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ExternalCid(pub Cid);

impl From<Cid> for ExternalCid {
    fn from(c: Cid) -> Self {
        Self(c)
    }
}

impl From<ExternalCid> for Cid {
    fn from(c: ExternalCid) -> Self {
        c.0
    }
}

impl fmt::Display for ExternalCid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for ExternalCid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_bytes::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for ExternalCid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        as_bytes::deserialize(d).map(Self)
    }
}

/// `#[serde(with = "filmark_actor_shared::cid::as_bytes")]` for a `Cid` field kept as bytes.
pub mod as_bytes {
    use cid::Cid;
    use fvm_ipld_encoding::{BytesDe, BytesSer};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    /// Serializes the CID's binary form as a CBOR byte string.
    ///
    /// # Errors
    /// As the serializer.
    pub fn serialize<S: Serializer>(cid: &Cid, s: S) -> Result<S::Ok, S::Error> {
        BytesSer(&cid.to_bytes()).serialize(s)
    }

    /// Reads a CID from a CBOR byte string.
    ///
    /// # Errors
    /// When the bytes are not one CID.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Cid, D::Error> {
        let BytesDe(bytes) = BytesDe::deserialize(d)?;
        Cid::try_from(bytes.as_slice()).map_err(D::Error::custom)
    }
}

/// `#[serde(with = "filmark_actor_shared::cid::option_as_bytes")]` for an `Option<Cid>` field.
pub mod option_as_bytes {
    use cid::Cid;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ExternalCid;

    /// Serializes `None` as null, `Some` as a CBOR byte string.
    ///
    /// # Errors
    /// As the serializer.
    pub fn serialize<S: Serializer>(cid: &Option<Cid>, s: S) -> Result<S::Ok, S::Error> {
        cid.map(ExternalCid).serialize(s)
    }

    /// Reads null or a CID from a CBOR byte string.
    ///
    /// # Errors
    /// When the bytes are not one CID.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cid>, D::Error> {
        Ok(Option::<ExternalCid>::deserialize(d)?.map(|c| c.0))
    }
}

#[cfg(test)]
mod tests {
    use multihash_codetable::{Code, MultihashDigest};

    use super::*;

    fn cid(codec: u64, code: Code) -> Cid {
        Cid::new_v1(codec, code.digest(b"x"))
    }

    #[test]
    fn link_rules_match_the_fvm() {
        assert!(forbidden_link(&cid(fvm_ipld_encoding::DAG_CBOR, Code::Blake2b256)).is_none());
        assert!(forbidden_link(&cid(fvm_ipld_encoding::IPLD_RAW, Code::Blake2b256)).is_none());
        assert!(
            forbidden_link(&cid(0x70, Code::Sha2_256)).is_some(),
            "dag-pb UnixFS root"
        );
        assert!(
            forbidden_link(&cid(0x55, Code::Sha2_256)).is_some(),
            "raw leaf"
        );
        assert!(
            forbidden_link(&cid(0xf101, Code::Sha2_256)).is_none(),
            "piece v1 is ignored"
        );
    }

    #[test]
    fn external_cids_round_trip_as_bytes() {
        let c = cid(0x70, Code::Sha2_256);
        let bytes = fvm_ipld_encoding::to_vec(&ExternalCid(c)).unwrap();
        assert_eq!(bytes[0] >> 5, 2, "a CBOR byte string, not a tag-42 link");
        assert_eq!(
            fvm_ipld_encoding::from_slice::<ExternalCid>(&bytes)
                .unwrap()
                .0,
            c
        );
        let some = fvm_ipld_encoding::to_vec(&Some(ExternalCid(c))).unwrap();
        assert_eq!(
            fvm_ipld_encoding::from_slice::<Option<ExternalCid>>(&some).unwrap(),
            Some(ExternalCid(c))
        );
    }
}
