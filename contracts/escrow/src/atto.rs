//! Amount arithmetic in `u128` attoFIL.
//!
//! Amounts stay `TokenAmount` in state and messages (the same CBOR), and are added, subtracted
//! and compared as such. Products and quotients are taken in `u128` instead of big integers
//! (whose multiplication, division and decimal code would otherwise weigh on the wasm): every
//! amount the escrow holds is backed by FIL it received, and the whole FIL supply
//! (2·10^27 attoFIL) is below 2^91, so a held amount times any epoch count of a deal fits in
//! `u128` with room. Amounts that come in params are checked to fit before they are multiplied
//! ([`atto_of`]); pro-rata shares take their intermediate product in 256 bits.

use filmark_actor_shared::{ActorError, actor_error};
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
/// is then at most `of`); 0 when `whole` is 0. The product is taken in 256 bits, then divided
/// bit by bit (a few hundred instructions; a 256-bit integer library's general division would
/// add ~9 KB to the wasm for this one use).
pub(crate) fn share(part: u128, of: u128, whole: u128) -> u128 {
    if whole == 0 {
        return 0;
    }
    let (hi, lo) = widening_mul(part, of);
    let (mut rem, mut quotient) = (0u128, 0u128);
    for i in (0..256).rev() {
        let bit = if i >= 128 {
            (hi >> (i - 128)) & 1
        } else {
            (lo >> i) & 1
        };
        // `rem < whole` before the shift, so `rem` fits once its top bit is carried.
        let carried = rem >> 127 == 1;
        rem = (rem << 1) | bit;
        quotient <<= 1;
        if carried || rem >= whole {
            rem = rem.wrapping_sub(whole);
            quotient |= 1;
        }
    }
    quotient
}

/// The 256-bit product `a × b` as (high, low) 128-bit halves.
fn widening_mul(a: u128, b: u128) -> (u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & LOW);
    let (b_hi, b_lo) = (b >> 64, b & LOW);
    let (mid, mid_carry) = (a_hi * b_lo).overflowing_add(a_lo * b_hi);
    let (lo, lo_carry) = (a_lo * b_lo).overflowing_add(mid << 64);
    let hi = a_hi * b_hi + (mid >> 64) + (u128::from(mid_carry) << 64) + u128::from(lo_carry);
    (hi, lo)
}

#[cfg(test)]
mod tests {
    use fvm_shared::bigint::BigInt;
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
