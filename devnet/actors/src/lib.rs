#![doc = include_str!("../README.md")]

#[cfg(all(target_arch = "wasm32", feature = "fil-actor"))]
mod alloc;
#[cfg(feature = "fil-actor")]
mod fvm;

pub mod account;
pub mod eam;
pub mod evm;
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

/// The first FRC-42 exported method number (2^24): user actors may call only these on builtin
/// actors.
pub const FIRST_EXPORTED_METHOD_NUMBER: MethodNum = 1 << 24;

/// IDs of the builtin singleton actors (one definition for the workspace).
pub use filmark_actor_shared::builtin::{
    BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID, REWARD_ACTOR_ID, STORAGE_MARKET_ACTOR_ID,
    SYSTEM_ACTOR_ID,
};

/// The builtin actors' manifest names: the FVM finds each builtin actor type's code CID in the
/// system actor's manifest by these names.
pub mod manifest {
    /// The system actor (`f00`).
    pub const SYSTEM: &str = "system";
    /// The init actor (`f01`).
    pub const INIT: &str = "init";
    /// The account actor (`f1`/`f3` keys).
    pub const ACCOUNT: &str = "account";
    /// The placeholder actor (unknown `f410` addresses).
    pub const PLACEHOLDER: &str = "placeholder";
    /// The Ethereum address manager (`f010`).
    pub const EAM: &str = "eam";
    /// The ethaccount actor (`f410` keys).
    pub const ETHACCOUNT: &str = "ethaccount";
    /// The storage market (`f05`); the name Lotus uses.
    pub const STORAGE_MARKET: &str = "storagemarket";
    /// The reward actor (`f02`); the burnt funds actor (`f099`) runs the same code, both are
    /// plain value sinks here.
    pub const REWARD: &str = "reward";
    /// The EVM actor (one instance per Solidity contract), module of `filmark-devnet-evm`.
    pub const EVM: &str = "evm";

    /// The names the FVM requires in a manifest.
    pub const REQUIRED: [&str; 6] = [SYSTEM, INIT, ACCOUNT, PLACEHOLDER, EAM, ETHACCOUNT];

    /// Every builtin actor's name, in the order the bundle lists them: [`REQUIRED`] first.
    pub const NAMES: [&str; 9] = [
        SYSTEM,
        INIT,
        ACCOUNT,
        PLACEHOLDER,
        EAM,
        ETHACCOUNT,
        STORAGE_MARKET,
        REWARD,
        EVM,
    ];

    /// The FVM's builtin type id of the actor named `name`: its position in [`NAMES`] counting
    /// from 1 (0 is "not a builtin"), as `fvm`'s manifest numbers them.
    ///
    /// # Panics
    ///
    /// At compile time (in a const) when `name` is not in [`NAMES`].
    pub const fn type_id(name: &str) -> i32 {
        let mut i = 0;
        while i < NAMES.len() {
            if NAMES[i].len() == name.len() {
                let (a, b) = (NAMES[i].as_bytes(), name.as_bytes());
                let mut j = 0;
                while j < a.len() && a[j] == b[j] {
                    j += 1;
                }
                if j == a.len() {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                    return i as i32 + 1;
                }
            }
            i += 1;
        }
        panic!("not a builtin actor name")
    }

    /// The EVM actor's builtin type id.
    pub const EVM_TYPE: i32 = type_id(EVM);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_names_are_distinct_and_the_required_come_first() {
        let mut names = manifest::NAMES.to_vec();
        assert_eq!(names[..manifest::REQUIRED.len()], manifest::REQUIRED);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), manifest::NAMES.len());
    }

    #[test]
    fn shared_method_numbers_match_the_protocol() {
        assert_eq!(INVOKE_EVM_METHOD, 3_844_450_837);
        assert_eq!(RECEIVE_METHOD, 3_726_118_371);
    }
}
