//! The events the registry emits, one per state change, as Ethereum logs (see
//! `filmark_actor_shared::events`). Owners and signers are indexed by their 20-byte Ethereum
//! address (f410, else masked ID); content by `cidHash` = keccak256 of the CID's bytes, with
//! the full CID bytes in the data.
//!
//! | method | event |
//! |---|---|
//! | Register, RegisterBatch | `Registered(owner, cidHash, cid, kind, size)` per record |
//! | UpdateMetadata | `MetadataUpdated(owner, cidHash, cid, entries)` |
//! | Transfer | `Transferred(from, to, cidHash, cid)` |
//! | Tombstone | `Tombstoned(owner, cidHash, cid)` |
//! | LinkOrder | `OrderLinked(owner, cidHash, cid, orderId)` |
//! | AddSigner | `SignerRevoked` for a replaced grant, then `SignerAdded(owner, signer, grantId, scope, expiry)` |
//! | RevokeSigner | `SignerRevoked(owner, signer, grantId)` |

use alloy_primitives::{B256, Bytes, keccak256};
use cid::Cid;
use filmark_actor_shared::abi::eth_of;
use filmark_actor_shared::events::emit;
use filmark_actor_shared::{ActorError, Runtime};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;

use crate::abi::IFilmarkRegistry;

/// The topic under which a content CID is indexed: keccak256 of its binary form.
#[must_use]
pub fn cid_topic(cid: &Cid) -> B256 {
    keccak256(cid.to_bytes())
}

pub(crate) fn registered<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
    kind: &str,
    size: u64,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::Registered {
            owner: eth_of(rt, owner),
            cidHash: cid_topic(cid),
            cid: Bytes::from(cid.to_bytes()),
            kind: kind.to_owned(),
            size,
        },
    )
}

pub(crate) fn metadata_updated<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
    entries: usize,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::MetadataUpdated {
            owner: eth_of(rt, owner),
            cidHash: cid_topic(cid),
            cid: Bytes::from(cid.to_bytes()),
            entries: u32::try_from(entries).unwrap_or(u32::MAX),
        },
    )
}

pub(crate) fn transferred<RT: Runtime>(
    rt: &RT,
    from: ActorID,
    to: ActorID,
    cid: &Cid,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::Transferred {
            from: eth_of(rt, from),
            to: eth_of(rt, to),
            cidHash: cid_topic(cid),
            cid: Bytes::from(cid.to_bytes()),
        },
    )
}

pub(crate) fn tombstoned<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::Tombstoned {
            owner: eth_of(rt, owner),
            cidHash: cid_topic(cid),
            cid: Bytes::from(cid.to_bytes()),
        },
    )
}

pub(crate) fn order_linked<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
    order_id: u64,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::OrderLinked {
            owner: eth_of(rt, owner),
            cidHash: cid_topic(cid),
            cid: Bytes::from(cid.to_bytes()),
            orderId: order_id,
        },
    )
}

pub(crate) fn signer_added<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    signer: ActorID,
    grant_id: u64,
    scope: u32,
    expiry: ChainEpoch,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::SignerAdded {
            owner: eth_of(rt, owner),
            signer: eth_of(rt, signer),
            grantId: grant_id,
            scope,
            expiry,
        },
    )
}

pub(crate) fn signer_revoked<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    signer: ActorID,
    grant_id: u64,
) -> Result<(), ActorError> {
    emit(
        rt,
        &IFilmarkRegistry::SignerRevoked {
            owner: eth_of(rt, owner),
            signer: eth_of(rt, signer),
            grantId: grant_id,
        },
    )
}
