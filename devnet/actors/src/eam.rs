//! The Ethereum address manager (`f010`). The FVM's manifest requires it, and Lotus sends an
//! Ethereum transaction without `to` (a contract deployment) to its `CreateExternal`. This devnet
//! has no EVM actor, so every create fails with `USR_FORBIDDEN` and says why; Filmark's actors
//! are deployed through init's `Exec` instead.

use filmark_actor_shared::methods;
use fvm_shared::METHOD_CONSTRUCTOR;
use fvm_shared::error::ExitCode;

methods! {
    /// The EAM's methods (the legacy numbers Lotus uses).
    pub enum Method {
        /// Caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// EVM `CREATE` from a contract: not supported.
        Create = 2,
        /// EVM `CREATE2` from a contract: not supported.
        Create2 = 3,
        /// Deployment by an Ethereum transaction without `to`: not supported.
        CreateExternal = 4,
    }
}

/// The exit code of every create: there is no EVM actor in this devnet.
pub const EX_NO_EVM: ExitCode = ExitCode::USR_FORBIDDEN;

/// The message of every create.
pub const NO_EVM_MESSAGE: &str = "no EVM in this devnet: EVM contracts cannot be created; \
     deploy wasm actors through the init actor's Exec";

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
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        Some(Method::Create | Method::Create2 | Method::CreateExternal) => {
            Err(crate::ActorError::unchecked(EX_NO_EVM, NO_EVM_MESSAGE))
        }
        None => Err(crate::fvm::unhandled("EAM", method)),
    }
}
