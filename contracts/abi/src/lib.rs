//! The Solidity interfaces of Filmark's actors, declared once: the actors (wasm) decode their
//! `InvokeEVM` (method 3844450837) calldata with them, and the SDK encodes calls with them.
//!
//! `no_std` (with `alloc`); its only dependency is `alloy-sol-types`.

#![no_std]

pub mod escrow;
pub mod registry;

/// The ABI crate the interfaces are built on, for callers that need its traits
/// (`SolCall`, `SolValue`) and primitive types (`Address`, `U256`, `Bytes`).
pub use alloy_sol_types;
pub use escrow::IFilmarkEscrow;
pub use registry::IFilmarkRegistry;
