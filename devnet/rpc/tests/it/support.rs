//! A devnet, a dispatch helper, and signed transactions.

use alloy_primitives::{Address as EthAddress, U256};
use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle, DevnetKey, KeyKind};
use filmark_devnet_rpc::{Context, RpcError, dispatch};
use filmark_sdk::keys::{EthTx, SignedEthTx, TxEip1559, TxLegacy};
use serde_json::{Value, json};

/// A test devnet (instant mining) and a context serving it.
pub(crate) fn devnet() -> (DevnetHandle, Context) {
    let handle = Devnet::spawn(DevnetConfig::test()).unwrap();
    let ctx = Context::new(handle.devnet());
    (handle, ctx)
}

/// Calls `method` and expects a result.
pub(crate) fn call(ctx: &Context, method: &str, params: Value) -> Value {
    dispatch(ctx, method, &params).unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Calls `method` and expects an error.
pub(crate) fn call_err(ctx: &Context, method: &str, params: Value) -> RpcError {
    match dispatch(ctx, method, &params) {
        Ok(v) => panic!("{method} answered {v}, expected an error"),
        Err(e) => e,
    }
}

/// The `index`-th prefunded f410 key and its 0x address.
pub(crate) fn eth_key(net: &Devnet, index: usize) -> (DevnetKey, EthAddress) {
    let key = net.account(KeyKind::Eth, index).unwrap().key;
    let addr = key.secp_key().eth_address();
    (key, addr)
}

/// Parses a 0x quantity.
pub(crate) fn qty(v: &Value) -> U256 {
    v.as_str()
        .unwrap_or_else(|| panic!("{v} is not a quantity"))
        .parse()
        .unwrap()
}

/// A signed EIP-1559 transaction from `key`, as 0x hex.
pub(crate) fn eip1559(
    net: &Devnet,
    key: &DevnetKey,
    nonce: u64,
    to: EthAddress,
    value: U256,
    input: Vec<u8>,
    gas_limit: u64,
) -> String {
    let tx = EthTx::Eip1559(TxEip1559 {
        chain_id: net.chain_id(),
        nonce,
        max_priority_fee_per_gas: U256::from(100_000),
        max_fee_per_gas: U256::from(1_000_000),
        gas_limit,
        to: Some(to),
        value,
        input: input.into(),
    });
    hex_of(&key.secp_key().sign_eth_tx(tx))
}

/// A signed legacy transaction: EIP-155 with `chain_id`, homestead without.
pub(crate) fn legacy(
    key: &DevnetKey,
    chain_id: Option<u64>,
    nonce: u64,
    to: EthAddress,
    value: U256,
) -> String {
    let tx = EthTx::Legacy(TxLegacy {
        chain_id,
        nonce,
        gas_price: U256::from(1_000_000),
        gas_limit: 10_000_000,
        to: Some(to),
        value,
        input: Default::default(),
    });
    hex_of(&key.secp_key().sign_eth_tx(tx))
}

fn hex_of(tx: &SignedEthTx) -> String {
    format!("0x{}", hex::encode(tx.encode()))
}

/// `eth_sendRawTransaction`, returning the hash.
pub(crate) fn send(ctx: &Context, raw: &str) -> String {
    call(ctx, "eth_sendRawTransaction", json!([raw]))
        .as_str()
        .unwrap()
        .to_owned()
}
