//! The market's exit codes and what a proposal must satisfy.

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;

use super::types::{DealProposal, MAX_LABEL_SIZE};
use crate::{ActorError, ActorResult};

/// A deal id below the next id whose deal was removed (expired, terminated, dropped).
pub const EX_DEAL_EXPIRED: ExitCode = ExitCode::new(32);

/// A deal that is not (yet) activated where activation is required.
pub const EX_DEAL_NOT_ACTIVATED: ExitCode = ExitCode::new(33);

/// Smallest padded piece size.
pub const MIN_PIECE_SIZE: u64 = 128;

/// Multicodec `fil-commitment-unsealed`.
pub const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;

/// Multihash `sha2-256-trunc254-padded`.
pub const SHA2_256_TRUNC254_PADDED: u64 = 0x1012;

/// Whether `cid` is a piece commitment (v1: `baga...`).
pub fn is_piece_cid(cid: &Cid) -> bool {
    cid.version() == cid::Version::V1
        && cid.codec() == FIL_COMMITMENT_UNSEALED
        && cid.hash().code() == SHA2_256_TRUNC254_PADDED
        && cid.hash().size() == 32
}

/// The checks a proposal must pass at epoch `now`, before any party is looked at.
///
/// # Errors
///
/// `USR_ILLEGAL_ARGUMENT` saying which rule the proposal breaks.
pub fn validate_proposal(proposal: &DealProposal, now: ChainEpoch) -> ActorResult<()> {
    let size = proposal.piece_size.0;
    if size < MIN_PIECE_SIZE || !size.is_power_of_two() {
        return Err(ActorError::illegal_argument(format!(
            "piece size {size} is not a power of two of at least {MIN_PIECE_SIZE}"
        )));
    }
    if !is_piece_cid(&proposal.piece_cid) {
        return Err(ActorError::illegal_argument(
            "piece_cid is not a piece CID (v1, fil-commitment-unsealed, sha2-256-trunc254-padded)",
        ));
    }
    if proposal.label.len() > MAX_LABEL_SIZE {
        return Err(ActorError::illegal_argument(format!(
            "label is {} bytes, more than {MAX_LABEL_SIZE}",
            proposal.label.len()
        )));
    }
    if proposal.start_epoch <= now {
        return Err(ActorError::illegal_argument(format!(
            "start epoch {} is not after the current epoch {now}",
            proposal.start_epoch
        )));
    }
    if proposal.end_epoch <= proposal.start_epoch {
        return Err(ActorError::illegal_argument(format!(
            "end epoch {} is not after start epoch {}",
            proposal.end_epoch, proposal.start_epoch
        )));
    }
    for (name, amount) in [
        ("storage price per epoch", &proposal.storage_price_per_epoch),
        ("provider collateral", &proposal.provider_collateral),
        ("client collateral", &proposal.client_collateral),
    ] {
        if amount.is_negative() {
            return Err(ActorError::illegal_argument(format!("{name} is negative")));
        }
    }
    Ok(())
}
