#![doc = include_str!("../README.md")]

pub mod client;
pub mod content;
mod error;
/// Keys, Lotus-compatible message signatures and Ethereum transactions (f1, f410, EIP-1559).
pub mod keys;
pub mod network;
pub mod transport;

pub use client::{Client, EscrowClient, RegistryClient, Signer};
pub use error::{Error, Result};
pub use network::{Network, NetworkDeployment};
#[cfg(feature = "http")]
pub use transport::HttpTransport;
pub use transport::Transport;

/// The crates whose types the SDK's API takes and returns, re-exported so a caller needs no
/// version of its own: addresses, amounts, exit codes (`fvm_shared`), CBOR (`fvm_ipld_encoding`),
/// CIDs (`cid`), the ABI types (`alloy_sol_types`, `alloy_primitives`), the actors' Solidity
/// interfaces (`filmark_abi`) and their CBOR types (`filmark_registry`, `filmark_escrow`).
pub mod reexports {
    pub use alloy_primitives;
    pub use alloy_sol_types;
    pub use cid;
    pub use filmark_abi;
    pub use filmark_escrow;
    pub use filmark_registry;
    pub use fvm_ipld_encoding;
    pub use fvm_shared;
}
