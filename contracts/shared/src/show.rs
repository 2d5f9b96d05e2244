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
        self.0
            .payload_bytes()
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Shows a CID as the hex of its binary form, without the multibase encoder.
#[derive(Debug, Clone, Copy)]
pub struct CidHex<'a>(pub &'a Cid);

impl fmt::Display for CidHex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0
            .to_bytes()
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Shows an amount as `TokenAmount`'s `Display` does (whole FIL, a point, the fraction without
/// trailing zeros; width, fill and sign flags apply), in `u128` arithmetic. An amount of 2^128
/// attoFIL or more (more than anyone holds: the FIL supply is below 2^91 attoFIL) shows as the
/// hex of its attoFIL.
#[derive(Debug, Clone, Copy)]
pub struct Fil<'a>(pub &'a TokenAmount);

impl fmt::Display for Fil<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const PRECISION: u128 = 10u128.pow(TokenAmount::DECIMALS as u32);
        let atto = self.0.atto();
        let non_negative = atto.sign() != fvm_shared::bigint::Sign::Minus;
        let Ok(magnitude) = u128::try_from(atto.magnitude()) else {
            let hex: String = atto
                .magnitude()
                .to_bytes_be()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            return f.pad_integral(non_negative, "", &format!("0x{hex} attoFIL"));
        };
        let fraction = format!("{:018}", magnitude % PRECISION);
        let fraction = match fraction.trim_end_matches('0') {
            "" => "0",
            digits => digits,
        };
        f.pad_integral(
            non_negative,
            "",
            &format!("{}.{fraction}", magnitude / PRECISION),
        )
    }
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
