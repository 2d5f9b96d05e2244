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
// Not inlined: `sol_event` is instantiated once per event type and shares this body.
#[inline(never)]
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

/// Encodes a `sol!` event as an Ethereum-log-shaped actor event.
///
/// # Errors
/// As [`evm_log`].
pub fn sol_event<E: SolEvent>(event: &E) -> Result<ActorEvent, ActorError> {
    let topics: Vec<[u8; 32]> = event.encode_topics().into_iter().map(|t| t.0.0).collect();
    evm_log(&topics, &event.encode_data())
}

/// Emits a `sol!` event.
///
/// # Errors
/// As [`evm_log`] and [`Runtime::emit_event`].
pub fn emit<RT: Runtime, E: SolEvent>(rt: &RT, event: &E) -> Result<(), ActorError> {
    rt.emit_event(&sol_event(event)?)
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

    #[test]
    fn too_many_topics_rejected() {
        assert!(evm_log(&[[0; 32]; 5], &[]).is_err());
    }
}
