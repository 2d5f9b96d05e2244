//! The devnet's blockstore: an object-safe [`KvStore`] trait (memory, or redb on disk with
//! [`crate::RedbKv`]) behind a cheap, thread-safe [`Store`] handle that implements the IPLD
//! [`Blockstore`].

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;

/// A content-addressed key/value store the devnet keeps all chain and state blocks in.
///
/// Implementations must be safe to share between threads, must return exactly the bytes that
/// were put under a CID, and may ignore a put of a CID that is already present (blocks are
/// immutable).
pub trait KvStore: Send + Sync + std::fmt::Debug + 'static {
    /// The block stored under `cid`, if any.
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails.
    fn get(&self, cid: &Cid) -> anyhow::Result<Option<Vec<u8>>>;
    /// Stores `block` under `cid`.
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails.
    fn put(&self, cid: &Cid, block: &[u8]) -> anyhow::Result<()>;
    /// Whether a block is stored under `cid`.
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails.
    fn has(&self, cid: &Cid) -> anyhow::Result<bool> {
        Ok(self.get(cid)?.is_some())
    }

    /// Whether the store keeps the chain's entries ([`Table`]) across restarts. A store that
    /// does not (the default, memory) only keeps blocks: the node holds the chain in memory and
    /// never reads entries back.
    fn is_persistent(&self) -> bool {
        false
    }

    /// Writes, in one atomic transaction, every block [`KvStore::put`] since the last batch and
    /// `batch`'s entries: all of it is stored, or none. A store that is not persistent may
    /// ignore the entries (the default does, and keeps its blocks as they were put).
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails (then nothing of the batch is stored).
    fn write_batch(&self, batch: WriteBatch) -> anyhow::Result<()> {
        let _ = batch;
        Ok(())
    }

    /// The entry under `key` in `table`.
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails.
    fn entry(&self, table: Table, key: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        let _ = (table, key);
        Ok(None)
    }

    /// Every entry of `table`, in key order (keys compare as bytes).
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails.
    fn entries(&self, table: Table) -> anyhow::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let _ = table;
        Ok(Vec::new())
    }

    /// Calls `f` on every entry of `table`, in key order, without holding them all in memory
    /// (the default collects [`KvStore::entries`]).
    ///
    /// # Errors
    ///
    /// Fails if the backing storage fails, or with `f`'s first error.
    fn scan(&self, table: Table, f: &mut EntryVisitor<'_>) -> anyhow::Result<()> {
        for (k, v) in self.entries(table)? {
            f(&k, &v)?;
        }
        Ok(())
    }
}

/// The schema marker a persistent devnet store carries in [`Table::Meta`] under
/// [`SCHEMA_KEY`] (its version is the number at the end).
pub const SCHEMA: &[u8] = b"filmark-devnet/2";
/// The [`Table::Meta`] key of the schema marker.
pub const SCHEMA_KEY: &[u8] = b"schema";

/// The tables of chain entries a persistent [`KvStore`] keeps beside its blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Table {
    /// Schema marker, chain id, genesis, node state (base fee, implicit nonce, schedule).
    Meta,
    /// Tipsets by height (8 bytes, big-endian).
    Tipsets,
    /// Message records by commit sequence (8 bytes, big-endian).
    Records,
    /// Installed code CIDs (compiled again at start).
    Codes,
    /// The Ethereum transaction hash of each f410 sender's message record, by the record's
    /// commit sequence (8 bytes, big-endian): appended as tipsets commit, read into the
    /// in-memory hash index at start (a table keyed by the hashes themselves took a random-keyed
    /// B-tree insert a message, whose cost grew with the chain).
    EthTx,
    /// Tipset key (block CID) by Ethereum block hash.
    EthBlocks,
}

impl Table {
    /// Every table.
    pub const ALL: [Self; 6] = [
        Self::Meta,
        Self::Tipsets,
        Self::Records,
        Self::Codes,
        Self::EthTx,
        Self::EthBlocks,
    ];

    /// The table's name in the database.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Meta => "meta",
            Self::Tipsets => "tipsets",
            Self::Records => "records",
            Self::Codes => "codes",
            Self::EthTx => "eth_tx",
            Self::EthBlocks => "eth_blocks",
        }
    }
}

/// What [`KvStore::scan`] calls on each entry: `(key, value)`; an error stops the scan.
pub type EntryVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> anyhow::Result<()> + 'a;

/// One write of a [`WriteBatch`]: `(table, key, Some(value))` sets, `(table, key, None)`
/// deletes.
pub type BatchOp = (Table, Vec<u8>, Option<Vec<u8>>);

/// Entries to write (or delete) in one atomic [`KvStore::write_batch`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteBatch {
    ops: Vec<BatchOp>,
}

impl WriteBatch {
    /// Sets `key` in `table` to `value`.
    pub fn put(&mut self, table: Table, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push((table, key.into(), Some(value.into())));
    }

    /// Deletes `key` from `table`.
    pub fn delete(&mut self, table: Table, key: impl Into<Vec<u8>>) {
        self.ops.push((table, key.into(), None));
    }

    /// The writes, in order.
    pub fn ops(&self) -> &[BatchOp] {
        &self.ops
    }

    /// Whether the batch has no entry.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// An in-memory [`KvStore`] (the default).
#[derive(Debug, Default)]
pub struct MemoryKv {
    blocks: RwLock<HashMap<Cid, Vec<u8>>>,
}

impl MemoryKv {
    /// How many blocks are stored.
    pub fn len(&self) -> usize {
        self.blocks.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no block is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl KvStore for MemoryKv {
    fn get(&self, cid: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .blocks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(cid)
            .cloned())
    }

    fn put(&self, cid: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.blocks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(*cid)
            .or_insert_with(|| block.to_vec());
        Ok(())
    }

    fn has(&self, cid: &Cid) -> anyhow::Result<bool> {
        Ok(self
            .blocks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(cid))
    }
}

/// A cloneable handle on the devnet's [`KvStore`]; every clone sees the same blocks.
///
/// It implements [`Blockstore`], so actor state can be loaded with the usual HAMT/AMT types, e.g.
/// to run an actor's `check_state_invariants` against the devnet's real state.
#[derive(Debug, Clone)]
pub struct Store(Arc<dyn KvStore>);

impl Store {
    /// A new, empty in-memory store.
    pub fn memory() -> Self {
        Self(Arc::new(MemoryKv::default()))
    }

    /// A store over any [`KvStore`].
    pub fn new(kv: Arc<dyn KvStore>) -> Self {
        Self(kv)
    }

    /// The [`KvStore`] behind the handle.
    pub fn kv(&self) -> &dyn KvStore {
        &*self.0
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::memory()
    }
}

impl Blockstore for Store {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        self.0.get(k)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.0.put(k, block)
    }

    fn has(&self, k: &Cid) -> anyhow::Result<bool> {
        self.0.has(k)
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_encoding::{CborStore, DAG_CBOR};
    use multihash_codetable::Code;

    use super::*;

    #[test]
    fn it_round_trips_blocks_across_clones() {
        let store = Store::memory();
        let other = store.clone();
        let cid = store.put_cbor(&(1u64, "two"), Code::Blake2b256).unwrap();
        assert_eq!(cid.codec(), DAG_CBOR);
        let back: (u64, String) = other.get_cbor(&cid).unwrap().unwrap();
        assert_eq!(back, (1, "two".to_owned()));
        assert!(other.has(&cid).unwrap());
    }

    #[test]
    fn it_keeps_the_first_block_for_a_cid() {
        let kv = MemoryKv::default();
        let cid = Store::memory().put_cbor(&7u8, Code::Blake2b256).unwrap();
        kv.put(&cid, b"first").unwrap();
        kv.put(&cid, b"second").unwrap();
        assert_eq!(kv.get(&cid).unwrap().unwrap(), b"first");
        assert_eq!(kv.len(), 1);
    }
}
