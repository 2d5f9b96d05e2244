//! `check_state_invariants`: what must always hold of the registry's state.

use std::collections::{BTreeMap, BTreeSet};

use cid::Cid;
use filmark_actor_shared::MessageAccumulator;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::ActorID;

use crate::policy::{MAX_METADATA_ENTRIES, MAX_SIGNERS_PER_OWNER};
use crate::state::{OwnerInfo, Revocation, State, key_id, load_amt, load_hamt, load_record_block};
use crate::types::{Record, SignerGrant, Status, scope};

/// What the invariant check saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StateSummary {
    /// Records by CID.
    pub records: BTreeMap<Cid, Record>,
    /// Current grants by (owner, signer).
    pub grants: BTreeMap<(ActorID, ActorID), SignerGrant>,
    /// Revocations by grant id.
    pub revoked: BTreeMap<u64, Revocation>,
}

/// Checks the invariants of the registry's state:
/// - the root counters agree with the collections;
/// - every record is indexed under its owner at its `index`, and every index entry points at a
///   record owned by that owner; owners have at least one record;
/// - metadata is sorted, unique and within limits; `created <= updated`; `seq <= state.seq`;
/// - every grant id below `next_grant_id` is either current or revoked, never both nor neither;
///   current grants have a valid scope, a signer other than the owner, and at most
///   `MAX_SIGNERS_PER_OWNER` per owner;
/// - no change was made through a grant after its revocation (`record.seq < revocation.seq`).
pub fn check_state_invariants<BS: Blockstore>(
    store: &BS,
    state: &State,
) -> (StateSummary, MessageAccumulator) {
    let acc = MessageAccumulator::default();
    let mut summary = StateSummary::default();

    // Records.
    if let Some(records) = acc.require_ok(
        load_hamt::<_, Cid>(store, &state.records, "records"),
        "records",
    ) {
        let r = records.for_each(|k, link| {
            let cid = Cid::try_from(k.0.as_slice())?;
            let r = load_record_block(store, &link)?;
            summary.records.insert(cid, r);
            Ok(())
        });
        acc.require_ok(r, "iterating records");
    }
    let total = summary.records.len() as u64;
    let tombstoned = summary
        .records
        .values()
        .filter(|r| r.status == Status::Tombstoned)
        .count() as u64;
    acc.require(
        total == state.record_count,
        format!("record_count {} != {total} records", state.record_count),
    );
    acc.require(
        tombstoned == state.tombstoned_count,
        format!(
            "tombstoned_count {} != {tombstoned}",
            state.tombstoned_count
        ),
    );
    for (cid, r) in &summary.records {
        acc.require(
            r.created <= r.updated,
            format!("{cid}: created {} > updated {}", r.created, r.updated),
        );
        acc.require(
            r.seq <= state.seq,
            format!("{cid}: seq {} > state seq {}", r.seq, state.seq),
        );
        acc.require(
            r.metadata.len() <= MAX_METADATA_ENTRIES,
            format!("{cid}: too many metadata entries"),
        );
        acc.require(
            r.metadata.windows(2).all(|w| w[0].key < w[1].key),
            format!("{cid}: metadata not sorted or not unique"),
        );
    }

    // Owner index.
    let mut indexed = 0u64;
    let mut owner_entries = 0u64;
    if let Some(owners) = acc.require_ok(
        load_hamt::<_, OwnerInfo>(store, &state.owners, "owners"),
        "loading the owner index",
    ) {
        let r = owners.for_each(|k, info| {
            owner_entries += 1;
            let Some(owner) = key_id(k) else {
                acc.add("owner key is not an actor id");
                return Ok(());
            };
            acc.require(
                info.count > 0,
                format!("owner f0{owner} has an entry but no records"),
            );
            let amt = load_amt(store, &info.index)?;
            acc.require(
                amt.count() == info.count,
                format!(
                    "owner f0{owner}: count {} != index {}",
                    info.count,
                    amt.count()
                ),
            );
            amt.for_each(|i, cid| {
                indexed += 1;
                acc.require(
                    i < info.next_index,
                    format!("owner f0{owner}: index {i} >= next {}", info.next_index),
                );
                match summary.records.get(&cid.0) {
                    Some(r) => {
                        acc.require(
                            r.owner == owner,
                            format!("{cid} indexed under f0{owner} but owned by f0{}", r.owner),
                        );
                        acc.require(
                            r.index == i,
                            format!("{cid} indexed at {i} but records index {}", r.index),
                        );
                    }
                    None => acc.add(format!("owner f0{owner} indexes unregistered {cid}")),
                }
                Ok(())
            })?;
            Ok(())
        });
        acc.require_ok(r, "iterating owners");
    }
    acc.require(
        indexed == total,
        format!("{indexed} index entries for {total} records"),
    );
    acc.require(
        owner_entries == state.owner_count,
        format!("owner_count {} != {owner_entries}", state.owner_count),
    );

    // Signers.
    if let Some(signers) = acc.require_ok(
        load_hamt::<_, Cid>(store, &state.signers, "signers"),
        "signers",
    ) {
        let r = signers.for_each(|k, root| {
            let owner = key_id(k).unwrap_or_default();
            let grants = load_hamt::<_, SignerGrant>(store, &root, "owner signers")?;
            let mut n = 0usize;
            grants.for_each(|sk, g| {
                n += 1;
                acc.require(
                    key_id(sk) == Some(g.signer),
                    format!("grant {} stored under the wrong signer", g.grant_id),
                );
                summary.grants.insert((owner, g.signer), g);
                Ok(())
            })?;
            acc.require(n > 0, format!("owner f0{owner} has an empty signer map"));
            acc.require(
                n <= MAX_SIGNERS_PER_OWNER,
                format!("owner f0{owner} has {n} grants"),
            );
            Ok(())
        });
        acc.require_ok(r, "iterating signers");
    }
    if let Some(revoked) = acc.require_ok(
        load_hamt::<_, Revocation>(store, &state.revoked, "revoked"),
        "revoked",
    ) {
        let r = revoked.for_each(|k, rev| {
            if let Some(id) = key_id(k) {
                summary.revoked.insert(id, rev);
            }
            Ok(())
        });
        acc.require_ok(r, "iterating revoked");
    }
    acc.require(
        summary.grants.len() as u64 == state.signer_count,
        format!(
            "signer_count {} != {}",
            state.signer_count,
            summary.grants.len()
        ),
    );
    acc.require(
        summary.revoked.len() as u64 == state.revoked_count,
        format!(
            "revoked_count {} != {}",
            state.revoked_count,
            summary.revoked.len()
        ),
    );
    let mut current_ids = BTreeSet::new();
    for ((owner, signer), g) in &summary.grants {
        acc.require(
            owner != signer,
            format!("f0{owner} holds a grant to itself"),
        );
        acc.require(
            g.scope != 0 && g.scope & !scope::ALL == 0,
            format!("grant {} has scope {:#x}", g.grant_id, g.scope),
        );
        acc.require(
            g.granted < g.expiry,
            format!("grant {} expires before it starts", g.grant_id),
        );
        acc.require(
            current_ids.insert(g.grant_id),
            format!("grant id {} used twice", g.grant_id),
        );
        acc.require(
            !summary.revoked.contains_key(&g.grant_id),
            format!("grant {} is both current and revoked", g.grant_id),
        );
    }
    let known = current_ids.len() as u64 + summary.revoked.len() as u64;
    acc.require(
        known == state.next_grant_id,
        format!("{known} grants known, {} issued", state.next_grant_id),
    );
    for id in summary.revoked.keys() {
        acc.require(
            *id < state.next_grant_id,
            format!("revoked grant {id} was never issued"),
        );
    }
    for (cid, r) in &summary.records {
        if let Some(g) = r.via_grant {
            acc.require(
                g < state.next_grant_id,
                format!("{cid} changed through unissued grant {g}"),
            );
            if let Some(rev) = summary.revoked.get(&g) {
                acc.require(
                    r.seq < rev.seq,
                    format!(
                        "{cid} changed (seq {}) through grant {g} after its revocation (seq {})",
                        r.seq, rev.seq
                    ),
                );
            }
        }
    }
    (summary, acc)
}
