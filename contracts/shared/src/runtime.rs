//! The `Runtime` trait: everything an actor may ask of the VM.
//!
//! Actor logic is written once against this trait. [`crate::fvm::FvmRuntime`] (feature
//! `fil-actor`) forwards each call to one `fvm_sdk` syscall; [`crate::testing::FakeRuntime`]
//! (feature `testing`) implements it in memory for native tests. Keep implementations thin so
//! that behaviour tested on the fake is the behaviour on the chain.

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::ActorEvent;
use fvm_shared::{ActorID, MethodNum, Response};
use multihash_codetable::Code;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ActorError;

/// What an actor may ask of the VM.
///
/// Implementations must be deterministic: the same inputs give the same answers on every node.
pub trait Runtime {
    /// The blockstore holding the actor's state (HAMTs, AMTs, the state root).
    type Blockstore: Blockstore;

    /// The actor's blockstore.
    fn store(&self) -> &Self::Blockstore;

    /// The ID of the immediate caller (the account or actor that sent this message).
    fn caller(&self) -> ActorID;

    /// This actor's ID.
    fn receiver(&self) -> ActorID;

    /// The value sent with this message; it is already part of [`Runtime::current_balance`].
    fn value_received(&self) -> TokenAmount;

    /// The epoch of the tipset this message executes in.
    fn curr_epoch(&self) -> ChainEpoch;

    /// This actor's balance, including the value received with this message.
    fn current_balance(&self) -> TokenAmount;

    /// True when the invocation is read-only: no state writes, no value transfers, no events.
    fn read_only(&self) -> bool;

    /// Resolves any address (f0, f1, f2, f3, f4) to an actor ID, if that actor exists.
    fn resolve_address(&self, addr: &Address) -> Option<ActorID>;

    /// The f4 (delegated) address of an actor, if it has one (f410 for Ethereum accounts).
    fn lookup_delegated_address(&self, id: ActorID) -> Option<Address>;

    /// The current state root, or an error if the actor has no state yet.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the actor has not been constructed.
    fn state_root(&self) -> Result<Cid, ActorError>;

    /// Replaces the state root.
    ///
    /// # Errors
    /// `USR_READ_ONLY` in a read-only invocation; `USR_ILLEGAL_STATE` if the actor was deleted.
    fn set_state_root(&self, root: &Cid) -> Result<(), ActorError>;

    /// Sends a message. A callee that aborts is not an error here: its exit code is in the
    /// [`Response`], so callers can act on specific codes (for example the market's 32).
    ///
    /// # Errors
    /// When the send itself could not happen: unknown recipient (`USR_NOT_FOUND`), not enough
    /// balance (`USR_INSUFFICIENT_FUNDS`), a value transfer in a read-only invocation or with
    /// `read_only` set (`USR_READ_ONLY`). See [`send_error`].
    fn send(
        &self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        read_only: bool,
    ) -> Result<Response, ActorError>;

    /// Emits an event (see [`crate::events`] for the Ethereum-log shape).
    ///
    /// # Errors
    /// `USR_READ_ONLY` in a read-only invocation; `USR_ILLEGAL_ARGUMENT` when the event is
    /// malformed or too large.
    fn emit_event(&self, event: &ActorEvent) -> Result<(), ActorError>;

    // ---- provided ----

    /// Resolves an address an operation needs as an actor (an owner, a signer, a client, a
    /// key, ...).
    ///
    /// # Errors
    /// `USR_NOT_FOUND`, naming `what`, when no actor has that address.
    fn resolve_actor(&self, addr: &Address, what: &str) -> Result<ActorID, ActorError> {
        self.resolve_address(addr).ok_or_else(|| {
            ActorError::not_found(format!(
                "{what} {} does not resolve to an actor on chain",
                crate::show::Addr(addr)
            ))
        })
    }

    /// The immediate caller as an ID address.
    fn caller_address(&self) -> Address {
        Address::new_id(self.caller())
    }

    /// Loads the state object.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the state is missing or cannot be decoded.
    fn state<S: DeserializeOwned>(&self) -> Result<S, ActorError> {
        let root = self.state_root()?;
        self.store()
            .get_cbor::<S>(&root)
            .map_err(|e| ActorError::illegal_state(format!("loading state: {e}")))?
            .ok_or_else(|| {
                ActorError::illegal_state(format!(
                    "state root {} not found",
                    crate::show::CidHex(&root)
                ))
            })
    }

    /// Writes a new state object and makes it the state root (used by constructors).
    ///
    /// # Errors
    /// As [`Runtime::set_state_root`], or `USR_ILLEGAL_STATE` when the store fails.
    fn create<S: Serialize>(&self, state: &S) -> Result<(), ActorError> {
        let root = self
            .store()
            .put_cbor(state, Code::Blake2b256)
            .map_err(|e| ActorError::illegal_state(format!("storing state: {e}")))?;
        self.set_state_root(&root)
    }

    /// Loads the state, lets `f` change it, and saves it only if `f` succeeds.
    ///
    /// # Errors
    /// Whatever `f` returns, or a state load/store failure.
    fn transaction<S, R, F>(&self, f: F) -> Result<R, ActorError>
    where
        S: Serialize + DeserializeOwned,
        F: FnOnce(&mut S, &Self) -> Result<R, ActorError>,
        Self: Sized,
    {
        let mut state: S = self.state()?;
        let result = f(&mut state, self)?;
        self.create(&state)?;
        Ok(result)
    }

    /// Checks that the immediate caller is one of `allowed` (any address kind).
    ///
    /// # Errors
    /// `USR_FORBIDDEN` otherwise.
    fn validate_caller_is<'a>(
        &self,
        allowed: impl IntoIterator<Item = &'a Address>,
    ) -> Result<(), ActorError> {
        let caller = self.caller();
        for addr in allowed {
            if self.resolve_address(addr) == Some(caller) {
                return Ok(());
            }
        }
        Err(ActorError::forbidden(format!(
            "caller f0{caller} is not allowed to call this method"
        )))
    }

    /// Transfers `value` to `to` (`METHOD_SEND`, no params) and requires it to succeed.
    ///
    /// # Errors
    /// When the send fails or the recipient exits with a non-zero code (a user code is kept);
    /// the message starts with "transfer".
    fn transfer(&self, to: &Address, value: TokenAmount) -> Result<(), ActorError> {
        let resp = self
            .send(to, fvm_shared::METHOD_SEND, None, value, false)
            .map_err(|e| e.wrap("transfer"))?;
        response_ok(resp, to, "transfer").map(|_| ())
    }
}

/// The error of a send the VM refused (the syscall's error number, not the callee's exit code),
/// as [`Runtime::send`] reports it: `NotFound` → `USR_NOT_FOUND`, `InsufficientFunds` →
/// `USR_INSUFFICIENT_FUNDS`, `ReadOnly` → `USR_READ_ONLY`, `LimitExceeded` →
/// `USR_ILLEGAL_STATE`, others `USR_UNSPECIFIED`.
/// The message names the recipient; callers that know the method's name add it with
/// [`ActorError::wrap`].
pub fn send_error(e: ErrorNumber, to: &Address) -> ActorError {
    let code = match e {
        ErrorNumber::NotFound => ExitCode::USR_NOT_FOUND,
        ErrorNumber::InsufficientFunds => ExitCode::USR_INSUFFICIENT_FUNDS,
        ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
        ErrorNumber::LimitExceeded => ExitCode::USR_ILLEGAL_STATE,
        _ => ExitCode::USR_UNSPECIFIED,
    };
    ActorError::unchecked(
        code,
        format!("send to {} failed: {e}", crate::show::Addr(to)),
    )
}

/// The error of an event the VM refused, as [`Runtime::emit_event`] reports it: `ReadOnly` →
/// `USR_READ_ONLY` (no events in a read-only call), others (a malformed or too large event)
/// `USR_ILLEGAL_ARGUMENT`.
pub fn emit_error(e: ErrorNumber) -> ActorError {
    let code = match e {
        ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
        _ => ExitCode::USR_ILLEGAL_ARGUMENT,
    };
    ActorError::unchecked(code, format!("emit event: {e}"))
}

/// The error of a state write in a read-only call, as [`Runtime::set_state_root`] reports it.
pub fn read_only_write_error() -> ActorError {
    ActorError::read_only("state write in a read-only call")
}

/// Turns a non-zero exit code into an error that keeps the callee's code (a system code becomes
/// `USR_UNSPECIFIED`). `method` is the method's name, as the message shows it.
///
/// # Errors
/// When `resp.exit_code` is not `OK`.
pub fn response_ok(
    resp: Response,
    to: &Address,
    method: &str,
) -> Result<Option<IpldBlock>, ActorError> {
    if resp.exit_code.is_success() {
        Ok(resp.return_data)
    } else {
        let code = if resp.exit_code.value() < ExitCode::FIRST_USER_EXIT_CODE {
            ExitCode::USR_UNSPECIFIED
        } else {
            resp.exit_code
        };
        Err(ActorError::unchecked(
            code,
            format!(
                "{method} on {} failed with exit code {}",
                crate::show::Addr(to),
                resp.exit_code
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_syscalls_map_to_exit_codes() {
        let to = Address::new_id(7);
        for (e, code) in [
            (ErrorNumber::NotFound, ExitCode::USR_NOT_FOUND),
            (
                ErrorNumber::InsufficientFunds,
                ExitCode::USR_INSUFFICIENT_FUNDS,
            ),
            (ErrorNumber::ReadOnly, ExitCode::USR_READ_ONLY),
            (ErrorNumber::LimitExceeded, ExitCode::USR_ILLEGAL_STATE),
            (ErrorNumber::IllegalArgument, ExitCode::USR_UNSPECIFIED),
        ] {
            let err = send_error(e, &to);
            assert_eq!(err.exit_code(), code, "{e:?}");
            assert_eq!(err.msg(), format!("send to f07 failed: {e}"));
        }
        let read_only = emit_error(ErrorNumber::ReadOnly);
        assert_eq!(read_only.exit_code(), ExitCode::USR_READ_ONLY);
        assert_eq!(
            read_only.msg(),
            "emit event: execution context is read-only"
        );
        assert_eq!(
            emit_error(ErrorNumber::IllegalArgument).exit_code(),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
        assert_eq!(read_only_write_error().exit_code(), ExitCode::USR_READ_ONLY);
    }

    #[test]
    fn failed_callees_keep_user_exit_codes_only() {
        let to = Address::new_id(7);
        let resp = |code| Response {
            exit_code: ExitCode::new(code),
            return_data: None,
        };
        assert_eq!(response_ok(resp(0), &to, "Get").unwrap(), None);
        let user = response_ok(resp(17), &to, "Get").unwrap_err();
        assert_eq!(user.exit_code(), ExitCode::USR_NOT_FOUND);
        let system = response_ok(resp(7), &to, "Get").unwrap_err();
        assert_eq!(system.exit_code(), ExitCode::USR_UNSPECIFIED);
        assert_eq!(system.msg(), "Get on f07 failed with exit code 7");
    }
}
