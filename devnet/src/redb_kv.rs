//! A [`KvStore`] on disk, in one redb file: blocks and the chain's entries ([`Table`]).
//!
//! Blocks put while a tipset is built wait in memory (readable at once) and reach the file with
//! the next [`KvStore::write_batch`], in the same transaction as the tipset's records, indexes
//! and head pointer: after a crash the file holds whole tipsets or none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use cid::Cid;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::store::{EntryVisitor, KvStore, SCHEMA, SCHEMA_KEY, Table, WriteBatch};
use crate::{Error, Result};

/// The file a data directory keeps the devnet in.
pub const DATA_FILE: &str = "devnet.redb";

/// redb's page cache (its default is 1 GiB): the state a tipset touches is small, and the OS
/// page cache keeps the file's hot pages anyway.
const CACHE_BYTES: usize = 16 << 20;

const BLOCKS: TableDefinition<'static, &[u8], &[u8]> = TableDefinition::new("blocks");

const fn definition(table: Table) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    TableDefinition::new(table.name())
}

type Blocks = HashMap<Cid, Vec<u8>>;

/// A redb-backed [`KvStore`] (see the module docs). Open it with [`RedbKv::open`].
pub struct RedbKv {
    db: Database,
    path: PathBuf,
    /// Blocks put since the last batch.
    pending: RwLock<Blocks>,
    /// Blocks of the batch being written (still readable while the transaction runs).
    committing: RwLock<Arc<Blocks>>,
    /// One batch at a time (a tipset's, an installed code's).
    writing: Mutex<()>,
}

impl std::fmt::Debug for RedbKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbKv").field("path", &self.path).finish()
    }
}

fn data_dir_error(dir: &Path, reason: impl std::fmt::Display) -> Error {
    Error::DataDir {
        path: dir.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl RedbKv {
    /// Opens the devnet database in `dir` ([`DATA_FILE`]), creating the directory and the file
    /// if they do not exist.
    ///
    /// # Errors
    ///
    /// [`Error::DataDir`] if the directory cannot be created, the file is not a redb database
    /// (corrupt or foreign), or another process has it open.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| data_dir_error(dir, e))?;
        let path = dir.join(DATA_FILE);
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => data_dir_error(
                    dir,
                    format!("{} is in use by another devnet", path.display()),
                ),
                e => data_dir_error(
                    dir,
                    format!("{} is not a usable redb database: {e}", path.display()),
                ),
            })?;
        let kv = Self {
            db,
            path,
            pending: RwLock::default(),
            committing: RwLock::default(),
            writing: Mutex::default(),
        };
        let unreadable = |e: anyhow::Error| data_dir_error(dir, format!("unreadable: {e:#}"));
        if !kv.is_new().map_err(unreadable)? {
            match kv.entry(Table::Meta, SCHEMA_KEY).map_err(unreadable)? {
                None => {
                    return Err(data_dir_error(
                        dir,
                        format!(
                            "{} is a redb database without the devnet's schema marker \
                             (another program's file?)",
                            kv.path.display()
                        ),
                    ));
                }
                Some(s) if s != SCHEMA => {
                    return Err(data_dir_error(
                        dir,
                        format!(
                            "schema {:?}, this build reads {:?}",
                            String::from_utf8_lossy(&s),
                            String::from_utf8_lossy(SCHEMA)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(kv)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database has no table yet (a new file).
    ///
    /// # Errors
    ///
    /// Fails if the file cannot be read.
    pub fn is_new(&self) -> anyhow::Result<bool> {
        let read = self.db.begin_read()?;
        Ok(read.list_tables()?.next().is_none())
    }

    fn stored(&self, cid: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        let read = self.db.begin_read()?;
        let table = match read.open_table(BLOCKS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table
            .get(cid.to_bytes().as_slice())?
            .map(|v| v.value().to_vec()))
    }

    fn write(&self, blocks: &Blocks, batch: &WriteBatch) -> anyhow::Result<()> {
        let write = self.db.begin_write()?;
        {
            let mut table = write.open_table(BLOCKS)?;
            // A block already stored is stored again with the same bytes (no read first: one
            // descent of the tree, not two).
            for (cid, block) in blocks {
                table.insert(cid.to_bytes().as_slice(), block.as_slice())?;
            }
            let mut tables = HashMap::new();
            for table in Table::ALL {
                tables.insert(table, write.open_table(definition(table))?);
            }
            for (table, key, value) in batch.ops() {
                let t = tables.get_mut(table).expect("every table is open");
                match value {
                    Some(v) => t.insert(key.as_slice(), v.as_slice())?,
                    None => t.remove(key.as_slice())?,
                };
            }
        }
        write.commit()?;
        Ok(())
    }
}

impl KvStore for RedbKv {
    fn get(&self, cid: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(b) = self
            .pending
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(cid)
        {
            return Ok(Some(b.clone()));
        }
        let committing = self
            .committing
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(b) = committing.get(cid) {
            return Ok(Some(b.clone()));
        }
        self.stored(cid)
    }

    fn put(&self, cid: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.pending
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(*cid)
            .or_insert_with(|| block.to_vec());
        Ok(())
    }

    fn has(&self, cid: &Cid) -> anyhow::Result<bool> {
        if self
            .pending
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(cid)
        {
            return Ok(true);
        }
        Ok(self.get(cid)?.is_some())
    }

    fn is_persistent(&self) -> bool {
        true
    }

    fn write_batch(&self, batch: WriteBatch) -> anyhow::Result<()> {
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let blocks = Arc::new(std::mem::take(
            &mut *self.pending.write().unwrap_or_else(|e| e.into_inner()),
        ));
        *self.committing.write().unwrap_or_else(|e| e.into_inner()) = blocks.clone();
        let result = self.write(&blocks, &batch);
        if result.is_err() {
            // Nothing was written: the blocks wait for the next batch.
            let mut pending = self.pending.write().unwrap_or_else(|e| e.into_inner());
            for (cid, block) in blocks.iter() {
                pending.entry(*cid).or_insert_with(|| block.clone());
            }
        }
        *self.committing.write().unwrap_or_else(|e| e.into_inner()) = Arc::default();
        result
    }

    fn entry(&self, table: Table, key: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        let read = self.db.begin_read()?;
        let t = match read.open_table(definition(table)) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(t.get(key)?.map(|v| v.value().to_vec()))
    }

    fn scan(&self, table: Table, f: &mut EntryVisitor<'_>) -> anyhow::Result<()> {
        let read = self.db.begin_read()?;
        let t = match read.open_table(definition(table)) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        for e in t.iter()? {
            let (k, v) = e?;
            f(k.value(), v.value())?;
        }
        Ok(())
    }

    fn entries(&self, table: Table) -> anyhow::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let read = self.db.begin_read()?;
        let t = match read.open_table(definition(table)) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        t.iter()?
            .map(|e| {
                let (k, v) = e?;
                Ok((k.value().to_vec(), v.value().to_vec()))
            })
            .collect()
    }
}
