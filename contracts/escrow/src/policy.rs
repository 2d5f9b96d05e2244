//! The escrow's state layout parameters (HAMT and AMT configuration) and its limits, each
//! enforced with an error that names it.

use filmark_actor_shared::hamt::Config;
use fvm_shared::clock::ChainEpoch;

/// Bit width of every HAMT in the state (accounts, deal index, app keys).
pub const HAMT_BIT_WIDTH: u32 = 5;

/// The configuration of every HAMT in the state: [`HAMT_BIT_WIDTH`] and `fvm_ipld_hamt`'s
/// defaults for the rest (data from the root on, buckets of 3).
pub const HAMT_CONFIG: Config = Config {
    bit_width: HAMT_BIT_WIDTH,
    min_data_depth: 0,
    max_array_width: 3,
};

/// Bit width of the order AMT.
pub const AMT_BIT_WIDTH: u32 = 5;

/// Most replicas one order may ask for.
pub const MAX_REPLICAS: u64 = 10;

/// Most providers an order may restrict itself to.
pub const MAX_ALLOWED_PROVIDERS: usize = 16;

/// Most funders (the client included) one order may have: refunds iterate over them. A new
/// funder brings at least 1/`MAX_FUNDERS` of what the order was funded with so far (rounded
/// up), so dust cannot fill the list.
pub const MAX_FUNDERS: usize = 32;

/// How long after its last sighting as active a deal that has left the market (exit 32:
/// slashed, terminated, or settled after its end by anyone) may still be paid for: one day.
/// An honest provider is paid in full if anyone settles its order within this window before
/// its deal's end (or after the end while the market still holds the deal); a terminated deal
/// is paid for at most its active epochs plus this window. See README, "Settlement".
pub const SETTLEMENT_WINDOW: ChainEpoch = EPOCHS_PER_DAY;

/// Most orders one `ListOrders` page returns.
pub const MAX_LIST_LIMIT: u64 = 100;

/// Most orders one `ListOrders` call looks at when filtering by client.
pub const MAX_LIST_SCAN: u64 = 1000;

/// Shortest minimum duration an order may ask for (epochs).
pub const MIN_ORDER_DURATION: ChainEpoch = 1;

/// Longest minimum duration an order may ask for: 1278 days, the market's longest deal.
pub const MAX_ORDER_DURATION: ChainEpoch = 1278 * EPOCHS_PER_DAY;

/// Furthest in the future an activation deadline may be: 90 days.
pub const MAX_ACTIVATION_WINDOW: ChainEpoch = 90 * EPOCHS_PER_DAY;

/// Smallest padded piece size (bytes).
pub const MIN_PIECE_SIZE: u64 = 128;

/// Largest padded piece size (bytes): a 64 GiB sector.
pub const MAX_PIECE_SIZE: u64 = 64 << 30;

/// Epochs per day (30-second epochs).
pub const EPOCHS_PER_DAY: ChainEpoch = 2880;

/// Multicodec of a piece commitment (`fil-commitment-unsealed`).
pub const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;

/// Multihash code of a piece commitment (`sha2-256-trunc254-padded`).
pub const SHA2_256_TRUNC254_PADDED: u64 = 0x1012;
