//! The escrow's queries of the storage market: read-only sends to its exported deal getters,
//! their answers turned into deal terms and statuses. (The getters' numbers and CBOR shapes are
//! the market's interface, in [`crate::ext::market`].)

use filmark_actor_shared::dispatch::{decode_return, encode_cbor};
use filmark_actor_shared::{ActorError, Runtime, actor_error};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::Response;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use crate::ext::market::{self, DealQueryParams, Getter};
use crate::order::{DealStatus, DealTerms};

fn query<RT: Runtime>(rt: &RT, method: Getter, deal_id: DealID) -> Result<Response, ActorError> {
    let params = encode_cbor(&DealQueryParams { id: deal_id })
        .map_err(|e| actor_error!(serialization; "encoding deal id: {e}"))?;
    rt.send(
        &market::ADDRESS,
        method.number(),
        Some(params),
        TokenAmount::from_atto(0),
        true,
    )
    .map_err(|e| e.wrap(format_args!("market {}", method.name())))
}

/// A getter's answer for a deal that must exist: 17 → `USR_NOT_FOUND`, 32 →
/// `USR_ILLEGAL_ARGUMENT` ("expired or slashed"), 33 → `USR_ILLEGAL_ARGUMENT`, other → kept.
fn require<RT: Runtime, T: serde::de::DeserializeOwned>(
    rt: &RT,
    method: Getter,
    deal_id: DealID,
) -> Result<T, ActorError> {
    decode_return(required_answer(rt, method, deal_id)?)
}

/// The return block of [`require`]'s getter call: the part that does not depend on the
/// answer's type, compiled once.
fn required_answer<RT: Runtime>(
    rt: &RT,
    method: Getter,
    deal_id: DealID,
) -> Result<Option<IpldBlock>, ActorError> {
    let resp = query(rt, method, deal_id)?;
    match resp.exit_code {
        ExitCode::OK => Ok(resp.return_data),
        ExitCode::USR_NOT_FOUND => Err(actor_error!(not_found; "deal {deal_id} not found")),
        market::EX_DEAL_EXPIRED => {
            Err(actor_error!(illegal_argument; "deal {deal_id} expired or was slashed"))
        }
        market::EX_DEAL_NOT_ACTIVATED => {
            Err(actor_error!(illegal_argument; "deal {deal_id} is not activated"))
        }
        _ => Err(failure(resp, method)),
    }
}

/// The deal's piece, provider and term, from `GetDealClient` (which must be this escrow),
/// `GetDealDataCommitment`, `GetDealProvider` and `GetDealTerm` (in that order).
///
/// # Errors
/// As [`require`]: a missing, expired or slashed deal, or a malformed answer;
/// `USR_ILLEGAL_ARGUMENT` when the deal's client is not this escrow.
pub(crate) fn deal_terms<RT: Runtime>(rt: &RT, deal_id: DealID) -> Result<DealTerms, ActorError> {
    let client: market::GetDealClientReturn = require(rt, Getter::GetDealClient, deal_id)?;
    if client.client != rt.receiver() {
        return Err(actor_error!(illegal_argument;
            "deal {deal_id}'s client f0{} is not this escrow", client.client));
    }
    let data: market::GetDealDataCommitmentReturn =
        require(rt, Getter::GetDealDataCommitment, deal_id)?;
    let provider: market::GetDealProviderReturn = require(rt, Getter::GetDealProvider, deal_id)?;
    let term: market::GetDealTermReturn = require(rt, Getter::GetDealTerm, deal_id)?;
    let end = term
        .start
        .checked_add(term.duration)
        .ok_or_else(|| actor_error!(illegal_argument; "deal {deal_id} term overflows"))?;
    Ok(DealTerms {
        deal_id,
        piece_cid: data.data,
        piece_size: data.size.0,
        provider: provider.provider,
        start: term.start,
        end,
    })
}

/// The deal's status from `GetDealActivation`, with 32, 33 and 17 mapped to a status.
///
/// # Errors
/// Any other exit code, or a malformed answer.
pub(crate) fn deal_status<RT: Runtime>(rt: &RT, deal_id: DealID) -> Result<DealStatus, ActorError> {
    let resp = query(rt, Getter::GetDealActivation, deal_id)?;
    match resp.exit_code {
        ExitCode::OK => {
            let r: market::GetDealActivationReturn = decode_return(resp.return_data)?;
            Ok(DealStatus::Known {
                activated: r.activated,
                terminated: r.terminated,
            })
        }
        market::EX_DEAL_EXPIRED => Ok(DealStatus::Expired),
        market::EX_DEAL_NOT_ACTIVATED => Ok(DealStatus::NotActivated),
        ExitCode::USR_NOT_FOUND => Ok(DealStatus::NotFound),
        _ => Err(failure(resp, Getter::GetDealActivation)),
    }
}

/// An error for an unexpected exit code, keeping user codes (as `response_ok` does).
fn failure(resp: Response, method: Getter) -> ActorError {
    let code = if resp.exit_code.value() < ExitCode::FIRST_USER_EXIT_CODE {
        ExitCode::USR_UNSPECIFIED
    } else {
        resp.exit_code
    };
    ActorError::unchecked(
        code,
        format!(
            "market {} failed with exit code {}",
            method.name(),
            resp.exit_code
        ),
    )
}
