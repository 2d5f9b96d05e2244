#![doc = include_str!("../README.md")]

mod actors;
mod client;
pub mod content;
pub mod error;
pub mod keys;
mod view;

pub use actors::{Escrow, Registry};
pub use client::{Client, Signer};

/// The version of this package (the crate's version).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
