//! Parameters and return values of the registry's methods (tuple-encoded CBOR), and the
//! record and grant types they carry.

use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::ext::escrow::OrderFunding;

/// Whether a record is live or tombstoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The record can be changed and transferred by its owner.
    Active,
    /// The record is frozen for ever; its CID can never be registered again.
    Tombstoned,
}

impl Status {
    /// The wire value: 0 active, 1 tombstoned (also the `uint8 status` of the ABI).
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Tombstoned => 1,
        }
    }

    /// The status with this wire value.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Active),
            1 => Some(Self::Tombstoned),
            _ => None,
        }
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = u8::deserialize(d)?;
        Self::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown record status {code}")))
    }
}

/// One metadata key/value pair. Keys are unique within a record and kept sorted.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MetadataEntry {
    /// The key (at most `policy::MAX_METADATA_KEY_BYTES`, not empty).
    pub key: String,
    /// The value (at most `policy::MAX_METADATA_VALUE_BYTES`).
    pub value: String,
}

/// A content record, as stored and as returned by `Get` and `ListByOwner`.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The owner's actor ID.
    pub owner: ActorID,
    /// What the content is: a MIME type such as `image/png`.
    pub kind: String,
    /// Size of the content in bytes.
    pub size: u64,
    /// The Filecoin piece CID (CommP) of the content, if known (kept as bytes in state: a v2
    /// piece CID is not a link the FVM accepts).
    #[serde(with = "filmark_actor_shared::cid::option_as_bytes")]
    pub piece: Option<Cid>,
    /// The platform the content was bridged from (`bluesky`, `x`, ...; empty if native).
    pub platform: String,
    /// A 32-byte hash of the external post reference (zero if native).
    #[serde(with = "strict_bytes")]
    pub ref_hash: [u8; 32],
    /// Metadata entries, sorted by key, keys unique.
    pub metadata: Vec<MetadataEntry>,
    /// Epoch the record was registered.
    pub created: ChainEpoch,
    /// Epoch of the last change.
    pub updated: ChainEpoch,
    /// Active or tombstoned.
    pub status: Status,
    /// The escrow order paying for the content's storage, if linked.
    pub order_id: Option<u64>,
    /// Position of the record in its owner's index (the `ListByOwner` cursor that starts at it).
    pub index: u64,
    /// Registry-wide sequence number of the last change (increases with every change).
    pub seq: u64,
    /// The signer grant the last change was made through; `None` when the owner acted.
    pub via_grant: Option<u64>,
}

/// Bit flags of a signer's scope: which methods the signer may call for its owner.
pub mod scope {
    /// `Register` and `RegisterBatch`.
    pub const REGISTER: u32 = 1;
    /// `UpdateMetadata`.
    pub const UPDATE_METADATA: u32 = 1 << 1;
    /// `Transfer`.
    pub const TRANSFER: u32 = 1 << 2;
    /// `Tombstone`.
    pub const TOMBSTONE: u32 = 1 << 3;
    /// `LinkOrder`.
    pub const LINK_ORDER: u32 = 1 << 4;
    /// Every flag.
    pub const ALL: u32 = REGISTER | UPDATE_METADATA | TRANSFER | TOMBSTONE | LINK_ORDER;
}

/// A signer grant: `signer` may act for `owner` within `scope` while `epoch < expiry`.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct SignerGrant {
    /// The signer's actor ID.
    pub signer: ActorID,
    /// Registry-wide unique grant id; a revoked id never acts again.
    pub grant_id: u64,
    /// Allowed methods, as [`scope`] flags.
    pub scope: u32,
    /// Epoch the grant was made.
    pub granted: ChainEpoch,
    /// First epoch at which the grant no longer acts.
    pub expiry: ChainEpoch,
}

// ---- Constructor ----

/// `Constructor` params: `[escrow]`, the escrow actor the registry reads order funding from.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq, Default)]
pub struct ConstructorParams {
    /// The escrow actor (any address kind; stored as its ID address). `None` disables
    /// `LinkOrder` and `GetFunding`.
    pub escrow: Option<Address>,
}

// ---- Register ----

/// `Register` params; also one item of `RegisterBatch`.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct RegisterParams {
    /// The content CID (at most `policy::MAX_CID_BYTES` bytes).
    pub cid: Cid,
    /// The owner: `None` for the caller, or an owner the caller holds a `REGISTER` grant from.
    pub owner: Option<Address>,
    /// MIME type (not empty, at most `policy::MAX_KIND_BYTES`).
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// Piece CID, if known.
    pub piece: Option<Cid>,
    /// Source platform (at most `policy::MAX_PLATFORM_BYTES`).
    pub platform: String,
    /// 32-byte hash of the external post reference.
    #[serde(with = "strict_bytes")]
    pub ref_hash: [u8; 32],
    /// Metadata (at most `policy::MAX_METADATA_ENTRIES`, keys unique).
    pub metadata: Vec<MetadataEntry>,
}

/// `RegisterBatch` params: the records, registered all or none.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct RegisterBatchParams {
    /// 1 to `policy::MAX_BATCH_SIZE` records.
    pub records: Vec<RegisterParams>,
}

// ---- UpdateMetadata ----

/// `UpdateMetadata` params: `remove` is applied first, then `set`.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct UpdateMetadataParams {
    /// The record.
    pub cid: Cid,
    /// Entries to insert or overwrite.
    pub set: Vec<MetadataEntry>,
    /// Keys to remove (missing keys are ignored).
    pub remove: Vec<String>,
}

// ---- Transfer / Tombstone ----

/// `Transfer` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct TransferParams {
    /// The record.
    pub cid: Cid,
    /// The new owner; must resolve to an existing actor and differ from the current owner.
    pub new_owner: Address,
}

/// `Tombstone` params: the record's CID.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct TombstoneParams {
    /// The record.
    pub cid: Cid,
}

// ---- Signers ----

/// `AddSigner` params: the caller grants `signer` the right to act for it.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct AddSignerParams {
    /// The app signer (must resolve to an existing actor other than the caller).
    pub signer: Address,
    /// Allowed methods, as [`scope`] flags (not zero, no unknown bits).
    pub scope: u32,
    /// First epoch the grant no longer acts: after now, at most `policy::MAX_SIGNER_TTL` ahead.
    pub expiry: ChainEpoch,
}

/// `AddSigner` return: the new grant's id.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct AddSignerReturn {
    /// The grant id.
    pub grant_id: u64,
}

/// `RevokeSigner` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct RevokeSignerParams {
    /// The owner of the grant: `None` when the caller is the owner; a signer revoking its own
    /// grant names its owner here.
    pub owner: Option<Address>,
    /// The signer whose current grant is revoked.
    pub signer: Address,
}

/// `RevokeSigner` return: the revoked grant's id.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct RevokeSignerReturn {
    /// The grant id.
    pub grant_id: u64,
}

/// `ListSigners` params: the owner.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct ListSignersParams {
    /// The owner.
    pub owner: Address,
}

/// `ListSigners` return: the owner's non-revoked grants (expired ones included), by signer ID.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct ListSignersReturn {
    /// At most `policy::MAX_SIGNERS_PER_OWNER` grants.
    pub grants: Vec<SignerGrant>,
}

// ---- Reads ----

/// `Get` params: the record's CID.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct GetParams {
    /// The record.
    pub cid: Cid,
}

/// `ListByOwner` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct ListByOwnerParams {
    /// The owner.
    pub owner: Address,
    /// Index to start from (0 for the first page, then the previous page's `next_cursor`).
    pub cursor: u64,
    /// Page size, 1 to `policy::MAX_PAGE_SIZE`.
    pub limit: u32,
}

/// A record with its CID.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct OwnedRecord {
    /// The content CID.
    pub cid: Cid,
    /// The record.
    pub record: Record,
}

/// `ListByOwner` return.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct ListByOwnerReturn {
    /// Records in index (registration/transfer-in) order.
    pub records: Vec<OwnedRecord>,
    /// Cursor of the next page, `None` at the end.
    pub next_cursor: Option<u64>,
}

/// `Counts` return: the registry's counters.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CountsReturn {
    /// Records ever registered (active + tombstoned).
    pub records: u64,
    /// Active records.
    pub active: u64,
    /// Tombstoned records.
    pub tombstoned: u64,
    /// Owners holding at least one record.
    pub owners: u64,
    /// Non-revoked signer grants (expired ones included).
    pub signers: u64,
    /// Revoked grants.
    pub revoked: u64,
}

// ---- Escrow link ----

/// `LinkOrder` params (the cross-actor contract: `[cid, order_id]`).
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct LinkOrderParams {
    /// The record.
    pub cid: Cid,
    /// The escrow order paying for its storage; the order's `content` must be `cid`.
    pub order_id: u64,
}

/// `GetFunding` params: the record's CID.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct GetFundingParams {
    /// The record.
    pub cid: Cid,
}

/// `GetFunding` return: the linked order and what the escrow says about it now.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct GetFundingReturn {
    /// The linked order, if any.
    pub order_id: Option<u64>,
    /// The escrow's `GetOrderFunding` answer for it.
    pub funding: Option<OrderFunding>,
}
