//! Blocks, transactions, receipts and logs in the JSON shapes Lotus gives them
//! (`node/impl/eth/utils.go`: `newEthBlockFromFilecoinTipSet`, `newEthTxFromSignedMessage`,
//! `newEthTxReceipt`; `ethtypes.EthLog`).

use alloy_primitives::{Address as EthAddress, B256, Bloom, BloomInput, Bytes, U64, U256};
use filmark_devnet::{BLOCK_GAS_LIMIT, Devnet, MessageLookup, MessageRecord, Tipset};
use filmark_sdk::keys::{EthTx, SigType, SignedEthTx, cid_digest, ext};
use fvm_ipld_encoding::{BytesDe, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::event::StampedEvent;
use serde_json::{Value, json};

use super::types::{
    REVERTED_ETH_ADDRESS, eth_address_of, eth_address_of_id, eth_block_hash, eth_parent_hash,
    token_to_u256,
};
use crate::RpcError;

/// Keccak-256 of the RLP of an empty list: what clients read as "no uncles".
const EMPTY_UNCLE_HASH: B256 =
    alloy_primitives::b256!("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
/// Keccak-256 of the RLP of an empty string: what clients read as "no transactions".
const EMPTY_ROOT_HASH: B256 =
    alloy_primitives::b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
/// Lotus' selector for native (non-EVM) method calls shown as Ethereum input.
const NATIVE_METHOD_SELECTOR: [u8; 4] = [0x86, 0x8e, 0x10, 0xc4];
/// The EAM's id (f010), where `to`-less transactions (contract creations) go.
const EAM: Address = Address::new_id(filmark_devnet::EAM_ACTOR_ID);

/// Where a transaction sits: its tipset and its index there.
pub(crate) struct Placement<'a> {
    pub(crate) tipset: &'a Tipset,
    pub(crate) index: usize,
}

/// A message's Ethereum transaction hash (the index's key; for an f1 message the digest of its
/// CID).
pub(crate) fn tx_hash(devnet: &Devnet, record: &MessageRecord) -> B256 {
    record
        .signed
        .as_ref()
        .and_then(|s| s.eth_tx_hash(devnet.chain_id()).ok())
        .or_else(|| cid_digest(&record.cid))
        .unwrap_or_default()
}

/// The calldata inside `InvokeEVM` / `CreateExternal` params (one CBOR byte string; empty params
/// are empty calldata).
pub(crate) fn calldata_of(params: &[u8]) -> Option<Vec<u8>> {
    if params.is_empty() {
        return Some(Vec::new());
    }
    fvm_ipld_encoding::from_slice::<BytesDe>(params)
        .ok()
        .map(|b| b.0)
}

/// A native call shown as ABI (`encodeFilecoinParamsAsABI`): selector, method, codec, params.
fn native_input(method: u64, params: &[u8]) -> Vec<u8> {
    let codec = if params.is_empty() { 0 } else { 0x51 };
    let word = |n: u64| {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&n.to_be_bytes());
        w
    };
    let mut out = NATIVE_METHOD_SELECTOR.to_vec();
    for n in [method, codec, 96, params.len() as u64] {
        out.extend_from_slice(&word(n));
    }
    out.extend_from_slice(params);
    out.resize(4 + params.len().div_ceil(32) * 32 + 128, 0);
    out
}

/// The transaction object of an executed message (`eth_getTransactionByHash`, full blocks).
/// `at` is the state the addresses are looked up in (after the message).
pub(crate) fn tx_json(devnet: &Devnet, record: &MessageRecord, at: Option<Placement<'_>>) -> Value {
    let chain_id = devnet.chain_id();
    let m = &record.message;
    let hash = tx_hash(devnet, record);
    let mut tx = match record.signed.as_ref() {
        Some(signed) if signed.signature.sig_type == SigType::Delegated => {
            match SignedEthTx::from_signed_message(signed, chain_id) {
                Ok(eth) => eth_tx_json(&eth, signed_from(devnet, &m.from, at.as_ref())),
                Err(_) => native_tx_json(devnet, record, at.as_ref()),
            }
        }
        _ => native_tx_json(devnet, record, at.as_ref()),
    };
    tx["hash"] = json!(hash);
    match at {
        Some(p) => {
            tx["blockHash"] = json!(eth_block_hash(p.tipset));
            tx["blockNumber"] = json!(U64::from(p.tipset.height()));
            tx["transactionIndex"] = json!(U64::from(p.index));
        }
        None => {
            tx["blockHash"] = Value::Null;
            tx["blockNumber"] = Value::Null;
            tx["transactionIndex"] = Value::Null;
        }
    }
    tx
}

fn signed_from(devnet: &Devnet, from: &Address, at: Option<&Placement<'_>>) -> EthAddress {
    filmark_sdk::keys::filecoin_to_eth(from)
        .filter(|e| filmark_sdk::keys::as_masked_id(e).is_none())
        .or_else(|| at.and_then(|p| eth_address_of(devnet, from, p.tipset)))
        .unwrap_or_default()
}

fn eth_tx_json(eth: &SignedEthTx, from: EthAddress) -> Value {
    let mut v = json!({
        "from": from,
        "v": eth.v(),
        "r": eth.r,
        "s": eth.s,
        "accessList": [],
    });
    match &eth.tx {
        EthTx::Eip1559(tx) => {
            v["type"] = json!(U64::from(2));
            v["chainId"] = json!(U64::from(tx.chain_id));
            v["nonce"] = json!(U64::from(tx.nonce));
            v["to"] = json!(tx.to);
            v["value"] = json!(tx.value);
            v["input"] = json!(tx.input);
            v["gas"] = json!(U64::from(tx.gas_limit));
            v["maxFeePerGas"] = json!(tx.max_fee_per_gas);
            v["maxPriorityFeePerGas"] = json!(tx.max_priority_fee_per_gas);
            v["yParity"] = json!(U64::from(u8::from(eth.y_parity)));
        }
        EthTx::Legacy(tx) => {
            v["type"] = json!(U64::ZERO);
            if let Some(id) = tx.chain_id {
                v["chainId"] = json!(U64::from(id));
            }
            v["nonce"] = json!(U64::from(tx.nonce));
            v["to"] = json!(tx.to);
            v["value"] = json!(tx.value);
            v["input"] = json!(tx.input);
            v["gas"] = json!(U64::from(tx.gas_limit));
            v["gasPrice"] = json!(tx.gas_price);
        }
    }
    v
}

/// A native (f1 or implicit) message as an EIP-1559-shaped transaction
/// (`ethTxFromNativeMessage`), with zero signature values.
fn native_tx_json(devnet: &Devnet, record: &MessageRecord, at: Option<&Placement<'_>>) -> Value {
    let m = &record.message;
    let lookup = |a: &Address| at.and_then(|p| eth_address_of(devnet, a, p.tipset));
    let from = lookup(&m.from).unwrap_or_default();
    let mut to = Some(lookup(&m.to).unwrap_or(REVERTED_ETH_ADDRESS));
    let mut input = native_input(m.method_num, m.params.bytes());
    let is_create = m.to == EAM && m.method_num == ext::eam::CREATE_EXTERNAL;
    if (m.method_num == ext::evm::INVOKE_CONTRACT || is_create)
        && let Some(data) = calldata_of(m.params.bytes())
    {
        input = data;
        if is_create {
            to = None;
        }
    }
    json!({
        "type": U64::from(2),
        "chainId": U64::from(devnet.chain_id()),
        "nonce": U64::from(m.sequence),
        "from": from,
        "to": to,
        "value": token_to_u256(&m.value),
        "input": Bytes::from(input),
        "gas": U64::from(m.gas_limit),
        "maxFeePerGas": token_to_u256(&m.gas_fee_cap),
        "maxPriorityFeePerGas": token_to_u256(&m.gas_premium),
        "accessList": [],
        "v": U256::ZERO,
        "r": U256::ZERO,
        "s": U256::ZERO,
    })
}

/// An event as an Ethereum log's address, topics and data, if it has that shape (raw entries
/// `t1`..`t4` of 32 bytes and `d`, as Lotus reads them); `None` for other (native) events.
pub(crate) fn log_parts(event: &StampedEvent) -> Option<(Vec<B256>, Bytes)> {
    let mut topics: [Option<B256>; 4] = [None; 4];
    let mut data = None;
    for entry in &event.event.entries {
        if entry.codec != IPLD_RAW {
            continue;
        }
        match entry.key.as_str() {
            "d" => data = Some(Bytes::copy_from_slice(&entry.value)),
            k @ ("t1" | "t2" | "t3" | "t4") => {
                let pos = usize::from(k.as_bytes()[1] - b'1');
                topics[pos] = Some(B256::try_from(entry.value.as_slice()).ok()?);
            }
            _ => return None,
        }
    }
    if data.is_none() && topics.iter().all(Option::is_none) {
        return None;
    }
    Some((
        topics.into_iter().flatten().collect(),
        data.unwrap_or_default(),
    ))
}

/// One log (`ethtypes.EthLog`): `log_index` is the index in the message's events.
pub(crate) fn log_json(
    devnet: &Devnet,
    event: &StampedEvent,
    log_index: usize,
    record: &MessageRecord,
    tipset: &Tipset,
) -> Option<Value> {
    let (topics, data) = log_parts(event)?;
    Some(json!({
        "address": eth_address_of_id(devnet, event.emitter, tipset),
        "data": data,
        "topics": topics,
        "removed": false,
        "logIndex": U64::from(log_index),
        "transactionIndex": U64::from(record.index.unwrap_or_default()),
        "transactionHash": tx_hash(devnet, record),
        "blockHash": eth_block_hash(tipset),
        "blockNumber": U64::from(tipset.height()),
    }))
}

/// The receipt of an executed message (`newEthTxReceipt`): `tipset` is its inclusion tipset.
pub(crate) fn receipt_json(devnet: &Devnet, lookup: &MessageLookup, tipset: &Tipset) -> Value {
    let record = &lookup.record;
    let index = record.index.unwrap_or_default();
    let tx = tx_json(devnet, record, Some(Placement { tipset, index }));
    let gas_used = record.receipt.gas_used;
    let effective = if gas_used == 0 {
        U256::ZERO
    } else {
        token_to_u256(&record.gas_cost) / U256::from(gas_used)
    };
    let logs: Vec<Value> = record
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| log_json(devnet, e, i, record, tipset))
        .collect();
    let mut bloom = Bloom::ZERO;
    for log in &logs {
        if let Some(a) = log["address"]
            .as_str()
            .and_then(|a| a.parse::<EthAddress>().ok())
        {
            bloom.accrue(BloomInput::Raw(a.as_slice()));
        }
        for t in log["topics"].as_array().into_iter().flatten() {
            if let Some(t) = t.as_str().and_then(|t| t.parse::<B256>().ok()) {
                bloom.accrue(BloomInput::Raw(t.as_slice()));
            }
        }
    }
    let success = record.receipt.exit_code.is_success();
    let contract = (tx["to"].is_null() && success)
        .then(|| {
            fvm_ipld_encoding::from_slice::<(u64, Option<Address>, BytesDe)>(
                record.receipt.return_data.bytes(),
            )
            .ok()
            .and_then(|(_, _, eth)| EthAddress::try_from(eth.0.as_slice()).ok())
        })
        .flatten();
    json!({
        "transactionHash": tx["hash"],
        "transactionIndex": tx["transactionIndex"],
        "blockHash": tx["blockHash"],
        "blockNumber": tx["blockNumber"],
        "from": tx["from"],
        "to": tx["to"],
        "type": tx["type"],
        "status": U64::from(u8::from(success)),
        "gasUsed": U64::from(gas_used),
        "cumulativeGasUsed": U64::ZERO,
        "effectiveGasPrice": effective,
        "contractAddress": contract,
        "logs": logs,
        "logsBloom": bloom,
    })
}

/// The explicit messages' records of a tipset, in order.
///
/// # Errors
/// `-32603` if the devnet lost a record it lists.
pub(crate) fn records_of(devnet: &Devnet, tipset: &Tipset) -> Result<Vec<MessageLookup>, RpcError> {
    tipset
        .messages
        .iter()
        .map(|cid| {
            devnet
                .lookup(cid)
                .map_err(|e| RpcError::internal(e.to_string()))
        })
        .collect()
}

/// A block (`newEthBlockFromFilecoinTipSet`), with full transactions or their hashes.
///
/// # Errors
/// As [`records_of`].
pub(crate) fn block_json(devnet: &Devnet, tipset: &Tipset, full: bool) -> Result<Value, RpcError> {
    let records = records_of(devnet, tipset)?;
    let gas_used: u64 = records.iter().map(|l| l.record.receipt.gas_used).sum();
    let transactions: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(index, l)| {
            if full {
                tx_json(devnet, &l.record, Some(Placement { tipset, index }))
            } else {
                json!(tx_hash(devnet, &l.record))
            }
        })
        .collect();
    let transactions_root = if records.is_empty() {
        EMPTY_ROOT_HASH
    } else {
        B256::ZERO
    };
    Ok(json!({
        "hash": eth_block_hash(tipset),
        "parentHash": eth_parent_hash(devnet, tipset),
        "sha3Uncles": EMPTY_UNCLE_HASH,
        "miner": eth_address_of(devnet, &tipset.header.miner, tipset).unwrap_or_default(),
        "stateRoot": B256::ZERO,
        "transactionsRoot": transactions_root,
        "receiptsRoot": B256::ZERO,
        "logsBloom": Bloom::repeat_byte(0xff),
        "difficulty": U64::ZERO,
        "totalDifficulty": U64::ZERO,
        "number": U64::from(tipset.height()),
        "gasLimit": U64::from(BLOCK_GAS_LIMIT),
        "gasUsed": U64::from(gas_used),
        "timestamp": U64::from(tipset.header.timestamp),
        "extraData": "0x",
        "mixHash": B256::ZERO,
        "nonce": "0x0000000000000000",
        "baseFeePerGas": token_to_u256(&tipset.header.parent_base_fee),
        "size": U64::ZERO,
        "transactions": transactions,
        "uncles": [],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_input_is_lotus_abi_layout() {
        let out = native_input(2, &[0xaa; 33]);
        assert_eq!(out[..4], NATIVE_METHOD_SELECTOR);
        assert_eq!(out.len(), 4 + 4 * 32 + 64);
        assert_eq!(out[4 + 31], 2);
        assert_eq!(out[4 + 63], 0x51);
        assert_eq!(out[4 + 95], 96);
        assert_eq!(out[4 + 127], 33);
        assert_eq!(out[4 + 128], 0xaa);
        assert_eq!(native_input(7, &[]).len(), 4 + 128);
    }
}
