#![doc = include_str!("../README.md")]

pub mod abi;
pub mod events;
pub mod ext;
pub mod method;
pub mod policy;
pub mod state;
pub mod testing;
pub mod types;
mod validate;

#[cfg(test)]
mod cost_probe;

use cid::Cid;
use filmark_actor_shared::builtin::INIT_ACTOR_ID;
use filmark_actor_shared::counter::increment;
use filmark_actor_shared::dispatch::{decode_return, ret};
use filmark_actor_shared::fvm_ipld_encoding::ipld_block::IpldBlock;
use filmark_actor_shared::{ActorError, Runtime, actor_error, response_ok};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

pub use method::Method;
pub use state::State;
use types::*;

use crate::ext::escrow::{GetOrderFundingParams, Method as EscrowMethod, OrderFunding};

/// The registry actor: one function per method. Each validates its caller first, then its
/// parameters, then changes state inside one transaction and emits its events.
#[derive(Debug)]
pub struct Actor;

/// Checks that the caller may act for `owner` within `needed` scope. Returns the grant used,
/// `None` when the caller is the owner.
fn authorize<RT: Runtime>(
    rt: &RT,
    st: &State,
    owner: ActorID,
    needed: u32,
    method: Method,
) -> Result<Option<u64>, ActorError> {
    let caller = rt.caller();
    if caller == owner {
        return Ok(None);
    }
    let grant = st.grant(rt.store(), owner, caller)?.ok_or_else(|| {
        actor_error!(forbidden;
            "caller f0{caller} is not the owner f0{owner} and holds no current signer grant from it")
    })?;
    let epoch = rt.curr_epoch();
    if epoch >= grant.expiry {
        return Err(actor_error!(forbidden;
            "signer grant {} of f0{caller} expired at epoch {} (now {epoch})",
            grant.grant_id, grant.expiry));
    }
    if grant.scope & needed != needed {
        return Err(actor_error!(forbidden;
            "signer grant {} of f0{caller} does not cover {} (scope {:#x})",
            grant.grant_id, method.name(), grant.scope));
    }
    Ok(Some(grant.grant_id))
}

/// No method takes value. (Not `dispatch::require_no_value`: formatting the amount would link
/// big-integer printing into the wasm.)
pub(crate) fn refuse_value<RT: Runtime>(rt: &RT) -> Result<(), ActorError> {
    if rt.value_received().is_zero() {
        Ok(())
    } else {
        Err(ActorError::not_payable(
            "the registry takes no value: it holds no funds",
        ))
    }
}

fn require_writable<RT: Runtime>(rt: &RT) -> Result<(), ActorError> {
    if rt.read_only() {
        return Err(ActorError::read_only(
            "this method changes state; it cannot run read-only",
        ));
    }
    Ok(())
}

fn load_record<RT: Runtime>(rt: &RT, st: &State, cid: &Cid) -> Result<Record, ActorError> {
    st.get_record(rt.store(), cid)?
        .ok_or_else(|| actor_error!(not_found; "content {cid} is not registered"))
}

fn require_active(cid: &Cid, record: &Record) -> Result<(), ActorError> {
    if record.status == Status::Tombstoned {
        return Err(
            actor_error!(illegal_state; "content {cid} is tombstoned and can no longer change"),
        );
    }
    Ok(())
}

impl Actor {
    /// `Constructor`: only the init actor (f01) may call it, as for builtin actors.
    ///
    /// # Errors
    /// `USR_FORBIDDEN` for another caller; `USR_NOT_FOUND` when the escrow address does not
    /// resolve.
    pub fn constructor<RT: Runtime>(rt: &RT, p: ConstructorParams) -> Result<(), ActorError> {
        rt.validate_caller_is([&Address::new_id(INIT_ACTOR_ID)])?;
        let escrow = match p.escrow {
            Some(addr) => Some(Address::new_id(rt.resolve_actor(&addr, "escrow")?)),
            None => None,
        };
        let st = State::new(rt.store(), escrow)?;
        rt.create(&st)
    }

    /// `Register`: one record.
    ///
    /// # Errors
    /// See [`Actor::register_batch`].
    pub fn register<RT: Runtime>(rt: &RT, p: RegisterParams) -> Result<(), ActorError> {
        Self::register_many(rt, vec![p])
    }

    /// `RegisterBatch`: all records or none.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an owner that does not resolve; `USR_FORBIDDEN` when the caller may
    /// not register for an owner; `USR_ILLEGAL_ARGUMENT` for a broken limit;
    /// `USR_ILLEGAL_STATE` for a CID already registered or tombstoned.
    pub fn register_batch<RT: Runtime>(rt: &RT, p: RegisterBatchParams) -> Result<(), ActorError> {
        validate::batch(p.records.len())?;
        Self::register_many(rt, p.records)
    }

    fn register_many<RT: Runtime>(rt: &RT, items: Vec<RegisterParams>) -> Result<(), ActorError> {
        require_writable(rt)?;
        let owners = items
            .iter()
            .map(|p| match &p.owner {
                None => Ok(rt.caller()),
                Some(addr) => rt.resolve_actor(addr, "owner"),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let epoch = rt.curr_epoch();
        let added = rt.transaction(|st: &mut State, rt| {
            // At most MAX_BATCH_SIZE owners: a vector is enough (and smaller in wasm than a map).
            let mut grants: Vec<(ActorID, Option<u64>)> = Vec::new();
            for owner in &owners {
                if !grants.iter().any(|(o, _)| o == owner) {
                    let via = authorize(rt, st, *owner, scope::REGISTER, Method::Register)?;
                    grants.push((*owner, via));
                }
            }
            let mut records = Vec::with_capacity(items.len());
            for (p, owner) in items.into_iter().zip(&owners) {
                let metadata = validate::register(&p)?;
                let record = Record {
                    owner: *owner,
                    kind: p.kind,
                    size: p.size,
                    piece: p.piece,
                    platform: p.platform,
                    ref_hash: p.ref_hash,
                    metadata,
                    created: epoch,
                    updated: epoch,
                    status: Status::Active,
                    order_id: None,
                    index: 0,
                    seq: st.next_seq()?,
                    via_grant: grants
                        .iter()
                        .find(|(o, _)| o == owner)
                        .and_then(|(_, via)| *via),
                };
                records.push((p.cid, record));
            }
            let summary: Vec<_> = records
                .iter()
                .map(|(cid, r)| (*cid, r.owner, r.kind.clone(), r.size))
                .collect();
            st.insert_records(rt.store(), records)?;
            Ok(summary)
        })?;
        for (cid, owner, kind, size) in added {
            events::registered(rt, owner, &cid, &kind, size)?;
        }
        Ok(())
    }

    /// `UpdateMetadata`: removes `remove`, then sets `set`.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown CID; `USR_FORBIDDEN` for a caller without the right;
    /// `USR_ILLEGAL_STATE` for a tombstoned record; `USR_ILLEGAL_ARGUMENT` for a broken limit
    /// or an empty update.
    pub fn update_metadata<RT: Runtime>(
        rt: &RT,
        p: UpdateMetadataParams,
    ) -> Result<(), ActorError> {
        require_writable(rt)?;
        let (owner, entries) = rt.transaction(|st: &mut State, rt| {
            let mut record = load_record(rt, st, &p.cid)?;
            let via = authorize(
                rt,
                st,
                record.owner,
                scope::UPDATE_METADATA,
                Method::UpdateMetadata,
            )?;
            require_active(&p.cid, &record)?;
            if p.set.is_empty() && p.remove.is_empty() {
                return Err(ActorError::illegal_argument(
                    "nothing to update: set and remove are empty",
                ));
            }
            validate::entry_count(p.remove.len())?;
            for key in &p.remove {
                validate::metadata_key(key)?;
            }
            let set = validate::metadata(p.set)?;
            record.metadata.retain(|e| !p.remove.contains(&e.key));
            for entry in set {
                match record.metadata.binary_search_by(|e| e.key.cmp(&entry.key)) {
                    Ok(i) => record.metadata[i] = entry,
                    Err(i) => record.metadata.insert(i, entry),
                }
            }
            validate::entry_count(record.metadata.len())
                .map_err(|e| e.wrap("after the update the record would have too many entries"))?;
            record.updated = rt.curr_epoch();
            record.seq = st.next_seq()?;
            record.via_grant = via;
            let out = (record.owner, record.metadata.len());
            st.put_record(rt.store(), &p.cid, record)?;
            Ok(out)
        })?;
        events::metadata_updated(rt, owner, &p.cid, entries)
    }

    /// `Transfer`: gives a record to another owner; its escrow link and metadata go with it.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown CID or new owner; `USR_FORBIDDEN` for a caller without
    /// the right; `USR_ILLEGAL_STATE` for a tombstoned record; `USR_ILLEGAL_ARGUMENT` when the
    /// new owner is the current one.
    pub fn transfer<RT: Runtime>(rt: &RT, p: TransferParams) -> Result<(), ActorError> {
        require_writable(rt)?;
        let new_owner = rt.resolve_actor(&p.new_owner, "new owner")?;
        let from = rt.transaction(|st: &mut State, rt| {
            let mut record = load_record(rt, st, &p.cid)?;
            let via = authorize(rt, st, record.owner, scope::TRANSFER, Method::Transfer)?;
            require_active(&p.cid, &record)?;
            if record.owner == new_owner {
                return Err(actor_error!(illegal_argument;
                    "f0{new_owner} already owns content {}", p.cid));
            }
            let from = record.owner;
            record.updated = rt.curr_epoch();
            record.seq = st.next_seq()?;
            record.via_grant = via;
            st.move_record(rt.store(), &p.cid, record, new_owner)?;
            Ok(from)
        })?;
        events::transferred(rt, from, new_owner, &p.cid)
    }

    /// `Tombstone`: freezes a record for ever.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown CID; `USR_FORBIDDEN` for a caller without the right;
    /// `USR_ILLEGAL_STATE` when already tombstoned.
    pub fn tombstone<RT: Runtime>(rt: &RT, p: TombstoneParams) -> Result<(), ActorError> {
        require_writable(rt)?;
        let owner = rt.transaction(|st: &mut State, rt| {
            let mut record = load_record(rt, st, &p.cid)?;
            let via = authorize(rt, st, record.owner, scope::TOMBSTONE, Method::Tombstone)?;
            require_active(&p.cid, &record)?;
            record.status = Status::Tombstoned;
            record.updated = rt.curr_epoch();
            record.seq = st.next_seq()?;
            record.via_grant = via;
            let owner = record.owner;
            st.put_record(rt.store(), &p.cid, record)?;
            increment(&mut st.tombstoned_count, "tombstoned_count")?;
            Ok(owner)
        })?;
        events::tombstoned(rt, owner, &p.cid)
    }

    /// `AddSigner`: the caller grants `signer` a new grant. A current grant to the same signer
    /// is revoked first (so a grant id, once replaced or revoked, never acts again).
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when the signer does not resolve; `USR_ILLEGAL_ARGUMENT` for a bad
    /// scope or expiry, the caller itself, or too many grants.
    pub fn add_signer<RT: Runtime>(
        rt: &RT,
        p: AddSignerParams,
    ) -> Result<AddSignerReturn, ActorError> {
        require_writable(rt)?;
        let owner = rt.caller();
        let signer = rt.resolve_actor(&p.signer, "signer")?;
        if signer == owner {
            return Err(ActorError::illegal_argument(
                "an owner cannot be its own signer",
            ));
        }
        let epoch = rt.curr_epoch();
        validate::grant(p.scope, p.expiry, epoch)?;
        let (replaced, grant_id) = rt.transaction(|st: &mut State, rt| {
            let replaced = match st.grant(rt.store(), owner, signer)? {
                Some(_) => Some(st.revoke_grant(rt.store(), owner, signer, epoch)?.grant_id),
                None => None,
            };
            let grant_id = st.take_grant_id()?;
            st.next_seq()?;
            let grant = SignerGrant {
                signer,
                grant_id,
                scope: p.scope,
                granted: epoch,
                expiry: p.expiry,
            };
            st.put_grant(rt.store(), owner, grant)?;
            Ok((replaced, grant_id))
        })?;
        if let Some(old) = replaced {
            events::signer_revoked(rt, owner, signer, old)?;
        }
        events::signer_added(rt, owner, signer, grant_id, p.scope, p.expiry)?;
        Ok(AddSignerReturn { grant_id })
    }

    /// `RevokeSigner`: the owner, or the signer itself, revokes the current grant for ever.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when an address does not resolve or there is no current grant;
    /// `USR_FORBIDDEN` when the caller is neither the owner nor the signer.
    pub fn revoke_signer<RT: Runtime>(
        rt: &RT,
        p: RevokeSignerParams,
    ) -> Result<RevokeSignerReturn, ActorError> {
        require_writable(rt)?;
        let caller = rt.caller();
        let owner = match &p.owner {
            None => caller,
            Some(addr) => rt.resolve_actor(addr, "owner")?,
        };
        let signer = rt.resolve_actor(&p.signer, "signer")?;
        if caller != owner && caller != signer {
            return Err(actor_error!(forbidden;
                "caller f0{caller} is neither the owner f0{owner} nor the signer f0{signer}"));
        }
        let epoch = rt.curr_epoch();
        let grant =
            rt.transaction(|st: &mut State, rt| st.revoke_grant(rt.store(), owner, signer, epoch))?;
        events::signer_revoked(rt, owner, signer, grant.grant_id)?;
        Ok(RevokeSignerReturn {
            grant_id: grant.grant_id,
        })
    }

    /// `Get`: one record (anyone may read).
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown CID.
    pub fn get<RT: Runtime>(rt: &RT, p: GetParams) -> Result<Record, ActorError> {
        let st: State = rt.state()?;
        load_record(rt, &st, &p.cid)
    }

    /// `ListByOwner`: a page of an owner's records.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when the owner does not resolve; `USR_ILLEGAL_ARGUMENT` for a bad limit.
    pub fn list_by_owner<RT: Runtime>(
        rt: &RT,
        p: ListByOwnerParams,
    ) -> Result<ListByOwnerReturn, ActorError> {
        validate::page(p.limit)?;
        let owner = rt.resolve_actor(&p.owner, "owner")?;
        let st: State = rt.state()?;
        let (records, next_cursor) = st.list_by_owner(rt.store(), owner, p.cursor, p.limit)?;
        Ok(ListByOwnerReturn {
            records,
            next_cursor,
        })
    }

    /// `ListSigners`: an owner's current grants, by signer ID.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when the owner does not resolve.
    pub fn list_signers<RT: Runtime>(
        rt: &RT,
        p: ListSignersParams,
    ) -> Result<ListSignersReturn, ActorError> {
        let owner = rt.resolve_actor(&p.owner, "owner")?;
        let st: State = rt.state()?;
        let mut grants = st.grants(rt.store(), owner)?;
        grants.sort_by_key(|g| g.signer);
        Ok(ListSignersReturn { grants })
    }

    /// `Counts`.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the state cannot be read.
    pub fn counts<RT: Runtime>(rt: &RT) -> Result<CountsReturn, ActorError> {
        Ok(rt.state::<State>()?.counts())
    }

    /// `LinkOrder`: asks the escrow (read-only) about the order and links it when the order
    /// is for this content. Replaces an earlier link.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown CID (or order, as the escrow says); `USR_FORBIDDEN` for
    /// a caller without the right, or an order of another client than the record's owner;
    /// `USR_ILLEGAL_STATE` for a tombstoned record, no escrow, or an order that is not open
    /// (closed, or past its deadline with no deal); `USR_ILLEGAL_ARGUMENT` when the order is
    /// for other content or another piece than the record's.
    pub fn link_order<RT: Runtime>(rt: &RT, p: LinkOrderParams) -> Result<(), ActorError> {
        require_writable(rt)?;
        let st: State = rt.state()?;
        let record = load_record(rt, &st, &p.cid)?;
        authorize(rt, &st, record.owner, scope::LINK_ORDER, Method::LinkOrder)?;
        require_active(&p.cid, &record)?;
        let funding = order_funding(rt, &st, p.order_id)?;
        if funding.content != Some(p.cid) {
            return Err(actor_error!(illegal_argument;
                "order {} is for other content, not {}", p.order_id, p.cid));
        }
        if funding.client != record.owner {
            return Err(actor_error!(forbidden;
                "order {}'s client f0{} is not the record's owner f0{}",
                p.order_id, funding.client, record.owner));
        }
        if record.piece.is_some_and(|piece| piece != funding.piece_cid) {
            return Err(actor_error!(illegal_argument;
                "order {} stores piece {}, not the record's piece", p.order_id,
                funding.piece_cid));
        }
        if !funding.open {
            return Err(actor_error!(illegal_state;
                "order {} is not open: closed, or past its deadline with no deal", p.order_id));
        }
        let owner = rt.transaction(|st: &mut State, rt| {
            let mut record = load_record(rt, st, &p.cid)?;
            let via = authorize(rt, st, record.owner, scope::LINK_ORDER, Method::LinkOrder)?;
            record.order_id = Some(p.order_id);
            record.updated = rt.curr_epoch();
            record.seq = st.next_seq()?;
            record.via_grant = via;
            let owner = record.owner;
            st.put_record(rt.store(), &p.cid, record)?;
            Ok(owner)
        })?;
        events::order_linked(rt, owner, &p.cid, p.order_id)
    }

    /// `GetFunding`: the record's order and the escrow's current answer about it.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown CID; the escrow's error when it cannot answer.
    pub fn get_funding<RT: Runtime>(
        rt: &RT,
        p: GetFundingParams,
    ) -> Result<GetFundingReturn, ActorError> {
        let st: State = rt.state()?;
        let record = load_record(rt, &st, &p.cid)?;
        let funding = match record.order_id {
            Some(order_id) => Some(order_funding(rt, &st, order_id)?),
            None => None,
        };
        Ok(GetFundingReturn {
            order_id: record.order_id,
            funding,
        })
    }
}

/// Sends `GetOrderFunding(order_id)` read-only to the escrow.
fn order_funding<RT: Runtime>(
    rt: &RT,
    st: &State,
    order_id: u64,
) -> Result<OrderFunding, ActorError> {
    let escrow = st
        .escrow
        .ok_or_else(|| ActorError::illegal_state("this registry has no escrow configured"))?;
    let method = EscrowMethod::GetOrderFunding;
    let resp = rt
        .send(
            &escrow,
            method.number(),
            ret(&GetOrderFundingParams { order_id })?,
            TokenAmount::from_atto(0),
            true,
        )
        .map_err(|e| e.wrap(format_args!("escrow order {order_id}: {}", method.name())))?;
    let block = response_ok(resp, &escrow, method.name())
        .map_err(|e| e.wrap(format_args!("escrow order {order_id}")))?;
    decode_return(block)
}

/// Runs one method: the entry point of the actor (and of `FakeRuntime::call` in tests).
///
/// # Errors
/// `USR_UNHANDLED_MESSAGE` for an unknown method; `USR_NOT_PAYABLE` when value comes with any
/// method (the registry holds no funds); the method's own errors (through `InvokeEvm` they
/// carry a Solidity revert payload).
pub fn dispatch<RT: Runtime>(
    rt: &RT,
    method: u64,
    p: Option<IpldBlock>,
) -> Result<Option<IpldBlock>, ActorError> {
    let m = Method::from_number(method)
        .ok_or_else(|| actor_error!(unhandled_message; "unknown method {method}"))?;
    if m == Method::InvokeEvm {
        return abi::invoke_evm(rt, p).map_err(filmark_actor_shared::abi::into_revert);
    }
    refuse_value(rt)?;
    match m {
        Method::Constructor => Actor::constructor(rt, m.params(p)?).map(|()| None),
        Method::Register => Actor::register(rt, m.params(p)?).map(|()| None),
        Method::RegisterBatch => Actor::register_batch(rt, m.params(p)?).map(|()| None),
        Method::UpdateMetadata => Actor::update_metadata(rt, m.params(p)?).map(|()| None),
        Method::Transfer => Actor::transfer(rt, m.params(p)?).map(|()| None),
        Method::Tombstone => Actor::tombstone(rt, m.params(p)?).map(|()| None),
        Method::AddSigner => ret(&Actor::add_signer(rt, m.params(p)?)?),
        Method::RevokeSigner => ret(&Actor::revoke_signer(rt, m.params(p)?)?),
        Method::Get => ret(&Actor::get(rt, m.params(p)?)?),
        Method::ListByOwner => ret(&Actor::list_by_owner(rt, m.params(p)?)?),
        Method::ListSigners => ret(&Actor::list_signers(rt, m.params(p)?)?),
        Method::Counts => {
            m.no_params(p)?;
            ret(&Actor::counts(rt)?)
        }
        Method::LinkOrder => Actor::link_order(rt, m.params(p)?).map(|()| None),
        Method::GetFunding => ret(&Actor::get_funding(rt, m.params(p)?)?),
        Method::InvokeEvm => Err(ActorError::assertion_failed("InvokeEvm handled above")),
    }
}

#[cfg(feature = "fil-actor")]
filmark_actor_shared::wasm_entrypoint!(dispatch);
