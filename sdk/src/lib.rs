#![doc = include_str!("../README.md")]

pub mod content;
mod error;

pub use error::{Error, Result};
