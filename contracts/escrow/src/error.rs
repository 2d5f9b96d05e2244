//! Escrow state errors and their exit codes.

use core::fmt;

use filmark_actor_shared::ActorError;
use fvm_shared::error::ExitCode;

/// A failure in the escrow's state operations, mapped to an exit code by [`From`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// A HAMT or AMT could not be loaded, read or flushed.
    Store(String),
    /// An order id that does not exist.
    OrderNotFound(u64),
    /// Arithmetic left the valid range (a bug or absurd parameters).
    Overflow(&'static str),
    /// Bookkeeping does not add up (a bug).
    Inconsistent(String),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "state store: {e}"),
            Self::OrderNotFound(id) => write!(f, "order {id} not found"),
            Self::Overflow(what) => write!(f, "arithmetic overflow in {what}"),
            Self::Inconsistent(what) => write!(f, "inconsistent state: {what}"),
        }
    }
}

impl From<StateError> for ActorError {
    fn from(e: StateError) -> Self {
        let code = match &e {
            StateError::Store(_) => ExitCode::USR_ILLEGAL_STATE,
            StateError::OrderNotFound(_) => ExitCode::USR_NOT_FOUND,
            StateError::Overflow(_) => ExitCode::USR_ILLEGAL_ARGUMENT,
            StateError::Inconsistent(_) => ExitCode::USR_ASSERTION_FAILED,
        };
        Self::unchecked(code, e.to_string())
    }
}

impl From<fvm_ipld_hamt::Error> for StateError {
    fn from(e: fvm_ipld_hamt::Error) -> Self {
        Self::Store(e.to_string())
    }
}

impl From<fvm_ipld_amt::Error> for StateError {
    fn from(e: fvm_ipld_amt::Error) -> Self {
        Self::Store(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_errors_map_to_exit_codes() {
        let cases = [
            (
                StateError::Store("x".into()),
                ExitCode::USR_ILLEGAL_STATE,
                "state store: x",
            ),
            (
                StateError::OrderNotFound(7),
                ExitCode::USR_NOT_FOUND,
                "order 7 not found",
            ),
            (
                StateError::Overflow("lock"),
                ExitCode::USR_ILLEGAL_ARGUMENT,
                "arithmetic overflow in lock",
            ),
            (
                StateError::Inconsistent("y".into()),
                ExitCode::USR_ASSERTION_FAILED,
                "inconsistent state: y",
            ),
        ];
        for (e, code, msg) in cases {
            let a = ActorError::from(e);
            assert_eq!(a.exit_code(), code);
            assert_eq!(a.msg(), msg);
        }
    }
}
