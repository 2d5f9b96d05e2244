#![doc = include_str!("../README.md")]

pub use filmark_wasm_build::code_cid;

/// The Filmark content registry actor (`filmark-registry`).
pub const REGISTRY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/registry.wasm"));

/// The Filmark storage-deal escrow actor (`filmark-escrow`).
pub const ESCROW_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/escrow.wasm"));

/// Filmark's actors as (name, wasm module).
pub const FILMARK_ACTORS: &[(&str, &[u8])] =
    &[("registry", REGISTRY_WASM), ("escrow", ESCROW_WASM)];
