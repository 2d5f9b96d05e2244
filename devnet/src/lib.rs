#![doc = include_str!("../README.md")]

mod basefee;
mod chain;
mod config;
mod controls;
mod deals;
mod devnet;
mod error;
mod externs;
mod gas;
mod genesis;
mod index;
mod keys;
mod mempool;
mod miner;
mod node;
mod provider;
mod provider_car;
mod reader;
mod records;
mod redb_kv;
mod store;
mod trace;
mod verified;

pub use chain::{BlockHeader, MessageLookup, MessageRecord, Receipt, Tipset, TipsetRef};
pub use config::*;
pub use devnet::{Deployed, Devnet, DevnetHandle};
pub use error::{Error, Result, Shortfall};
pub use filmark_sdk::keys::{SigType, Signature, SignedMessage, message_cid};
pub use gas::{GasBreakdown, GasLine};
pub use genesis::{
    BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_TOKEN_ACTOR_ID, EAM_ACTOR_ID, FIRST_NEW_ACTOR_ID,
    FIRST_NON_SINGLETON_ID, GenesisAccount, INIT_ACTOR_ID, MARKET_ACTOR_ID, REWARD_ACTOR_ID,
    STORAGE_POWER_ACTOR_ID, SYSTEM_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID, code_cid,
};
pub use index::{Log, LogFilter};
pub use keys::{DevnetKey, ETH_KEY_INDEX_OFFSET, KeyKind};
pub use node::{CallAt, CallResult, spawn_fvm_thread};
pub use provider::{
    DEAL_START_DELAY, MINER_POST_PROOF, OfferState, PROVIDER_FUNDS_FIL, PROVIDER_SEED,
    ProviderRecord, Rejection, SimProvider,
};
pub use redb_kv::{DATA_FILE, RedbKv};
pub use store::{
    BatchOp, EntryVisitor, KvStore, MemoryKv, SCHEMA, SCHEMA_KEY, Store, Table, WriteBatch,
};
pub use trace::{CallTrace, TraceBlock};
pub use verified::VerifiedMessage;
