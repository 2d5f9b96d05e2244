#![doc = include_str!("../README.md")]

pub mod content;
mod error;
/// Keys, Lotus-compatible message signatures and Ethereum transactions (f1, f410, EIP-1559).
pub mod keys;

pub use error::{Error, Result};
