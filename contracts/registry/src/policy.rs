//! The registry's state layout parameters (HAMT and AMT configuration) and its limits. Every
//! limit is enforced with `USR_ILLEGAL_ARGUMENT` and a message naming it.

use filmark_actor_shared::hamt::Config;

/// Bit width of every HAMT in the state (records, owners, signers, revocations).
pub const HAMT_BIT_WIDTH: u32 = 3;

/// Entries a HAMT bucket holds before it splits into a child node. 1 instead of the usual 3:
/// leaf nodes stay about three times smaller, and FVM storage is priced per byte written, so
/// an insert into a large map costs less (measured in `cost_probe`).
pub const HAMT_MAX_ARRAY_WIDTH: usize = 1;

/// The configuration of every HAMT in the state.
pub const HAMT_CONFIG: Config = Config {
    bit_width: HAMT_BIT_WIDTH,
    min_data_depth: 0,
    max_array_width: HAMT_MAX_ARRAY_WIDTH,
};

/// Bit width of the per-owner index AMTs.
pub const AMT_BIT_WIDTH: u32 = 3;

/// Maximum bytes of a record's `kind` (a MIME type such as `image/png`).
pub const MAX_KIND_BYTES: usize = 128;

/// Maximum bytes of a record's source platform name (such as `bluesky`).
pub const MAX_PLATFORM_BYTES: usize = 32;

/// Maximum number of metadata entries on one record.
pub const MAX_METADATA_ENTRIES: usize = 16;

/// Maximum bytes of one metadata key.
pub const MAX_METADATA_KEY_BYTES: usize = 64;

/// Maximum bytes of one metadata value.
pub const MAX_METADATA_VALUE_BYTES: usize = 256;

/// Maximum bytes of a content (or piece) CID in its binary form (the FVM's limit, shared by
/// both actors).
pub use filmark_actor_shared::abi::MAX_CID_BYTES;

/// Maximum records in one `RegisterBatch`.
pub const MAX_BATCH_SIZE: usize = 100;

/// Maximum records in one `ListByOwner` page.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Maximum non-revoked signer grants one owner may hold at a time.
pub const MAX_SIGNERS_PER_OWNER: usize = 32;

/// Maximum lifetime of a signer grant, in epochs (one year of 30 s epochs).
pub const MAX_SIGNER_TTL: i64 = 365 * 2880;
