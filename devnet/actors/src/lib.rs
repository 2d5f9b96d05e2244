#![doc = include_str!("../README.md")]

#[cfg(all(target_arch = "wasm32", feature = "fil-actor"))]
mod alloc;
mod error;
#[cfg(feature = "fil-actor")]
mod fvm;
mod method;

pub mod account;
pub mod eam;
pub mod ethaccount;
pub mod init;
pub mod market;
pub mod placeholder;
pub mod reward;
pub mod system;

pub use error::{ActorError, ActorResult};
pub use method::{INVOKE_EVM_METHOD, RECEIVE_METHOD};

use fvm_shared::ActorID;

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

// A wasm build exports exactly one actor: the cargo feature names it.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(
    (cfg!(feature = "system") as u8
        + cfg!(feature = "init") as u8
        + cfg!(feature = "account") as u8
        + cfg!(feature = "placeholder") as u8
        + cfg!(feature = "ethaccount") as u8
        + cfg!(feature = "eam") as u8
        + cfg!(feature = "reward") as u8
        + cfg!(feature = "market") as u8)
        <= 1,
    "enable at most one actor feature when building filmark-devnet-actors for wasm"
);

/// The wasm entry point the FVM calls: dispatches to the actor selected by the cargo feature.
#[cfg(all(
    target_arch = "wasm32",
    any(
        feature = "system",
        feature = "init",
        feature = "account",
        feature = "placeholder",
        feature = "ethaccount",
        feature = "eam",
        feature = "reward",
        feature = "market"
    )
))]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    #[cfg(feature = "system")]
    let dispatch = system::dispatch;
    #[cfg(feature = "init")]
    let dispatch = init::dispatch;
    #[cfg(feature = "account")]
    let dispatch = account::dispatch;
    #[cfg(feature = "placeholder")]
    let dispatch = placeholder::dispatch;
    #[cfg(feature = "ethaccount")]
    let dispatch = ethaccount::dispatch;
    #[cfg(feature = "eam")]
    let dispatch = eam::dispatch;
    #[cfg(feature = "reward")]
    let dispatch = reward::dispatch;
    #[cfg(feature = "market")]
    let dispatch = market::dispatch;
    fvm::invoke(params, dispatch)
}
