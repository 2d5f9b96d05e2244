#![doc = include_str!("../README.md")]

mod control;
mod error;
mod eth;
mod in_process;
mod jsonrpc;
mod lotus;
mod lotus_json;
mod params;
mod provider;
mod server;
mod subscribe;
mod table;

pub use control::MAX_MINE;
pub use error::{Error, RpcError};
pub use eth::{CLIENT_VERSION, MAX_RAW_TX_BYTES};
pub use in_process::InProcess;
pub use provider::{MAX_UPLOAD_BYTES, PROVIDER_CAR_PATH};
pub use server::{
    DEFAULT_PORT, MAX_BATCH, MAX_BODY_BYTES, MAX_DEPTH, RPC_PATH, RpcConfig, RpcServer,
};
pub use subscribe::{Framing, HeadChange, Subscriber, SubscriptionId, Subscriptions};
pub use table::{Context, MethodInfo, dispatch, methods};
