//! The verified registry (`f06`), as much of it as a contract can see. The devnet has no
//! verifiers, allocations or claims (nobody holds DataCap, and the simulated market skips
//! verified deals), so `GetClaims` finds none: each requested claim fails with
//! `USR_NOT_FOUND` in the batch result, as on mainnet for an unknown claim.
//!
//! Method numbers and CBOR shapes are builtin-actors v18's.

use cid::Cid;
use filmark_actor_shared::methods;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, METHOD_CONSTRUCTOR};

methods! {
    /// The verified registry's methods (mainnet's numbers).
    pub enum Method {
        /// Caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// [`GetClaimsParams`] → [`GetClaimsReturn`].
        GetClaimsExported = frc42_dispatch::method_hash!("GetClaims"),
    }
}

/// Params of [`Method::GetClaimsExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetClaimsParams {
    /// The provider the claims are of.
    pub provider: ActorID,
    /// The claim ids.
    pub claim_ids: Vec<u64>,
}

/// One failure in a [`BatchReturn`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FailCode {
    /// The index of the failed item.
    pub idx: u32,
    /// Why it failed.
    pub code: ExitCode,
}

/// The outcome of a batch, item by item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BatchReturn {
    /// How many items succeeded.
    pub success_count: u32,
    /// The failed items.
    pub fail_codes: Vec<FailCode>,
}

/// A claim: a provider's commitment to store verified data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Claim {
    /// The provider storing the data.
    pub provider: ActorID,
    /// The client that allocated the DataCap.
    pub client: ActorID,
    /// The data's piece CID.
    pub data: Cid,
    /// The piece's padded size.
    pub size: PaddedPieceSize,
    /// Minimum term.
    pub term_min: ChainEpoch,
    /// Maximum term.
    pub term_max: ChainEpoch,
    /// When the term started.
    pub term_start: ChainEpoch,
    /// The sector holding the data.
    pub sector: u64,
}

/// Return of [`Method::GetClaimsExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetClaimsReturn {
    /// Which claims were found.
    pub batch_info: BatchReturn,
    /// The claims found, in request order.
    pub claims: Vec<Claim>,
}

/// `GetClaims` on a registry without claims: every id fails with `USR_NOT_FOUND`.
#[must_use]
pub fn no_claims(params: &GetClaimsParams) -> GetClaimsReturn {
    let fail_codes = (0..params.claim_ids.len())
        .map(|idx| FailCode {
            idx: u32::try_from(idx).unwrap_or(u32::MAX),
            code: ExitCode::USR_NOT_FOUND,
        })
        .collect();
    GetClaimsReturn {
        batch_info: BatchReturn {
            success_count: 0,
            fail_codes,
        },
        claims: vec![],
    }
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message; `USR_UNHANDLED_MESSAGE` for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    method: fvm_shared::MethodNum,
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};
    match Method::from_number(method) {
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        Some(Method::GetClaimsExported) => {
            let params: GetClaimsParams = decode_params(params)?;
            encode_return(&no_claims(&params))
        }
        None => Err(crate::fvm::unhandled(
            crate::manifest::VERIFIED_REGISTRY,
            method,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_claims_number_matches_mainnet() {
        assert_eq!(Method::GetClaimsExported.number(), 2_199_871_187);
    }

    #[test]
    fn every_claim_is_not_found() {
        let ret = no_claims(&GetClaimsParams {
            provider: 1000,
            claim_ids: vec![1, 2],
        });
        assert_eq!(ret.batch_info.success_count, 0);
        assert_eq!(ret.batch_info.fail_codes.len(), 2);
        assert_eq!(ret.batch_info.fail_codes[1].idx, 1);
        assert_eq!(ret.batch_info.fail_codes[1].code, ExitCode::USR_NOT_FOUND);
        assert!(ret.claims.is_empty());
    }
}
