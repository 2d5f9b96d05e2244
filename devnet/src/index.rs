//! The indexes an Ethereum JSON-RPC needs, kept as tipsets commit: transaction hash → message
//! CID, and logs (events) by emitter and by topic. Lookups are O(1) or O(log n + matches), never
//! a scan of the chain.

use std::collections::HashMap;

use cid::Cid;
use fvm_ipld_encoding::IPLD_RAW;
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::event::StampedEvent;

use crate::chain::MessageRecord;

/// Keys of the topic entries of an Ethereum-log-shaped event, in order (as Lotus reads them).
const TOPIC_KEYS: [&str; 4] = ["t1", "t2", "t3", "t4"];

/// Where an event is: its tipset height, its message and its index among that message's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogRef {
    /// Order of commitment (the chain's order of events).
    seq: u64,
    pub(crate) height: ChainEpoch,
    pub(crate) message: Cid,
    pub(crate) index: usize,
}

/// Which logs [`crate::Devnet::logs`] returns: those in tipsets `from..=to` emitted by one of
/// `emitters` (any if empty) whose topic at each position is one of the given values (any where
/// `None`), as `eth_getLogs` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First tipset height.
    pub from: ChainEpoch,
    /// Last tipset height.
    pub to: ChainEpoch,
    /// Emitting actors; empty: any.
    pub emitters: Vec<ActorID>,
    /// Topics `t1..t4`: at each position, the accepted values (`None`: any).
    pub topics: [Option<Vec<[u8; 32]>>; 4],
}

/// A log: an event with where it was emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The tipset height.
    pub height: ChainEpoch,
    /// The message that emitted it.
    pub message: Cid,
    /// Its index among the message's events.
    pub index: usize,
    /// The event, with its emitter.
    pub event: StampedEvent,
}

/// What the log indexes keep of one event of a record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexEntry {
    height: ChainEpoch,
    emitter: ActorID,
    topics: [Option<[u8; 32]>; 4],
}

/// What the log indexes keep of a record's events, in order.
pub(crate) fn index_entries(record: &MessageRecord) -> Vec<IndexEntry> {
    record
        .events
        .iter()
        .map(|event| IndexEntry {
            height: record.height,
            emitter: event.emitter,
            topics: topics(event),
        })
        .collect()
}

/// The indexes (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Indexes {
    /// The commit sequence of the record of each indexed transaction hash (8 bytes a value,
    /// where a CID is 96 in memory).
    eth_tx: HashMap<[u8; 32], u64>,
    all: Vec<LogRef>,
    by_emitter: HashMap<ActorID, Vec<LogRef>>,
    by_topic: HashMap<(usize, [u8; 32]), Vec<LogRef>>,
    next_seq: u64,
    /// Tipset key by Ethereum block hash ([`crate::Tipset::eth_block_hash`]).
    eth_blocks: HashMap<[u8; 32], Cid>,
}

/// The 32-byte topic at each position of an Ethereum-log-shaped event.
fn topics(event: &StampedEvent) -> [Option<[u8; 32]>; 4] {
    let mut out = [None; 4];
    for entry in &event.event.entries {
        if let Some(pos) = TOPIC_KEYS.iter().position(|k| *k == entry.key)
            && entry.codec == IPLD_RAW
        {
            out[pos] = entry.value.as_slice().try_into().ok();
        }
    }
    out
}

impl Indexes {
    /// Indexes a committed record, the `seq`-th; `eth_hash` is its transaction hash, if
    /// indexed ([`indexed_eth_hash`]).
    pub(crate) fn add(&mut self, seq: u64, record: &MessageRecord, eth_hash: Option<[u8; 32]>) {
        self.add_entries(seq, record.cid, &index_entries(record), eth_hash);
    }

    /// Indexes a record from what [`index_entries`] took of it.
    pub(crate) fn add_entries(
        &mut self,
        seq: u64,
        message: Cid,
        entries: &[IndexEntry],
        eth_hash: Option<[u8; 32]>,
    ) {
        if let Some(hash) = eth_hash {
            self.eth_tx.insert(hash, seq);
        }
        for (index, e) in entries.iter().enumerate() {
            let r = LogRef {
                seq: self.next_seq,
                height: e.height,
                message,
                index,
            };
            self.next_seq += 1;
            self.all.push(r);
            self.by_emitter.entry(e.emitter).or_default().push(r);
            for (pos, topic) in e.topics.into_iter().enumerate() {
                if let Some(topic) = topic {
                    self.by_topic.entry((pos, topic)).or_default().push(r);
                }
            }
        }
    }

    /// Indexes a tipset by its Ethereum block hash.
    pub(crate) fn add_block(&mut self, hash: [u8; 32], tipset: Cid) {
        self.eth_blocks.insert(hash, tipset);
    }

    /// Forgets a reverted tipset's Ethereum block hash.
    pub(crate) fn remove_block(&mut self, hash: &[u8; 32]) {
        self.eth_blocks.remove(hash);
    }

    /// The tipset key of an Ethereum block hash.
    pub(crate) fn block_by_eth_hash(&self, hash: &[u8; 32]) -> Option<Cid> {
        self.eth_blocks.get(hash).copied()
    }

    /// The commit sequence of the record of a transaction hash.
    pub(crate) fn message_by_eth_hash(&self, hash: &[u8; 32]) -> Option<u64> {
        self.eth_tx.get(hash).copied()
    }

    /// Candidate logs in `filter`'s height range, from the most selective index it names.
    pub(crate) fn candidates(&self, filter: &LogFilter) -> Vec<LogRef> {
        let in_range = |list: &[LogRef]| -> Vec<LogRef> {
            let lo = list.partition_point(|r| r.height < filter.from);
            let hi = list.partition_point(|r| r.height <= filter.to);
            list[lo..hi.max(lo)].to_vec()
        };
        let mut out: Vec<LogRef> = if !filter.emitters.is_empty() {
            filter
                .emitters
                .iter()
                .filter_map(|e| self.by_emitter.get(e))
                .flat_map(|l| in_range(l))
                .collect()
        } else if let Some((pos, values)) = filter
            .topics
            .iter()
            .enumerate()
            .find_map(|(p, t)| t.as_ref().map(|v| (p, v)))
        {
            values
                .iter()
                .filter_map(|v| self.by_topic.get(&(pos, *v)))
                .flat_map(|l| in_range(l))
                .collect()
        } else {
            in_range(&self.all)
        };
        out.sort_by_key(|r| r.seq);
        out.dedup_by_key(|r| r.seq);
        out
    }

    /// Whether `event` passes `filter`'s emitter and topic conditions.
    pub(crate) fn matches(filter: &LogFilter, event: &StampedEvent) -> bool {
        if !filter.emitters.is_empty() && !filter.emitters.contains(&event.emitter) {
            return false;
        }
        let have = topics(event);
        filter.topics.iter().zip(have).all(|(want, have)| {
            want.as_ref()
                .is_none_or(|w| have.is_some_and(|h| w.contains(&h)))
        })
    }

    /// Forgets what tipsets above `height` added, and the transaction hashes of the removed
    /// messages.
    pub(crate) fn truncate(&mut self, height: ChainEpoch, removed: &[[u8; 32]]) {
        for hash in removed {
            self.eth_tx.remove(hash);
        }
        let cut =
            |list: &mut Vec<LogRef>| list.truncate(list.partition_point(|r| r.height <= height));
        cut(&mut self.all);
        self.by_emitter.values_mut().for_each(cut);
        self.by_topic.values_mut().for_each(cut);
        self.by_emitter.retain(|_, l| !l.is_empty());
        self.by_topic.retain(|_, l| !l.is_empty());
    }
}

/// The transaction hash a tipset's index keeps for `record`: its Ethereum hash if an f410 sender
/// signed it (the keccak of the transaction, which nothing else gives back), else `None`: an f1
/// message's hash is its CID's digest (`cid_from_eth_hash` goes back), so Lotus indexes
/// delegated messages only, and a tipset of f1 messages writes no random-keyed index entry.
pub(crate) fn indexed_eth_hash(
    record: &MessageRecord,
    eth_hashes: &HashMap<Cid, [u8; 32]>,
) -> Option<[u8; 32]> {
    let delegated = record
        .signed
        .as_ref()
        .is_some_and(|s| s.signature.sig_type == filmark_sdk::keys::SigType::Delegated);
    delegated
        .then(|| eth_hashes.get(&record.cid).copied())
        .flatten()
}

impl crate::node::Node {
    /// The message CID of an Ethereum transaction hash. O(1) (a hash map, on disk too: the
    /// store keeps the hashes in commit order and the node reads them at start).
    ///
    /// As Lotus, the index holds the f410 senders' transactions only
    /// ([`crate::index::indexed_eth_hash`]); any other hash is read as the digest of a message
    /// CID (`cid_from_eth_hash`, Lotus' `EthHash.ToCid`), found if an explicit message of the
    /// chain has that CID.
    pub(crate) fn message_by_eth_hash(&self, hash: &[u8; 32]) -> crate::Result<Option<Cid>> {
        if let Some(seq) = self.indexes.message_by_eth_hash(hash) {
            return Ok(self.records.cid_at(seq));
        }
        let cid = filmark_sdk::keys::cid_from_eth_hash(&(*hash).into());
        if !self.records.contains(&cid) {
            return Ok(None);
        }
        // Implicit messages (cron) have CIDs too, but no transaction hash.
        Ok(self
            .records
            .get(&cid)?
            .filter(|r| r.index.is_some())
            .map(|_| cid))
    }
}
