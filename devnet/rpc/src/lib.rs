#![doc = include_str!("../README.md")]

mod control;
mod error;
mod eth;
mod lotus;
mod params;
mod table;

pub use error::{Error, RpcError};
pub use table::{Context, MethodInfo, dispatch, methods};
