#![doc = include_str!("../README.md")]

pub mod chain;
pub mod in_process;
pub mod parity;
pub mod rpc;
pub mod scenarios;
pub mod twin_model;

pub use chain::{
    Backend, Chain, ChainStore, Error, EthLog, Filmark, Implementation, Node, Result, Users,
    exit_code,
};
pub use in_process::InProcessChain;
pub use rpc::RpcChain;
