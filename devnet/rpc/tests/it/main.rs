//! The RPC crate's integration tests (one binary): the Ethereum namespace through dispatch,
//! the server over real sockets (transport, Lotus methods, controls, fuzzing), real clients.

mod alloy;
mod clients;
mod common;
mod controls;
mod deal_client;
mod eth;
mod evm;
mod evm_bad_input;
mod evm_precompiles;
mod fevm_calls;
mod fuzz;
mod history;
mod lotus;
mod provider;
mod solc;
mod subscribe;
mod support;
mod transport;
