//! Method numbers, parameter decoding and return encoding.
//!
//! Each actor declares its methods once with [`crate::methods!`], values from
//! `frc42_dispatch::method_hash!("Name")` (FRC-0042), and dispatches with a `match` over
//! `Method::from_number`. Parameters are tuple-encoded CBOR.

pub use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, DAG_CBOR};
use serde::Serialize;
pub use serde::de::DeserializeOwned;

use crate::ActorError;

/// Declares an actor's `Method` enum with `from_number`, `number`, `name`, `ALL`, and
/// `params`/`no_params`, which decode a method's parameters with errors that name it.
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
/// let e = Method::Hello.params::<u64>(None).unwrap_err();
/// assert_eq!(e.msg(), "Hello: missing parameters");
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

            /// Decodes this method's tuple-encoded CBOR parameters, as
            /// [`dispatch::params`]($crate::dispatch::params) does.
            ///
            /// # Errors
            /// `USR_SERIALIZATION` when they are missing, use another codec, or do not
            /// decode; the message starts with the method's name.
            pub fn params<T: $crate::dispatch::DeserializeOwned>(
                self,
                params: Option<$crate::dispatch::IpldBlock>,
            ) -> Result<T, $crate::ActorError> {
                $crate::dispatch::params(params).map_err(|e| e.wrap(self.name()))
            }

            /// Accepts no parameters (none, or an empty block), as
            /// [`dispatch::no_params`]($crate::dispatch::no_params) does.
            ///
            /// # Errors
            /// `USR_SERIALIZATION` when parameters were given; the message starts with the
            /// method's name.
            pub fn no_params(
                self,
                params: Option<$crate::dispatch::IpldBlock>,
            ) -> Result<(), $crate::ActorError> {
                $crate::dispatch::no_params(params).map_err(|e| e.wrap(self.name()))
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
    let block = params.ok_or_else(|| ActorError::serialization("missing parameters"))?;
    if block.codec != DAG_CBOR && block.codec != CBOR {
        return Err(ActorError::serialization(format!(
            "parameters must be CBOR, got codec {:#x}",
            block.codec
        )));
    }
    fvm_ipld_encoding::from_slice(&block.data)
        .map_err(|e| ActorError::serialization(format!("malformed parameters: {e}")))
}

/// Decodes DAG-CBOR: `fvm_ipld_encoding::from_slice`.
///
/// # Errors
/// When the bytes are not one CBOR encoding of a `T`.
pub fn decode_cbor<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, fvm_ipld_encoding::Error> {
    fvm_ipld_encoding::from_slice(bytes)
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
    IpldBlock::serialize_cbor(value)
        .map_err(|e| ActorError::serialization(format!("encoding return value: {e}")))
}

/// Encodes a value as a CBOR block: `IpldBlock::serialize_cbor`.
///
/// # Errors
/// When the value cannot be encoded.
pub fn encode_cbor<T: Serialize + ?Sized>(
    value: &T,
) -> Result<IpldBlock, fvm_ipld_encoding::Error> {
    IpldBlock::serialize(CBOR, value)
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
            value
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
    fn method_params_errors_name_the_method_and_keep_the_reason() {
        let data = vec![0x82, 0x01];
        let reason = fvm_ipld_encoding::from_slice::<P>(&data).unwrap_err();
        let e = Method::Hello
            .params::<P>(Some(IpldBlock {
                codec: DAG_CBOR,
                data,
            }))
            .unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_SERIALIZATION);
        assert_eq!(e.msg(), format!("Hello: malformed parameters: {reason}"));
        assert!(!reason.description.is_empty());
        let e = Method::Constructor
            .no_params(ret(&1u8).unwrap())
            .unwrap_err();
        assert_eq!(e.msg(), "Constructor: this method takes no parameters");
        assert_eq!(Method::Hello.params::<u8>(ret(&7u8).unwrap()).unwrap(), 7);
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

    #[test]
    fn codec_calls_match_fvm_ipld_encoding() {
        // The same blocks as `IpldBlock::serialize_cbor`.
        let values = [
            P {
                a: 0,
                b: String::new(),
            },
            P {
                a: u64::MAX,
                b: "é".repeat(300),
            },
        ];
        for v in &values {
            assert_eq!(ret(v).unwrap(), IpldBlock::serialize_cbor(v).unwrap());
            assert_eq!(
                Some(encode_cbor(v).unwrap()),
                IpldBlock::serialize_cbor(v).unwrap()
            );
        }
        assert_eq!(ret(&()).unwrap(), IpldBlock::serialize_cbor(&()).unwrap());

        // The same values and the same error text as `fvm_ipld_encoding::from_slice`.
        let good = ret(&values[1]).unwrap().unwrap().data;
        let mut trailing = good.clone();
        trailing.push(0x00);
        let inputs = [
            good.clone(),
            trailing,
            good[..good.len() - 1].to_vec(),
            vec![0x82, 0x01],
            vec![0x82, 0x61, 0x61, 0x01],
            vec![0xff, 0x00, 0x13],
            Vec::new(),
        ];
        for data in inputs {
            let ours = params::<P>(Some(IpldBlock {
                codec: DAG_CBOR,
                data: data.clone(),
            }));
            let theirs = fvm_ipld_encoding::from_slice::<P>(&data);
            assert_eq!(decode_cbor::<P>(&data), theirs, "{data:02x?}");
            match theirs {
                Ok(v) => assert_eq!(ours.unwrap(), v),
                Err(e) => assert_eq!(
                    ours.unwrap_err().msg(),
                    format!("malformed parameters: {e}"),
                    "{data:02x?}"
                ),
            }
        }
    }
}
