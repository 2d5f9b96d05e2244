//! The RPC crate's integration tests (one binary): the Ethereum namespace through dispatch,
//! the server over real sockets (transport, Lotus methods, controls, fuzzing), real clients.

mod alloy;
mod clients;
mod common;
mod controls;
mod eth;
mod evm;
mod fuzz;
mod history;
mod lotus;
mod provider;
mod subscribe;
mod support;
mod transport;
