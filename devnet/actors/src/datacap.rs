//! The DataCap token (`f07`), an FRC-46 token as on mainnet, as much of it as a contract can
//! see. The devnet mints no DataCap (it has no verifiers), so every balance, allowance and the
//! total supply are zero. `Transfer`, as on mainnet, only goes to the verified registry
//! (`USR_FORBIDDEN` otherwise); a positive amount then fails with `USR_INSUFFICIENT_FUNDS`, and
//! a zero amount succeeds without calling the registry's receiver hook (a difference from
//! mainnet, which calls it).
//!
//! Method numbers and CBOR shapes are builtin-actors v18's (FRC-46 through `frc46_token`).

use filmark_actor_shared::methods;
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::METHOD_CONSTRUCTOR;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

methods! {
    /// The DataCap actor's methods (mainnet's numbers).
    pub enum Method {
        /// Caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// No params → the token's name, `DataCap`.
        NameExported = frc42_dispatch::method_hash!("Name"),
        /// No params → the token's symbol, `DCAP`.
        SymbolExported = frc42_dispatch::method_hash!("Symbol"),
        /// No params → the granularity ([`GRANULARITY`]).
        GranularityExported = frc42_dispatch::method_hash!("Granularity"),
        /// No params → the total supply ([`TokenAmount`], zero).
        TotalSupplyExported = frc42_dispatch::method_hash!("TotalSupply"),
        /// An [`Address`] → its balance ([`TokenAmount`], zero).
        BalanceExported = frc42_dispatch::method_hash!("Balance"),
        /// [`TransferParams`] → [`TransferReturn`].
        TransferExported = frc42_dispatch::method_hash!("Transfer"),
        /// [`GetAllowanceParams`] → the allowance ([`TokenAmount`], zero).
        AllowanceExported = frc42_dispatch::method_hash!("Allowance"),
    }
}

/// The token's name.
pub const NAME: &str = "DataCap";
/// The token's symbol.
pub const SYMBOL: &str = "DCAP";
/// The granularity: whole units of 10^18 (one DataCap token per byte).
pub const GRANULARITY: u64 = 1_000_000_000_000_000_000;

/// Params of [`Method::TransferExported`] (FRC-46).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferParams {
    /// The recipient.
    pub to: Address,
    /// The amount (non-negative).
    pub amount: TokenAmount,
    /// Data for the recipient's receiver hook.
    pub operator_data: RawBytes,
}

/// Return of [`Method::TransferExported`] (FRC-46).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferReturn {
    /// The sender's balance after.
    pub from_balance: TokenAmount,
    /// The recipient's balance after.
    pub to_balance: TokenAmount,
    /// What the receiver hook returned.
    pub recipient_data: RawBytes,
}

/// Params of [`Method::AllowanceExported`] (FRC-46).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetAllowanceParams {
    /// The owner of the tokens.
    pub owner: Address,
    /// The operator.
    pub operator: Address,
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message (see the module docs for `Transfer`);
/// `USR_UNHANDLED_MESSAGE` for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    method: fvm_shared::MethodNum,
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use crate::ActorError;
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};
    use filmark_actor_shared::show::Addr;

    match Method::from_number(method) {
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        Some(Method::NameExported) => encode_return(&NAME),
        Some(Method::SymbolExported) => encode_return(&SYMBOL),
        Some(Method::GranularityExported) => encode_return(&GRANULARITY),
        Some(Method::TotalSupplyExported) => encode_return(&TokenAmount::default()),
        Some(Method::BalanceExported) => {
            let _owner: Address = decode_params(params)?;
            encode_return(&TokenAmount::default())
        }
        Some(Method::AllowanceExported) => {
            let _p: GetAllowanceParams = decode_params(params)?;
            encode_return(&TokenAmount::default())
        }
        Some(Method::TransferExported) => {
            let p: TransferParams = decode_params(params)?;
            if p.amount.is_negative() {
                return Err(ActorError::illegal_argument(format!(
                    "negative amount {}",
                    p.amount.atto()
                )));
            }
            let registry = crate::VERIFIED_REGISTRY_ACTOR_ID;
            if fvm_sdk::actor::resolve_address(&p.to) != Some(registry) {
                return Err(ActorError::forbidden(format!(
                    "DataCap transfers only to the verified registry (f0{registry}), not {}",
                    Addr(&p.to)
                )));
            }
            if p.amount.is_positive() {
                return Err(ActorError::insufficient_funds(format!(
                    "balance 0 is less than the amount {}",
                    p.amount.atto()
                )));
            }
            encode_return(&TransferReturn {
                from_balance: TokenAmount::default(),
                to_balance: TokenAmount::default(),
                recipient_data: RawBytes::default(),
            })
        }
        None => Err(crate::fvm::unhandled(crate::manifest::DATACAP, method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_numbers_match_mainnet() {
        assert_eq!(Method::NameExported.number(), 48_890_204);
        assert_eq!(Method::SymbolExported.number(), 2_061_153_854);
        assert_eq!(Method::GranularityExported.number(), 3_936_767_397);
        assert_eq!(Method::TotalSupplyExported.number(), 114_981_429);
        assert_eq!(Method::BalanceExported.number(), 3_261_979_605);
        assert_eq!(Method::TransferExported.number(), 80_475_954);
        assert_eq!(Method::AllowanceExported.number(), 4_205_072_950);
    }
}
