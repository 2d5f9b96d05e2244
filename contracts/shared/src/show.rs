//! Cheap `Display` forms for error messages.
//!
//! `Address` and `Cid` implement `Display` with base32 / multibase encoders, and `TokenAmount`
//! with big-integer division, that add tens of KB to every actor's wasm. Messages use these
//! forms instead: an ID address shows as `f0<id>`, any other address as
//! `f<protocol>:0x<payload hex>`, a CID as `0x<hex of its bytes>`, an amount as `TokenAmount`
//! shows it (in FIL).

use core::fmt;

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

/// Shows an address without the base32 encoder.
#[derive(Debug, Clone, Copy)]
pub struct Addr<'a>(pub &'a Address);

impl fmt::Display for Addr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Ok(id) = self.0.id() {
            return write!(f, "f0{id}");
        }
        write!(f, "f{}:0x", self.0.protocol() as u8)?;
        write_hex(f, &self.0.payload_bytes())
    }
}

/// Shows a CID as the hex of its binary form, without the multibase encoder.
#[derive(Debug, Clone, Copy)]
pub struct CidHex<'a>(pub &'a Cid);

impl fmt::Display for CidHex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        write_hex(f, &self.0.to_bytes())
    }
}

/// Shows an amount as `TokenAmount`'s `Display` does (whole FIL, a point, the fraction without
/// trailing zeros; width, fill and sign flags apply), in `u128` arithmetic and without the
/// formatting machinery (no `format!`, no `u128` `Display`). An amount of 2^128 attoFIL or more
/// (more than anyone holds: the FIL supply is below 2^91 attoFIL) shows as the hex of its
/// attoFIL.
#[derive(Debug, Clone, Copy)]
pub struct Fil<'a>(pub &'a TokenAmount);

impl fmt::Display for Fil<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let atto = self.0.atto();
        let non_negative = atto.sign() != fvm_shared::bigint::Sign::Minus;
        let Ok(magnitude) = u128::try_from(atto.magnitude()) else {
            let mut text = String::from("0x");
            write_hex(&mut text, &atto.magnitude().to_bytes_be())?;
            text.push_str(" attoFIL");
            return f.pad_integral(non_negative, "", &text);
        };
        let mut buf = [0u8; FIL_TEXT_MAX];
        f.pad_integral(non_negative, "", fil_text(magnitude, &mut buf))
    }
}

/// Lower-case hex digits.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `bytes` as lower-case hex, two digits a byte.
fn write_hex(w: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| {
        w.write_char(HEX[usize::from(b >> 4)].into())?;
        w.write_char(HEX[usize::from(b & 0xf)].into())
    })
}

/// The longest [`fil_text`]: 21 whole digits (u128::MAX / 10^18 < 10^21), the point and 18
/// fraction digits.
const FIL_TEXT_MAX: usize = 21 + 1 + 18;

/// `atto` attoFIL as `<whole>.<fraction without trailing zeros, at least one digit>`, written
/// from the end of `buf`.
fn fil_text(atto: u128, buf: &mut [u8; FIL_TEXT_MAX]) -> &str {
    const PRECISION: u128 = 10u128.pow(TokenAmount::DECIMALS as u32);
    let mut at = buf.len();
    let mut push = |digit: u8| {
        at -= 1;
        buf[at] = digit;
    };
    // Below 10^18, so a u64.
    let mut fraction = (atto % PRECISION) as u64;
    let mut digits = TokenAmount::DECIMALS;
    while digits > 1 && fraction.is_multiple_of(10) {
        fraction /= 10;
        digits -= 1;
    }
    for _ in 0..digits {
        push(b'0' + (fraction % 10) as u8);
        fraction /= 10;
    }
    push(b'.');
    let mut whole = atto / PRECISION;
    loop {
        push(b'0' + (whole % 10) as u8);
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    // Only ASCII digits and a point were written.
    core::str::from_utf8(&buf[at..]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_as_token_amount_does() {
        use fvm_shared::bigint::BigInt;
        for atto in [
            BigInt::from(0),
            BigInt::from(1),
            BigInt::from(-1),
            BigInt::from(10),
            BigInt::from(1_500_000_000_000_000_000u128),
            BigInt::from(-3_000_000_000_000_000_000i128),
            BigInt::from(123_456_789_000_000_000_001u128),
            BigInt::from(u128::MAX),
            -BigInt::from(u128::MAX),
        ] {
            let t = TokenAmount::from_atto(atto);
            assert_eq!(Fil(&t).to_string(), t.to_string());
            assert_eq!(format!("[{:>30}]", Fil(&t)), format!("[{t:>30}]"));
        }
        let huge = TokenAmount::from_atto(BigInt::from(u128::MAX) + 1);
        assert_eq!(
            Fil(&huge).to_string(),
            "0x0100000000000000000000000000000000 attoFIL"
        );
        assert_eq!(
            Fil(&-huge).to_string(),
            "-0x0100000000000000000000000000000000 attoFIL"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_amount_shows_as_token_amount_does(atto: u128, negative: bool, width in 0usize..48) {
            let atto = fvm_shared::bigint::BigInt::from(atto);
            let t = TokenAmount::from_atto(if negative { -atto } else { atto });
            proptest::prop_assert_eq!(Fil(&t).to_string(), t.to_string());
            proptest::prop_assert_eq!(format!("{:>width$}", Fil(&t)), format!("{t:>width$}"));
            proptest::prop_assert_eq!(format!("{:+}", Fil(&t)), format!("{t:+}"));
        }
    }

    #[test]
    fn addresses_show_without_base32() {
        assert_eq!(Addr(&Address::new_id(5)).to_string(), "f05");
        let f4 = Address::new_delegated(10, &[0xab; 20]).unwrap();
        let shown = Addr(&f4).to_string();
        assert!(
            shown.starts_with("f4:0x") && shown.contains("abab"),
            "{shown}"
        );
    }

    #[test]
    fn cids_show_as_hex_bytes() {
        // CIDv1, raw codec, identity multihash of one byte.
        let cid = Cid::new_v1(0x55, cid::multihash::Multihash::wrap(0, &[0xab]).unwrap());
        assert_eq!(CidHex(&cid).to_string(), "0x01550001ab");
    }
}
