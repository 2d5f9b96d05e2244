//! Tests of the keys layer: published vectors, tampering, properties (alloy cross-checks are
//! in `tests/it/keys.rs`).

mod import;
mod malleability;
mod props;
mod tampering;
mod vectors;

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use super::{SecpKey, calldata_params, ext};

/// An `InvokeEVM` message from `from` to `to` carrying `calldata`.
pub(super) fn invoke(from: Address, to: Address, nonce: u64, calldata: &[u8]) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence: nonce,
        value: TokenAmount::from_atto(1_000_000_000_000_000_u64),
        method_num: ext::evm::INVOKE_CONTRACT,
        params: calldata_params(calldata),
        gas_limit: 12_000_000,
        gas_fee_cap: TokenAmount::from_atto(150_000),
        gas_premium: TokenAmount::from_atto(100_000),
    }
}

pub(super) fn key(index: u64) -> SecpKey {
    SecpKey::from_seed(b"filmark keys tests", index)
}

pub(super) fn hex(s: &str) -> Vec<u8> {
    alloy_primitives::hex::decode(s).expect("valid hex in a test vector")
}
