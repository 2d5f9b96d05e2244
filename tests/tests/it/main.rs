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

#[test]
fn escrow_early_termination_in_process() {
    scenarios::escrow_early_termination(&chain()).unwrap();
}

#[test]
fn escrow_market_settlement_after_completion_in_process() {
    scenarios::escrow_market_settlement_after_completion(&chain()).unwrap();
}

#[test]
fn escrow_late_settle_in_process() {
    scenarios::escrow_late_settle(&chain()).unwrap();
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

#[test]
fn escrow_early_termination_over_rpc() {
    scenarios::escrow_early_termination(&rpc()).unwrap();
}

#[test]
fn escrow_market_settlement_after_completion_over_rpc() {
    scenarios::escrow_market_settlement_after_completion(&rpc()).unwrap();
}

#[test]
fn escrow_late_settle_over_rpc() {
    scenarios::escrow_late_settle(&rpc()).unwrap();
}
