//! Logs and filters: `eth_getLogs`, `eth_newFilter`, `eth_newBlockFilter`,
//! `eth_newPendingTransactionFilter`, `eth_getFilterChanges`, `eth_getFilterLogs`,
//! `eth_uninstallFilter`.
//!
//! Logs are read through the devnet's indexes ([`Devnet::logs`]); only tipsets up to "latest"
//! (the head's parent) are visible, as receipts are.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use alloy_primitives::{Address as EthAddress, B256, keccak256};
use filmark_devnet::{Devnet, LogFilter, MessageLookup, Tipset, TipsetRef};
use serde::Deserialize;
use serde_json::{Value, json};

use super::blocks::log_json;
use super::types::{
    BlockTag, eth_block_hash, filecoin_address, latest, resolve_state, tipset_by_eth_hash,
};
use crate::RpcError;
use crate::params::Params;
use crate::table::Context;

/// The most logs one `eth_getLogs` (or `eth_getFilterLogs`/`Changes`) returns; a query
/// matching more is refused, asking for a narrower range.
pub(crate) const MAX_LOGS: usize = 10_000;
/// The most filters installed at once.
pub(crate) const MAX_FILTERS: usize = 1_000;

/// A topic position: any, one value, or one of several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum TopicSpec {
    One(B256),
    Any(Vec<B256>),
}

/// One address or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum AddressSpec {
    One(EthAddress),
    Many(Vec<EthAddress>),
}

/// An `eth_getLogs` / `eth_newFilter` filter object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogSpec {
    from_block: Option<BlockTag>,
    to_block: Option<BlockTag>,
    block_hash: Option<B256>,
    address: Option<AddressSpec>,
    #[serde(default)]
    topics: Vec<Option<TopicSpec>>,
}

/// The installed filters.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    table: Mutex<FilterTable>,
}

#[derive(Debug, Default)]
struct FilterTable {
    next: u64,
    filters: HashMap<B256, Filter>,
}

#[derive(Debug)]
enum Filter {
    /// New blocks since the height last reported.
    Blocks { last: i64 },
    /// Logs matching `spec`, in tipsets after `last`.
    Logs { spec: LogSpec, last: i64 },
    /// Transactions that entered the pool: those pending now and not in `seen` (the pool at
    /// the last poll), and those mined in tipsets after `last` (the head at the last poll) that
    /// were not seen pending, so one sent and mined between two polls is reported too.
    PendingTxs { seen: HashSet<cid::Cid>, last: i64 },
}

impl LogSpec {
    /// Checks what can be checked without the chain (at most 4 topic positions).
    ///
    /// # Errors
    /// `-32602` for more than 4 topic positions.
    pub(crate) fn check(&self) -> Result<(), RpcError> {
        if self.topics.len() > 4 {
            return Err(RpcError::invalid_params(format!(
                "{} topic positions: logs have at most 4",
                self.topics.len()
            )));
        }
        Ok(())
    }
}

impl Filters {
    fn install(&self, filter: Filter) -> Result<B256, RpcError> {
        let mut t = self
            .table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if t.filters.len() >= MAX_FILTERS {
            return Err(RpcError::server(format!(
                "{MAX_FILTERS} filters are installed, the limit: uninstall some"
            )));
        }
        t.next += 1;
        let id = keccak256([b"filmark filter ".as_slice(), &t.next.to_be_bytes()].concat());
        t.filters.insert(id, filter);
        Ok(id)
    }
}

/// The devnet's [`LogFilter`] for `spec` with heights clamped to `lo..=hi`; `None` when it can
/// match nothing (an address that has no actor, an empty range).
fn log_filter(
    devnet: &Devnet,
    spec: &LogSpec,
    lo: i64,
    hi: i64,
) -> Result<Option<LogFilter>, RpcError> {
    spec.check()?;
    let newest = latest(devnet).height();
    let (from, to) = if let Some(hash) = spec.block_hash {
        if spec.from_block.is_some() || spec.to_block.is_some() {
            return Err(RpcError::invalid_params(
                "blockHash cannot be combined with fromBlock/toBlock",
            ));
        }
        let t = tipset_by_eth_hash(devnet, &hash)
            .ok_or_else(|| RpcError::server(format!("block {hash} not found")))?;
        (t.height(), t.height())
    } else {
        let bound = |tag: Option<BlockTag>| -> Result<i64, RpcError> {
            match tag {
                None | Some(BlockTag::Latest | BlockTag::Pending) => Ok(newest),
                Some(BlockTag::Earliest) => Ok(0),
                Some(BlockTag::Number(n)) => Ok(i64::try_from(n).unwrap_or(i64::MAX)),
                Some(tag @ (BlockTag::Safe | BlockTag::Finalized)) => {
                    Ok(resolve_state(devnet, tag)?.height())
                }
                Some(BlockTag::Hash(h)) => tipset_by_eth_hash(devnet, &h)
                    .map(|t| t.height())
                    .ok_or_else(|| RpcError::server(format!("block {h} not found"))),
            }
        };
        (bound(spec.from_block)?, bound(spec.to_block)?)
    };
    let (from, to) = (from.max(lo), to.min(hi).min(newest));
    if from > to {
        return Ok(None);
    }
    let mut emitters = Vec::new();
    if let Some(spec) = &spec.address {
        let list = match spec {
            AddressSpec::One(a) => vec![*a],
            AddressSpec::Many(v) => v.clone(),
        };
        for a in list {
            if let Some(id) = devnet.lookup_id(&filecoin_address(&a), TipsetRef::Head)? {
                emitters.push(id);
            }
        }
        if emitters.is_empty() {
            return Ok(None);
        }
    }
    let mut topics: [Option<Vec<[u8; 32]>>; 4] = Default::default();
    for (pos, t) in spec.topics.iter().enumerate() {
        topics[pos] = match t {
            None => None,
            Some(TopicSpec::One(h)) => Some(vec![h.0]),
            Some(TopicSpec::Any(v)) if v.is_empty() => None,
            Some(TopicSpec::Any(v)) => Some(v.iter().map(|h| h.0).collect()),
        };
    }
    Ok(Some(LogFilter {
        from,
        to,
        emitters,
        topics,
    }))
}

/// The logs `spec` selects in heights `lo..=hi`, as JSON.
fn logs(devnet: &Devnet, spec: &LogSpec, lo: i64, hi: i64) -> Result<Vec<Value>, RpcError> {
    let Some(filter) = log_filter(devnet, spec, lo, hi)? else {
        return Ok(Vec::new());
    };
    let found = devnet.logs(&filter);
    if found.len() > MAX_LOGS {
        return Err(RpcError::server(format!(
            "the query matches {} logs, more than the limit of {MAX_LOGS}: narrow the block range",
            found.len()
        )));
    }
    let mut messages: HashMap<cid::Cid, MessageLookup> = HashMap::new();
    let mut tipsets: HashMap<i64, Tipset> = HashMap::new();
    let mut out = Vec::with_capacity(found.len());
    for log in found {
        if let std::collections::hash_map::Entry::Vacant(e) = messages.entry(log.message) {
            e.insert(devnet.lookup(&log.message)?);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = tipsets.entry(log.height) {
            e.insert(devnet.tipset(TipsetRef::Height(log.height))?);
        }
        let record = &messages[&log.message].record;
        if let Some(v) = log_json(devnet, &log.event, log.index, record, &tipsets[&log.height]) {
            out.push(v);
        }
    }
    Ok(out)
}

/// `eth_getLogs`.
pub(crate) fn get_logs(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let spec: LogSpec = p.get(0, "filter")?;
    Ok(json!(logs(&ctx.devnet, &spec, 0, i64::MAX)?))
}

/// `eth_newFilter`: a log filter; changes are reported from the next tipset on.
pub(crate) fn new_filter(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let spec: LogSpec = p.get(0, "filter")?;
    log_filter(&ctx.devnet, &spec, 0, i64::MAX)?;
    let last = latest(&ctx.devnet).height();
    Ok(json!(ctx.filters.install(Filter::Logs { spec, last })?))
}

/// `eth_newBlockFilter`: reports the hashes of new blocks.
pub(crate) fn new_block_filter(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    let last = latest(&ctx.devnet).height();
    Ok(json!(ctx.filters.install(Filter::Blocks { last })?))
}

/// `eth_newPendingTransactionFilter`: reports the hashes of transactions that enter the pool.
pub(crate) fn new_pending_transaction_filter(
    ctx: &Context,
    p: &Params<'_>,
) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let seen = ctx.devnet.pending_messages().into_iter().collect();
    let last = ctx.devnet.head().height();
    Ok(json!(
        ctx.filters.install(Filter::PendingTxs { seen, last })?
    ))
}

/// The hashes of the transactions that entered the pool since the poll that left `seen` and
/// `last` (see [`Filter::PendingTxs`]); updates both.
fn new_pending(devnet: &Devnet, seen: &mut HashSet<cid::Cid>, last: &mut i64) -> Vec<Value> {
    let chain_id = devnet.chain_id();
    let head = devnet.head().height();
    let mut out = Vec::new();
    for h in (*last + 1)..=head {
        let Ok(ts) = devnet.tipset(TipsetRef::Height(h)) else {
            continue;
        };
        if ts.height() != h {
            continue; // a null round: that tipset was already scanned
        }
        for cid in ts.messages.iter().filter(|c| !seen.contains(*c)) {
            if let Ok(lookup) = devnet.lookup(cid) {
                out.push(json!(super::blocks::tx_hash(devnet, &lookup.record)));
            }
        }
    }
    let pending = devnet.pending_signed();
    for signed in pending.iter().filter(|s| !seen.contains(&s.cid())) {
        if let Ok(hash) = signed.eth_tx_hash(chain_id) {
            out.push(json!(hash));
        }
    }
    *seen = pending
        .iter()
        .map(filmark_devnet::SignedMessage::cid)
        .collect();
    *last = head.max(*last);
    out
}

fn unknown_filter(id: &B256) -> RpcError {
    RpcError::server(format!("filter {id} not found"))
}

/// `eth_getFilterChanges`: what happened since the last poll.
pub(crate) fn get_filter_changes(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let id: B256 = p.get(0, "filterId")?;
    let devnet = &ctx.devnet;
    let newest = latest(devnet).height();
    let mut t = ctx
        .filters
        .table
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match t.filters.get_mut(&id).ok_or_else(|| unknown_filter(&id))? {
        Filter::Blocks { last } => {
            let mut hashes = Vec::new();
            for h in (*last + 1)..=newest {
                if let Ok(ts) = devnet.tipset(TipsetRef::Height(h)) {
                    hashes.push(json!(eth_block_hash(&ts)));
                }
            }
            *last = newest.max(*last);
            Ok(json!(hashes))
        }
        Filter::Logs { spec, last } => {
            let out = logs(devnet, spec, *last + 1, newest)?;
            *last = newest.max(*last);
            Ok(json!(out))
        }
        Filter::PendingTxs { seen, last } => Ok(json!(new_pending(devnet, seen, last))),
    }
}

/// `eth_getFilterLogs`: every log a log filter matches.
pub(crate) fn get_filter_logs(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let id: B256 = p.get(0, "filterId")?;
    let spec = {
        let t = ctx
            .filters
            .table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match t.filters.get(&id).ok_or_else(|| unknown_filter(&id))? {
            Filter::Logs { spec, .. } => spec.clone(),
            Filter::Blocks { .. } | Filter::PendingTxs { .. } => {
                return Err(RpcError::server(format!("filter {id} is not a log filter")));
            }
        }
    };
    Ok(json!(logs(&ctx.devnet, &spec, 0, i64::MAX)?))
}

/// `eth_uninstallFilter`: whether a filter was removed.
pub(crate) fn uninstall_filter(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let id: B256 = p.get(0, "filterId")?;
    let mut t = ctx
        .filters
        .table
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(json!(t.filters.remove(&id).is_some()))
}

/// The logs `spec` selects in tipsets `lo..=hi` (for `eth_subscribe` `logs`).
///
/// # Errors
/// As `eth_getLogs`.
pub(crate) fn logs_between(
    devnet: &Devnet,
    spec: &LogSpec,
    lo: i64,
    hi: i64,
) -> Result<Vec<Value>, RpcError> {
    logs(devnet, spec, lo, hi)
}
