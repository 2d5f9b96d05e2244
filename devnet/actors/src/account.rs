//! The account actor: a Filecoin key (`f1` secp256k1 or `f3` BLS). The FVM creates one (and
//! calls its constructor with the key address) the first time value is sent to an unknown key.
//! Its methods are mainnet's (builtin-actors v18): the constructor, `PubkeyAddress` (2, not
//! exported), the exported `AuthenticateMessage`, and any other exported method (FRC-42, at
//! least 2^24) accepted with an empty return. The burnt funds actor (`f099`) is an account too,
//! as on mainnet, holding its own ID address.

use filmark_actor_shared::methods;
use filmark_actor_shared::show::Addr;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::METHOD_CONSTRUCTOR;
use fvm_shared::address::{Address, Protocol};
#[cfg(feature = "fil-actor")]
use fvm_shared::crypto::signature::Signature;

use crate::{ActorError, ActorResult};

methods! {
    /// The account actor's methods.
    pub enum Method {
        /// Params: the key [`Address`]; caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// Returns the key [`Address`].
        PubkeyAddress = 2,
        /// [`AuthenticateMessageParams`] → CBOR `true`, or `USR_ILLEGAL_ARGUMENT`; what the
        /// market calls.
        AuthenticateMessageExported = frc42_dispatch::method_hash!("AuthenticateMessage"),
    }
}

/// The account actor's state: its key address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// The `f1` or `f3` address of the key.
    pub address: Address,
}

/// Params of `AuthenticateMessage`: a raw signature (no type byte; the type follows from the
/// account's key) over `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AuthenticateMessageParams {
    /// The raw signature bytes.
    #[serde(with = "strict_bytes")]
    pub signature: Vec<u8>,
    /// The signed bytes.
    #[serde(with = "strict_bytes")]
    pub message: Vec<u8>,
}

/// Checks that `address` is a key address an account may hold.
///
/// # Errors
///
/// `USR_ILLEGAL_ARGUMENT` unless it is an `f1` (secp256k1) or `f3` (BLS) address.
pub fn check_key_address(address: &Address) -> ActorResult<()> {
    match address.protocol() {
        Protocol::Secp256k1 | Protocol::BLS => Ok(()),
        _ => Err(ActorError::illegal_argument(format!(
            "account address must be a key address (f1 or f3), got {}",
            Addr(address)
        ))),
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
) -> ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use crate::fvm;
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};

    match Method::from_number(method) {
        Some(Method::Constructor) => {
            fvm::validate_caller(crate::SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            let address: Address = decode_params(params)?;
            check_key_address(&address)?;
            fvm::save_state(&State { address })?;
            Ok(None)
        }
        Some(Method::PubkeyAddress) => {
            let state: State = fvm::load_state()?;
            encode_return(&state.address)
        }
        Some(Method::AuthenticateMessageExported) => {
            let params: AuthenticateMessageParams = decode_params(params)?;
            let state: State = fvm::load_state()?;
            let signature = match state.address.protocol() {
                Protocol::BLS => Signature::new_bls(params.signature),
                _ => Signature::new_secp256k1(params.signature),
            };
            let valid =
                fvm_sdk::crypto::verify_signature(&signature, &state.address, &params.message)
                    .map_err(|e| {
                        ActorError::illegal_argument(format!("cannot verify signature: {e}"))
                    })?;
            if !valid {
                return Err(ActorError::illegal_argument(format!(
                    "invalid signature for {}",
                    Addr(&state.address)
                )));
            }
            encode_return(&true)
        }
        // As the builtin account actor's fallback: any other exported method (FRC-42, at least
        // 2^24) succeeds with no return, e.g. the market's `MarketNotifyDeal`, FRC-46 `Receive`
        // or an Ethereum-style value transfer (`InvokeEVM`).
        None if method >= crate::FIRST_EXPORTED_METHOD_NUMBER => Ok(None),
        None => Err(crate::fvm::unhandled(crate::manifest::ACCOUNT, method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_numbers_match_the_protocol() {
        assert_eq!(Method::AuthenticateMessageExported.number(), 2_643_134_072);
        assert_eq!(Method::PubkeyAddress.number(), 2);
        // Not on mainnet: method 3 and an exported PubkeyAddress.
        assert_eq!(Method::from_number(3), None);
        assert_eq!(Method::ALL.len(), 3);
    }

    #[test]
    fn only_key_addresses_are_accounts() {
        assert!(check_key_address(&Address::new_secp256k1(&[7; 65]).unwrap()).is_ok());
        let err = check_key_address(&Address::new_id(100)).unwrap_err();
        assert_eq!(
            err.exit_code(),
            fvm_shared::error::ExitCode::USR_ILLEGAL_ARGUMENT
        );
    }
}
