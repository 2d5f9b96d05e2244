//! Method numbers, parameter decoding and return encoding.
//!
//! Each actor declares its methods once with [`crate::methods!`], values from
//! `frc42_dispatch::method_hash!("Name")` (FRC-0042), and dispatches with a `match` over
//! `Method::from_number`. Parameters are tuple-encoded CBOR.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, DAG_CBOR};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ActorError;

/// Declares an actor's `Method` enum with `from_number`, `number`, `name` and `ALL`.
///
/// ```
/// filmark_actor_shared::methods! {
///     /// Methods of a tiny actor.
///     pub enum Method {
///         /// Constructor.
///         Constructor = 1,
///         /// Says hello.
///         Hello = frc42_dispatch::method_hash!("Hello"),
///     }
/// }
/// assert_eq!(Method::from_number(1), Some(Method::Constructor));
/// assert_eq!(Method::Hello.name(), "Hello");
/// ```
#[macro_export]
macro_rules! methods {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u64)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $value ),+
        }

        impl $name {
            /// Every method, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The method number used on the wire.
            #[must_use]
            pub const fn number(self) -> u64 {
                self as u64
            }

            /// The method's name (the string FRC-42 hashes).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant)),+
                }
            }

            /// The method with this number, if the actor has one.
            #[must_use]
            pub fn from_number(number: u64) -> Option<Self> {
                $(
                    if number == $name::$variant as u64 {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }

        impl From<$name> for u64 {
            fn from(m: $name) -> u64 {
                m as u64
            }
        }
    };
}

/// Decodes tuple-encoded CBOR parameters.
///
/// # Errors
/// `USR_SERIALIZATION` when the parameters are missing, use another codec, or do not decode.
pub fn params<T: DeserializeOwned>(params: Option<IpldBlock>) -> Result<T, ActorError> {
    let block = cbor_block(params)?;
    fvm_ipld_encoding::from_slice(&block.data).map_err(malformed_params)
}

// `params` is instantiated once per parameter type; its checks and error messages live in these
// two non-generic functions so the wasm holds them once, not once per type.

/// The parameter block, if present and CBOR.
#[inline(never)]
fn cbor_block(params: Option<IpldBlock>) -> Result<IpldBlock, ActorError> {
    let block = params.ok_or_else(|| ActorError::serialization("missing parameters"))?;
    if block.codec != DAG_CBOR && block.codec != CBOR {
        return Err(ActorError::serialization(format!(
            "parameters must be CBOR, got codec {:#x}",
            block.codec
        )));
    }
    Ok(block)
}

#[cold]
#[inline(never)]
fn malformed_params(e: fvm_ipld_encoding::Error) -> ActorError {
    ActorError::serialization(format!("malformed parameters: {e}"))
}

/// Accepts a method that takes no parameters (none, or an empty block).
///
/// # Errors
/// `USR_SERIALIZATION` when parameters were given.
pub fn no_params(params: Option<IpldBlock>) -> Result<(), ActorError> {
    match params {
        Some(block) if !block.data.is_empty() => {
            Err(ActorError::serialization("this method takes no parameters"))
        }
        _ => Ok(()),
    }
}

/// Encodes a return value as DAG-CBOR.
///
/// # Errors
/// `USR_SERIALIZATION` when the value cannot be encoded (a bug).
pub fn ret<T: Serialize + ?Sized>(value: &T) -> Result<Option<IpldBlock>, ActorError> {
    IpldBlock::serialize_cbor(value).map_err(unencodable_return)
}

#[cold]
#[inline(never)]
fn unencodable_return(e: fvm_ipld_encoding::Error) -> ActorError {
    ActorError::serialization(format!("encoding return value: {e}"))
}

/// Decodes a return block from another actor.
///
/// # Errors
/// `USR_SERIALIZATION` when the block is missing or malformed.
pub fn decode_return<T: DeserializeOwned>(block: Option<IpldBlock>) -> Result<T, ActorError> {
    params(block).map_err(|e| e.wrap("decoding return value"))
}

/// Checks that no value came with a method that does not accept any.
///
/// # Errors
/// `USR_NOT_PAYABLE` when value was sent.
pub fn require_no_value(value: &fvm_shared::econ::TokenAmount) -> Result<(), ActorError> {
    if value.is_zero() {
        Ok(())
    } else {
        Err(ActorError::not_payable(format!(
            "this method does not accept value (got {} FIL)",
            crate::show::Fil(value)
        )))
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_encoding::tuple::*;
    use fvm_shared::error::ExitCode;

    use super::*;

    crate::methods! {
        /// Test methods.
        pub enum Method {
            /// Constructor.
            Constructor = 1,
            /// Hello.
            Hello = frc42_dispatch::method_hash!("Hello"),
        }
    }

    #[derive(Serialize_tuple, Deserialize_tuple, Debug, PartialEq)]
    struct P {
        a: u64,
        b: String,
    }

    #[test]
    fn method_enum_round_trips() {
        for m in Method::ALL {
            assert_eq!(Method::from_number(m.number()), Some(*m));
        }
        assert!(Method::Hello.number() >= 1 << 24);
        assert_eq!(Method::from_number(2), None);
    }

    #[test]
    fn params_decode_and_reject_garbage() {
        let block = ret(&P {
            a: 7,
            b: "x".into(),
        })
        .unwrap();
        assert_eq!(
            params::<P>(block).unwrap(),
            P {
                a: 7,
                b: "x".into()
            }
        );
        let e = params::<P>(None).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_SERIALIZATION);
        let garbage = Some(IpldBlock {
            codec: DAG_CBOR,
            data: vec![0xff, 0x00, 0x13],
        });
        assert_eq!(
            params::<P>(garbage).unwrap_err().exit_code(),
            ExitCode::USR_SERIALIZATION
        );
        let raw = Some(IpldBlock {
            codec: 0x55,
            data: vec![0x80],
        });
        assert_eq!(
            params::<P>(raw).unwrap_err().exit_code(),
            ExitCode::USR_SERIALIZATION
        );
        assert!(no_params(None).is_ok());
        assert!(no_params(ret(&1u8).unwrap()).is_err());
    }
}
