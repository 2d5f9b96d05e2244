//! The node's chain on a persistent [`crate::KvStore`]: what a tipset writes (one
//! [`WriteBatch`], committed with the blocks of its execution), and how a node resumes from it.
//!
//! Layout ([`Table`]): `meta` holds the schema marker, the chain id, the genesis CID, the head's
//! CID and the node's state between tipsets (base fee, implicit nonce, schedule, per-tipset
//! calls); `tipsets` the tipsets by height; `records` the message records in commit order;
//! `codes` the installed code CIDs; `eth_tx` the transaction hash of each f410 sender's record,
//! by commit sequence (appended, so a tipset's writes land at the end of the tree, not all
//! over it); `eth_blocks` the tipset key of each Ethereum block hash (looked up on disk,
//! O(log n), one entry a tipset). The log indexes (by emitter and topic) and the transaction
//! hash index are rebuilt in memory from `records` and `eth_tx` at start.

use std::collections::{BTreeMap, HashMap};

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{from_slice, to_vec};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use rayon::iter::{IntoParallelIterator, ParallelIterator};

use super::{ImplicitCall, Node};
use crate::chain::{MessageRecord, Tipset};
use crate::index::{IndexEntry, index_entries};
use crate::store::{Table, WriteBatch};
use crate::{Error, Result};

use crate::store::{SCHEMA, SCHEMA_KEY};

/// Records decoded at once while a node resumes.
const LOAD_CHUNK: usize = 4096;

/// Meta keys.
const CHAIN_ID_KEY: &[u8] = b"chain_id";
const GENESIS_KEY: &[u8] = b"genesis";
const HEAD_KEY: &[u8] = b"head";
const NODE_KEY: &[u8] = b"node";

/// The node's state between tipsets that is not in the chain itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
struct NodeMeta {
    implicit_nonce: u64,
    base_fee: TokenAmount,
    schedule: Vec<(ChainEpoch, Vec<ImplicitCall>)>,
    every_tipset: Vec<ImplicitCall>,
    /// The time controls' shift of later timestamps, in seconds.
    time_offset: i64,
}

/// A big-endian key (keys sort as bytes, so as numbers).
pub(crate) fn key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

fn height_key(height: ChainEpoch) -> [u8; 8] {
    key(u64::try_from(height).unwrap_or(0))
}

impl Node {
    /// Whether the chain is written to the store.
    pub(crate) fn persistent(&self) -> bool {
        self.store.kv().is_persistent()
    }

    fn data_dir_error(&self, reason: impl std::fmt::Display) -> Error {
        Error::DataDir {
            path: self.config.data_dir.clone().unwrap_or_default(),
            reason: reason.to_string(),
        }
    }

    fn node_meta(
        &self,
        implicit_nonce: u64,
        base_fee: &TokenAmount,
        height: ChainEpoch,
    ) -> Result<Vec<u8>> {
        Ok(to_vec(&NodeMeta {
            implicit_nonce,
            base_fee: base_fee.clone(),
            schedule: self
                .schedule
                .range(height + 1..)
                .map(|(e, c)| (*e, c.clone()))
                .collect(),
            every_tipset: self.every_tipset.clone(),
            time_offset: self.time_offset,
        })?)
    }

    /// The batch that rewrites the head in place (a balance set on its state) and the node's
    /// state between tipsets (the time controls), once the controls changed them.
    pub(crate) fn head_batch(&self) -> Result<WriteBatch> {
        let head = self.head();
        let mut batch = WriteBatch::default();
        batch.put(Table::Tipsets, height_key(head.height()), to_vec(head)?);
        batch.put(
            Table::Meta,
            NODE_KEY,
            self.node_meta(self.implicit_nonce, &self.base_fee, head.height())?,
        );
        Ok(batch)
    }

    /// The batch that commits `tipset` with `records` and the node's state after it.
    pub(crate) fn tipset_batch(
        &self,
        tipset: &Tipset,
        records: &[MessageRecord],
        eth_hashes: &HashMap<Cid, [u8; 32]>,
        implicit_nonce: u64,
        next_base_fee: &TokenAmount,
    ) -> Result<WriteBatch> {
        let mut batch = WriteBatch::default();
        batch.put(Table::Tipsets, height_key(tipset.height()), to_vec(tipset)?);
        let first = self.records.len() as u64;
        for (i, record) in records.iter().enumerate() {
            batch.put(Table::Records, key(first + i as u64), to_vec(record)?);
            if let Some(hash) = crate::index::indexed_eth_hash(record, eth_hashes) {
                batch.put(Table::EthTx, key(first + i as u64), hash);
            }
        }
        batch.put(
            Table::EthBlocks,
            tipset.eth_block_hash(),
            tipset.cid.to_bytes(),
        );
        batch.put(Table::Meta, HEAD_KEY, tipset.cid.to_bytes());
        batch.put(
            Table::Meta,
            NODE_KEY,
            self.node_meta(implicit_nonce, next_base_fee, tipset.height())?,
        );
        Ok(batch)
    }

    /// The batch a revert to `chain_len` tipsets and `record_len` records writes; `head` is the
    /// head it goes back to, as the snapshot saw it (its state root as the controls left it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn revert_batch(
        &self,
        head: &Tipset,
        time_offset: i64,
        chain_len: usize,
        record_len: usize,
        implicit_nonce: u64,
        base_fee: &TokenAmount,
        schedule: &BTreeMap<ChainEpoch, Vec<ImplicitCall>>,
        every_tipset: &[ImplicitCall],
    ) -> Result<WriteBatch> {
        let mut batch = WriteBatch::default();
        for t in &self.chain[chain_len..] {
            batch.delete(Table::Tipsets, height_key(t.height()));
            batch.delete(Table::EthBlocks, t.eth_block_hash());
        }
        for seq in record_len..self.records.len() {
            batch.delete(Table::Records, key(seq as u64));
            batch.delete(Table::EthTx, key(seq as u64));
        }
        batch.put(Table::Tipsets, height_key(head.height()), to_vec(head)?);
        batch.put(Table::Meta, HEAD_KEY, head.cid.to_bytes());
        batch.put(
            Table::Meta,
            NODE_KEY,
            to_vec(&NodeMeta {
                implicit_nonce,
                base_fee: base_fee.clone(),
                schedule: schedule.iter().map(|(e, c)| (*e, c.clone())).collect(),
                every_tipset: every_tipset.to_vec(),
                time_offset,
            })?,
        );
        Ok(batch)
    }

    /// Writes the genesis of a new chain, or checks that the stored chain is this devnet's and
    /// resumes it. Called once genesis is built in memory.
    pub(crate) fn open_chain(&mut self) -> Result<()> {
        if !self.persistent() {
            return Ok(());
        }
        let kv = self.store.kv();
        let genesis = self.chain[0].clone();
        match kv.entry(Table::Meta, SCHEMA_KEY)? {
            None => {
                let mut batch =
                    self.tipset_batch(&genesis, &[], &HashMap::new(), 0, &self.base_fee)?;
                batch.put(Table::Meta, SCHEMA_KEY, SCHEMA);
                batch.put(Table::Meta, CHAIN_ID_KEY, key(self.config.chain_id));
                batch.put(Table::Meta, GENESIS_KEY, genesis.cid.to_bytes());
                kv.write_batch(batch)?;
                return Ok(());
            }
            Some(s) if s != SCHEMA => {
                return Err(self.data_dir_error(format!(
                    "schema {:?}, this build reads {:?}",
                    String::from_utf8_lossy(&s),
                    String::from_utf8_lossy(SCHEMA)
                )));
            }
            Some(_) => {}
        }
        let chain_id = kv.entry(Table::Meta, CHAIN_ID_KEY)?;
        if chain_id.as_deref() != Some(&key(self.config.chain_id)[..]) {
            let stored = chain_id
                .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
                .map_or_else(|| "none".to_owned(), |b| u64::from_be_bytes(b).to_string());
            return Err(self.data_dir_error(format!(
                "it holds chain id {stored}, the configuration asks for {}",
                self.config.chain_id
            )));
        }
        let stored = kv.entry(Table::Meta, GENESIS_KEY)?;
        if stored.as_deref() != Some(&genesis.cid.to_bytes()[..]) {
            return Err(self.data_dir_error(format!(
                "it holds another chain (genesis {}), this configuration's genesis is {} \
                 (accounts, balances, seed, timestamp, market policy or network version differ)",
                stored
                    .and_then(|b| Cid::try_from(b).ok())
                    .map_or_else(|| "unreadable".to_owned(), |c| c.to_string()),
                genesis.cid
            )));
        }
        self.load()
    }

    /// Reads the stored chain, records and node state into the node.
    fn load(&mut self) -> Result<()> {
        let kv = self.store.kv();
        let corrupt = |what: &str, e: &dyn std::fmt::Display| -> Error {
            self.data_dir_error(format!("corrupt {what}: {e}"))
        };
        let mut chain = Vec::new();
        for (_, bytes) in kv.entries(Table::Tipsets)? {
            let t: Tipset = from_slice(&bytes).map_err(|e| corrupt("tipset", &e))?;
            chain.push(t);
        }
        let head = kv.entry(Table::Meta, HEAD_KEY)?;
        match (chain.first(), chain.last()) {
            (Some(g), Some(h))
                if g.cid == self.chain[0].cid && head.as_deref() == Some(&h.cid.to_bytes()[..]) => {
            }
            _ => return Err(corrupt("chain", &"the head pointer is not the last tipset")),
        }
        // Decoding records is most of a reopen's work: in parallel, by chunks (the
        // records are not all held at once).
        let mut chunk: Vec<Vec<u8>> = Vec::with_capacity(LOAD_CHUNK);
        let mut loaded: Vec<(Cid, Vec<IndexEntry>)> = Vec::new();
        let mut failed = None;
        let flush = |chunk: &mut Vec<Vec<u8>>, loaded: &mut Vec<_>| -> Result<()> {
            let decoded = std::mem::take(chunk)
                .into_par_iter()
                .map(|bytes| {
                    let r: MessageRecord = from_slice(&bytes).map_err(|e| corrupt("record", &e))?;
                    Ok((r.cid, index_entries(&r)))
                })
                .collect::<Result<Vec<_>>>()?;
            loaded.extend(decoded);
            Ok(())
        };
        kv.scan(Table::Records, &mut |_, v| {
            chunk.push(v.to_vec());
            if chunk.len() == LOAD_CHUNK
                && let Err(e) = flush(&mut chunk, &mut loaded)
            {
                failed = Some(e.to_string());
                anyhow::bail!("stop");
            }
            Ok(())
        })
        .map_err(|e| corrupt("records", &failed.clone().unwrap_or_else(|| e.to_string())))?;
        flush(&mut chunk, &mut loaded)?;
        let mut eth_hashes: HashMap<u64, [u8; 32]> = HashMap::new();
        for (k, v) in kv.entries(Table::EthTx)? {
            let seq = <[u8; 8]>::try_from(k.as_slice()).map(u64::from_be_bytes);
            let hash = <[u8; 32]>::try_from(v.as_slice());
            match (seq, hash) {
                (Ok(seq), Ok(hash)) if seq < loaded.len() as u64 => {
                    eth_hashes.insert(seq, hash);
                }
                _ => {
                    return Err(corrupt(
                        "transaction hash index",
                        &"an entry without its record",
                    ));
                }
            }
        }
        let meta: NodeMeta = match kv.entry(Table::Meta, NODE_KEY)? {
            Some(b) => from_slice(&b).map_err(|e| corrupt("node state", &e))?,
            None => return Err(corrupt("node state", &"missing")),
        };
        let codes: Vec<Cid> = kv
            .entries(Table::Codes)?
            .into_iter()
            .map(|(k, _)| Cid::try_from(k).map_err(|e| corrupt("code", &e)))
            .collect::<Result<_>>()?;
        {
            let engine = self.engine.acquire();
            for code in &codes {
                engine.preload(code, &self.store)?;
            }
        }
        self.chain.clear();
        self.by_cid.clear();
        *self.tipset_cids.write().unwrap_or_else(|e| e.into_inner()) =
            chain.iter().map(|t| (t.height(), t.cid)).collect();
        for t in chain {
            self.by_cid.insert(t.cid, self.chain.len());
            self.index_eth_block(&t);
            self.chain.push(t);
        }
        for (seq, (cid, entries)) in loaded.into_iter().enumerate() {
            // The block hash index is a table of the store; the transaction hashes are here.
            let eth_hash = eth_hashes.get(&(seq as u64)).copied();
            self.indexes
                .add_entries(seq as u64, cid, &entries, eth_hash);
            self.records.push_stored(cid);
        }
        self.implicit_nonce = meta.implicit_nonce;
        self.base_fee = meta.base_fee;
        self.schedule = meta.schedule.into_iter().collect();
        self.every_tipset = meta.every_tipset;
        self.time_offset = meta.time_offset;
        // The blocks genesis put again are stored already: let them go.
        self.store.kv().write_batch(WriteBatch::default())?;
        Ok(())
    }

    /// Persists an installed code CID (with its block) so that it is compiled at start.
    pub(crate) fn persist_code(&self, code: &Cid) -> Result<()> {
        if self.persistent() {
            let mut batch = WriteBatch::default();
            batch.put(Table::Codes, code.to_bytes(), Vec::new());
            self.store.kv().write_batch(batch)?;
        }
        Ok(())
    }
}
