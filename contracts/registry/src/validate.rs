//! Parameter checks: every limit of `policy` with a message naming it.

use cid::Cid;
use filmark_actor_shared::{ActorError, actor_error};
use fvm_shared::clock::ChainEpoch;

use crate::policy::*;
use crate::types::{MetadataEntry, RegisterParams, scope};

/// Checks a CID's encoded length.
pub(crate) fn cid(what: &str, cid: &Cid) -> Result<(), ActorError> {
    let len = cid.encoded_len();
    if len > MAX_CID_BYTES {
        return Err(actor_error!(illegal_argument;
            "{what} is {len} bytes, over MAX_CID_BYTES = {MAX_CID_BYTES}"));
    }
    Ok(())
}

fn text(what: &str, s: &str, max: usize, limit: &str) -> Result<(), ActorError> {
    if s.len() > max {
        return Err(actor_error!(illegal_argument;
            "{what} is {} bytes, over {limit} = {max}", s.len()));
    }
    Ok(())
}

/// Checks one metadata key.
pub(crate) fn metadata_key(key: &str) -> Result<(), ActorError> {
    if key.is_empty() {
        return Err(ActorError::illegal_argument(
            "metadata key must not be empty",
        ));
    }
    text(
        &format!("metadata key \"{key}\""),
        key,
        MAX_METADATA_KEY_BYTES,
        "MAX_METADATA_KEY_BYTES",
    )
}

/// Checks metadata entries (count, sizes, unique keys) and returns them sorted by key.
pub(crate) fn metadata(entries: Vec<MetadataEntry>) -> Result<Vec<MetadataEntry>, ActorError> {
    entry_count(entries.len())?;
    for e in &entries {
        metadata_key(&e.key)?;
        text(
            &format!("metadata value of \"{}\"", e.key),
            &e.value,
            MAX_METADATA_VALUE_BYTES,
            "MAX_METADATA_VALUE_BYTES",
        )?;
    }
    let mut entries = entries;
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    if let Some(w) = entries.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(actor_error!(illegal_argument; "metadata key \"{}\" given twice", w[0].key));
    }
    Ok(entries)
}

/// Checks a metadata entry count.
pub(crate) fn entry_count(n: usize) -> Result<(), ActorError> {
    if n > MAX_METADATA_ENTRIES {
        return Err(actor_error!(illegal_argument;
            "{n} metadata entries, over MAX_METADATA_ENTRIES = {MAX_METADATA_ENTRIES}"));
    }
    Ok(())
}

/// Checks a `Register` item (everything but the owner) and returns its sorted metadata.
pub(crate) fn register(p: &RegisterParams) -> Result<Vec<MetadataEntry>, ActorError> {
    cid("content cid", &p.cid)?;
    if let Some(piece) = &p.piece {
        cid("piece cid", piece)?;
    }
    if p.kind.is_empty() {
        return Err(ActorError::illegal_argument(
            "kind (MIME type) must not be empty",
        ));
    }
    text("kind", &p.kind, MAX_KIND_BYTES, "MAX_KIND_BYTES")?;
    text(
        "platform",
        &p.platform,
        MAX_PLATFORM_BYTES,
        "MAX_PLATFORM_BYTES",
    )?;
    metadata(p.metadata.clone())
}

/// Checks a batch size.
pub(crate) fn batch(n: usize) -> Result<(), ActorError> {
    if n == 0 {
        return Err(ActorError::illegal_argument("empty batch"));
    }
    if n > MAX_BATCH_SIZE {
        return Err(actor_error!(illegal_argument;
            "batch of {n} records, over MAX_BATCH_SIZE = {MAX_BATCH_SIZE}"));
    }
    Ok(())
}

/// Checks a page size.
pub(crate) fn page(limit: u32) -> Result<(), ActorError> {
    if limit == 0 || limit > MAX_PAGE_SIZE {
        return Err(actor_error!(illegal_argument;
            "page limit {limit} must be between 1 and MAX_PAGE_SIZE = {MAX_PAGE_SIZE}"));
    }
    Ok(())
}

/// Checks a signer grant's scope and expiry.
pub(crate) fn grant(
    scope_bits: u32,
    expiry: ChainEpoch,
    now: ChainEpoch,
) -> Result<(), ActorError> {
    if scope_bits == 0 {
        return Err(ActorError::illegal_argument(
            "signer scope must name at least one method",
        ));
    }
    if scope_bits & !scope::ALL != 0 {
        return Err(actor_error!(illegal_argument;
            "signer scope {scope_bits:#x} has unknown bits (known: {:#x})", scope::ALL));
    }
    if expiry <= now {
        return Err(actor_error!(illegal_argument;
            "signer expiry {expiry} must be after the current epoch {now}"));
    }
    if expiry.saturating_sub(now) > MAX_SIGNER_TTL {
        return Err(actor_error!(illegal_argument;
            "signer expiry {expiry} is more than MAX_SIGNER_TTL = {MAX_SIGNER_TTL} epochs ahead"));
    }
    Ok(())
}
