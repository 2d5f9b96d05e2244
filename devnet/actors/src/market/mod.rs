//! The simulated storage market (`f05`).

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// `USR_UNHANDLED_MESSAGE`: the market's methods are not written yet.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    method: fvm_shared::MethodNum,
    _params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    Err(crate::ActorError::unhandled_message(
        "storage market",
        method,
    ))
}
