//! Every scenario, run on an in-process devnet, in memory and on a redb data directory (the RPC
//! run comes with the devnet's JSON-RPC).

use filmark_tests::{InProcess, scenarios};

fn chain() -> InProcess {
    InProcess::start().expect("the devnet starts")
}

fn on_disk() -> InProcess {
    InProcess::on_disk().expect("the devnet starts on a data directory")
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
fn registry_lifecycle_on_disk() {
    scenarios::registry_lifecycle(&on_disk()).unwrap();
}

#[test]
fn eth_account_calls_registry_with_abi_on_disk() {
    scenarios::eth_account_calls_registry_with_abi(&on_disk()).unwrap();
}

#[test]
fn escrow_lifecycle_on_disk() {
    scenarios::escrow_lifecycle(&on_disk()).unwrap();
}

#[test]
fn sponsored_order_on_disk() {
    scenarios::sponsored_order(&on_disk()).unwrap();
}
