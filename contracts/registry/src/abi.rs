//! The registry's Solidity interface (declared once, in `filmark-abi`, and re-exported here),
//! and the `InvokeEVM` (3844450837) dispatch that runs the same logic as the CBOR
//! methods.
//!
//! Conventions: CIDs are `bytes` in their binary form (empty = none for optional ones);
//! addresses are 20-byte Ethereum addresses (f410 addresses, or masked ID addresses
//! `0xff‖0^11‖id` for other actors); `address(0)` as an owner means "the caller"; optional
//! numbers come with a `has*` flag. Every function is non-payable; empty calldata is refused
//! with `USR_UNHANDLED_MESSAGE` (the registry holds no funds, so it takes no plain transfers).

use alloy_primitives::{Address as EthAddress, B256, Bytes};
use alloy_sol_types::SolCall;
use cid::Cid;
use filmark_actor_shared::abi::{
    abi_return, address_from_eth, calldata, cid_from_abi, decode_call, eth_of,
    opt_address_from_abi, opt_cid_from_abi,
};
use filmark_actor_shared::fvm_ipld_encoding::ipld_block::IpldBlock;
use filmark_actor_shared::{ActorError, Runtime};
use fvm_shared::address::Address;

use crate::Actor;
use crate::types::{
    AddSignerParams, CountsReturn, GetFundingParams, GetParams, LinkOrderParams, ListByOwnerParams,
    ListSignersParams, MetadataEntry, OrderFunding, Record, RegisterBatchParams, RegisterParams,
    RevokeSignerParams, SignerGrant, TombstoneParams, TransferParams, UpdateMetadataParams,
};

pub use filmark_abi::registry::IFilmarkRegistry;

use IFilmarkRegistry::IFilmarkRegistryCalls as Calls;

fn addr_from_abi(a: EthAddress) -> Result<Address, ActorError> {
    address_from_eth(a.into_array())
}

fn cid_bytes(cid: Option<&Cid>) -> Bytes {
    cid.map(|c| Bytes::from(c.to_bytes())).unwrap_or_default()
}

/// Converts an ABI `RegisterRequest` into CBOR `Register` params.
///
/// # Errors
/// `USR_ILLEGAL_ARGUMENT` for a malformed CID.
pub fn register_from_abi(
    r: IFilmarkRegistry::RegisterRequest,
) -> Result<RegisterParams, ActorError> {
    Ok(RegisterParams {
        cid: cid_from_abi("content cid", &r.cid)?,
        owner: opt_address_from_abi(r.owner)?,
        kind: r.kind,
        size: r.size,
        piece: opt_cid_from_abi("piece cid", &r.pieceCid)?,
        platform: r.platform,
        ref_hash: r.refHash.0,
        metadata: r.metadata.into_iter().map(metadata_from_abi).collect(),
    })
}

fn metadata_from_abi(e: IFilmarkRegistry::MetadataEntry) -> MetadataEntry {
    MetadataEntry {
        key: e.key,
        value: e.value,
    }
}

/// The ABI form of a record.
pub fn record_to_abi<RT: Runtime>(rt: &RT, cid: &Cid, r: &Record) -> IFilmarkRegistry::Record {
    IFilmarkRegistry::Record {
        cid: cid_bytes(Some(cid)),
        owner: eth_of(rt, r.owner),
        kind: r.kind.clone(),
        size: r.size,
        pieceCid: cid_bytes(r.piece.as_ref()),
        platform: r.platform.clone(),
        refHash: B256::from(r.ref_hash),
        metadata: r
            .metadata
            .iter()
            .map(|e| IFilmarkRegistry::MetadataEntry {
                key: e.key.clone(),
                value: e.value.clone(),
            })
            .collect(),
        created: r.created,
        updated: r.updated,
        status: r.status.code(),
        hasOrder: r.order_id.is_some(),
        orderId: r.order_id.unwrap_or_default(),
        index: r.index,
        seq: r.seq,
        viaSigner: r.via_grant.is_some(),
        viaGrant: r.via_grant.unwrap_or_default(),
    }
}

/// The ABI form of a grant.
pub fn grant_to_abi<RT: Runtime>(rt: &RT, g: &SignerGrant) -> IFilmarkRegistry::SignerGrant {
    IFilmarkRegistry::SignerGrant {
        signer: eth_of(rt, g.signer),
        grantId: g.grant_id,
        scope: g.scope,
        granted: g.granted,
        expiry: g.expiry,
    }
}

/// The ABI form of the counters.
#[must_use]
pub const fn counts_to_abi(c: &CountsReturn) -> IFilmarkRegistry::Counts {
    IFilmarkRegistry::Counts {
        records: c.records,
        active: c.active,
        tombstoned: c.tombstoned,
        owners: c.owners,
        signers: c.signers,
        revoked: c.revoked,
    }
}

/// The ABI form of an escrow answer.
pub fn funding_to_abi<RT: Runtime>(rt: &RT, f: &OrderFunding) -> IFilmarkRegistry::OrderFunding {
    IFilmarkRegistry::OrderFunding {
        pieceCid: cid_bytes(Some(&f.piece_cid)),
        content: cid_bytes(f.content.as_ref()),
        client: eth_of(rt, f.client),
        fundedUntil: f.funded_until,
        activeReplicas: f.active_replicas,
        open: f.open,
    }
}

fn encode<C: SolCall>(ret: &C::Return) -> Result<Option<IpldBlock>, ActorError> {
    abi_return(&C::abi_encode_returns(ret))
}

/// Runs Solidity-ABI calldata (method `InvokeEVM`) against the same logic as the CBOR methods.
///
/// # Errors
/// `USR_UNHANDLED_MESSAGE` for empty calldata or an unknown selector; `USR_SERIALIZATION` for
/// calldata that does not decode; `USR_NOT_PAYABLE` with value; the method's own errors.
pub fn invoke_evm<RT: Runtime>(
    rt: &RT,
    params: Option<IpldBlock>,
) -> Result<Option<IpldBlock>, ActorError> {
    let data = calldata(params)?;
    if data.is_empty() {
        return Err(ActorError::unhandled_message(
            "empty calldata: the registry accepts no plain transfers",
        ));
    }
    let call: Calls = decode_call(&data)?;
    crate::refuse_value(rt)?;
    use IFilmarkRegistry as I;
    match call {
        Calls::register(c) => {
            Actor::register(rt, register_from_abi(c.request)?)?;
            abi_return(&[])
        }
        Calls::registerBatch(c) => {
            let records = c
                .requests
                .into_iter()
                .map(register_from_abi)
                .collect::<Result<Vec<_>, _>>()?;
            Actor::register_batch(rt, RegisterBatchParams { records })?;
            abi_return(&[])
        }
        Calls::updateMetadata(c) => {
            Actor::update_metadata(
                rt,
                UpdateMetadataParams {
                    cid: cid_from_abi("cid", &c.cid)?,
                    set: c.set.into_iter().map(metadata_from_abi).collect(),
                    remove: c.remove,
                },
            )?;
            abi_return(&[])
        }
        Calls::transfer(c) => {
            Actor::transfer(
                rt,
                TransferParams {
                    cid: cid_from_abi("cid", &c.cid)?,
                    new_owner: addr_from_abi(c.newOwner)?,
                },
            )?;
            abi_return(&[])
        }
        Calls::tombstone(c) => {
            Actor::tombstone(
                rt,
                TombstoneParams {
                    cid: cid_from_abi("cid", &c.cid)?,
                },
            )?;
            abi_return(&[])
        }
        Calls::addSigner(c) => {
            let r = Actor::add_signer(
                rt,
                AddSignerParams {
                    signer: addr_from_abi(c.signer)?,
                    scope: c.scope,
                    expiry: c.expiry,
                },
            )?;
            encode::<I::addSignerCall>(&r.grant_id)
        }
        Calls::revokeSigner(c) => {
            let r = Actor::revoke_signer(
                rt,
                RevokeSignerParams {
                    owner: opt_address_from_abi(c.owner)?,
                    signer: addr_from_abi(c.signer)?,
                },
            )?;
            encode::<I::revokeSignerCall>(&r.grant_id)
        }
        Calls::get(c) => {
            let cid = cid_from_abi("cid", &c.cid)?;
            let r = Actor::get(rt, GetParams { cid })?;
            encode::<I::getCall>(&record_to_abi(rt, &cid, &r))
        }
        Calls::listByOwner(c) => {
            let r = Actor::list_by_owner(
                rt,
                ListByOwnerParams {
                    owner: addr_from_abi(c.owner)?,
                    cursor: c.cursor,
                    limit: c.limit,
                },
            )?;
            encode::<I::listByOwnerCall>(&I::listByOwnerReturn {
                records: r
                    .records
                    .iter()
                    .map(|o| record_to_abi(rt, &o.cid, &o.record))
                    .collect(),
                hasMore: r.next_cursor.is_some(),
                nextCursor: r.next_cursor.unwrap_or_default(),
            })
        }
        Calls::listSigners(c) => {
            let r = Actor::list_signers(
                rt,
                ListSignersParams {
                    owner: addr_from_abi(c.owner)?,
                },
            )?;
            encode::<I::listSignersCall>(&r.grants.iter().map(|g| grant_to_abi(rt, g)).collect())
        }
        Calls::counts(_) => encode::<I::countsCall>(&counts_to_abi(&Actor::counts(rt)?)),
        Calls::linkOrder(c) => {
            Actor::link_order(
                rt,
                LinkOrderParams {
                    cid: cid_from_abi("cid", &c.cid)?,
                    order_id: c.orderId,
                },
            )?;
            abi_return(&[])
        }
        Calls::getFunding(c) => {
            let r = Actor::get_funding(
                rt,
                GetFundingParams {
                    cid: cid_from_abi("cid", &c.cid)?,
                },
            )?;
            encode::<I::getFundingCall>(&I::getFundingReturn {
                hasOrder: r.order_id.is_some(),
                orderId: r.order_id.unwrap_or_default(),
                hasFunding: r.funding.is_some(),
                funding: r
                    .funding
                    .as_ref()
                    .map(|f| funding_to_abi(rt, f))
                    .unwrap_or_else(empty_funding),
            })
        }
    }
}

fn empty_funding() -> IFilmarkRegistry::OrderFunding {
    IFilmarkRegistry::OrderFunding {
        pieceCid: Bytes::new(),
        content: Bytes::new(),
        client: EthAddress::ZERO,
        fundedUntil: 0,
        activeReplicas: 0,
        open: false,
    }
}
