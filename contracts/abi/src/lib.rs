//! The Solidity interfaces of Filmark's actors, read with `sol!` from the `.sol` files in
//! `contracts/solidity/` (the one definition of the ABI): the actors (wasm) decode their
//! `InvokeEVM` (method 3844450837) calldata with them, the SDK encodes calls with them, and the
//! Solidity twins implement them.
//!
//! `no_std` (with `alloc`); its only dependency is `alloy-sol-types`.

#![no_std]

pub mod errors;
pub mod escrow;
pub mod registry;

/// The ABI crate the interfaces are built on, for callers that need its traits
/// (`SolCall`, `SolValue`) and primitive types (`Address`, `U256`, `Bytes`).
pub use alloy_sol_types;
pub use errors::FilmarkErrors;
pub use escrow::IFilmarkEscrow;
pub use registry::IFilmarkRegistry;
