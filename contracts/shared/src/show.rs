//! Cheap `Display` forms for error messages.
//!
//! `Address` and `Cid` implement `Display` with base32 / multibase encoders that add tens of KB
//! to every actor's wasm. Messages use these forms instead: an ID address shows as `f0<id>`, any
//! other address as `f<protocol>:0x<payload hex>`, a CID as `0x<hex of its bytes>`. Amounts
//! show with `TokenAmount`'s own `Display` (in FIL).

use core::fmt;

use cid::Cid;
use fvm_shared::address::Address;

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

/// Lower-case hex digits.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `bytes` as lower-case hex, two digits a byte.
fn write_hex(w: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| {
        w.write_char(HEX[usize::from(b >> 4)].into())?;
        w.write_char(HEX[usize::from(b & 0xf)].into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
