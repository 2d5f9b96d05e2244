//! The market's FVM glue: callers, addresses, sends. Every state change is in `state.rs` and
//! `settle.rs`.

use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, METHOD_SEND, MethodNum};

use super::Method;
use super::events;
use super::ext::{AUTHENTICATE_MESSAGE_METHOD, MARKET_NOTIFY_DEAL_METHOD};
use super::policy::{MarketPolicy, validate_proposal};
use super::state::{
    Candidate, DealEvent, DealEventKind, Effects, ProviderInfo, State, check_withdrawal,
};
use super::types::*;
use crate::account::AuthenticateMessageParams;
use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};
use filmark_actor_shared::fvm::FvmBlockstore;
use filmark_actor_shared::show::Addr;

use crate::{ActorError, ActorResult, BURNT_FUNDS_ACTOR_ID, SYSTEM_ACTOR_ID};
use crate::{fvm, miner, types};

/// Runs one method of the market in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message; `USR_UNHANDLED_MESSAGE` for an unknown method.
pub fn dispatch(method: MethodNum, params: Option<IpldBlock>) -> ActorResult<Option<IpldBlock>> {
    let Some(method) = Method::from_number(method) else {
        return Err(crate::fvm::unhandled("storage market", method));
    };
    let now = fvm_sdk::network::curr_epoch();
    match method {
        Method::Constructor => {
            fvm::validate_caller(SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            let policy = match params {
                None => MarketPolicy::devnet(),
                Some(_) => decode_params(params)?,
            };
            fvm::save_state(&State::new(&FvmBlockstore, policy)?)?;
            Ok(None)
        }
        Method::AddBalance | Method::AddBalanceExported => {
            let value = fvm_sdk::message::value_received();
            if !value.is_positive() {
                return Err(ActorError::illegal_argument(format!(
                    "balance to add must be greater than zero was: {value}"
                )));
            }
            let id = resolve(&decode_params(params)?)?;
            let mut state: State = fvm::load_state()?;
            state.add_balance(&FvmBlockstore, id, &value)?;
            fvm::save_state(&state)?;
            Ok(None)
        }
        Method::WithdrawBalance | Method::WithdrawBalanceExported => {
            let params: WithdrawBalanceParams = decode_params(params)?;
            check_withdrawal(&params.amount)?;
            let id = resolve(&params.provider_or_client)?;
            let mut state: State = fvm::load_state()?;
            // A provider's owner receives; its owner or worker may ask (as for a miner).
            let info = controllers(&state, id)?;
            let caller = fvm_sdk::message::caller();
            if caller != info.owner && caller != info.worker {
                return Err(ActorError::forbidden(format!(
                    "f0{caller} cannot withdraw the escrow of f0{id}"
                )));
            }
            let taken = state.withdraw_balance(&FvmBlockstore, id, &params.amount)?;
            fvm::save_state(&state)?;
            transfer(info.owner, &taken)?;
            encode_return(&taken)
        }
        Method::GetBalanceExported => {
            let id = resolve(&decode_params(params)?)?;
            let entry = fvm::load_state::<State>()?.balance(&FvmBlockstore, id)?;
            encode_return(&GetBalanceReturn {
                balance: entry.balance,
                locked: entry.locked,
            })
        }
        Method::PublishStorageDeals | Method::PublishStorageDealsExported => {
            encode_return(&publish(decode_params(params)?, now)?)
        }
        Method::GetDealDataCommitmentExported
        | Method::GetDealClientExported
        | Method::GetDealProviderExported
        | Method::GetDealLabelExported
        | Method::GetDealTermExported
        | Method::GetDealTotalPriceExported
        | Method::GetDealClientCollateralExported
        | Method::GetDealProviderCollateralExported
        | Method::GetDealVerifiedExported
        | Method::GetDealActivationExported
        | Method::GetDealSectorExported => getter(method, decode_params(params)?),
        Method::SettleDealPaymentsExported => {
            let params: SettleDealPaymentsParams = decode_params(params)?;
            let ids: Vec<DealID> = params.deal_ids.iter().collect();
            let mut state: State = fvm::load_state()?;
            let (ret, effects) = state.settle_deal_payments(&FvmBlockstore, &ids, now)?;
            fvm::save_state(&state)?;
            apply(&effects)?;
            encode_return(&ret)
        }
        Method::ActivateDeals
        | Method::TerminateDeals
        | Method::RegisterProvider
        | Method::CronTick => {
            fvm::validate_caller(SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            let mut state: State = fvm::load_state()?;
            let effects: Effects = match method {
                Method::ActivateDeals => {
                    let p: ActivateDealsParams = decode_params(params)?;
                    state.activate_deals(&FvmBlockstore, p.sector_number, &p.deal_ids, now)?
                }
                Method::TerminateDeals => {
                    let p: DealIdsParams = decode_params(params)?;
                    state.terminate_deals(&FvmBlockstore, &p.deal_ids, now)?
                }
                Method::RegisterProvider => {
                    let p: RegisterProviderParams = decode_params(params)?;
                    let info = ProviderInfo {
                        owner: resolve(&p.owner)?,
                        worker: resolve(&p.worker)?,
                        control_addresses: p
                            .control_addresses
                            .iter()
                            .map(resolve)
                            .collect::<ActorResult<_>>()?,
                    };
                    state.register_provider(&FvmBlockstore, resolve(&p.provider)?, info)?;
                    Effects::default()
                }
                _ => state.cron_tick(&FvmBlockstore, now)?,
            };
            fvm::save_state(&state)?;
            apply(&effects)?;
            Ok(None)
        }
    }
}

/// Emits a transition's events and burns its slashed collateral.
fn apply(effects: &Effects) -> ActorResult<()> {
    effects.events.iter().try_for_each(events::emit)?;
    transfer(BURNT_FUNDS_ACTOR_ID, &effects.burn)
}

fn getter(method: Method, id: DealID) -> ActorResult<Option<IpldBlock>> {
    let state: State = fvm::load_state()?;
    match method {
        Method::GetDealActivationExported => {
            let (activated, terminated) = state.deal_activation(&FvmBlockstore, id)?;
            return encode_return(&GetDealActivationReturn {
                activated,
                terminated,
            });
        }
        Method::GetDealSectorExported => {
            return encode_return(&state.deal_sector(&FvmBlockstore, id)?);
        }
        _ => {}
    }
    let p = state.deal(&FvmBlockstore, id)?.proposal;
    match method {
        Method::GetDealDataCommitmentExported => encode_return(&GetDealDataCommitmentReturn {
            data: p.piece_cid,
            size: p.piece_size,
        }),
        Method::GetDealClientExported => encode_return(&p.client.id().unwrap_or_default()),
        Method::GetDealProviderExported => encode_return(&p.provider.id().unwrap_or_default()),
        Method::GetDealLabelExported => encode_return(&p.label),
        Method::GetDealTermExported => encode_return(&GetDealTermReturn {
            start: p.start_epoch,
            duration: p.duration(),
        }),
        Method::GetDealTotalPriceExported => encode_return(&p.total_storage_fee()),
        Method::GetDealClientCollateralExported => encode_return(&p.client_collateral),
        Method::GetDealProviderCollateralExported => encode_return(&p.provider_collateral),
        _ => encode_return(&p.verified_deal),
    }
}

fn publish(
    params: PublishStorageDealsParams,
    now: ChainEpoch,
) -> ActorResult<PublishStorageDealsReturn> {
    let first = params
        .deals
        .first()
        .ok_or_else(|| ActorError::illegal_argument("Empty deals parameter"))?;
    let provider = fvm_sdk::actor::resolve_address(&first.proposal.provider).ok_or_else(|| {
        ActorError::not_found(format!(
            "failed to resolve provider address {}",
            Addr(&first.proposal.provider)
        ))
    })?;
    let caller = fvm_sdk::message::caller();
    let mut state: State = fvm::load_state()?;
    let controlling = if is_miner(provider) {
        // As v18: the miner's `IsControllingAddress` decides.
        let ret = fvm::send(
            &Address::new_id(provider),
            miner::Method::IsControllingAddressExported.number(),
            IpldBlock::serialize_cbor(&Address::new_id(caller))
                .map_err(|e| ActorError::serialization(e.to_string()))?,
            TokenAmount::default(),
            SendFlags::READ_ONLY,
        )?;
        answer::<bool>(ret, "IsControllingAddress")?
    } else {
        // The devnet's extension: any actor may be a provider (see the module docs).
        state
            .provider(&FvmBlockstore, provider)?
            .is_controlling(caller)
    };
    if !controlling {
        return Err(ActorError::forbidden(format!(
            "caller f0{caller} is not worker or control address of provider f0{provider}"
        )));
    }
    let circ_supply = fvm_sdk::network::total_fil_circ_supply();
    let mut candidates = Vec::new();
    let mut rejected = Vec::new();
    for (index, deal) in params.deals.into_iter().enumerate() {
        match candidate(index as u64, deal, &state.policy, now, &circ_supply) {
            Ok(c) => candidates.push(c),
            Err(e) => rejected.push(format!("deal {index}: {}", e.msg())),
        }
    }
    let all_invalid = |more: &str| {
        ActorError::illegal_argument(format!(
            "All deal proposals invalid: {}{more}",
            rejected.join("; ")
        ))
    };
    if candidates.is_empty() {
        return Err(all_invalid(""));
    }
    let (published, _) = state
        .publish_deals(&FvmBlockstore, provider, candidates)
        .map_err(|e| match e.exit_code() {
            ExitCode::USR_ILLEGAL_ARGUMENT => all_invalid(&format!("; {}", e.msg())),
            _ => e,
        })?;
    fvm::save_state(&state)?;

    for deal in &published {
        notify_client(deal.id, &deal.proposal)?;
        events::emit(&DealEvent::new(
            DealEventKind::Published,
            deal.id,
            &deal.proposal,
        )?)?;
    }
    Ok(PublishStorageDealsReturn {
        ids: published.iter().map(|d| d.id).collect(),
        valid_deals: BitField::try_from_bits(published.iter().map(|d| d.index))
            .map_err(|e| ActorError::illegal_state(format!("cannot build bitfield: {e}")))?,
    })
}

/// The checks of one deal that need no market state: the proposal's rules and the client's
/// authentication; then its parties as ID addresses and its CID.
fn candidate(
    index: u64,
    deal: ClientDealProposal,
    policy: &MarketPolicy,
    now: ChainEpoch,
    circ_supply: &TokenAmount,
) -> ActorResult<Candidate> {
    let mut proposal = deal.proposal;
    validate_proposal(&proposal, now, policy, circ_supply)?;
    authenticate(&proposal, &deal.client_signature)?;
    let provider = fvm_sdk::actor::resolve_address(&proposal.provider).ok_or_else(|| {
        ActorError::illegal_argument("cannot publish deals from multiple providers in one batch")
    })?;
    let client = fvm_sdk::actor::resolve_address(&proposal.client).ok_or_else(|| {
        ActorError::illegal_argument(format!(
            "failed to resolve proposal.client address {}",
            Addr(&proposal.client)
        ))
    })?;
    proposal.client = Address::new_id(client);
    proposal.provider = Address::new_id(provider);
    let digest = fvm_sdk::crypto::hash_blake2b(&encode(&proposal)?);
    Ok(Candidate {
        index,
        cid: proposal_cid(&digest),
        proposal,
    })
}

fn encode(proposal: &DealProposal) -> ActorResult<Vec<u8>> {
    fvm_ipld_encoding::to_vec(proposal)
        .map_err(|e| ActorError::serialization(format!("cannot encode proposal: {e}")))
}

/// Sends the client's `AuthenticateMessage` (read-only) over the proposal as signed; it must
/// succeed and return `true`.
fn authenticate(
    proposal: &DealProposal,
    signature: &fvm_shared::crypto::signature::Signature,
) -> ActorResult<()> {
    let params = IpldBlock::serialize_cbor(&AuthenticateMessageParams {
        signature: signature.bytes().to_vec(),
        message: encode(proposal)?,
    })
    .map_err(|e| ActorError::serialization(format!("cannot encode params: {e}")))?;
    let ret = fvm::send(
        &proposal.client,
        AUTHENTICATE_MESSAGE_METHOD,
        params,
        TokenAmount::default(),
        SendFlags::READ_ONLY,
    )?;
    let accepted = ret.exit_code.is_success()
        && ret
            .return_data
            .and_then(|r| r.deserialize::<bool>().ok())
            .unwrap_or(false);
    if accepted {
        Ok(())
    } else {
        Err(ActorError::illegal_argument(format!(
            "proposal authentication failed (exit code {})",
            ret.exit_code
        )))
    }
}

/// Sends `MarketNotifyDeal` to the deal's client, whatever actor it is; a failure fails the
/// whole publication with `USR_ILLEGAL_ARGUMENT`.
fn notify_client(id: DealID, proposal: &DealProposal) -> ActorResult<()> {
    let params = IpldBlock::serialize_cbor(&MarketNotifyDealParams {
        proposal: encode(proposal)?,
        deal_id: id,
    })
    .map_err(|e| ActorError::serialization(format!("cannot encode params: {e}")))?;
    let failed = |why: String| {
        ActorError::illegal_argument(format!(
            "failed to notify deal {id} to client {}: {why}",
            Addr(&proposal.client)
        ))
    };
    let ret = fvm::send(
        &proposal.client,
        MARKET_NOTIFY_DEAL_METHOD,
        params,
        TokenAmount::default(),
        SendFlags::empty(),
    )
    .map_err(|e| failed(e.msg().to_owned()))?;
    if ret.exit_code.is_success() {
        Ok(())
    } else {
        Err(failed(format!("exit code {}", ret.exit_code)))
    }
}

/// Whether actor `id` is a storage miner.
fn is_miner(id: ActorID) -> bool {
    fvm_sdk::actor::get_actor_code_cid(&Address::new_id(id))
        .is_some_and(|code| fvm_sdk::actor::get_builtin_actor_type(&code) == Some(types::MINER))
}

/// Who controls the escrow of `id`: a miner's owner, worker and control addresses (asked with
/// its `ControlAddresses`, as v18's market does), else what the devnet registered for it (by
/// default itself).
fn controllers(state: &State, id: ActorID) -> ActorResult<ProviderInfo> {
    if !is_miner(id) {
        return state.provider(&FvmBlockstore, id);
    }
    let ret = fvm::send(
        &Address::new_id(id),
        miner::Method::ControlAddresses.number(),
        None,
        TokenAmount::default(),
        SendFlags::READ_ONLY,
    )?;
    let addrs: miner::GetControlAddressesReturn = answer(ret, "ControlAddresses")?;
    let id_of = |a: &Address| {
        a.id()
            .map_err(|_| ActorError::illegal_state(format!("{} is not an ID address", Addr(a))))
    };
    Ok(ProviderInfo {
        owner: id_of(&addrs.owner)?,
        worker: id_of(&addrs.worker)?,
        control_addresses: addrs
            .control_addresses
            .iter()
            .map(id_of)
            .collect::<ActorResult<_>>()?,
    })
}

/// The decoded return of a send to a miner, or its exit code.
fn answer<T: serde::de::DeserializeOwned>(ret: fvm_shared::Response, what: &str) -> ActorResult<T> {
    if !ret.exit_code.is_success() {
        return Err(ActorError::unchecked(
            ret.exit_code,
            format!("the provider's {what} failed"),
        ));
    }
    ret.return_data
        .ok_or_else(|| ActorError::serialization(format!("{what} returned nothing")))?
        .deserialize()
        .map_err(|e| ActorError::serialization(format!("{what}'s return: {e}")))
}

fn resolve(address: &Address) -> ActorResult<ActorID> {
    fvm_sdk::actor::resolve_address(address).ok_or_else(|| {
        ActorError::illegal_argument(format!("failed to resolve address {}", Addr(address)))
    })
}

fn transfer(to: ActorID, amount: &TokenAmount) -> ActorResult<()> {
    if amount.is_zero() {
        return Ok(());
    }
    let ret = fvm::send(
        &Address::new_id(to),
        METHOD_SEND,
        None,
        amount.clone(),
        SendFlags::empty(),
    )?;
    if ret.exit_code.is_success() {
        Ok(())
    } else {
        Err(ActorError::unchecked(
            ret.exit_code,
            format!("transfer to f0{to} failed"),
        ))
    }
}
