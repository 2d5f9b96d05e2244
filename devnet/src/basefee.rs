//! The base fee: Filecoin's EIP-1559-style update, with Lotus' parameters
//! ([`crate::BASE_FEE_MAX_CHANGE_DENOM`], [`crate::BLOCK_GAS_TARGET`],
//! [`crate::MINIMUM_BASE_FEE_ATTO`]).

use fvm_shared::bigint::{BigInt, Integer};
use fvm_shared::econ::TokenAmount;

use crate::config::{BASE_FEE_MAX_CHANGE_DENOM, BLOCK_GAS_TARGET, MINIMUM_BASE_FEE_ATTO};

/// The base fee after a tipset (of one block) whose messages' gas limits sum to
/// `gas_limit_used`: `base_fee + base_fee × delta / target / 8` with `delta = used − target`
/// capped at ± the target, each division rounding down (Go's `big.Int.Div`, as Lotus), and never
/// below the minimum.
pub(crate) fn next_base_fee(base_fee: &TokenAmount, gas_limit_used: u64) -> TokenAmount {
    let target = BigInt::from(BLOCK_GAS_TARGET);
    let delta = (BigInt::from(gas_limit_used) - &target).clamp(-target.clone(), target.clone());
    let change = (base_fee.atto() * delta)
        .div_floor(&target)
        .div_floor(&BigInt::from(BASE_FEE_MAX_CHANGE_DENOM));
    let next = base_fee.atto() + change;
    TokenAmount::from_atto(next.max(BigInt::from(MINIMUM_BASE_FEE_ATTO)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BLOCK_GAS_LIMIT;

    fn next(fee: u64, used: u64) -> u64 {
        next_base_fee(&TokenAmount::from_atto(fee), used)
            .atto()
            .try_into()
            .unwrap()
    }

    #[test]
    fn it_moves_by_at_most_an_eighth_towards_the_target() {
        // At the target: unchanged.
        assert_eq!(next(1_000, BLOCK_GAS_TARGET), 1_000);
        // Full: +1/8; over full is capped (a block cannot be fuller, but the rule caps delta).
        assert_eq!(next(1_000, BLOCK_GAS_LIMIT), 1_125);
        assert_eq!(next(1_000, BLOCK_GAS_LIMIT * 3), 1_125);
        // Empty: -1/8, rounded down like Go's Euclidean division (-17.625 -> -18).
        assert_eq!(next(141, 0), 123);
        assert_eq!(next(1_000, 0), 875);
        // Three quarters full: +1/16.
        assert_eq!(next(1_600, BLOCK_GAS_TARGET * 3 / 2), 1_700);
        // Never below the minimum.
        assert_eq!(next(100, 0), MINIMUM_BASE_FEE_ATTO);
        assert_eq!(next(105, 0), MINIMUM_BASE_FEE_ATTO);
        // 12.5 % of the minimum rounds down to 12.
        assert_eq!(next(100, BLOCK_GAS_LIMIT), 112);
    }
}
