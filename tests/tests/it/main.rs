//! Every scenario, run on an in-process devnet and over HTTP JSON-RPC against a spawned
//! `filmark devnet` process.

use filmark_tests::{InProcess, Rpc, scenarios};

fn chain() -> InProcess {
    InProcess::start().expect("the devnet starts")
}

#[test]
fn registry_lifecycle_in_process() {
    scenarios::registry_lifecycle(&chain()).unwrap();
}

#[test]
fn eth_account_calls_registry_with_abi_in_process() {
    scenarios::eth_account_calls_registry_with_abi(&chain()).unwrap();
}

#[test]
fn escrow_lifecycle_in_process() {
    scenarios::escrow_lifecycle(&chain()).unwrap();
}

#[test]
fn sponsored_order_in_process() {
    scenarios::sponsored_order(&chain()).unwrap();
}

fn rpc() -> Rpc {
    Rpc::spawn().expect("filmark devnet starts")
}

#[test]
fn registry_lifecycle_over_rpc() {
    scenarios::registry_lifecycle(&rpc()).unwrap();
}

#[test]
fn eth_account_calls_registry_with_abi_over_rpc() {
    scenarios::eth_account_calls_registry_with_abi(&rpc()).unwrap();
}

#[test]
fn escrow_lifecycle_over_rpc() {
    scenarios::escrow_lifecycle(&rpc()).unwrap();
}

#[test]
fn sponsored_order_over_rpc() {
    scenarios::sponsored_order(&rpc()).unwrap();
}
