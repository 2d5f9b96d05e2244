//! The stateless actors that only hold value, one module for three actor types, each with
//! mainnet's (builtin-actors v18) dispatch:
//!
//! - placeholder: what the FVM creates when value is sent to an unknown `f410` address. It
//!   holds funds until its key sends a first message (then the FVM turns it into an
//!   ethaccount) or the EAM creates a contract at its address. As on mainnet it accepts every
//!   method and does nothing.
//! - ethaccount: an Ethereum key (`f410` address). The FVM promotes a placeholder to it when
//!   the key sends its first message; the FVM checks nothing else (the devnet verifies the
//!   delegated signature). As on mainnet it has only a constructor and accepts every exported
//!   method (FRC-42, at least 2^24) with an empty return. **That includes
//!   `AuthenticateMessage`**: v18's ethaccount does not implement it, so a call returns exit 0
//!   and no value whatever the signature; a caller that checks only the exit code accepts a
//!   forged signature. The devnet reproduces this gap on purpose.
//! - reward (`f02`): a value sink. The FVM pays gas rewards into it by plain transfers.
//!
//! Only the actor's name tells their modules apart, and so their code CIDs (by which the FVM
//! tells builtin actor types apart): each `entry/<actor>.rs` passes its own constant to
//! `dispatch` (feature `fil-actor`).

use fvm_shared::METHOD_CONSTRUCTOR;

use crate::{INVOKE_EVM_METHOD, RECEIVE_METHOD};

filmark_actor_shared::methods! {
    /// The methods of the reward actor (and the named ones of the others).
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
/// `USR_FORBIDDEN` for a constructor call not from the system actor (ethaccount, reward);
/// `USR_UNHANDLED_MESSAGE` for a method the actor does not accept.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    actor: &str,
    method: fvm_shared::MethodNum,
    _params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use crate::manifest;
    if actor == manifest::PLACEHOLDER {
        return Ok(None);
    }
    match Method::from_number(method) {
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        _ if actor == manifest::ETHACCOUNT && method >= crate::FIRST_EXPORTED_METHOD_NUMBER => {
            Ok(None)
        }
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
