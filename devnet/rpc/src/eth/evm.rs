//! Reads of EVM contracts' state for `eth_getCode` and `eth_getStorageAt`: the actor's state
//! (`filmark_devnet_actors::evm::State`) at the requested tipset, straight from the store.

use alloy_primitives::{Address as EthAddress, B256, Bytes, U256};
use filmark_devnet::{Devnet, TipsetRef};
use filmark_devnet_actors::evm::{STORAGE_BIT_WIDTH, State};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_hamt::{BytesKey, Hamt};
use serde_bytes::ByteBuf;

use super::types::filecoin_address;
use crate::RpcError;

/// The EVM state of the actor at `address` in the tipset `at`, if it is an EVM actor (its head
/// decodes as the EVM actor's state).
fn evm_state(
    devnet: &Devnet,
    address: &EthAddress,
    at: &cid::Cid,
) -> Result<Option<State>, RpcError> {
    let Some((_, actor)) = devnet.actor(&filecoin_address(address), TipsetRef::Key(*at))? else {
        return Ok(None);
    };
    Ok(devnet
        .store()
        .get_cbor::<State>(&actor.state)
        .ok()
        .flatten())
}

/// The contract's bytecode; empty for any other actor.
pub(crate) fn code(
    devnet: &Devnet,
    address: &EthAddress,
    at: &cid::Cid,
) -> Result<Bytes, RpcError> {
    let Some(state) = evm_state(devnet, address, at)? else {
        return Ok(Bytes::new());
    };
    let code = devnet
        .store()
        .get(&state.bytecode)
        .map_err(|e| RpcError::server(format!("cannot read the bytecode: {e}")))?
        .unwrap_or_default();
    Ok(Bytes::from(code))
}

/// The contract's storage word at `slot`; zero for any other actor.
pub(crate) fn storage_at(
    devnet: &Devnet,
    address: &EthAddress,
    slot: &U256,
    at: &cid::Cid,
) -> Result<B256, RpcError> {
    let Some(state) = evm_state(devnet, address, at)? else {
        return Ok(B256::ZERO);
    };
    let storage: Hamt<_, ByteBuf, BytesKey> =
        Hamt::load_with_bit_width(&state.contract_state, devnet.store(), STORAGE_BIT_WIDTH)
            .map_err(|e| RpcError::server(format!("cannot load the storage: {e}")))?;
    let value = storage
        .get(&BytesKey(slot.to_be_bytes::<32>().to_vec()))
        .map_err(|e| RpcError::server(format!("cannot read the storage: {e}")))?;
    Ok(value.map_or(B256::ZERO, |v| {
        B256::from(U256::try_from_be_slice(v).unwrap_or_default())
    }))
}
