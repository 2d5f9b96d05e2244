//! Strict RLP for the transaction kinds Filecoin accepts: canonical encodings only, exact
//! item counts, no trailing bytes (Lotus's `chain/types/ethtypes/rlp.go` rules).

use alloy_primitives::U256;
use alloy_rlp::{Decodable, Encodable, Header};

use super::{EthTx, SignedEthTx, TxEip1559, TxLegacy};
use crate::keys::EthAddress;
use crate::{Error, Result};

pub(super) fn encode_to(to: Option<&EthAddress>, out: &mut Vec<u8>) {
    match to {
        Some(addr) => addr.encode(out),
        None => out.push(alloy_rlp::EMPTY_STRING_CODE),
    }
}

pub(super) fn list(out: &mut Vec<u8>, payload: &[u8]) {
    Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(out);
    out.extend_from_slice(payload);
}

fn rlp_err(e: alloy_rlp::Error) -> Error {
    Error::Rlp(e.to_string())
}

/// The payload of the single top-level list that must make up all of `buf`.
fn whole_list(mut buf: &[u8]) -> Result<&[u8]> {
    let payload = Header::decode_bytes(&mut buf, true).map_err(rlp_err)?;
    if !buf.is_empty() {
        return Err(Error::Rlp(format!("{} trailing bytes", buf.len())));
    }
    Ok(payload)
}

fn item<T: Decodable>(buf: &mut &[u8], name: &str) -> Result<T> {
    if buf.is_empty() {
        return Err(Error::Rlp(format!("missing {name}")));
    }
    T::decode(buf).map_err(|e| Error::Rlp(format!("{name}: {e}")))
}

fn decode_to(buf: &mut &[u8]) -> Result<Option<EthAddress>> {
    let bytes = Header::decode_bytes(buf, false).map_err(|e| Error::Rlp(format!("to: {e}")))?;
    match bytes.len() {
        0 => Ok(None),
        20 => Ok(Some(EthAddress::from_slice(bytes))),
        n => Err(Error::InvalidTx(format!(
            "to is {n} bytes, must be 20 or empty"
        ))),
    }
}

fn end_of_list(buf: &[u8], count: usize) -> Result<()> {
    if buf.is_empty() {
        Ok(())
    } else {
        Err(Error::Rlp(format!("more than {count} items")))
    }
}

pub(super) fn decode_eip1559(raw: &[u8]) -> Result<SignedEthTx> {
    let mut buf = whole_list(raw)?;
    let chain_id = item(&mut buf, "chainId")?;
    let nonce = item(&mut buf, "nonce")?;
    let max_priority_fee_per_gas = item(&mut buf, "maxPriorityFeePerGas")?;
    let max_fee_per_gas = item(&mut buf, "maxFeePerGas")?;
    let gas_limit = item(&mut buf, "gasLimit")?;
    let to = decode_to(&mut buf)?;
    let value = item(&mut buf, "value")?;
    let input = item(&mut buf, "input")?;
    let access_list =
        Header::decode_bytes(&mut buf, true).map_err(|e| Error::Rlp(format!("accessList: {e}")))?;
    if !access_list.is_empty() {
        return Err(Error::InvalidTx("access list must be empty".into()));
    }
    let v: U256 = item(&mut buf, "v")?;
    let r = item(&mut buf, "r")?;
    let s = item(&mut buf, "s")?;
    end_of_list(buf, 12)?;
    if v > U256::from(1) {
        return Err(Error::InvalidTx(format!(
            "EIP-1559 v is {v}, must be 0 or 1"
        )));
    }
    let y_parity = v == U256::from(1);
    let tx = TxEip1559 {
        chain_id,
        nonce,
        max_priority_fee_per_gas,
        max_fee_per_gas,
        gas_limit,
        to,
        value,
        input,
    };
    Ok(SignedEthTx {
        tx: EthTx::Eip1559(tx),
        r,
        s,
        y_parity,
    })
}

pub(super) fn decode_legacy(raw: &[u8]) -> Result<SignedEthTx> {
    let mut buf = whole_list(raw)?;
    let nonce = item(&mut buf, "nonce")?;
    let gas_price = item(&mut buf, "gasPrice")?;
    let gas_limit = item(&mut buf, "gasLimit")?;
    let to = decode_to(&mut buf)?;
    let value = item(&mut buf, "value")?;
    let input = item(&mut buf, "input")?;
    let v: U256 = item(&mut buf, "v")?;
    let r = item(&mut buf, "r")?;
    let s = item(&mut buf, "s")?;
    end_of_list(buf, 9)?;
    let (chain_id, y_parity) = if v == U256::from(27) || v == U256::from(28) {
        (None, v == U256::from(28))
    } else if v >= U256::from(35) {
        let shifted = v - U256::from(35);
        let chain_id: u64 = (shifted / U256::from(2))
            .try_into()
            .map_err(|_| Error::InvalidTx(format!("EIP-155 v {v} is out of range")))?;
        (Some(chain_id), shifted.bit(0))
    } else {
        return Err(Error::InvalidTx(format!("legacy v is {v}")));
    };
    let tx = TxLegacy {
        chain_id,
        nonce,
        gas_price,
        gas_limit,
        to,
        value,
        input,
    };
    Ok(SignedEthTx {
        tx: EthTx::Legacy(tx),
        r,
        s,
        y_parity,
    })
}
