//! The thin layer over `fvm_sdk` the actors run on in the FVM: callers, state root, sends. The
//! entry point and the blockstore are `filmark-actor-shared`'s; the actors call `fvm_sdk`
//! directly rather than through its `Runtime`.

use filmark_actor_shared::fvm::FvmBlockstore;
use filmark_actor_shared::show::Addr;
use filmark_actor_shared::{ActorError, AsActorError, actor_error};
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum, Response};
use multihash_codetable::Code;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ActorResult;

/// Runs one invocation of an actor's dispatcher (method number and raw params in, return block
/// out) and hands its result to the FVM: the return block, or the exit code and message.
pub fn invoke(
    params: u32,
    dispatch: impl FnOnce(MethodNum, Option<IpldBlock>) -> ActorResult<Option<IpldBlock>>,
) -> u32 {
    filmark_actor_shared::fvm::invoke(params, |_rt, method, params| dispatch(method, params))
}

/// Fails unless the immediate caller is `expected`.
pub(crate) fn validate_caller(expected: ActorID, name: &str) -> ActorResult<()> {
    let caller = fvm_sdk::message::caller();
    if caller == expected {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!(
            "caller f0{caller} is not the {name} actor (f0{expected})"
        )))
    }
}

/// The constructor of a stateless builtin actor: only the system actor may call it.
pub(crate) fn construct_stateless() -> ActorResult<Option<IpldBlock>> {
    validate_caller(crate::SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
    Ok(None)
}

/// `USR_UNHANDLED_MESSAGE`: the `actor` has no method `method`.
#[cold]
#[inline(never)]
pub(crate) fn unhandled(actor: &str, method: MethodNum) -> ActorError {
    actor_error!(unhandled_message; "the {actor} actor has no method {method}")
}

/// Loads the actor's state from its root.
pub(crate) fn load_state<T: DeserializeOwned>() -> ActorResult<T> {
    let root = fvm_sdk::sself::root()
        .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot read state root")?;
    FvmBlockstore
        .get_cbor(&root)
        .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot load state")?
        .ok_or_else(|| ActorError::illegal_state("state not found"))
}

/// Writes the actor's state and points its root at it.
pub(crate) fn save_state<T: Serialize>(state: &T) -> ActorResult<()> {
    let root = FvmBlockstore
        .put_cbor(state, Code::Blake2b256)
        .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot store state")?;
    fvm_sdk::sself::set_root(&root)
        .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot set state root")
}

/// Sends a message and returns the callee's response; a send that cannot be made at all
/// (unknown receiver, insufficient funds) is an error with the matching exit code.
pub(crate) fn send(
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
    flags: SendFlags,
) -> ActorResult<Response> {
    fvm_sdk::send::send(to, method, params, value, None, flags).map_err(|e| {
        let code = match e {
            ErrorNumber::InsufficientFunds => ExitCode::USR_INSUFFICIENT_FUNDS,
            ErrorNumber::NotFound => ExitCode::USR_NOT_FOUND,
            ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
            _ => ExitCode::USR_ILLEGAL_STATE,
        };
        ActorError::unchecked(
            code,
            format!("send to {} method {method} failed: {e}", Addr(to)),
        )
    })
}
