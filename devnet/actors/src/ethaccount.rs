//! The ethaccount actor: an Ethereum key (`f410` address). The FVM promotes a placeholder to
//! it when the key sends its first message; the FVM checks nothing else (the devnet verifies
//! the delegated signature). It has no state.

use fvm_shared::METHOD_CONSTRUCTOR;

use crate::method::{INVOKE_EVM_METHOD, RECEIVE_METHOD, methods};

methods! {
    /// The ethaccount actor's methods.
    pub enum Method {
        /// Caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// FRC-46 token receiver hook: accepted, no-op.
        Receive = RECEIVE_METHOD,
        /// Ethereum-style value transfer: accepted, no-op.
        InvokeEvm = INVOKE_EVM_METHOD,
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
    _params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    match Method::from_number(method) {
        Some(Method::Constructor) => {
            crate::fvm::validate_caller(crate::SYSTEM_ACTOR_ID, "system")?;
            Ok(None)
        }
        Some(Method::Receive | Method::InvokeEvm) => Ok(None),
        None => Err(crate::ActorError::unhandled_message("ethaccount", method)),
    }
}
