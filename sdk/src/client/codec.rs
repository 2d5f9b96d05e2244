//! What crosses the wire and back: CBOR params and returns, ABI returns, and the one mapping
//! of a failed receipt (a native exit code, or a twin's custom-error revert) to
//! [`Error::ActorFailed`].

use fvm_ipld_encoding::de::DeserializeOwned;
use fvm_ipld_encoding::ser::Serialize;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::message::Message;

use crate::keys::ext;
use crate::{Error, Result};

/// What [`Client::invoke`] returned, by path.
#[derive(Debug)]
pub(crate) enum Returned {
    Cbor(RawBytes),
    Abi(Vec<u8>),
}

/// Decodes an ABI return value.
pub(crate) fn abi_decode<C: alloy_sol_types::SolCall>(
    r: Returned,
    what: &str,
) -> Result<C::Return> {
    match r {
        Returned::Abi(bytes) => C::abi_decode_returns(&bytes).map_err(|e| Error::Decode {
            what: what.to_owned(),
            reason: e.to_string(),
        }),
        Returned::Cbor(_) => Err(Error::Decode {
            what: what.to_owned(),
            reason: "a CBOR return where ABI was expected".into(),
        }),
    }
}

/// CBOR params.
pub(crate) fn cbor<P: Serialize>(p: &P) -> Result<RawBytes> {
    RawBytes::serialize(p).map_err(|e| Error::Cbor(e.to_string()))
}

/// Decodes a CBOR return value.
pub(crate) fn decode<R: DeserializeOwned>(data: &RawBytes, what: &str) -> Result<R> {
    data.deserialize().map_err(|e| Error::Decode {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

/// The error of a failed message: its exit code, the actor's message, and for `InvokeEVM` the
/// Solidity revert string carried in its return data. A Solidity twin's revert with one of
/// the `FilmarkErrors` becomes the same error as the native actor's exit code it is named
/// after (exit code, and its reason as the message and revert), so a dapp handles one error
/// whichever implementation it talks to.
pub(super) fn failure_error(
    what: &str,
    message: &Message,
    exit_code: fvm_shared::error::ExitCode,
    failure: Option<String>,
    return_data: &[u8],
) -> Error {
    let abi = message.method_num == ext::evm::INVOKE_CONTRACT;
    if let Some((exit_code, reason)) = abi.then(|| twin_revert(return_data)).flatten() {
        return Error::ActorFailed {
            what: what.to_owned(),
            exit_code,
            message: reason.clone(),
            revert: Some(reason),
        };
    }
    let revert = abi
        .then(|| filmark_actor_shared::abi::decode_revert(return_data))
        .flatten();
    Error::ActorFailed {
        what: what.to_owned(),
        exit_code,
        message: failure
            .or_else(|| revert.clone())
            .unwrap_or_else(|| "(the node gave no message)".into()),
        revert,
    }
}

/// A twin's revert (`FilmarkErrors.sol`) in a failed call's return data (one CBOR byte
/// string): the exit code it is named after, and its reason.
pub(crate) fn twin_revert(return_data: &[u8]) -> Option<(fvm_shared::error::ExitCode, String)> {
    let BytesDe(bytes) = fvm_ipld_encoding::from_slice(return_data).ok()?;
    twin_error(&bytes)
}

/// A twin's custom error (`FilmarkErrors.sol`) in ABI revert bytes: the exit code it is named
/// after, and its reason.
pub(crate) fn twin_error(bytes: &[u8]) -> Option<(fvm_shared::error::ExitCode, String)> {
    use alloy_sol_types::SolInterface;
    use filmark_abi::FilmarkErrors::FilmarkErrorsErrors as E;
    use fvm_shared::error::ExitCode as X;
    Some(match E::abi_decode(bytes).ok()? {
        E::IllegalArgument(e) => (X::USR_ILLEGAL_ARGUMENT, e.reason),
        E::NotFound(e) => (X::USR_NOT_FOUND, e.reason),
        E::Forbidden(e) => (X::USR_FORBIDDEN, e.reason),
        E::InsufficientFunds(e) => (X::USR_INSUFFICIENT_FUNDS, e.reason),
        E::IllegalState(e) => (X::USR_ILLEGAL_STATE, e.reason),
        E::Serialization(e) => (X::USR_SERIALIZATION, e.reason),
        E::UnhandledMessage(e) => (X::USR_UNHANDLED_MESSAGE, e.reason),
        E::Unspecified(e) => (X::USR_UNSPECIFIED, e.reason),
        E::AssertionFailed(e) => (X::USR_ASSERTION_FAILED, e.reason),
        E::ReadOnly(e) => (X::USR_READ_ONLY, e.reason),
        E::NotPayable(e) => (X::USR_NOT_PAYABLE, e.reason),
    })
}
