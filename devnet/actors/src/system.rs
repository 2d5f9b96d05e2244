//! The system actor (`f00`): holds the manifest of builtin actor code CIDs, which the FVM reads
//! straight from its state. It is also the caller of the devnet's implicit messages.

use cid::Cid;
use filmark_actor_shared::methods;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::METHOD_CONSTRUCTOR;

methods! {
    /// The system actor's methods.
    pub enum Method {
        /// Called once at genesis by the system itself.
        Constructor = METHOD_CONSTRUCTOR,
    }
}

/// The system actor's state, exactly what the FVM reads: the CID of the DAG-CBOR manifest
/// `Vec<(String, Cid)>` (builtin actor name → code CID).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// CID of the manifest `Vec<(String, Cid)>`.
    pub builtin_actors: Cid,
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
        // Genesis writes the state directly; the constructor only checks who calls it.
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        None => Err(crate::fvm::unhandled(crate::manifest::SYSTEM, method)),
    }
}
