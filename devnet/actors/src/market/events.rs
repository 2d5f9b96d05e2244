//! The market's events in the FVM: `{$type, id, client, provider}`, every entry indexed and
//! CBOR-encoded, as the real market emits them.

use fvm_shared::event::{ActorEvent, Entry, Flags};
use serde::Serialize;

use super::state::DealEvent;
use crate::{ActorError, ActorResult};

/// Multicodec of the entry values: CBOR.
const CBOR: u64 = 0x51;

fn entry<T: Serialize + ?Sized>(key: &str, value: &T) -> ActorResult<Entry> {
    Ok(Entry {
        flags: Flags::FLAG_INDEXED_ALL,
        key: key.to_owned(),
        codec: CBOR,
        value: fvm_ipld_encoding::to_vec(value)
            .map_err(|e| ActorError::serialization(format!("cannot encode event: {e}")))?,
    })
}

/// Emits one deal event.
pub(super) fn emit(event: &DealEvent) -> ActorResult<()> {
    let entries = vec![
        entry("$type", event.kind.name())?,
        entry("id", &event.id)?,
        entry("client", &event.client)?,
        entry("provider", &event.provider)?,
    ];
    fvm_sdk::event::emit_event(&ActorEvent { entries })
        .map_err(|e| ActorError::illegal_state(format!("cannot emit event: {e}")))
}
