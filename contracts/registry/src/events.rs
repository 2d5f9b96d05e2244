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
//!
//! Each is built with `filmark_actor_shared::events::Log` (the bytes of alloy's `SolEvent`
//! encoders without their per-event instantiation in the wasm); the tests check each against
//! alloy's encoding.

use alloy_sol_types::SolEvent;
use cid::Cid;
use filmark_actor_shared::abi::eth_of;
use filmark_actor_shared::events::{Log, Word, cid_topic, word};
use filmark_actor_shared::{ActorError, Runtime};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;

use crate::abi::IFilmarkRegistry as I;

/// The topic word of an actor: its Ethereum address.
fn who<RT: Runtime>(rt: &RT, id: ActorID) -> Word {
    word::address(&eth_of(rt, id))
}

pub(crate) fn registered<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
    kind: &str,
    size: u64,
) -> Result<(), ActorError> {
    let cid_bytes = cid.to_bytes();
    Log::new(I::Registered::SIGNATURE_HASH.0)
        .topic(who(rt, owner))
        .topic(cid_topic(cid).0)
        .bytes(&cid_bytes)
        .bytes(kind.as_bytes())
        .word(word::uint(size))
        .emit(rt)
}

pub(crate) fn metadata_updated<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
    entries: usize,
) -> Result<(), ActorError> {
    let cid_bytes = cid.to_bytes();
    let entries = u32::try_from(entries).unwrap_or(u32::MAX);
    Log::new(I::MetadataUpdated::SIGNATURE_HASH.0)
        .topic(who(rt, owner))
        .topic(cid_topic(cid).0)
        .bytes(&cid_bytes)
        .word(word::uint(entries.into()))
        .emit(rt)
}

pub(crate) fn transferred<RT: Runtime>(
    rt: &RT,
    from: ActorID,
    to: ActorID,
    cid: &Cid,
) -> Result<(), ActorError> {
    let cid_bytes = cid.to_bytes();
    Log::new(I::Transferred::SIGNATURE_HASH.0)
        .topic(who(rt, from))
        .topic(who(rt, to))
        .topic(cid_topic(cid).0)
        .bytes(&cid_bytes)
        .emit(rt)
}

pub(crate) fn tombstoned<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
) -> Result<(), ActorError> {
    let cid_bytes = cid.to_bytes();
    Log::new(I::Tombstoned::SIGNATURE_HASH.0)
        .topic(who(rt, owner))
        .topic(cid_topic(cid).0)
        .bytes(&cid_bytes)
        .emit(rt)
}

pub(crate) fn order_linked<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    cid: &Cid,
    order_id: u64,
) -> Result<(), ActorError> {
    let cid_bytes = cid.to_bytes();
    Log::new(I::OrderLinked::SIGNATURE_HASH.0)
        .topic(who(rt, owner))
        .topic(cid_topic(cid).0)
        .bytes(&cid_bytes)
        .word(word::uint(order_id))
        .emit(rt)
}

pub(crate) fn signer_added<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    signer: ActorID,
    grant_id: u64,
    scope: u32,
    expiry: ChainEpoch,
) -> Result<(), ActorError> {
    Log::new(I::SignerAdded::SIGNATURE_HASH.0)
        .topic(who(rt, owner))
        .topic(who(rt, signer))
        .word(word::uint(grant_id))
        .word(word::uint(scope.into()))
        .word(word::int(expiry))
        .emit(rt)
}

pub(crate) fn signer_revoked<RT: Runtime>(
    rt: &RT,
    owner: ActorID,
    signer: ActorID,
    grant_id: u64,
) -> Result<(), ActorError> {
    Log::new(I::SignerRevoked::SIGNATURE_HASH.0)
        .topic(who(rt, owner))
        .topic(who(rt, signer))
        .word(word::uint(grant_id))
        .emit(rt)
}

#[cfg(test)]
mod tests {
    use alloy_primitives::Bytes;
    use cid::multihash::Multihash;
    use filmark_actor_shared::testing::assert_emits_like_alloy as check;

    use super::*;

    #[test]
    fn events_encode_like_alloy() {
        let cid = Cid::new_v1(0x55, Multihash::<64>::wrap(0x12, &[7; 32]).unwrap());
        let bytes = || Bytes::from(cid.to_bytes());
        for kind in [
            "",
            "text/plain",
            "application/vnd.a-very-long-mime-type+json",
        ] {
            check(
                |rt| registered(rt, 77, &cid, kind, u64::MAX),
                |rt| I::Registered {
                    owner: eth_of(rt, 77),
                    cidHash: cid_topic(&cid),
                    cid: bytes(),
                    kind: kind.to_owned(),
                    size: u64::MAX,
                },
            );
        }
        check(
            |rt| metadata_updated(rt, 5, &cid, 3),
            |rt| I::MetadataUpdated {
                owner: eth_of(rt, 5),
                cidHash: cid_topic(&cid),
                cid: bytes(),
                entries: 3,
            },
        );
        check(
            |rt| transferred(rt, 5, 77, &cid),
            |rt| I::Transferred {
                from: eth_of(rt, 5),
                to: eth_of(rt, 77),
                cidHash: cid_topic(&cid),
                cid: bytes(),
            },
        );
        check(
            |rt| tombstoned(rt, 77, &cid),
            |rt| I::Tombstoned {
                owner: eth_of(rt, 77),
                cidHash: cid_topic(&cid),
                cid: bytes(),
            },
        );
        check(
            |rt| order_linked(rt, 77, &cid, 9),
            |rt| I::OrderLinked {
                owner: eth_of(rt, 77),
                cidHash: cid_topic(&cid),
                cid: bytes(),
                orderId: 9,
            },
        );
        for expiry in [-1, 0, i64::MAX] {
            check(
                |rt| signer_added(rt, 77, 5, 2, u32::MAX, expiry),
                |rt| I::SignerAdded {
                    owner: eth_of(rt, 77),
                    signer: eth_of(rt, 5),
                    grantId: 2,
                    scope: u32::MAX,
                    expiry,
                },
            );
        }
        check(
            |rt| signer_revoked(rt, 77, 5, 2),
            |rt| I::SignerRevoked {
                owner: eth_of(rt, 77),
                signer: eth_of(rt, 5),
                grantId: 2,
            },
        );
    }
}
