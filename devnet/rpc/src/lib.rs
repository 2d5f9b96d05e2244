#![doc = include_str!("../README.md")]

mod control;
mod error;
mod eth;
mod lotus;
mod params;
mod table;

pub use error::{Error, RpcError};
pub use eth::{CLIENT_VERSION, MAX_RAW_TX_BYTES};
pub use table::{Context, MethodInfo, dispatch, methods};
