#![doc = include_str!("../README.md")]

pub mod abi;
pub mod builtin;
pub mod cid;
pub mod counter;
pub mod dispatch;
mod error;
pub mod events;
pub mod hamt;
pub mod invariants;
mod runtime;
pub mod show;

#[cfg(feature = "fil-actor")]
pub mod fvm;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{ActorError, AsActorError};
pub use invariants::MessageAccumulator;
pub use runtime::{Runtime, emit_error, read_only_write_error, response_ok, send_error};

// Re-exported so actors and their users agree on one version.
pub use alloy_primitives;
pub use alloy_sol_types;
pub use frc42_dispatch;
pub use fvm_ipld_blockstore;
pub use fvm_ipld_encoding;
pub use fvm_shared;
