#![doc = include_str!("../README.md")]

pub mod chain;
pub mod in_process;
pub mod rpc;
pub mod scenarios;

pub use chain::{Chain, ChainStore, Deployed, Error, EthLog, Outcome, Result};
pub use in_process::InProcess;
pub use rpc::Rpc;
