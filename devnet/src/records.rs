//! The chain store's message records, by CID and in commit order.
//!
//! In memory a record is kept as its CBOR encoding (a third of the decoded struct's size); on a
//! persistent store only its commit sequence is kept, and the record is read from the store's
//! `records` table, where the tipset's transaction wrote it. Either way a lookup is O(1) plus
//! decoding one record.
//!
//! A message CID is kept as its 32-byte digest (a [`Cid`] is 96 bytes in memory): every record's
//! CID is a CIDv1, DAG-CBOR, BLAKE2b-256 one (a message's, or a signed message's), which
//! `cid_from_eth_hash` rebuilds from the digest; any other CID would be kept whole.

use std::collections::HashMap;

use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec};

use filmark_sdk::keys::{cid_digest, cid_from_eth_hash};

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

/// A record's CID as kept in memory (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// The digest of a CIDv1 DAG-CBOR BLAKE2b-256 CID.
    Digest([u8; 32]),
    /// Any other CID (boxed: the common case stays 33 bytes).
    Other(Box<Cid>),
}

impl Key {
    fn of(cid: &Cid) -> Self {
        cid_digest(cid).map_or_else(|| Self::Other(Box::new(*cid)), |d| Self::Digest(d.0))
    }

    fn cid(&self) -> Cid {
        match self {
            Self::Digest(d) => cid_from_eth_hash(&(*d).into()),
            Self::Other(c) => **c,
        }
    }
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Records {
    store: Store,
    persistent: bool,
    by_cid: HashMap<Key, Slot>,
    /// Every record's CID in commit order (what a revert removes).
    log: Vec<Key>,
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
        self.by_cid.contains_key(&Key::of(cid))
    }

    /// The record of `cid`, if committed.
    ///
    /// # Errors
    ///
    /// Fails if the store fails or holds an undecodable record.
    pub(crate) fn get(&self, cid: &Cid) -> Result<Option<MessageRecord>> {
        let bytes = match self.by_cid.get(&Key::of(cid)) {
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
        let key = Key::of(&record.cid);
        self.by_cid.insert(key.clone(), slot);
        self.log.push(key);
    }

    /// Keeps a record loaded from the store under its sequence (the next one).
    pub(crate) fn push_stored(&mut self, cid: Cid) {
        let key = Key::of(&cid);
        self.by_cid
            .insert(key.clone(), Slot::Stored(self.log.len() as u64));
        self.log.push(key);
    }

    /// The records committed after the first `len`, in commit order.
    ///
    /// # Errors
    ///
    /// Fails if one cannot be read.
    pub(crate) fn removed_since(&self, len: usize) -> Result<Vec<MessageRecord>> {
        self.since(len)
            .into_iter()
            .map(|cid| {
                self.get(&cid)?
                    .ok_or_else(|| anyhow::anyhow!("record {cid} is missing").into())
            })
            .collect()
    }

    /// Forgets the records committed after the first `len`.
    pub(crate) fn truncate(&mut self, len: usize) {
        for key in self.log.drain(len.min(self.log.len())..) {
            self.by_cid.remove(&key);
        }
    }

    /// The CID of the record with commit sequence `seq`.
    pub(crate) fn cid_at(&self, seq: u64) -> Option<Cid> {
        usize::try_from(seq)
            .ok()
            .and_then(|i| self.log.get(i))
            .map(Key::cid)
    }

    /// The CIDs of the records committed after the first `len`.
    pub(crate) fn since(&self, len: usize) -> Vec<Cid> {
        self.log[len.min(self.log.len())..]
            .iter()
            .map(Key::cid)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use multihash_codetable::{Code, MultihashDigest};

    #[test]
    fn a_message_cid_is_kept_as_its_digest_and_any_other_cid_whole() {
        let message = Cid::new_v1(
            fvm_ipld_encoding::DAG_CBOR,
            Code::Blake2b256.digest(b"a message"),
        );
        assert!(matches!(Key::of(&message), Key::Digest(_)));
        assert_eq!(Key::of(&message).cid(), message);
        let raw = Cid::new_v1(fvm_ipld_encoding::IPLD_RAW, Code::Sha2_256.digest(b"x"));
        assert!(matches!(Key::of(&raw), Key::Other(_)));
        assert_eq!(Key::of(&raw).cid(), raw);
    }

    #[test]
    fn records_are_found_by_cid_and_a_truncate_forgets_the_later_ones() {
        use fvm_ipld_encoding::IPLD_RAW;
        let store = Store::default();
        let mut records = Records::new(store);
        let a = Cid::new_v1(fvm_ipld_encoding::DAG_CBOR, Code::Blake2b256.digest(b"a"));
        let odd = Cid::new_v1(IPLD_RAW, Code::Sha2_256.digest(b"odd"));
        records.push_stored(a);
        records.push_stored(odd);
        assert!(records.contains(&a) && records.contains(&odd));
        assert_eq!((records.cid_at(0), records.cid_at(1)), (Some(a), Some(odd)));
        assert_eq!(records.since(1), vec![odd]);
        records.truncate(1);
        assert!(records.contains(&a) && !records.contains(&odd));
        assert_eq!(records.cid_at(1), None);
    }
}
