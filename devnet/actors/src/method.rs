//! Method numbers shared by several actors, and the macro that declares each actor's `Method`.

use fvm_shared::MethodNum;

/// FRC-42 `InvokeEVM`: what Lotus sends for an Ethereum transaction with a `to` address,
/// including a plain ETH value transfer. Every actor that may receive ETH-style value accepts it.
pub const INVOKE_EVM_METHOD: MethodNum = frc42_dispatch::method_hash!("InvokeEVM");

/// FRC-46 universal receiver hook `Receive`, called on a token transfer's recipient.
pub const RECEIVE_METHOD: MethodNum = frc42_dispatch::method_hash!("Receive");

/// Declares an actor's `Method` enum (`#[repr(u64)]`, one variant per method number) with
/// `number()` and `from_number()`.
macro_rules! methods {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u64)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// This method's number.
            pub const fn number(self) -> fvm_shared::MethodNum {
                self as fvm_shared::MethodNum
            }

            /// The method with this number, if the actor has one.
            pub const fn from_number(number: fvm_shared::MethodNum) -> Option<Self> {
                $( if number == Self::$variant as fvm_shared::MethodNum {
                    return Some(Self::$variant);
                } )*
                None
            }
        }
    };
}

pub(crate) use methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_method_numbers_match_the_protocol() {
        assert_eq!(INVOKE_EVM_METHOD, 3_844_450_837);
        assert_eq!(RECEIVE_METHOD, 3_726_118_371);
    }
}
