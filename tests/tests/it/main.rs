//! Every scenario on three chains: an in-process devnet in memory, one on a redb data directory,
//! and HTTP JSON-RPC against a spawned `filmark devnet` process.

use filmark_tests::{InProcessChain, RpcChain, in_process, rpc};

fn in_memory() -> InProcessChain {
    in_process::start().expect("the devnet starts")
}

fn on_disk() -> InProcessChain {
    in_process::on_disk().expect("the devnet starts on a data directory")
}

fn over_rpc() -> RpcChain {
    rpc::spawn().expect("filmark devnet starts")
}

/// One test per scenario and chain: `<scenario>::{in_memory, on_disk, over_rpc}`.
macro_rules! on_every_chain {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn in_memory() {
                filmark_tests::scenarios::$scenario(&super::in_memory()).unwrap();
            }

            #[test]
            fn on_disk() {
                filmark_tests::scenarios::$scenario(&super::on_disk()).unwrap();
            }

            #[test]
            fn over_rpc() {
                filmark_tests::scenarios::$scenario(&super::over_rpc()).unwrap();
            }
        }
    )*};
}

on_every_chain!(
    registry_lifecycle,
    eth_account_calls_registry_with_abi,
    escrow_lifecycle,
    sponsored_order,
    escrow_early_termination,
    escrow_market_settlement_after_completion,
    escrow_late_settle,
);
