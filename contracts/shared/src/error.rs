//! The error every actor method returns: an exit code, a message, and optional return data.

use core::fmt;

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::error::ExitCode;

/// A failed actor invocation: the exit code the message ends with, a human-readable reason
/// (shown by Lotus and the devnet in receipts and traces) and optional return data (used to
/// carry a Solidity revert payload for calls made through the Ethereum entry point).
#[derive(Clone, PartialEq, Eq)]
pub struct ActorError {
    exit_code: ExitCode,
    msg: String,
    data: Option<IpldBlock>,
}

impl ActorError {
    /// An error with any exit code. Prefer the named constructors.
    pub fn unchecked(exit_code: ExitCode, msg: impl Into<String>) -> Self {
        Self {
            exit_code,
            msg: msg.into(),
            data: None,
        }
    }

    /// `USR_ILLEGAL_ARGUMENT`: a parameter is out of range or breaks a limit.
    pub fn illegal_argument(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_ILLEGAL_ARGUMENT, msg)
    }

    /// `USR_NOT_FOUND`: the thing asked for does not exist.
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_NOT_FOUND, msg)
    }

    /// `USR_FORBIDDEN`: the caller may not do this.
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_FORBIDDEN, msg)
    }

    /// `USR_INSUFFICIENT_FUNDS`: not enough available funds.
    pub fn insufficient_funds(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_INSUFFICIENT_FUNDS, msg)
    }

    /// `USR_ILLEGAL_STATE`: the request is valid but the state does not allow it (now).
    pub fn illegal_state(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_ILLEGAL_STATE, msg)
    }

    /// `USR_SERIALIZATION`: parameters (or state) could not be decoded or encoded.
    pub fn serialization(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_SERIALIZATION, msg)
    }

    /// `USR_UNHANDLED_MESSAGE`: the method number is not implemented.
    pub fn unhandled_message(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_UNHANDLED_MESSAGE, msg)
    }

    /// `USR_READ_ONLY`: a state change was attempted in a read-only context.
    pub fn read_only(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_READ_ONLY, msg)
    }

    /// `USR_NOT_PAYABLE`: value was sent to a method that does not accept it.
    pub fn not_payable(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_NOT_PAYABLE, msg)
    }

    /// `USR_ASSERTION_FAILED`: an internal invariant does not hold (a bug).
    pub fn assertion_failed(msg: impl Into<String>) -> Self {
        Self::unchecked(ExitCode::USR_ASSERTION_FAILED, msg)
    }

    /// Attaches return data (for example an ABI revert payload) to the error.
    #[must_use]
    pub fn with_data(mut self, data: Option<IpldBlock>) -> Self {
        self.data = data;
        self
    }

    /// Prefixes the message with context, keeping the exit code.
    #[must_use]
    pub fn wrap(mut self, context: impl fmt::Display) -> Self {
        self.msg = format!("{context}: {}", self.msg);
        self
    }

    /// The exit code.
    pub const fn exit_code(&self) -> ExitCode {
        self.exit_code
    }

    /// The message.
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// The return data carried with the error, if any.
    pub const fn data(&self) -> Option<&IpldBlock> {
        self.data.as_ref()
    }

    /// Takes the return data out of the error.
    pub fn take_data(&mut self) -> Option<IpldBlock> {
        self.data.take()
    }
}

impl fmt::Debug for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ActorError(exit_code: {}, msg: {:?})",
            self.exit_code, self.msg
        )
    }
}

impl fmt::Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (exit code {})", self.msg, self.exit_code)
    }
}

impl std::error::Error for ActorError {}

impl From<fvm_ipld_encoding::Error> for ActorError {
    fn from(e: fvm_ipld_encoding::Error) -> Self {
        Self::serialization(e.to_string())
    }
}

/// Builds an [`ActorError`] from a short kind and a format string:
/// `actor_error!(illegal_argument; "too many entries: {} > {}", n, max)`.
#[macro_export]
macro_rules! actor_error {
    ($kind:ident; $($arg:tt)*) => {
        $crate::ActorError::$kind(format!($($arg)*))
    };
}

/// Converts any error or a missing value into an [`ActorError`] with a chosen exit code.
pub trait AsActorError<T> {
    /// Maps the failure to `code`, with `msg` followed by the underlying error.
    ///
    /// # Errors
    /// Returns the mapped error when `self` is a failure.
    fn context_code(self, code: ExitCode, msg: impl fmt::Display) -> Result<T, ActorError>;

    /// Like [`AsActorError::context_code`] with a lazily built message.
    ///
    /// # Errors
    /// Returns the mapped error when `self` is a failure.
    fn with_context_code<M: fmt::Display>(
        self,
        code: ExitCode,
        msg: impl FnOnce() -> M,
    ) -> Result<T, ActorError>;
}

impl<T, E: fmt::Display> AsActorError<T> for Result<T, E> {
    fn context_code(self, code: ExitCode, msg: impl fmt::Display) -> Result<T, ActorError> {
        self.map_err(|e| ActorError::unchecked(code, format!("{msg}: {e}")))
    }

    fn with_context_code<M: fmt::Display>(
        self,
        code: ExitCode,
        msg: impl FnOnce() -> M,
    ) -> Result<T, ActorError> {
        self.map_err(|e| ActorError::unchecked(code, format!("{}: {e}", msg())))
    }
}

impl<T> AsActorError<T> for Option<T> {
    fn context_code(self, code: ExitCode, msg: impl fmt::Display) -> Result<T, ActorError> {
        self.ok_or_else(|| ActorError::unchecked(code, msg.to_string()))
    }

    fn with_context_code<M: fmt::Display>(
        self,
        code: ExitCode,
        msg: impl FnOnce() -> M,
    ) -> Result<T, ActorError> {
        self.ok_or_else(|| ActorError::unchecked(code, msg().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_carry_code_and_message() {
        let e = actor_error!(illegal_argument; "too many entries: {} > {}", 3, 2);
        assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert_eq!(e.msg(), "too many entries: 3 > 2");
        assert_eq!(
            ActorError::forbidden("x").exit_code(),
            ExitCode::USR_FORBIDDEN
        );
        assert_eq!(
            ActorError::not_found("x").exit_code(),
            ExitCode::USR_NOT_FOUND
        );
        let wrapped = ActorError::serialization("bad cbor").wrap("params");
        assert_eq!(wrapped.msg(), "params: bad cbor");
        assert_eq!(wrapped.exit_code(), ExitCode::USR_SERIALIZATION);
    }

    #[test]
    fn context_code_maps_results_and_options() {
        let r: Result<(), &str> = Err("boom");
        let e = r
            .context_code(ExitCode::USR_ILLEGAL_STATE, "loading")
            .unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_STATE);
        assert_eq!(e.msg(), "loading: boom");
        let none: Option<u8> = None;
        let e = none
            .context_code(ExitCode::USR_NOT_FOUND, "no such record")
            .unwrap_err();
        assert_eq!(e.msg(), "no such record");
    }
}
