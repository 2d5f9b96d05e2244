//! Snapshots of the node and reverts to them (Anvil's `evm_snapshot` / `evm_revert`).
//!
//! The chain, the records and the tipset index only grow, so a snapshot keeps their lengths and
//! a copy of what changes in place: the pool, the schedule, the per-tipset calls, the base fee
//! and the implicit nonce. Blocks stay in the store (content-addressed; the reverted chain's
//! blocks are unreferenced).

use std::collections::BTreeMap;

use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use super::{ImplicitCall, Node};
use crate::mempool::Mempool;
use crate::{Error, Result};

/// What a revert restores.
#[derive(Debug)]
pub(super) struct Snapshot {
    chain_len: usize,
    record_len: usize,
    pool: Mempool,
    schedule: BTreeMap<ChainEpoch, Vec<ImplicitCall>>,
    every_tipset: Vec<ImplicitCall>,
    base_fee: TokenAmount,
    implicit_nonce: u64,
    /// The head's state root (the balance control changes it in place).
    head_state_root: cid::Cid,
    time_offset: i64,
}

impl Node {
    /// Records the node as it is; returns the snapshot's id.
    pub(crate) fn snapshot(&mut self) -> u64 {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        let snapshot = Snapshot {
            chain_len: self.chain.len(),
            record_len: self.records.len(),
            pool: self.pool.clone(),
            schedule: self.schedule.clone(),
            every_tipset: self.every_tipset.clone(),
            base_fee: self.base_fee.clone(),
            implicit_nonce: self.implicit_nonce,
            head_state_root: self.head().state_root,
            time_offset: self.time_offset,
        };
        self.snapshots.push((id, snapshot));
        id
    }

    /// Puts the node back as it was at snapshot `id`: head, records, pool, schedule, base fee.
    /// That snapshot and every later one are used up (as Anvil's `evm_revert`); earlier ones
    /// stay.
    pub(crate) fn revert(&mut self, id: u64) -> Result<()> {
        let at = self
            .snapshots
            .iter()
            .position(|(i, _)| *i == id)
            .ok_or_else(|| Error::NotFound(format!("snapshot {id}")))?;
        let s = &self.snapshots[at].1;
        // The removed records' transaction hashes leave the index (read before the store
        // forgets them).
        let removed: Vec<[u8; 32]> = self
            .records
            .removed_since(s.record_len)?
            .iter()
            .filter_map(|r| self.eth_hash(r))
            .collect();
        if self.persistent() {
            let mut head = self.chain[s.chain_len - 1].clone();
            head.state_root = s.head_state_root;
            let batch = self.revert_batch(
                &head,
                s.time_offset,
                s.chain_len,
                s.record_len,
                s.implicit_nonce,
                &s.base_fee,
                &s.schedule,
                &s.every_tipset,
            )?;
            self.store.kv().write_batch(batch)?;
        }
        let (_, s) = self.snapshots.drain(at..).next().expect("position found");
        for tipset in self.chain.drain(s.chain_len..) {
            self.by_cid.remove(&tipset.cid);
            self.indexes.remove_block(&tipset.eth_block_hash());
        }
        self.records.truncate(s.record_len);
        let height = self.head().height();
        self.indexes.truncate(height, &removed);
        self.tipset_cids
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .truncate(s.chain_len);
        self.pool = s.pool;
        self.schedule = s.schedule;
        self.every_tipset = s.every_tipset;
        self.base_fee = s.base_fee;
        self.implicit_nonce = s.implicit_nonce;
        self.chain
            .last_mut()
            .expect("the chain always has genesis")
            .state_root = s.head_state_root;
        self.time_offset = s.time_offset;
        self.mining_error = None;
        Ok(())
    }
}
