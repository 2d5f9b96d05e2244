//! Integration tests of the devnet: the real FVM with the devnet's builtin actors.

mod atomic;
mod bad_input;
mod calls;
mod config;
mod deploy;
mod gas_trace;
mod inclusion;
mod indexes;
mod install;
mod market;
mod mining;
mod pool;
mod snapshot;
mod time;
mod transfer;
mod waiting;

use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle};

/// A quiet, instantly mining devnet.
pub(crate) fn devnet() -> DevnetHandle {
    Devnet::spawn(DevnetConfig::test()).expect("devnet starts")
}
