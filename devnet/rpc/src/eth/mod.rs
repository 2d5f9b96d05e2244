//! The Ethereum `eth_*`, `net_*` and `web3_*` namespaces, as Lotus maps them onto Filecoin.
//!
//! - "latest" is the head's parent, as Lotus answers: the newest tipset whose messages have
//!   receipts in Lotus' deferred-execution model. "pending" is the head.
//! - A block is a tipset; its hash is the digest of the tipset key's CID
//!   ([`types::eth_block_hash`]).
//! - A transaction from an f410 account is its Ethereum transaction (hash: keccak of the
//!   signed bytes); an f1 message is shown as an EIP-1559-shaped transaction whose hash is the
//!   digest of its CID. Actors without an f410 address appear as masked ID addresses
//!   (`0xff`, 11 zero bytes, the id).

mod batch;
mod blocks;
mod evm;
mod filters;
mod gas;
mod send;
mod subscribe;
mod types;

use alloy_primitives::{Address as EthAddress, B256, U64, U256};
use filmark_devnet::{KeyKind, TipsetRef};
use filmark_sdk::keys::filecoin_to_eth;
use serde_json::{Value, json};

pub(crate) use self::batch::SendQueue;
pub(crate) use self::filters::Filters;
pub use self::send::MAX_RAW_TX_BYTES;
pub(crate) use self::send::{SEND_RAW_TRANSACTION, send_raw_transaction_async};
use self::types::{BlockTag, filecoin_address, latest, resolve, resolve_state, token_to_u256};
use crate::RpcError;
use crate::params::Params;
use crate::table::{Context, Method};

/// What `web3_clientVersion` answers.
pub const CLIENT_VERSION: &str = concat!("filmark-devnet/v", env!("CARGO_PKG_VERSION"));

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[
    Method {
        name: "eth_chainId",
        params: "[]",
        handler: |ctx, p| {
            p.at_most(0)?;
            Ok(json!(U64::from(ctx.devnet.chain_id())))
        },
    },
    Method {
        name: "net_version",
        params: "[]",
        handler: |ctx, p| {
            p.at_most(0)?;
            Ok(json!(ctx.devnet.chain_id().to_string()))
        },
    },
    Method {
        name: "net_listening",
        params: "[]",
        handler: |_, p| {
            p.at_most(0)?;
            Ok(json!(true))
        },
    },
    Method {
        name: "web3_clientVersion",
        params: "[]",
        handler: |_, p| {
            p.at_most(0)?;
            Ok(json!(CLIENT_VERSION))
        },
    },
    Method {
        name: "eth_blockNumber",
        params: "[]",
        handler: |ctx, p| {
            p.at_most(0)?;
            Ok(json!(U64::from(latest(&ctx.devnet).height())))
        },
    },
    Method {
        name: "eth_accounts",
        params: "[]",
        handler: accounts,
    },
    Method {
        name: "eth_getBalance",
        params: "[address, block]",
        handler: get_balance,
    },
    Method {
        name: "eth_getTransactionCount",
        params: "[address, block]",
        handler: get_transaction_count,
    },
    Method {
        name: "eth_getCode",
        params: "[address, block]",
        handler: get_code,
    },
    Method {
        name: "eth_getStorageAt",
        params: "[address, position, block]",
        handler: get_storage_at,
    },
    Method {
        name: "eth_gasPrice",
        params: "[]",
        handler: gas::gas_price,
    },
    Method {
        name: "eth_maxPriorityFeePerGas",
        params: "[]",
        handler: gas::max_priority_fee,
    },
    Method {
        name: "eth_feeHistory",
        params: "[blockCount, newestBlock, rewardPercentiles?]",
        handler: gas::fee_history,
    },
    Method {
        name: "eth_estimateGas",
        params: "[transaction, block?]",
        handler: send::estimate_gas,
    },
    Method {
        name: "eth_call",
        params: "[transaction, block?]",
        handler: send::call,
    },
    Method {
        name: send::SEND_RAW_TRANSACTION,
        params: "[rawTransaction]",
        handler: send::send_raw_transaction,
    },
    Method {
        name: "eth_getTransactionByHash",
        params: "[hash]",
        handler: get_transaction_by_hash,
    },
    Method {
        name: "eth_getTransactionReceipt",
        params: "[hash]",
        handler: get_transaction_receipt,
    },
    Method {
        name: "eth_getBlockByNumber",
        params: "[block, fullTransactions]",
        handler: get_block_by_number,
    },
    Method {
        name: "eth_getBlockByHash",
        params: "[hash, fullTransactions]",
        handler: get_block_by_hash,
    },
    Method {
        name: "eth_getLogs",
        params: "[filter]",
        handler: filters::get_logs,
    },
    Method {
        name: "eth_newFilter",
        params: "[filter]",
        handler: filters::new_filter,
    },
    Method {
        name: "eth_newBlockFilter",
        params: "[]",
        handler: filters::new_block_filter,
    },
    Method {
        name: "eth_newPendingTransactionFilter",
        params: "[fullTransactions?]",
        handler: filters::new_pending_transaction_filter,
    },
    Method {
        name: "eth_getFilterChanges",
        params: "[filterId]",
        handler: filters::get_filter_changes,
    },
    Method {
        name: "eth_getFilterLogs",
        params: "[filterId]",
        handler: filters::get_filter_logs,
    },
    Method {
        name: "eth_subscribe",
        params: "[kind, filter?]",
        handler: subscribe::subscribe,
    },
    Method {
        name: "eth_unsubscribe",
        params: "[subscription]",
        handler: subscribe::unsubscribe,
    },
    Method {
        name: "eth_uninstallFilter",
        params: "[filterId]",
        handler: filters::uninstall_filter,
    },
];

/// `eth_accounts`: the devnet's prefunded f410 accounts (their keys are public, as Anvil's).
fn accounts(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    let out: Vec<EthAddress> = ctx
        .devnet
        .accounts()
        .iter()
        .filter(|a| a.key.kind() == KeyKind::Eth)
        .filter_map(|a| filecoin_to_eth(&a.address()))
        .collect();
    Ok(json!(out))
}

/// The block parameter at `index`, "latest" when absent.
fn block_param(p: &Params<'_>, index: usize) -> Result<BlockTag, RpcError> {
    Ok(p.opt(index, "block")?.unwrap_or(BlockTag::Latest))
}

fn get_balance(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let address: EthAddress = p.get(0, "address")?;
    let at = resolve_state(&ctx.devnet, block_param(p, 1)?)?;
    let balance = ctx
        .devnet
        .balance(&filecoin_address(&address), TipsetRef::Key(at.cid))?;
    Ok(json!(token_to_u256(&balance)))
}

/// `eth_getTransactionCount`: the sequence at a block; "pending" counts the pool too
/// (`MpoolGetNonce`).
fn get_transaction_count(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let address = filecoin_address(&p.get::<EthAddress>(0, "address")?);
    let tag = block_param(p, 1)?;
    let nonce = if tag == BlockTag::Pending {
        ctx.devnet.next_nonce(&address)?
    } else {
        let at = resolve_state(&ctx.devnet, tag)?;
        ctx.devnet.sequence(&address, TipsetRef::Key(at.cid))?
    };
    Ok(json!(U64::from(nonce)))
}

/// `eth_getCode`: an EVM contract's bytecode; empty for every other actor (as Lotus).
fn get_code(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let address: EthAddress = p.get(0, "address")?;
    let at = resolve_state(&ctx.devnet, block_param(p, 1)?)?;
    Ok(json!(evm::code(&ctx.devnet, &address, &at.cid)?))
}

/// `eth_getStorageAt`: an EVM contract's storage word; 32 zero bytes for every other actor (as
/// Lotus).
fn get_storage_at(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(3)?;
    let address: EthAddress = p.get(0, "address")?;
    let slot: U256 = p.get(1, "position")?;
    let at = resolve_state(&ctx.devnet, block_param(p, 2)?)?;
    Ok(json!(evm::storage_at(
        &ctx.devnet,
        &address,
        &slot,
        &at.cid
    )?))
}

/// The executed message with Ethereum hash `hash`, if any (an f410 sender's transaction hash,
/// or any explicit message's CID digest, as Lotus finds them).
fn lookup_tx(ctx: &Context, hash: &B256) -> Option<filmark_devnet::MessageLookup> {
    ctx.devnet.lookup_eth_tx(&hash.0).ok()
}

fn get_transaction_by_hash(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let hash: B256 = p.get(0, "hash")?;
    let Some(lookup) = lookup_tx(ctx, &hash) else {
        return Ok(Value::Null);
    };
    let tipset = ctx.devnet.tipset(TipsetRef::Key(lookup.inclusion))?;
    let index = lookup.record.index.unwrap_or_default();
    Ok(blocks::tx_json(
        &ctx.devnet,
        &lookup.record,
        Some(blocks::Placement {
            tipset: &tipset,
            index,
        }),
    ))
}

/// `eth_getTransactionReceipt`: `null` until the message's tipset is "latest" or older (until
/// its execution tipset exists, as on Lotus).
fn get_transaction_receipt(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let hash: B256 = p.get(0, "hash")?;
    let Some(lookup) = lookup_tx(ctx, &hash) else {
        return Ok(Value::Null);
    };
    if lookup.execution.is_none() {
        return Ok(Value::Null);
    }
    let tipset = ctx.devnet.tipset(TipsetRef::Key(lookup.inclusion))?;
    Ok(blocks::receipt_json(&ctx.devnet, &lookup, &tipset))
}

fn full_param(p: &Params<'_>) -> Result<bool, RpcError> {
    Ok(p.opt(1, "fullTransactions")?.unwrap_or(false))
}

/// `eth_getBlockByNumber`: `null` for a null round.
fn get_block_by_number(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let tag: BlockTag = p.get(0, "block")?;
    let full = full_param(p)?;
    match resolve(&ctx.devnet, tag)? {
        Some(ts) => blocks::block_json(&ctx.devnet, &ts, full),
        None => Ok(Value::Null),
    }
}

/// `eth_getBlockByHash`: `null` for an unknown hash.
fn get_block_by_hash(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let hash: B256 = p.get(0, "hash")?;
    let full = full_param(p)?;
    match types::tipset_by_eth_hash(&ctx.devnet, &hash) {
        Some(ts) => blocks::block_json(&ctx.devnet, &ts, full),
        None => Ok(Value::Null),
    }
}
