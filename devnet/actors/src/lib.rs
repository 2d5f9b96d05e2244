#![doc = include_str!("../README.md")]

#[cfg(all(target_arch = "wasm32", feature = "fil-actor"))]
mod alloc;
#[cfg(feature = "fil-actor")]
mod fvm;

pub mod account;
pub mod datacap;
pub mod eam;
pub mod holder;
pub mod init;
pub mod market;
pub mod miner;
pub mod power;
pub mod stub;
pub mod system;
pub mod verifreg;

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

/// The cron actor (`f03`).
pub const CRON_ACTOR_ID: fvm_shared::ActorID = 3;
/// The storage power actor (`f04`).
pub const STORAGE_POWER_ACTOR_ID: fvm_shared::ActorID = 4;
/// The verified registry actor (`f06`).
pub const VERIFIED_REGISTRY_ACTOR_ID: fvm_shared::ActorID = 6;
/// The DataCap token actor (`f07`).
pub const DATACAP_TOKEN_ACTOR_ID: fvm_shared::ActorID = 7;

/// The builtin actor type ids (`fvm` numbers builtin types by their position in the manifest,
/// from 1): mainnet's order, builtin-actors' `Type` enum, which [`manifest::NAMES`] follows.
pub mod types {
    /// The system actor.
    pub const SYSTEM: i32 = 1;
    /// The init actor.
    pub const INIT: i32 = 2;
    /// The cron actor.
    pub const CRON: i32 = 3;
    /// The account actor.
    pub const ACCOUNT: i32 = 4;
    /// The storage power actor.
    pub const POWER: i32 = 5;
    /// The storage miner actor.
    pub const MINER: i32 = 6;
    /// The storage market actor.
    pub const MARKET: i32 = 7;
    /// The payment channel actor.
    pub const PAYMENT_CHANNEL: i32 = 8;
    /// The multisig actor.
    pub const MULTISIG: i32 = 9;
    /// The reward actor.
    pub const REWARD: i32 = 10;
    /// The verified registry actor.
    pub const VERIFIED_REGISTRY: i32 = 11;
    /// The DataCap token actor.
    pub const DATACAP: i32 = 12;
    /// The placeholder actor.
    pub const PLACEHOLDER: i32 = 13;
    /// The EVM actor.
    pub const EVM: i32 = 14;
    /// The Ethereum address manager.
    pub const EAM: i32 = 15;
    /// The ethaccount actor.
    pub const ETHACCOUNT: i32 = 16;
}

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
    /// The reward actor (`f02`): a plain value sink here.
    pub const REWARD: &str = "reward";
    /// The cron actor (`f03`): a stub here.
    pub const CRON: &str = "cron";
    /// The storage power actor (`f04`).
    pub const STORAGE_POWER: &str = "storagepower";
    /// The storage miner actor, one per provider created through the power actor.
    pub const STORAGE_MINER: &str = "storageminer";
    /// The payment channel actor: a stub here.
    pub const PAYMENT_CHANNEL: &str = "paymentchannel";
    /// The multisig actor: a stub here.
    pub const MULTISIG: &str = "multisig";
    /// The verified registry (`f06`).
    pub const VERIFIED_REGISTRY: &str = "verifiedregistry";
    /// The DataCap token (`f07`).
    pub const DATACAP: &str = "datacap";
    /// The EVM actor: a stub here, until the devnet has its own.
    pub const EVM: &str = "evm";

    /// The names the FVM requires in a manifest.
    pub const REQUIRED: [&str; 6] = [SYSTEM, INIT, ACCOUNT, PLACEHOLDER, EAM, ETHACCOUNT];

    /// Every builtin actor's name in mainnet's manifest order: the name at index `i` is the
    /// builtin type `i + 1` (see [`crate::types`]).
    pub const NAMES: [&str; 16] = [
        SYSTEM,
        INIT,
        CRON,
        ACCOUNT,
        STORAGE_POWER,
        STORAGE_MINER,
        STORAGE_MARKET,
        PAYMENT_CHANNEL,
        MULTISIG,
        REWARD,
        VERIFIED_REGISTRY,
        DATACAP,
        PLACEHOLDER,
        EVM,
        EAM,
        ETHACCOUNT,
    ];

    /// The builtin type id of the actor named `name` (its position in [`NAMES`], from 1).
    #[must_use]
    pub fn type_of(name: &str) -> Option<i32> {
        let index = NAMES.iter().position(|n| *n == name)?;
        i32::try_from(index + 1).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_names_are_distinct_and_include_the_required() {
        let mut names = manifest::NAMES.to_vec();
        for name in manifest::REQUIRED {
            assert!(names.contains(&name), "{name}");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), manifest::NAMES.len());
    }

    #[test]
    fn type_ids_follow_mainnet_order() {
        use manifest::type_of;
        assert_eq!(type_of(manifest::SYSTEM), Some(types::SYSTEM));
        assert_eq!(type_of(manifest::INIT), Some(types::INIT));
        assert_eq!(type_of(manifest::CRON), Some(types::CRON));
        assert_eq!(type_of(manifest::ACCOUNT), Some(types::ACCOUNT));
        assert_eq!(type_of(manifest::STORAGE_POWER), Some(types::POWER));
        assert_eq!(type_of(manifest::STORAGE_MINER), Some(types::MINER));
        assert_eq!(type_of(manifest::STORAGE_MARKET), Some(types::MARKET));
        assert_eq!(
            type_of(manifest::PAYMENT_CHANNEL),
            Some(types::PAYMENT_CHANNEL)
        );
        assert_eq!(type_of(manifest::MULTISIG), Some(types::MULTISIG));
        assert_eq!(type_of(manifest::REWARD), Some(types::REWARD));
        assert_eq!(
            type_of(manifest::VERIFIED_REGISTRY),
            Some(types::VERIFIED_REGISTRY)
        );
        assert_eq!(type_of(manifest::DATACAP), Some(types::DATACAP));
        assert_eq!(type_of(manifest::PLACEHOLDER), Some(types::PLACEHOLDER));
        assert_eq!(type_of(manifest::EVM), Some(types::EVM));
        assert_eq!(type_of(manifest::EAM), Some(types::EAM));
        assert_eq!(type_of(manifest::ETHACCOUNT), Some(types::ETHACCOUNT));
        assert_eq!(type_of("nope"), None);
    }

    #[test]
    fn shared_method_numbers_match_the_protocol() {
        assert_eq!(INVOKE_EVM_METHOD, 3_844_450_837);
        assert_eq!(RECEIVE_METHOD, 3_726_118_371);
    }
}
