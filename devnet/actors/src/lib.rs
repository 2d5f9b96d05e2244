#![doc = include_str!("../README.md")]

#[cfg(all(target_arch = "wasm32", feature = "fil-actor"))]
mod alloc;
#[cfg(feature = "fil-actor")]
mod fvm;

pub mod account;
pub mod eam;
pub mod holder;
pub mod init;
pub mod market;
pub mod system;

pub use filmark_actor_shared::ActorError;
/// FRC-42 `InvokeEVM`: what Lotus sends for an Ethereum transaction with a `to` address,
/// including a plain ETH value transfer. Every actor that may receive ETH-style value accepts it.
pub use filmark_actor_shared::abi::INVOKE_EVM_METHOD;

/// The wasm entry point every actor module (`entry/<actor>.rs`) exports as `invoke`.
#[cfg(feature = "fil-actor")]
pub mod wasm {
    pub use crate::fvm::invoke;
}

use fvm_shared::{ActorID, MethodNum};

/// The result of an actor method.
pub type ActorResult<T> = Result<T, ActorError>;

/// FRC-46 universal receiver hook `Receive`, called on a token transfer's recipient.
pub const RECEIVE_METHOD: MethodNum = frc42_dispatch::method_hash!("Receive");

/// The first FRC-42 exported method number (2^24): user actors may call only these on builtin
/// actors.
pub const FIRST_EXPORTED_METHOD_NUMBER: MethodNum = 1 << 24;

/// ID of the system actor (`f00`).
pub const SYSTEM_ACTOR_ID: ActorID = 0;
/// ID of the init actor (`f01`).
pub const INIT_ACTOR_ID: ActorID = 1;
/// ID of the reward actor (`f02`).
pub const REWARD_ACTOR_ID: ActorID = 2;
/// ID of the storage market actor (`f05`).
pub const STORAGE_MARKET_ACTOR_ID: ActorID = 5;
/// ID of the Ethereum address manager (`f010`).
pub const EAM_ACTOR_ID: ActorID = 10;
/// ID of the burnt funds actor (`f099`).
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;

/// Manifest names of the builtin actors, in the order the bundle lists them. The FVM requires
/// `system`, `init`, `account`, `placeholder`, `eam` and `ethaccount`; `storagemarket` and
/// `reward` are the names Lotus uses for the other two. The burnt funds actor (`f099`) runs the
/// `reward` code: both are plain value sinks here.
pub const MANIFEST_NAMES: [&str; 8] = [
    "system",
    "init",
    "account",
    "placeholder",
    "eam",
    "ethaccount",
    "storagemarket",
    "reward",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_method_numbers_match_the_protocol() {
        assert_eq!(INVOKE_EVM_METHOD, 3_844_450_837);
        assert_eq!(RECEIVE_METHOD, 3_726_118_371);
    }
}
