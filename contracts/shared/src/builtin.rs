//! IDs of the builtin singleton actors every Filecoin network (and the devnet) has at genesis.
//!
//! `fvm_shared` 4.8 does not export them; the `fvm` crate hard-codes the ones it needs
//! (`fvm::init_actor::INIT_ACTOR_ID` = 1, `EAM_ACTOR_ID` = 10, `fvm::machine::REWARD_ACTOR_ID`
//! = 2, `BURNT_FUNDS_ACTOR_ID` = 99) but cannot be compiled into an actor. This is the one
//! definition the workspace uses; the devnet checks it against `fvm`'s public ones.

use fvm_shared::ActorID;

/// The system actor (f00).
pub const SYSTEM_ACTOR_ID: ActorID = 0;
/// The init actor (f01): the only caller of an actor's constructor.
pub const INIT_ACTOR_ID: ActorID = 1;
/// The reward actor (f02).
pub const REWARD_ACTOR_ID: ActorID = 2;
/// The storage market actor (f05).
pub const STORAGE_MARKET_ACTOR_ID: ActorID = 5;
/// The Ethereum Address Manager (f010). Its ID is also the namespace of f410 (delegated
/// Ethereum) addresses.
pub const EAM_ACTOR_ID: ActorID = 10;
/// The burnt funds actor (f099).
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;
