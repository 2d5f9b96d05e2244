//! The error every actor method returns: an exit code and a message.

use core::fmt;

#[cfg(feature = "fil-actor")]
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::error::ExitCode;
#[cfg(feature = "fil-actor")]
use serde::{Serialize, de::DeserializeOwned};

/// An actor method's failure: the exit code the message ends with, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorError {
    code: ExitCode,
    msg: String,
}

/// The result of an actor method.
pub type ActorResult<T> = Result<T, ActorError>;

impl ActorError {
    /// An error with any exit code.
    pub fn new(code: ExitCode, msg: impl Into<String>) -> Self {
        Self {
            code,
            msg: msg.into(),
        }
    }

    /// `USR_ILLEGAL_ARGUMENT`: the params are well-formed but not acceptable.
    pub fn illegal_argument(msg: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ILLEGAL_ARGUMENT, msg)
    }

    /// `USR_SERIALIZATION`: the params (or state) do not decode.
    pub fn serialization(msg: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_SERIALIZATION, msg)
    }

    /// `USR_NOT_FOUND`.
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_NOT_FOUND, msg)
    }

    /// `USR_FORBIDDEN`: the caller may not call this method.
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_FORBIDDEN, msg)
    }

    /// `USR_INSUFFICIENT_FUNDS`.
    pub fn insufficient_funds(msg: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_INSUFFICIENT_FUNDS, msg)
    }

    /// `USR_ILLEGAL_STATE`: the actor's state (or the store) is not what it should be.
    pub fn illegal_state(msg: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ILLEGAL_STATE, msg)
    }

    /// `USR_UNHANDLED_MESSAGE`: the `actor` has no such method.
    pub fn unhandled_message(actor: &str, method: u64) -> Self {
        Self::new(
            ExitCode::USR_UNHANDLED_MESSAGE,
            format!("the {actor} actor has no method {method}"),
        )
    }

    /// The exit code.
    pub const fn code(&self) -> ExitCode {
        self.code
    }

    /// The message.
    pub fn msg(&self) -> &str {
        &self.msg
    }
}

impl fmt::Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit code {}: {}", self.code.value(), self.msg)
    }
}

impl std::error::Error for ActorError {}

#[cfg(feature = "fil-actor")]
/// Decodes a method's CBOR params; missing or malformed params are `USR_SERIALIZATION`.
pub(crate) fn decode_params<T: DeserializeOwned>(params: Option<&IpldBlock>) -> ActorResult<T> {
    let block = params.ok_or_else(|| ActorError::serialization("missing params"))?;
    block
        .deserialize()
        .map_err(|e| ActorError::serialization(format!("malformed params: {e}")))
}

#[cfg(feature = "fil-actor")]
/// Encodes a method's CBOR return value.
pub(crate) fn encode_return<T: Serialize + ?Sized>(value: &T) -> ActorResult<Option<IpldBlock>> {
    IpldBlock::serialize_cbor(value)
        .map_err(|e| ActorError::serialization(format!("cannot encode return: {e}")))
}

/// Maps a store or collection failure to `USR_ILLEGAL_STATE`, saying what was being done.
pub(crate) fn state_error<E: fmt::Display>(what: &'static str) -> impl FnOnce(E) -> ActorError {
    move |e| ActorError::illegal_state(format!("{what}: {e}"))
}

/// Shows an address in messages without the base32 encoder and blake2b checksum that
/// `Address`'s own `Display` would link into every actor (~50 KB of wasm): `f0<id>` for an ID
/// address, else `f<protocol>:0x<payload hex>`.
pub(crate) struct Addr<'a>(pub(crate) &'a fvm_shared::address::Address);

impl fmt::Display for Addr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Ok(id) = self.0.id() {
            return write!(f, "f0{id}");
        }
        write!(f, "f{}:0x", self.0.protocol() as u8)?;
        self.0
            .payload_bytes()
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use fvm_shared::address::Address;

    use super::*;

    #[test]
    fn addresses_show_cheaply() {
        assert_eq!(Addr(&Address::new_id(42)).to_string(), "f042");
        let actor = Address::new_actor(b"x");
        let shown = Addr(&actor).to_string();
        assert!(
            shown.starts_with("f2:0x") && shown.len() == 5 + 40,
            "{shown}"
        );
    }
}
