//! The registry's state and its operations.
//!
//! Layout (every collection a HAMT or an AMT of bit width 3, see `policy`; nothing unbounded in
//! the root, whose counters are plain integers):
//! - `records`: HAMT<content CID bytes → CID of the [`Record`]'s own block> (records live in
//!   their own blocks so the map's nodes stay small: an insert rewrites ~80-byte entries);
//! - `owners`: HAMT<owner ID → [`OwnerInfo`]>, each with an AMT<index → content CID> listing
//!   the owner's records in the order they arrived (holes where records left by transfer);
//! - `signers`: HAMT<owner ID → HAMT<signer ID → [`SignerGrant`]>> of non-revoked grants;
//! - `revoked`: HAMT<grant id → [`Revocation`]>, every grant ever revoked.
//!
//! A `Register` touches one path in `records`, one entry of `owners` and one path of that
//! owner's AMT, so its cost grows with the logarithm of the registry size.

use cid::Cid;
use filmark_actor_shared::cid::ExternalCid;
use filmark_actor_shared::hamt::{BytesKey, Config, IpldMap};
use filmark_actor_shared::{ActorError, AsActorError};
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use multihash_codetable::Code;

use crate::policy::{AMT_BIT_WIDTH, HAMT_BIT_WIDTH, HAMT_MAX_ARRAY_WIDTH, MAX_SIGNERS_PER_OWNER};
use crate::types::{CountsReturn, OwnedRecord, Record, SignerGrant};

/// Every map in the state: bytes keys hashed with SHA-256 (by the FVM's hash syscall in the
/// wasm actor), a `Hamt` of `V` (see [`filmark_actor_shared::hamt`]).
pub(crate) type Map<'a, BS, V> = IpldMap<&'a BS, V>;

/// The state root.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The escrow actor (ID address) that `LinkOrder` and `GetFunding` read.
    pub escrow: Option<Address>,
    /// HAMT<content CID bytes → CID of the record block>.
    pub records: Cid,
    /// HAMT<owner ID → OwnerInfo>.
    pub owners: Cid,
    /// HAMT<owner ID → Cid of HAMT<signer ID → SignerGrant>>.
    pub signers: Cid,
    /// HAMT<grant id → Revocation>.
    pub revoked: Cid,
    /// The next grant id to hand out.
    pub next_grant_id: u64,
    /// The sequence number of the last change (0 before any).
    pub seq: u64,
    /// Records (active + tombstoned).
    pub record_count: u64,
    /// Tombstoned records.
    pub tombstoned_count: u64,
    /// Owners with at least one record.
    pub owner_count: u64,
    /// Non-revoked grants.
    pub signer_count: u64,
    /// Revoked grants.
    pub revoked_count: u64,
}

/// One owner's entry in the owner index.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct OwnerInfo {
    /// Records the owner holds.
    pub count: u64,
    /// The index the next record arriving will take.
    pub next_index: u64,
    /// AMT<index → content CID (as bytes: content CIDs are not links the FVM accepts)>.
    pub index: Cid,
}

/// A revoked grant.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// The owner who had granted it.
    pub owner: ActorID,
    /// The signer it was granted to.
    pub signer: ActorID,
    /// Epoch of the revocation.
    pub revoked_at: ChainEpoch,
    /// Registry sequence number of the revocation: no change made through this grant has a
    /// higher one.
    pub seq: u64,
}

/// HAMT key of an actor ID or grant id.
pub(crate) fn id_key(id: u64) -> BytesKey {
    BytesKey(id.to_be_bytes().to_vec())
}

/// HAMT key of a content CID.
pub(crate) fn cid_key(cid: &Cid) -> BytesKey {
    BytesKey(cid.to_bytes())
}

/// Decodes an [`id_key`].
pub(crate) fn key_id(key: &BytesKey) -> Option<u64> {
    Some(u64::from_be_bytes(key.0.as_slice().try_into().ok()?))
}

/// The configuration of every HAMT in the state.
pub(crate) const fn hamt_config() -> Config {
    Config {
        bit_width: HAMT_BIT_WIDTH,
        min_data_depth: 0,
        max_array_width: HAMT_MAX_ARRAY_WIDTH,
    }
}

fn state_err(what: &'static str) -> impl FnOnce() -> &'static str {
    move || what
}

pub(crate) fn load_hamt<'a, BS: Blockstore, V>(
    store: &'a BS,
    root: &Cid,
    what: &'static str,
) -> Result<Map<'a, BS, V>, ActorError>
where
    V: serde::Serialize + serde::de::DeserializeOwned,
{
    IpldMap::load(store, root, hamt_config())
        .with_context_code(ExitCode::USR_ILLEGAL_STATE, state_err(what))
}

pub(crate) fn load_amt<'a, BS: Blockstore>(
    store: &'a BS,
    root: &Cid,
) -> Result<Amt<ExternalCid, &'a BS>, ActorError> {
    Amt::load(root, store).context_code(ExitCode::USR_ILLEGAL_STATE, "loading owner index")
}

fn empty_hamt<BS: Blockstore>(store: &BS) -> Result<Cid, ActorError> {
    Map::<BS, ()>::new(store, hamt_config())
        .flush()
        .context_code(ExitCode::USR_ILLEGAL_STATE, "creating empty map")
}

fn ise<E: core::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> ActorError {
    move |e| ActorError::illegal_state(format!("{what}: {e}"))
}

impl State {
    /// An empty registry.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn new<BS: Blockstore>(store: &BS, escrow: Option<Address>) -> Result<Self, ActorError> {
        let empty = empty_hamt(store)?;
        Ok(Self {
            escrow,
            records: empty,
            owners: empty,
            signers: empty,
            revoked: empty,
            next_grant_id: 0,
            seq: 0,
            record_count: 0,
            tombstoned_count: 0,
            owner_count: 0,
            signer_count: 0,
            revoked_count: 0,
        })
    }

    /// The counters, as `Counts` returns them.
    #[must_use]
    pub const fn counts(&self) -> CountsReturn {
        CountsReturn {
            records: self.record_count,
            active: self.record_count.saturating_sub(self.tombstoned_count),
            tombstoned: self.tombstoned_count,
            owners: self.owner_count,
            signers: self.signer_count,
            revoked: self.revoked_count,
        }
    }

    /// Takes the next change sequence number.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.saturating_add(1);
        self.seq
    }

    /// The record of `cid`, if registered.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn get_record<BS: Blockstore>(
        &self,
        store: &BS,
        cid: &Cid,
    ) -> Result<Option<Record>, ActorError> {
        let records = load_hamt::<_, Cid>(store, &self.records, "loading records")?;
        match records.get(&cid_key(cid)).map_err(ise("reading record"))? {
            Some(link) => load_record_block(store, &link).map(Some),
            None => Ok(None),
        }
    }

    /// Adds new records, each appended to its owner's index (their `index` field is set here).
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when a CID is already registered (active or tombstoned) or the
    /// store fails.
    pub(crate) fn insert_records<BS: Blockstore>(
        &mut self,
        store: &BS,
        items: Vec<(Cid, Record)>,
    ) -> Result<(), ActorError> {
        let mut records = load_hamt::<_, Cid>(store, &self.records, "loading records")?;
        let mut owners = load_hamt::<_, OwnerInfo>(store, &self.owners, "loading owners")?;
        for (cid, mut record) in items {
            let key = cid_key(&cid);
            if let Some(link) = records.get(&key).map_err(ise("reading record"))? {
                let existing = load_record_block(store, &link)?;
                return Err(if existing.status == crate::types::Status::Tombstoned {
                    actor_error_state(format!(
                        "content {cid} is tombstoned and can never be registered again"
                    ))
                } else {
                    actor_error_state(format!("content {cid} is already registered"))
                });
            }
            record.index = self.index_add(store, &mut owners, record.owner, &cid)?;
            let link = put_record_block(store, &record)?;
            records.set(key, &link).map_err(ise("writing record"))?;
            self.record_count += 1;
        }
        self.records = records.flush().map_err(ise("flushing records"))?;
        self.owners = owners.flush().map_err(ise("flushing owners"))?;
        Ok(())
    }

    /// Replaces an existing record (same owner and index).
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub(crate) fn put_record<BS: Blockstore>(
        &mut self,
        store: &BS,
        cid: &Cid,
        record: Record,
    ) -> Result<(), ActorError> {
        let mut records = load_hamt::<_, Cid>(store, &self.records, "loading records")?;
        let link = put_record_block(store, &record)?;
        records
            .set(cid_key(cid), &link)
            .map_err(ise("writing record"))?;
        self.records = records.flush().map_err(ise("flushing records"))?;
        Ok(())
    }

    /// Moves a record to `new_owner`'s index and stores it.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the owner index is inconsistent or the store fails.
    pub(crate) fn move_record<BS: Blockstore>(
        &mut self,
        store: &BS,
        cid: &Cid,
        mut record: Record,
        new_owner: ActorID,
    ) -> Result<(), ActorError> {
        let mut owners = load_hamt::<_, OwnerInfo>(store, &self.owners, "loading owners")?;
        self.index_remove(store, &mut owners, record.owner, record.index)?;
        record.owner = new_owner;
        record.index = self.index_add(store, &mut owners, new_owner, cid)?;
        self.owners = owners.flush().map_err(ise("flushing owners"))?;
        self.put_record(store, cid, record)
    }

    fn index_add<BS: Blockstore>(
        &mut self,
        store: &BS,
        owners: &mut Map<'_, BS, OwnerInfo>,
        owner: ActorID,
        cid: &Cid,
    ) -> Result<u64, ActorError> {
        let key = id_key(owner);
        let info = owners.get(&key).map_err(ise("reading owner"))?;
        let (mut amt, mut info) = match info {
            Some(info) => (load_amt(store, &info.index)?, info),
            None => {
                self.owner_count += 1;
                let amt = Amt::<ExternalCid, _>::new_with_bit_width(store, AMT_BIT_WIDTH);
                (
                    amt,
                    OwnerInfo {
                        count: 0,
                        next_index: 0,
                        index: Cid::default(),
                    },
                )
            }
        };
        let index = info.next_index;
        amt.set(index, ExternalCid(*cid))
            .map_err(ise("writing owner index"))?;
        info.index = amt.flush().map_err(ise("flushing owner index"))?;
        info.next_index += 1;
        info.count += 1;
        owners.set(key, &info).map_err(ise("writing owner"))?;
        Ok(index)
    }

    fn index_remove<BS: Blockstore>(
        &mut self,
        store: &BS,
        owners: &mut Map<'_, BS, OwnerInfo>,
        owner: ActorID,
        index: u64,
    ) -> Result<(), ActorError> {
        let key = id_key(owner);
        let mut info = owners
            .get(&key)
            .map_err(ise("reading owner"))?
            .ok_or_else(|| actor_error_state(format!("owner f0{owner} missing from the index")))?;
        let mut amt = load_amt(store, &info.index)?;
        amt.delete(index)
            .map_err(ise("deleting from owner index"))?
            .ok_or_else(|| {
                actor_error_state(format!("owner f0{owner} index has no entry {index}"))
            })?;
        info.count = info.count.saturating_sub(1);
        if info.count == 0 {
            owners.delete(&key).map_err(ise("deleting owner"))?;
            self.owner_count = self.owner_count.saturating_sub(1);
        } else {
            info.index = amt.flush().map_err(ise("flushing owner index"))?;
            owners.set(key, &info).map_err(ise("writing owner"))?;
        }
        Ok(())
    }

    /// The owner's index entry, if the owner holds records.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn owner_info<BS: Blockstore>(
        &self,
        store: &BS,
        owner: ActorID,
    ) -> Result<Option<OwnerInfo>, ActorError> {
        let owners = load_hamt::<_, OwnerInfo>(store, &self.owners, "loading owners")?;
        owners.get(&id_key(owner)).map_err(ise("reading owner"))
    }

    /// Up to `limit` of the owner's records from index `cursor` on, and the next cursor.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store or the index is inconsistent.
    pub fn list_by_owner<BS: Blockstore>(
        &self,
        store: &BS,
        owner: ActorID,
        cursor: u64,
        limit: u32,
    ) -> Result<(Vec<OwnedRecord>, Option<u64>), ActorError> {
        let Some(info) = self.owner_info(store, owner)? else {
            return Ok((Vec::new(), None));
        };
        if cursor >= info.next_index {
            return Ok((Vec::new(), None));
        }
        let amt = load_amt(store, &info.index)?;
        let mut cids = Vec::new();
        let (_, next) = amt
            .for_each_ranged(Some(cursor), Some(u64::from(limit)), |_, cid| {
                cids.push(cid.0);
                Ok(())
            })
            .map_err(ise("iterating owner index"))?;
        let records = load_hamt::<_, Cid>(store, &self.records, "loading records")?;
        let mut out = Vec::with_capacity(cids.len());
        for cid in cids {
            let link = records
                .get(&cid_key(&cid))
                .map_err(ise("reading record"))?
                .ok_or_else(|| actor_error_state(format!("indexed content {cid} has no record")))?;
            let record = load_record_block(store, &link)?;
            out.push(OwnedRecord { cid, record });
        }
        Ok((out, next))
    }

    // ---- signers ----

    fn owner_grants<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
        owner: ActorID,
    ) -> Result<Option<Map<'a, BS, SignerGrant>>, ActorError> {
        let signers = load_hamt::<_, Cid>(store, &self.signers, "loading signers")?;
        match signers
            .get(&id_key(owner))
            .map_err(ise("reading signers"))?
        {
            Some(root) => Ok(Some(load_hamt(store, &root, "loading owner signers")?)),
            None => Ok(None),
        }
    }

    /// The owner's current (non-revoked) grant to `signer`, if any.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn grant<BS: Blockstore>(
        &self,
        store: &BS,
        owner: ActorID,
        signer: ActorID,
    ) -> Result<Option<SignerGrant>, ActorError> {
        match self.owner_grants(store, owner)? {
            Some(grants) => grants.get(&id_key(signer)).map_err(ise("reading grant")),
            None => Ok(None),
        }
    }

    /// The owner's current grants, in no particular order.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn grants<BS: Blockstore>(
        &self,
        store: &BS,
        owner: ActorID,
    ) -> Result<Vec<SignerGrant>, ActorError> {
        let mut out = Vec::new();
        if let Some(grants) = self.owner_grants(store, owner)? {
            grants
                .for_each(|_, g| {
                    out.push(g);
                    Ok(())
                })
                .map_err(ise("iterating grants"))?;
        }
        Ok(out)
    }

    /// Stores a new grant, replacing the owner's current grant to the same signer (whose id
    /// then never acts again: authorization always reads the current grant).
    ///
    /// # Errors
    /// `USR_ILLEGAL_ARGUMENT` when the owner already holds `MAX_SIGNERS_PER_OWNER` grants;
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub(crate) fn put_grant<BS: Blockstore>(
        &mut self,
        store: &BS,
        owner: ActorID,
        grant: SignerGrant,
    ) -> Result<Option<SignerGrant>, ActorError> {
        let mut signers = load_hamt::<_, Cid>(store, &self.signers, "loading signers")?;
        let mut grants = match signers
            .get(&id_key(owner))
            .map_err(ise("reading signers"))?
        {
            Some(root) => load_hamt::<_, SignerGrant>(store, &root, "loading owner signers")?,
            None => Map::new(store, hamt_config()),
        };
        let key = id_key(grant.signer);
        let replaced = grants.get(&key).map_err(ise("reading grant"))?;
        if replaced.is_none() {
            let n = grants.count().map_err(ise("counting grants"))?;
            if n >= MAX_SIGNERS_PER_OWNER {
                return Err(ActorError::illegal_argument(format!(
                    "owner f0{owner} already has {n} signer grants (MAX_SIGNERS_PER_OWNER = \
                     {MAX_SIGNERS_PER_OWNER}); revoke one first"
                )));
            }
            self.signer_count += 1;
        }
        grants.set(key, &grant).map_err(ise("writing grant"))?;
        let root = grants.flush().map_err(ise("flushing grants"))?;
        signers
            .set(id_key(owner), &root)
            .map_err(ise("writing signers"))?;
        self.signers = signers.flush().map_err(ise("flushing signers"))?;
        Ok(replaced)
    }

    /// Revokes the owner's current grant to `signer`: it leaves the owner's grants and enters
    /// the revoked set under its grant id.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when there is no current grant; `USR_ILLEGAL_STATE` when the store fails.
    pub(crate) fn revoke_grant<BS: Blockstore>(
        &mut self,
        store: &BS,
        owner: ActorID,
        signer: ActorID,
        epoch: ChainEpoch,
    ) -> Result<SignerGrant, ActorError> {
        let mut signers = load_hamt::<_, Cid>(store, &self.signers, "loading signers")?;
        let okey = id_key(owner);
        let root = signers
            .get(&okey)
            .map_err(ise("reading signers"))?
            .ok_or_else(|| no_grant(owner, signer))?;
        let mut grants = load_hamt::<_, SignerGrant>(store, &root, "loading owner signers")?;
        let skey = id_key(signer);
        let grant = grants
            .get(&skey)
            .map_err(ise("reading grant"))?
            .ok_or_else(|| no_grant(owner, signer))?;
        grants.delete(&skey).map_err(ise("deleting grant"))?;
        if grants.is_empty() {
            signers.delete(&okey).map_err(ise("deleting signers"))?;
        } else {
            let root = grants.flush().map_err(ise("flushing grants"))?;
            signers.set(okey, &root).map_err(ise("writing signers"))?;
        }
        self.signers = signers.flush().map_err(ise("flushing signers"))?;
        let seq = self.next_seq();
        let mut revoked = load_hamt::<_, Revocation>(store, &self.revoked, "loading revoked")?;
        revoked
            .set(
                id_key(grant.grant_id),
                &Revocation {
                    owner,
                    signer,
                    revoked_at: epoch,
                    seq,
                },
            )
            .map_err(ise("writing revocation"))?;
        self.revoked = revoked.flush().map_err(ise("flushing revoked"))?;
        self.signer_count = self.signer_count.saturating_sub(1);
        self.revoked_count += 1;
        Ok(grant)
    }

    /// The revocation of a grant id, if it was revoked.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn revocation<BS: Blockstore>(
        &self,
        store: &BS,
        grant_id: u64,
    ) -> Result<Option<Revocation>, ActorError> {
        let revoked = load_hamt::<_, Revocation>(store, &self.revoked, "loading revoked")?;
        revoked
            .get(&id_key(grant_id))
            .map_err(ise("reading revocation"))
    }
}

/// Loads a record from its own block.
pub(crate) fn load_record_block<BS: Blockstore>(
    store: &BS,
    link: &Cid,
) -> Result<Record, ActorError> {
    store
        .get_cbor::<Record>(link)
        .map_err(ise("reading record block"))?
        .ok_or_else(|| actor_error_state(format!("record block {link} missing")))
}

/// Stores a record as its own block (keeping the records HAMT's nodes small).
fn put_record_block<BS: Blockstore>(store: &BS, record: &Record) -> Result<Cid, ActorError> {
    store
        .put_cbor(record, Code::Blake2b256)
        .map_err(ise("writing record block"))
}

fn no_grant(owner: ActorID, signer: ActorID) -> ActorError {
    ActorError::not_found(format!(
        "owner f0{owner} has no current grant to signer f0{signer}"
    ))
}

fn actor_error_state(msg: String) -> ActorError {
    ActorError::illegal_state(msg)
}
