//! Events shaped so Lotus turns them into Ethereum logs.
//!
//! Every entry uses codec raw (0x55) and flags indexed-all (3); keys `t1`..`t4` hold 32-byte
//! topics with no gaps and `d` holds the data. An event declared in a `sol!` interface maps to
//! `t1` = its signature hash (topic0), `t2..t4` = indexed fields, `d` = ABI-encoded data, so
//! `eth_getLogs` shows it exactly as the Solidity event.

use alloy_sol_types::SolEvent;
use fvm_ipld_encoding::IPLD_RAW;
use fvm_shared::event::{ActorEvent, Entry, Flags};

use crate::{ActorError, Runtime};

/// Keys of the topic entries, in order.
pub const TOPIC_KEYS: [&str; 4] = ["t1", "t2", "t3", "t4"];

/// Key of the data entry.
pub const DATA_KEY: &str = "d";

/// Builds an Ethereum-log-shaped event.
///
/// # Errors
/// `USR_ASSERTION_FAILED` for more than four topics.
pub fn evm_log(topics: &[[u8; 32]], data: &[u8]) -> Result<ActorEvent, ActorError> {
    if topics.len() > TOPIC_KEYS.len() {
        return Err(ActorError::assertion_failed(format!(
            "an event has at most 4 topics, got {}",
            topics.len()
        )));
    }
    let mut entries: Vec<Entry> = topics
        .iter()
        .zip(TOPIC_KEYS)
        .map(|(topic, key)| Entry {
            flags: Flags::FLAG_INDEXED_ALL,
            key: key.to_owned(),
            codec: IPLD_RAW,
            value: topic.to_vec(),
        })
        .collect();
    entries.push(Entry {
        flags: Flags::FLAG_INDEXED_ALL,
        key: DATA_KEY.to_owned(),
        codec: IPLD_RAW,
        value: data.to_vec(),
    });
    Ok(ActorEvent { entries })
}

/// Encodes a `sol!` event as an Ethereum-log-shaped actor event with alloy's encoders (one
/// instantiation per event type: actors build their events with [`Log`] instead, and tests check
/// those against this).
///
/// # Errors
/// As [`evm_log`].
pub fn sol_event<E: SolEvent>(event: &E) -> Result<ActorEvent, ActorError> {
    let topics: Vec<[u8; 32]> = event.encode_topics().into_iter().map(|t| t.0.0).collect();
    evm_log(&topics, &event.encode_data())
}

/// One 32-byte ABI word (a topic or a static data field).
pub type Word = [u8; 32];

/// The topic under which events index a CID (a content or piece CID): `keccak256` of its
/// binary form, as Solidity's `keccak256(bytes)` of the same bytes.
#[must_use]
pub fn cid_topic(cid: &::cid::Cid) -> alloy_primitives::B256 {
    alloy_primitives::keccak256(cid.to_bytes())
}

/// ABI words of the static Solidity types Filmark's events carry.
pub mod word {
    use alloy_primitives::{Address, U256};

    use super::Word;

    /// A `uint<N>` word for `N` up to 64.
    #[must_use]
    pub fn uint(v: u64) -> Word {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&v.to_be_bytes());
        w
    }

    /// An `int<N>` word for `N` up to 64 (sign-extended).
    #[must_use]
    pub fn int(v: i64) -> Word {
        let mut w = if v < 0 { [0xff; 32] } else { [0u8; 32] };
        w[24..].copy_from_slice(&v.to_be_bytes());
        w
    }

    /// An `address` word.
    #[must_use]
    pub fn address(a: &Address) -> Word {
        let mut w = [0u8; 32];
        w[12..].copy_from_slice(a.as_slice());
        w
    }

    /// A `uint256` word.
    #[must_use]
    pub fn uint256(v: &U256) -> Word {
        v.to_be_bytes::<32>()
    }
}

/// A data field of a [`Log`].
#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Word(Word),
    Bytes(&'a [u8]),
}

/// An Ethereum-log-shaped event built field by field, in the declaration order of a `sol!`
/// event: topic 0 (its `SIGNATURE_HASH`), the indexed fields as topics, the others as data.
/// The bytes are those of `SolEvent::encode_topics` / `encode_data` (static words and dynamic
/// `bytes` / `string` fields), through one non-generic path: the wasm carries no per-event
/// instantiation of alloy's encoders.
///
/// ```
/// # use filmark_actor_shared::events::{Log, word};
/// alloy_sol_types::sol! { event Noted(uint64 indexed id, string note, uint64 at); }
/// use alloy_sol_types::SolEvent;
/// let event = Log::new(Noted::SIGNATURE_HASH.0)
///     .topic(word::uint(7))
///     .bytes(b"hello")
///     .word(word::uint(9))
///     .build()
///     .unwrap();
/// let want = Noted { id: 7, note: "hello".into(), at: 9 };
/// assert_eq!(event, filmark_actor_shared::events::sol_event(&want).unwrap());
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Log<'a> {
    topics: Vec<Word>,
    data: Vec<Field<'a>>,
}

impl<'a> Log<'a> {
    /// A log whose topic 0 is `signature` (the event's `SIGNATURE_HASH`).
    pub fn new(signature: Word) -> Self {
        let mut topics = Vec::with_capacity(TOPIC_KEYS.len());
        topics.push(signature);
        Self {
            topics,
            data: Vec::new(),
        }
    }

    /// The next indexed field (a static value's word, or `keccak256` of a dynamic one).
    pub fn topic(mut self, topic: Word) -> Self {
        self.topics.push(topic);
        self
    }

    /// The next data field: a static value's word.
    pub fn word(mut self, word: Word) -> Self {
        self.data.push(Field::Word(word));
        self
    }

    /// The next data field: a `bytes` or `string` value.
    pub fn bytes(mut self, bytes: &'a [u8]) -> Self {
        self.data.push(Field::Bytes(bytes));
        self
    }

    /// The ABI encoding of the data fields: a head of one word per field (a dynamic field's
    /// word is the offset of its tail), then the tails (length word, bytes padded to a word).
    fn encode_data(&self) -> Vec<u8> {
        let head_len = self.data.len() * 32;
        let mut head = Vec::with_capacity(head_len);
        let mut tail = Vec::new();
        for field in &self.data {
            match field {
                Field::Word(w) => head.extend_from_slice(w),
                Field::Bytes(b) => {
                    head.extend_from_slice(&word::uint((head_len + tail.len()) as u64));
                    tail.extend_from_slice(&word::uint(b.len() as u64));
                    tail.extend_from_slice(b);
                    tail.resize(tail.len().next_multiple_of(32), 0);
                }
            }
        }
        head.extend_from_slice(&tail);
        head
    }

    /// The actor event.
    ///
    /// # Errors
    /// As [`evm_log`] (more than four topics).
    pub fn build(&self) -> Result<ActorEvent, ActorError> {
        evm_log(&self.topics, &self.encode_data())
    }

    /// Emits the event.
    ///
    /// # Errors
    /// As [`Log::build`] and [`Runtime::emit_event`].
    pub fn emit<RT: Runtime>(&self, rt: &RT) -> Result<(), ActorError> {
        rt.emit_event(&self.build()?)
    }
}

/// Decodes an Ethereum-log-shaped actor event back into topics and data.
pub fn decode_log(event: &ActorEvent) -> Option<(Vec<[u8; 32]>, Vec<u8>)> {
    let mut topics = Vec::new();
    let mut data = None;
    for entry in &event.entries {
        if entry.codec != IPLD_RAW {
            return None;
        }
        if entry.key == DATA_KEY {
            data = Some(entry.value.clone());
        } else if TOPIC_KEYS.get(topics.len()) == Some(&entry.key.as_str()) {
            topics.push(entry.value.as_slice().try_into().ok()?);
        } else {
            return None;
        }
    }
    Some((topics, data.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256, U256};

    use super::*;

    alloy_sol_types::sol! {
        event Moved(bytes32 indexed id, address indexed to, uint256 amount);
    }

    #[test]
    fn sol_event_becomes_log_entries() {
        let ev = Moved {
            id: B256::repeat_byte(7),
            to: Address::repeat_byte(9),
            amount: U256::from(5),
        };
        let actor_event = sol_event(&ev).unwrap();
        let keys: Vec<&str> = actor_event.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["t1", "t2", "t3", "d"]);
        assert!(
            actor_event
                .entries
                .iter()
                .all(|e| e.codec == IPLD_RAW && e.flags.bits() == 3)
        );
        let (topics, data) = decode_log(&actor_event).unwrap();
        assert_eq!(topics[0], Moved::SIGNATURE_HASH.0);
        let log = alloy_primitives::LogData::new_unchecked(
            topics.iter().map(|t| B256::from(*t)).collect(),
            data.into(),
        );
        let back = Moved::decode_log_data(&log).unwrap();
        assert_eq!(back.amount, U256::from(5));
        assert_eq!(back.to, Address::repeat_byte(9));
    }

    alloy_sol_types::sol! {
        event Mixed(uint64 indexed id, address indexed who, bytes32 indexed hash, bytes blob,
            uint64 size, string text, int64 at, uint256 amount);
        event Bare(address indexed who);
    }

    #[test]
    fn log_builder_encodes_like_alloy() {
        let blobs: [&[u8]; 4] = [b"", b"x", &[7; 32], &[9; 33]];
        for blob in blobs {
            for (text, at) in [
                ("", 0i64),
                ("a dog", -1),
                ("long text ".repeat(9).as_str(), i64::MIN),
            ] {
                let want = Mixed {
                    id: u64::MAX,
                    who: Address::repeat_byte(0xab),
                    hash: B256::repeat_byte(3),
                    blob: blob.to_vec().into(),
                    size: 12,
                    text: text.to_owned(),
                    at,
                    amount: U256::MAX - U256::from(1),
                };
                let got = Log::new(Mixed::SIGNATURE_HASH.0)
                    .topic(word::uint(want.id))
                    .topic(word::address(&want.who))
                    .topic(want.hash.0)
                    .bytes(blob)
                    .word(word::uint(want.size))
                    .bytes(text.as_bytes())
                    .word(word::int(at))
                    .word(word::uint256(&want.amount))
                    .build()
                    .unwrap();
                assert_eq!(got, sol_event(&want).unwrap(), "{blob:?} {text:?}");
            }
        }
        let bare = Bare {
            who: Address::repeat_byte(1),
        };
        let got = Log::new(Bare::SIGNATURE_HASH.0).topic(word::address(&bare.who));
        assert_eq!(got.build().unwrap(), sol_event(&bare).unwrap());
    }

    #[test]
    fn too_many_topics_rejected() {
        assert!(evm_log(&[[0; 32]; 5], &[]).is_err());
        let five = (0..4).fold(Log::new([0; 32]), |log, i| log.topic(word::uint(i)));
        assert!(five.build().is_err());
    }
}
