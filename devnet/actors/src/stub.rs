//! The stub actors: builtin types mainnet has and the devnet does not run (cron, payment
//! channel, multisig, and the EVM until the devnet has its own). They exist so that the
//! manifest lists every type in mainnet's order (so builtin type ids match mainnet's) and so
//! that `f03` exists. A stub has only its constructor; every other method fails with
//! `USR_UNHANDLED_MESSAGE` and says the actor is a stub. Each `entry/<actor>.rs` passes its own
//! name, which keeps the modules (and so the code CIDs) distinct.

/// Runs one method of the stub actor `actor` (its manifest name) in the FVM.
///
/// # Errors
///
/// `USR_FORBIDDEN` for a constructor call not from the system actor; `USR_UNHANDLED_MESSAGE`
/// for any other method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    actor: &str,
    method: fvm_shared::MethodNum,
    _params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    if method == fvm_shared::METHOD_CONSTRUCTOR {
        return crate::fvm::construct_stateless();
    }
    Err(filmark_actor_shared::actor_error!(
        unhandled_message; "the {actor} actor is a stub in this devnet: no method {method}"
    ))
}
