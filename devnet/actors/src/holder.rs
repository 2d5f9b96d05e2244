//! The stateless actors that only hold value, one module for three actor types:
//!
//! - placeholder: what the FVM creates when value is sent to an unknown `f410` address. It
//!   holds funds until its key sends a first message (then the FVM turns it into an
//!   ethaccount).
//! - ethaccount: an Ethereum key (`f410` address). The FVM promotes a placeholder to it when
//!   the key sends its first message; the FVM checks nothing else (the devnet verifies the
//!   delegated signature).
//! - reward (`f02`), also run by the burnt funds actor (`f099`): a value sink. The FVM pays gas
//!   rewards and burns fees into them by plain transfers; the storage market burns slashed
//!   collateral into `f099`.
//!
//! They behave alike; only the actor's name, in the message of an unknown method, tells them
//! apart. That name is also what keeps their wasm modules, and so their code CIDs (by which the
//! FVM tells builtin actor types apart), distinct: each `entry/<actor>.rs` passes its own
//! constant to `dispatch` (feature `fil-actor`).

use fvm_shared::METHOD_CONSTRUCTOR;

use crate::{INVOKE_EVM_METHOD, RECEIVE_METHOD};

filmark_actor_shared::methods! {
    /// The methods of the placeholder, ethaccount and reward actors.
    pub enum Method {
        /// Caller: the system actor. (The FVM itself creates placeholders without calling it.)
        Constructor = METHOD_CONSTRUCTOR,
        /// FRC-46 token receiver hook: accepted, no-op.
        Receive = RECEIVE_METHOD,
        /// Ethereum-style value transfer: accepted, no-op.
        InvokeEvm = INVOKE_EVM_METHOD,
    }
}

/// Runs one method of the value-holding actor `actor` (its manifest name:
/// [`manifest::PLACEHOLDER`](crate::manifest::PLACEHOLDER),
/// [`manifest::ETHACCOUNT`](crate::manifest::ETHACCOUNT) or
/// [`manifest::REWARD`](crate::manifest::REWARD)) in the FVM (what the wasm `invoke` export
/// calls). Params are ignored.
///
/// # Errors
///
/// `USR_FORBIDDEN` for a constructor call not from the system actor; `USR_UNHANDLED_MESSAGE`
/// for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    actor: &str,
    method: fvm_shared::MethodNum,
    _params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    match Method::from_number(method) {
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        Some(Method::Receive | Method::InvokeEvm) => Ok(None),
        None => Err(crate::fvm::unhandled(actor, method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_keep_their_numbers() {
        assert_eq!(Method::Constructor.number(), 1);
        assert_eq!(Method::from_number(3_726_118_371), Some(Method::Receive));
        assert_eq!(Method::from_number(3_844_450_837), Some(Method::InvokeEvm));
        assert_eq!(Method::from_number(2), None);
    }
}
