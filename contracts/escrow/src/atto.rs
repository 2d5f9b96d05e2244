//! Amount arithmetic in `u128` attoFIL.
//!
//! Amounts stay `TokenAmount` in state and messages (the same CBOR), and are added, subtracted
//! and compared as such. Products are taken in `u128`: every
//! amount the escrow holds is backed by FIL it received, and the whole FIL supply
//! (2·10^27 attoFIL) is below 2^91, so a held amount times any epoch count of a deal fits in
//! `u128` with room. Amounts that come in params are checked to fit before they are multiplied
//! ([`atto_of`]); pro-rata shares take their intermediate product as a big integer.

use filmark_actor_shared::{ActorError, actor_error};
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;

/// attoFIL of an amount from params.
///
/// # Errors
/// `USR_ILLEGAL_ARGUMENT` naming `field` when it is negative or 2^128 attoFIL or more.
pub(crate) fn atto_of(t: &TokenAmount, field: &str) -> Result<u128, ActorError> {
    if t.is_negative() {
        return Err(actor_error!(illegal_argument; "{field} must not be negative"));
    }
    u128::try_from(t.atto())
        .map_err(|_| actor_error!(illegal_argument; "{field} is more than 2^128 attoFIL"))
}

/// attoFIL of an amount the escrow holds (non-negative and, being backed by received FIL, in
/// range). Out-of-range values clamp: a negative one reads as 0, one of 2^128 or more as
/// `u128::MAX`.
pub(crate) fn held(t: &TokenAmount) -> u128 {
    if t.is_negative() {
        return 0;
    }
    u128::try_from(t.atto()).unwrap_or(u128::MAX)
}

/// `u128` attoFIL as a `TokenAmount`.
pub(crate) fn tokens(atto: u128) -> TokenAmount {
    TokenAmount::from_atto(atto)
}

/// `price × epochs` for a held price; a negative count counts as zero. The product of a held
/// price and a deal's epoch count fits (see the module docs); past `u128` it saturates, which
/// compares as more than any balance.
pub(crate) fn per_epochs(price: &TokenAmount, epochs: i64) -> TokenAmount {
    let epochs = u128::try_from(epochs).unwrap_or(0);
    tokens(held(price).saturating_mul(epochs))
}

/// ⌊`part` × `of` / `whole`⌋: `part`'s pro-rata share of `of`, for `part ≤ whole` (the share
/// is then at most `of`); 0 when `whole` is 0. The product is taken as a big integer.
pub(crate) fn share(part: u128, of: u128, whole: u128) -> u128 {
    if whole == 0 {
        return 0;
    }
    let quotient = BigInt::from(part) * of / whole;
    // At most `of` when `part ≤ whole`; saturates otherwise.
    u128::try_from(quotient).unwrap_or(u128::MAX)
}

#[cfg(test)]
mod tests {
    use fvm_shared::error::ExitCode;

    use super::*;

    #[test]
    fn params_must_fit_u128() {
        assert_eq!(atto_of(&TokenAmount::from_atto(9), "x").unwrap(), 9);
        let max = TokenAmount::from_atto(u128::MAX);
        assert_eq!(atto_of(&max, "x").unwrap(), u128::MAX);
        for bad in [
            TokenAmount::from_atto(-1),
            TokenAmount::from_atto(BigInt::from(u128::MAX) + 1),
        ] {
            let e = atto_of(&bad, "price_per_epoch").unwrap_err();
            assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
            assert!(e.msg().contains("price_per_epoch"), "{}", e.msg());
        }
    }

    #[test]
    fn held_amounts_clamp() {
        assert_eq!(held(&TokenAmount::from_atto(-5)), 0);
        assert_eq!(held(&TokenAmount::from_atto(9)), 9);
        let big = TokenAmount::from_atto(BigInt::from(u128::MAX) + 1);
        assert_eq!(held(&big), u128::MAX);
        assert_eq!(tokens(9), TokenAmount::from_atto(9));
    }

    #[test]
    fn per_epochs_multiplies_and_saturates() {
        let price = TokenAmount::from_atto(3);
        assert_eq!(per_epochs(&price, 4), TokenAmount::from_atto(12));
        assert_eq!(per_epochs(&price, -4), TokenAmount::from_atto(0));
        let supply = TokenAmount::from_whole(2_000_000_000);
        let ten_years = 10 * 365 * 2880;
        assert_eq!(per_epochs(&supply, ten_years), supply.clone() * ten_years);
        let max = TokenAmount::from_atto(u128::MAX);
        assert_eq!(per_epochs(&max, 2), max);
    }

    #[test]
    fn share_floors_like_big_integers() {
        let cases = [
            (0u128, 0u128, 1u128),
            (7, 12, 13),
            (1, 1, 3),
            (u128::MAX, u128::MAX, u128::MAX),
            (u128::MAX / 3, u128::MAX - 1, u128::MAX),
            (10u128.pow(27) - 1, 10u128.pow(27), 2 * 10u128.pow(27)),
            ((1 << 127) + 5, 1 << 127, (1 << 127) + 9),
        ];
        for (part, of, whole) in cases {
            let want = BigInt::from(part) * BigInt::from(of) / BigInt::from(whole);
            assert_eq!(
                BigInt::from(share(part, of, whole)),
                want,
                "{part} × {of} / {whole}"
            );
        }
        assert_eq!(share(5, 5, 0), 0);
    }

    proptest::proptest! {
        #[test]
        fn share_matches_big_integers(a: u128, b: u128, c: u128) {
            let (part, whole) = (a.min(c), a.max(c));
            let want = if whole == 0 {
                BigInt::from(0)
            } else {
                BigInt::from(part) * BigInt::from(b) / BigInt::from(whole)
            };
            proptest::prop_assert_eq!(BigInt::from(share(part, b, whole)), want);
        }
    }
}
