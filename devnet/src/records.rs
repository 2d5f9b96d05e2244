//! The chain store's message records, by CID and in commit order.
//!
//! In memory a record is kept as its CBOR encoding (a third of the decoded struct's size); on a
//! persistent store only its commit sequence is kept, and the record is read from the store's
//! `records` table, where the tipset's transaction wrote it. Either way a lookup is O(1) plus
//! decoding one record.

use std::collections::HashMap;

use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec};

use crate::Result;
use crate::chain::MessageRecord;
use crate::store::{Store, Table};

#[derive(Debug)]
enum Slot {
    /// The record's CBOR.
    Encoded(Box<[u8]>),
    /// Its commit sequence, its key in [`Table::Records`].
    Stored(u64),
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Records {
    store: Store,
    persistent: bool,
    by_cid: HashMap<Cid, Slot>,
    /// Every record's CID in commit order (what a revert removes).
    log: Vec<Cid>,
}

/// The key of the record with commit sequence `seq` in [`Table::Records`].
pub(crate) const fn record_key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

impl Records {
    pub(crate) fn new(store: Store) -> Self {
        Self {
            persistent: store.kv().is_persistent(),
            store,
            by_cid: HashMap::new(),
            log: Vec::new(),
        }
    }

    /// How many records were committed.
    pub(crate) fn len(&self) -> usize {
        self.log.len()
    }

    pub(crate) fn contains(&self, cid: &Cid) -> bool {
        self.by_cid.contains_key(cid)
    }

    /// The record of `cid`, if committed.
    ///
    /// # Errors
    ///
    /// Fails if the store fails or holds an undecodable record.
    pub(crate) fn get(&self, cid: &Cid) -> Result<Option<MessageRecord>> {
        let bytes = match self.by_cid.get(cid) {
            None => return Ok(None),
            Some(Slot::Encoded(b)) => return Ok(Some(from_slice(b)?)),
            Some(Slot::Stored(seq)) => self
                .store
                .kv()
                .entry(Table::Records, &record_key(*seq))?
                .ok_or_else(|| {
                    anyhow::anyhow!("record {cid} (#{seq}) is missing from the store")
                })?,
        };
        Ok(Some(from_slice(&bytes)?))
    }

    /// Keeps a committed record (on a persistent store, written already under its sequence).
    pub(crate) fn push(&mut self, record: &MessageRecord) {
        let slot = if self.persistent {
            Slot::Stored(self.log.len() as u64)
        } else {
            Slot::Encoded(
                to_vec(record)
                    .expect("records always encode")
                    .into_boxed_slice(),
            )
        };
        self.by_cid.insert(record.cid, slot);
        self.log.push(record.cid);
    }

    /// Keeps a record loaded from the store under its sequence (the next one).
    pub(crate) fn push_stored(&mut self, cid: Cid) {
        self.by_cid.insert(cid, Slot::Stored(self.log.len() as u64));
        self.log.push(cid);
    }

    /// The records committed after the first `len`, in commit order.
    ///
    /// # Errors
    ///
    /// Fails if one cannot be read.
    pub(crate) fn removed_since(&self, len: usize) -> Result<Vec<MessageRecord>> {
        self.since(len)
            .iter()
            .map(|cid| {
                self.get(cid)?
                    .ok_or_else(|| anyhow::anyhow!("record {cid} is missing").into())
            })
            .collect()
    }

    /// Forgets the records committed after the first `len`.
    pub(crate) fn truncate(&mut self, len: usize) {
        for cid in self.log.drain(len.min(self.log.len())..) {
            self.by_cid.remove(&cid);
        }
    }

    /// The CID of the record with commit sequence `seq`.
    pub(crate) fn cid_at(&self, seq: u64) -> Option<Cid> {
        usize::try_from(seq)
            .ok()
            .and_then(|i| self.log.get(i))
            .copied()
    }

    /// The CIDs of the records committed after the first `len`.
    pub(crate) fn since(&self, len: usize) -> &[Cid] {
        &self.log[len.min(self.log.len())..]
    }
}
