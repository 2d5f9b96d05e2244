//! Typed events: the registry's and the escrow's events, from a message's FVM events (what
//! [`Client::events`](super::Client::events) reads from a receipt) or from Ethereum logs
//! (`eth_getLogs`), decoded into the `sol!` event types of `filmark-abi`.
//!
//! The actors emit each event as an FVM event whose entries `t1`..`t4` are its topics and `d`
//! its ABI-encoded data (codec raw, indexed), which Lotus turns into the Ethereum log of the
//! Solidity event; one decoding serves both forms.

use alloy_primitives::{B256, LogData};
use alloy_sol_types::SolEventInterface;
use filmark_abi::IFilmarkEscrow::IFilmarkEscrowEvents;
use filmark_abi::IFilmarkRegistry::IFilmarkRegistryEvents;
use fvm_shared::ActorID;
use fvm_shared::event::StampedEvent;

use crate::{Error, Result};

/// One of Filmark's events.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilmarkEvent {
    /// A registry event (`Registered`, `Transferred`, ...).
    Registry(IFilmarkRegistryEvents),
    /// An escrow event (`OrderCreated`, `ProviderPaid`, ...).
    Escrow(IFilmarkEscrowEvents),
}

/// A decoded event and the actor that emitted it.
#[derive(Debug, PartialEq, Eq)]
pub struct Emitted {
    /// The emitter's actor id.
    pub emitter: ActorID,
    /// The event.
    pub event: FilmarkEvent,
}

/// Decodes an Ethereum log (its topics, topic0 first, and data) as a registry or escrow event;
/// `None` for a log of neither (another contract's, or malformed).
pub fn decode_log(topics: &[[u8; 32]], data: &[u8]) -> Option<FilmarkEvent> {
    let topics: Vec<B256> = topics.iter().copied().map(B256::from).collect();
    let log = LogData::new(topics, data.to_vec().into())?;
    if let Ok(e) = IFilmarkRegistryEvents::decode_raw_log(log.topics(), &log.data) {
        return Some(FilmarkEvent::Registry(e));
    }
    IFilmarkEscrowEvents::decode_raw_log(log.topics(), &log.data)
        .ok()
        .map(FilmarkEvent::Escrow)
}

/// Decodes the FVM events of a message: each one in the Ethereum-log shape that is a registry
/// or escrow event, in emission order. Events of other shapes (the builtin actors') are left
/// out; use [`try_decode_events`] to refuse them.
pub fn decode_events(events: &[StampedEvent]) -> Vec<Emitted> {
    events
        .iter()
        .filter_map(|s| {
            let (topics, data) = filmark_actor_shared::events::decode_log(&s.event)?;
            Some(Emitted {
                emitter: s.emitter,
                event: decode_log(&topics, &data)?,
            })
        })
        .collect()
}

/// As [`decode_events`], but every event must be one of Filmark's.
///
/// # Errors
/// [`Error::Decode`] naming the first event that is not.
pub fn try_decode_events(events: &[StampedEvent]) -> Result<Vec<Emitted>> {
    events
        .iter()
        .map(|s| {
            filmark_actor_shared::events::decode_log(&s.event)
                .and_then(|(topics, data)| decode_log(&topics, &data))
                .map(|event| Emitted {
                    emitter: s.emitter,
                    event,
                })
                .ok_or_else(|| Error::Decode {
                    what: format!("event of f0{}", s.emitter),
                    reason: "not a registry or escrow event".into(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address as EthAddress, Bytes, U256};
    use alloy_sol_types::SolEvent;
    use filmark_abi::IFilmarkEscrow::ProviderPaid;
    use filmark_abi::IFilmarkRegistry::Registered;
    use fvm_shared::event::{ActorEvent, Entry, Flags};

    use super::*;

    fn stamped<E: SolEvent>(emitter: ActorID, e: &E) -> StampedEvent {
        let log = e.encode_log_data();
        let mut entries: Vec<Entry> = log
            .topics()
            .iter()
            .zip(filmark_actor_shared::events::TOPIC_KEYS)
            .map(|(t, k)| Entry {
                flags: Flags::FLAG_INDEXED_ALL,
                key: k.into(),
                codec: 0x55,
                value: t.0.to_vec(),
            })
            .collect();
        entries.push(Entry {
            flags: Flags::FLAG_INDEXED_ALL,
            key: filmark_actor_shared::events::DATA_KEY.into(),
            codec: 0x55,
            value: log.data.to_vec(),
        });
        StampedEvent::new(emitter, ActorEvent::from(entries))
    }

    #[test]
    fn registry_and_escrow_events_decode_from_fvm_events() {
        let registered = Registered {
            owner: EthAddress::repeat_byte(7),
            cidHash: B256::repeat_byte(1),
            cid: Bytes::from(vec![1, 2, 3]),
            kind: "image/png".into(),
            size: 42,
        };
        let paid = ProviderPaid {
            orderId: 3,
            provider: EthAddress::repeat_byte(9),
            dealId: 11,
            amount: U256::from(500u64),
            epochs: 5,
        };
        let builtin = StampedEvent::new(5, ActorEvent::from(vec![]));
        let events = vec![stamped(1000, &registered), builtin, stamped(1001, &paid)];
        let decoded = decode_events(&events);
        assert_eq!(decoded.len(), 2, "{decoded:?}");
        assert_eq!(decoded[0].emitter, 1000);
        match &decoded[0].event {
            FilmarkEvent::Registry(IFilmarkRegistryEvents::Registered(r)) => {
                assert_eq!((r.size, r.kind.as_str()), (42, "image/png"));
                assert_eq!(r.owner, registered.owner);
            }
            other => panic!("{other:?}"),
        }
        match &decoded[1].event {
            FilmarkEvent::Escrow(IFilmarkEscrowEvents::ProviderPaid(p)) => {
                assert_eq!((p.orderId, p.dealId, p.epochs), (3, 11, 5));
                assert_eq!(p.amount, U256::from(500u64));
            }
            other => panic!("{other:?}"),
        }
        let err = try_decode_events(&events).unwrap_err();
        assert!(err.to_string().contains("f05"), "{err}");
    }

    #[test]
    fn an_unknown_log_is_none() {
        assert_eq!(decode_log(&[[0xab; 32]], &[]), None);
        assert_eq!(decode_log(&[], &[]), None);
    }
}
