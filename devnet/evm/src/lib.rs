#![doc = include_str!("../README.md")]

#[cfg(feature = "fil-actor")]
mod actor;
#[cfg(all(target_arch = "wasm32", feature = "fil-actor"))]
mod alloc;
#[cfg(feature = "fil-actor")]
mod host;
#[cfg(feature = "fil-actor")]
mod precompiles;

pub mod address;

pub use filmark_actor_shared::ActorError;

/// The wasm entry point of the module (`entry/evm.rs`).
#[cfg(feature = "fil-actor")]
pub use actor::invoke;

/// The result of an actor method.
pub type ActorResult<T> = Result<T, ActorError>;
