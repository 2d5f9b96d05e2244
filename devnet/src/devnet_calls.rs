//! Read-only calls at any tipset's state, with the call tree when asked, and the gas estimate
//! built on them.

use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;

use super::Devnet;
use crate::Result;
use crate::config::BLOCK_GAS_LIMIT;
use crate::node::{CallAt, CallResult};

/// Bytes a signature adds to a serialized message, at most (a 65-byte secp256k1 or delegated
/// signature, its type byte and CBOR headers), for the inclusion cost of an estimate.
const SIGNATURE_BYTES: usize = 72;

/// The gas limit the devnet sets for `message` whose read-only run used `execution` gas: the
/// run is implicit, so it does not charge what including the message costs (the price list's
/// `OnChainMessage`, proportional to its size); add that for the signed message, then a 25 %
/// margin, capped at a block's gas.
pub(super) fn gas_limit(
    message: &Message,
    execution: u64,
    network_version: NetworkVersion,
) -> Result<u64> {
    let length = fvm_ipld_encoding::to_vec(message)?.len() + SIGNATURE_BYTES;
    let inclusion = crate::mempool::inclusion_gas(length, network_version);
    Ok(((execution + inclusion) * 5 / 4).min(BLOCK_GAS_LIMIT))
}

impl Devnet {
    /// [`Devnet::call`] on the state `at` names (any tipset's: the devnet keeps every state
    /// root), with the call tree in [`CallResult::trace`] when `trace` is set.
    ///
    /// # Errors
    ///
    /// [`crate::Error::UnknownTipset`] for a tipset the chain does not have; otherwise as
    /// [`Devnet::call`].
    pub fn call_with(&self, message: Message, at: CallAt, trace: bool) -> Result<CallResult> {
        let mut snapshot = self.read().call_snapshot_at(at)?;
        snapshot.call_trace = trace;
        snapshot.run(message)
    }

    /// The gas limit the devnet would set for `message` (as [`Devnet::prepare`] does) from a
    /// read-only run on the state `at` names, with that run's result (whose exit code says
    /// whether the message would fail there).
    ///
    /// # Errors
    ///
    /// As [`Devnet::call_with`].
    pub fn estimate_gas(&self, message: &Message, at: CallAt) -> Result<(CallResult, u64)> {
        let network_version = self.read().config.network_version;
        let result = self.call_with(message.clone(), at, false)?;
        let limit = gas_limit(message, result.receipt.gas_used, network_version)?;
        Ok((result, limit))
    }
}
