#![doc = include_str!("../README.md")]

pub mod content;
pub mod error;
pub mod keys;

/// The version of this package (the crate's version).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
