//! The market's exit codes, its policy (the builtin-actors numbers) and what a proposal must
//! satisfy.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::types::{DealID, DealProposal, MAX_LABEL_SIZE};
use crate::{ActorError, ActorResult};

/// A deal id below the next id whose deal was removed (expired, terminated, dropped), or a
/// deal marked for termination.
pub const EX_DEAL_EXPIRED: ExitCode = ExitCode::new(32);

/// A deal that is not (yet) activated where activation is required.
pub const EX_DEAL_NOT_ACTIVATED: ExitCode = ExitCode::new(33);

/// Smallest padded piece size.
pub const MIN_PIECE_SIZE: u64 = 128;

/// Multicodec `fil-commitment-unsealed`.
pub const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;

/// Multihash `sha2-256-trunc254-padded`.
pub const SHA2_256_TRUNC254_PADDED: u64 = 0x1012;

/// Epochs in a day at the protocol's 30-second epochs (builtin-actors `EPOCHS_IN_DAY`, the
/// same in every bundle).
pub const EPOCHS_IN_DAY: ChainEpoch = 2880;

/// builtin-actors `TOTAL_FILECOIN` in whole FIL: the cap on a deal's price per epoch and on
/// both collaterals.
pub const TOTAL_FILECOIN_FIL: i64 = 2_000_000_000;

/// builtin-actors reward `BASELINE_INITIAL_VALUE` (bytes): the baseline power at a network's
/// genesis, which the provider collateral bound divides by.
pub const BASELINE_INITIAL_VALUE: u64 = 2_888_888_880_000_000_000;

/// The numbers the market checks deals against, stored in its state (chosen by the
/// constructor's params).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MarketPolicy {
    /// Shortest deal (epochs, inclusive).
    pub min_duration: ChainEpoch,
    /// Longest deal (epochs, inclusive).
    pub max_duration: ChainEpoch,
    /// Epochs between a deal's scheduled updates (`deal_updates_interval`).
    pub deal_updates_interval: ChainEpoch,
    /// Share of the normalised circulating supply that provider collateral must cover:
    /// numerator ...
    pub prov_collateral_num: u64,
    /// ... and denominator.
    pub prov_collateral_denom: u64,
    /// The network power the collateral share divides by: max(baseline, raw power). The
    /// devnet has no power or reward actor; this is the reward actor's genesis baseline.
    pub network_power: u64,
    /// Largest sector size (bytes): a deal whose piece is larger cannot be activated.
    pub max_sector_size: u64,
}

impl MarketPolicy {
    /// builtin-actors v18 built for `devnet` (what Lotus devnets run: features `sector-2k`,
    /// `sector-8m`, `small-deals`, `short-precommit`, `min-power-2k`). Its market numbers are
    /// mainnet's except the sector sizes: deals of 180 to 1278 days, updates every 30 days,
    /// provider collateral of 1% of the normalised circulating supply, 8 MiB sectors.
    pub const fn devnet() -> Self {
        Self {
            min_duration: 180 * EPOCHS_IN_DAY,
            max_duration: 1278 * EPOCHS_IN_DAY,
            deal_updates_interval: 30 * EPOCHS_IN_DAY,
            prov_collateral_num: 1,
            prov_collateral_denom: 100,
            network_power: BASELINE_INITIAL_VALUE,
            max_sector_size: 8 << 20,
        }
    }

    /// builtin-actors v18 built for `mainnet` (`sector-32g`, `sector-64g`): as
    /// [`MarketPolicy::devnet`] with 64 GiB sectors.
    pub const fn mainnet() -> Self {
        Self {
            max_sector_size: 64 << 30,
            ..Self::devnet()
        }
    }

    /// Not a builtin-actors bundle: [`MarketPolicy::devnet`] with deals of any length from one
    /// epoch, updates every 10 epochs and no minimum provider collateral (as builtin-actors'
    /// `testing` bundle, feature `no-provider-deal-collateral`), so that tests run deals to
    /// their end in a few tipsets.
    pub const fn fast() -> Self {
        Self {
            min_duration: 1,
            deal_updates_interval: 10,
            prov_collateral_num: 0,
            ..Self::devnet()
        }
    }

    /// The provider collateral bounds of a piece of `size` bytes with `circ_supply` in
    /// circulation: `[circ × num / denom × size / max(network_power, size), TOTAL_FILECOIN]`.
    pub fn provider_collateral_bounds(
        &self,
        size: u64,
        circ_supply: &TokenAmount,
    ) -> (TokenAmount, TokenAmount) {
        let share = BigInt::from(size) * self.prov_collateral_num;
        let denom = BigInt::from(self.network_power.max(size)) * self.prov_collateral_denom;
        let min = circ_supply.atto() * share / denom.max(BigInt::from(1));
        (TokenAmount::from_atto(min), total_filecoin())
    }

    /// The first epoch, at or after `earliest`, at which deal `id` is updated: a fixed offset
    /// (`id mod interval`) in every interval, as builtin-actors' `next_update_epoch`.
    pub fn next_update_epoch(&self, id: DealID, earliest: ChainEpoch) -> ChainEpoch {
        let interval = self.deal_updates_interval.max(1);
        let offset = (id % interval.unsigned_abs()) as ChainEpoch;
        let from = earliest - offset;
        if from < 0 || from % interval == 0 {
            interval * (from / interval) + offset
        } else {
            interval * (from / interval + 1) + offset
        }
    }
}

impl Default for MarketPolicy {
    fn default() -> Self {
        Self::devnet()
    }
}

/// [`TOTAL_FILECOIN_FIL`] as an amount.
pub fn total_filecoin() -> TokenAmount {
    TokenAmount::from_whole(TOTAL_FILECOIN_FIL)
}

/// Whether `cid` is a piece commitment (v1: `baga...`).
pub fn is_piece_cid(cid: &Cid) -> bool {
    cid.version() == cid::Version::V1
        && cid.codec() == FIL_COMMITMENT_UNSEALED
        && cid.hash().code() == SHA2_256_TRUNC254_PADDED
        && cid.hash().size() == 32
}

fn invalid(msg: impl Into<String>) -> ActorResult<()> {
    Err(ActorError::illegal_argument(msg.into()))
}

/// The checks of builtin-actors' `validate_deal` (but the client's authentication) at epoch
/// `now` with `circ_supply` in circulation, in its order.
///
/// # Errors
///
/// `USR_ILLEGAL_ARGUMENT` saying which rule the proposal breaks.
pub fn validate_proposal(
    proposal: &DealProposal,
    now: ChainEpoch,
    policy: &MarketPolicy,
    circ_supply: &TokenAmount,
) -> ActorResult<()> {
    if proposal.label.len() > MAX_LABEL_SIZE {
        return invalid(format!(
            "deal label can be at most {MAX_LABEL_SIZE} bytes, is {}",
            proposal.label.len()
        ));
    }
    let size = proposal.piece_size.0;
    if size < MIN_PIECE_SIZE || !size.is_power_of_two() {
        return invalid(format!(
            "piece size {size} is not a power of two of at least {MIN_PIECE_SIZE}"
        ));
    }
    if !is_piece_cid(&proposal.piece_cid) {
        return invalid(
            "piece_cid is not a piece CID (v1, fil-commitment-unsealed, sha2-256-trunc254-padded)",
        );
    }
    if proposal.end_epoch <= proposal.start_epoch {
        return invalid(format!(
            "end epoch {} is not after start epoch {}",
            proposal.end_epoch, proposal.start_epoch
        ));
    }
    if now > proposal.start_epoch {
        return invalid(format!(
            "start epoch {} has already elapsed at {now}",
            proposal.start_epoch
        ));
    }
    let duration = proposal.duration();
    if duration < policy.min_duration || duration > policy.max_duration {
        return invalid(format!(
            "duration {duration} out of bounds [{}, {}]",
            policy.min_duration, policy.max_duration
        ));
    }
    let cap = total_filecoin();
    let zero = TokenAmount::default();
    let (min_provider, max_provider) = policy.provider_collateral_bounds(size, circ_supply);
    for (name, amount, min, max) in [
        (
            "storage price",
            &proposal.storage_price_per_epoch,
            &zero,
            &cap,
        ),
        (
            "provider collateral",
            &proposal.provider_collateral,
            &min_provider,
            &max_provider,
        ),
        (
            "client collateral",
            &proposal.client_collateral,
            &zero,
            &cap,
        ),
    ] {
        if amount < min || amount > max {
            return invalid(format!("{name} {amount} out of bounds [{min}, {max}]"));
        }
    }
    Ok(())
}
