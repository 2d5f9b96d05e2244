//! The market's FVM glue: callers, addresses, sends. Every state change is in `state.rs`.

use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, METHOD_SEND, MethodNum};

use super::Method;
use super::events;
use super::ext::{AUTHENTICATE_MESSAGE_METHOD, MARKET_NOTIFY_DEAL_METHOD};
use super::policy::validate_proposal;
use super::state::{DealEvent, DealEventKind, Effects, State};
use super::types::*;
use crate::account::AuthenticateMessageParams;
use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};
use filmark_actor_shared::fvm::FvmBlockstore;
use filmark_actor_shared::show::Addr;

use crate::fvm;
use crate::{ActorError, ActorResult, BURNT_FUNDS_ACTOR_ID, SYSTEM_ACTOR_ID};

/// Runs one method of the market in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message; `USR_UNHANDLED_MESSAGE` for an unknown method.
pub fn dispatch(method: MethodNum, params: Option<IpldBlock>) -> ActorResult<Option<IpldBlock>> {
    let Some(method) = Method::from_number(method) else {
        return Err(crate::fvm::unhandled("storage market", method));
    };
    match method {
        Method::Constructor => {
            fvm::validate_caller(SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            fvm::save_state(&State::new(&FvmBlockstore)?)?;
            Ok(None)
        }
        Method::AddBalance | Method::AddBalanceExported => {
            let id = resolve(&decode_params(params)?)?;
            let mut state: State = fvm::load_state()?;
            state.add_balance(&FvmBlockstore, id, &fvm_sdk::message::value_received())?;
            fvm::save_state(&state)?;
            Ok(None)
        }
        Method::WithdrawBalance | Method::WithdrawBalanceExported => {
            let params: WithdrawBalanceParams = decode_params(params)?;
            let id = resolve(&params.provider_or_client)?;
            let caller = fvm_sdk::message::caller();
            if caller != id {
                return Err(ActorError::forbidden(format!(
                    "f0{caller} cannot withdraw the escrow of f0{id}"
                )));
            }
            let mut state: State = fvm::load_state()?;
            let taken = state.withdraw_balance(&FvmBlockstore, id, &params.amount)?;
            fvm::save_state(&state)?;
            transfer(id, &taken)?;
            encode_return(&taken)
        }
        Method::GetBalanceExported => {
            let address: Address = decode_params(params)?;
            let state: State = fvm::load_state()?;
            let entry = match fvm_sdk::actor::resolve_address(&address) {
                Some(id) => state.balance(&FvmBlockstore, id)?,
                None => Default::default(),
            };
            encode_return(&GetBalanceReturn {
                balance: entry.balance,
                locked: entry.locked,
            })
        }
        Method::PublishStorageDeals | Method::PublishStorageDealsExported => {
            encode_return(&publish(decode_params(params)?)?)
        }
        Method::GetDealDataCommitmentExported
        | Method::GetDealClientExported
        | Method::GetDealProviderExported
        | Method::GetDealLabelExported
        | Method::GetDealTermExported
        | Method::GetDealTotalPriceExported
        | Method::GetDealVerifiedExported
        | Method::GetDealActivationExported => getter(method, decode_params(params)?),
        Method::ActivateDeals | Method::TerminateDeals | Method::CronTick => {
            fvm::validate_caller(SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            let now = fvm_sdk::network::curr_epoch();
            let mut state: State = fvm::load_state()?;
            let effects: Effects = match method {
                Method::ActivateDeals => {
                    let p: DealIdsParams = decode_params(params)?;
                    state.activate_deals(&FvmBlockstore, &p.deal_ids, now)?
                }
                Method::TerminateDeals => {
                    let p: DealIdsParams = decode_params(params)?;
                    state.terminate_deals(&FvmBlockstore, &p.deal_ids, now)?
                }
                _ => state.cron_tick(&FvmBlockstore, now)?,
            };
            fvm::save_state(&state)?;
            effects.events.iter().try_for_each(events::emit)?;
            transfer(BURNT_FUNDS_ACTOR_ID, &effects.burn)?;
            Ok(None)
        }
    }
}

fn getter(method: Method, id: DealID) -> ActorResult<Option<IpldBlock>> {
    let state: State = fvm::load_state()?;
    let (p, deal) = state.deal(&FvmBlockstore, id)?;
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
        Method::GetDealVerifiedExported => encode_return(&p.verified_deal),
        _ => encode_return(&GetDealActivationReturn {
            activated: deal.sector_start_epoch,
            terminated: deal.slash_epoch,
        }),
    }
}

fn publish(params: PublishStorageDealsParams) -> ActorResult<PublishStorageDealsReturn> {
    let first = params
        .deals
        .first()
        .ok_or_else(|| ActorError::illegal_argument("no deals to publish"))?;
    let caller = fvm_sdk::message::caller();
    if fvm_sdk::actor::resolve_address(&first.proposal.provider) != Some(caller) {
        return Err(ActorError::forbidden(format!(
            "caller f0{caller} is not the provider {}",
            Addr(&first.proposal.provider)
        )));
    }
    let now = fvm_sdk::network::curr_epoch();
    let mut state: State = fvm::load_state()?;
    let mut published = Vec::new();
    let mut first_error = None;
    for (index, deal) in params.deals.into_iter().enumerate() {
        match publish_one(&mut state, deal, caller, now) {
            Ok(entry) => published.push((index as u64, entry)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if published.is_empty() {
        let e = first_error.unwrap_or_else(|| ActorError::illegal_argument("no valid deal"));
        return Err(ActorError::unchecked(
            e.exit_code(),
            format!("no valid deal: {}", e.msg()),
        ));
    }
    fvm::save_state(&state)?;

    for (_, (id, proposal)) in &published {
        events::emit(&DealEvent::new(DealEventKind::Published, *id, proposal)?)?;
        notify_client(*id, proposal)?;
    }
    Ok(PublishStorageDealsReturn {
        ids: published.iter().map(|(_, (id, _))| *id).collect(),
        valid_deals: BitField::try_from_bits(published.iter().map(|(i, _)| *i))
            .map_err(|e| ActorError::illegal_state(format!("cannot build bitfield: {e}")))?,
    })
}

/// Checks, authenticates and stores one deal; returns its id and stored proposal.
fn publish_one(
    state: &mut State,
    deal: ClientDealProposal,
    provider: ActorID,
    now: fvm_shared::clock::ChainEpoch,
) -> ActorResult<(DealID, DealProposal)> {
    let mut proposal = deal.proposal;
    validate_proposal(&proposal, now)?;
    if fvm_sdk::actor::resolve_address(&proposal.provider) != Some(provider) {
        return Err(ActorError::forbidden(format!(
            "deal provider {} is not the caller f0{provider}",
            Addr(&proposal.provider)
        )));
    }
    let client = resolve(&proposal.client)?;
    authenticate(&proposal, &deal.client_signature)?;
    proposal.client = Address::new_id(client);
    proposal.provider = Address::new_id(provider);
    let id = state.publish_deal(&FvmBlockstore, proposal.clone())?;
    Ok((id, proposal))
}

/// Sends the client's `AuthenticateMessage` (read-only) over the proposal as signed; it must
/// succeed and return `true`.
fn authenticate(
    proposal: &DealProposal,
    signature: &fvm_shared::crypto::signature::Signature,
) -> ActorResult<()> {
    let message = fvm_ipld_encoding::to_vec(proposal)
        .map_err(|e| ActorError::serialization(format!("cannot encode proposal: {e}")))?;
    let params = IpldBlock::serialize_cbor(&AuthenticateMessageParams {
        signature: signature.bytes().to_vec(),
        message,
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
        Err(ActorError::forbidden(format!(
            "client {} did not authenticate the proposal (exit code {})",
            Addr(&proposal.client),
            ret.exit_code
        )))
    }
}

/// Sends `MarketNotifyDeal` to a client that is an actor (not a builtin account); a failure
/// fails the whole publication.
fn notify_client(id: DealID, proposal: &DealProposal) -> ActorResult<()> {
    let code = fvm_sdk::actor::get_actor_code_cid(&proposal.client).ok_or_else(|| {
        ActorError::illegal_state(format!("client {} vanished", Addr(&proposal.client)))
    })?;
    if fvm_sdk::actor::get_builtin_actor_type(&code).is_some() {
        return Ok(());
    }
    let params = IpldBlock::serialize_cbor(&MarketNotifyDealParams {
        proposal: fvm_ipld_encoding::to_vec(proposal)
            .map_err(|e| ActorError::serialization(format!("cannot encode proposal: {e}")))?,
        deal_id: id,
    })
    .map_err(|e| ActorError::serialization(format!("cannot encode params: {e}")))?;
    let ret = fvm::send(
        &proposal.client,
        MARKET_NOTIFY_DEAL_METHOD,
        params,
        TokenAmount::default(),
        SendFlags::empty(),
    )?;
    if ret.exit_code.is_success() {
        Ok(())
    } else {
        Err(ActorError::unchecked(
            ret.exit_code,
            format!("client {} rejected deal {id}", Addr(&proposal.client)),
        ))
    }
}

fn resolve(address: &Address) -> ActorResult<ActorID> {
    fvm_sdk::actor::resolve_address(address)
        .ok_or_else(|| ActorError::illegal_argument(format!("{} is not an actor", Addr(address))))
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
