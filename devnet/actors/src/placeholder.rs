//! The placeholder actor: what the FVM creates when value is sent to an unknown `f410`
//! address. It holds funds until its key sends a first message (then the FVM turns it into an
//! ethaccount). It has no state.

use fvm_shared::METHOD_CONSTRUCTOR;

use crate::method::{INVOKE_EVM_METHOD, RECEIVE_METHOD, methods};

methods! {
    /// The placeholder actor's methods.
    pub enum Method {
        /// Caller: the system actor. (The FVM itself creates placeholders without calling it.)
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
        None => Err(crate::ActorError::unhandled_message("placeholder", method)),
    }
}
