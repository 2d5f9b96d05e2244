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

use fvm_shared::MethodNum;

/// The result of an actor method.
pub type ActorResult<T> = Result<T, ActorError>;

/// FRC-46 universal receiver hook `Receive`, called on a token transfer's recipient.
pub const RECEIVE_METHOD: MethodNum = frc42_dispatch::method_hash!("Receive");

/// IDs of the builtin singleton actors (one definition for the workspace).
pub use filmark_actor_shared::builtin::{
    BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID, REWARD_ACTOR_ID, STORAGE_MARKET_ACTOR_ID,
    SYSTEM_ACTOR_ID,
};

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
