//! Every scenario on three chains: an in-process devnet in memory, one on a redb data directory,
//! and HTTP JSON-RPC against a spawned `filmark devnet` process; and against the Solidity twins
//! (f1 users, whose calls to a twin are ABI calldata).

use filmark_tests::{Implementation, InProcessChain, RpcChain, Users, in_process, rpc};

fn in_memory() -> InProcessChain {
    in_process::start().expect("the devnet starts")
}

fn on_disk() -> InProcessChain {
    in_process::on_disk().expect("the devnet starts on a data directory")
}

fn over_rpc() -> RpcChain {
    rpc::spawn().expect("filmark devnet starts")
}

fn twins_in_memory() -> InProcessChain {
    in_memory().with(Implementation::Twin, Users::F1)
}

/// One test per scenario and chain: `<scenario>::{in_memory, on_disk, over_rpc, twin}`.
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

            #[test]
            fn twin() {
                filmark_tests::scenarios::$scenario(&super::twins_in_memory()).unwrap();
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
    escrow_app_keys_and_replicas,
);

/// The twins over HTTP: ABI reads through `eth_call`, a twin's revert mapped from its data.
mod twin_over_rpc {
    use filmark_tests::{Implementation, Users, scenarios};

    #[test]
    fn eth_account_calls_registry_with_abi() {
        let chain = super::over_rpc().with(Implementation::Twin, Users::F1);
        scenarios::eth_account_calls_registry_with_abi(&chain).unwrap();
    }

    #[test]
    fn registry_lifecycle() {
        let chain = super::over_rpc().with(Implementation::Twin, Users::Eth);
        scenarios::registry_lifecycle(&chain).unwrap();
    }
}

/// Each scenario against the native actors and the twins on one devnet, with f410 users (the
/// SDK's ABI clients): the same events, balances and records ([`filmark_tests::parity`]).
mod parity {
    use filmark_tests::parity::native_and_twin_agree;
    use filmark_tests::scenarios;

    macro_rules! parity {
        ($($scenario:ident),* $(,)?) => {$(
            #[test]
            fn $scenario() {
                let traces = native_and_twin_agree(scenarios::$scenario).unwrap();
                let events: usize = traces
                    .iter()
                    .map(|t| t.registry_events.len() + t.escrow_events.len())
                    .sum();
                let records: usize = traces
                    .iter()
                    .flat_map(|t| &t.records)
                    .map(|r| r.records.len())
                    .sum();
                eprintln!(
                    "{}: {} deployments, {events} events, {records} records compared",
                    stringify!($scenario),
                    traces.len()
                );
                assert!(events > 0, "the runs emitted events to compare");
            }
        )*};
    }

    parity!(
        registry_lifecycle,
        eth_account_calls_registry_with_abi,
        escrow_lifecycle,
        sponsored_order,
        escrow_early_termination,
        escrow_market_settlement_after_completion,
        escrow_late_settle,
        escrow_app_keys_and_replicas,
    );
}

/// The escrow twin against the plain model and the native escrow, deals bound, activated,
/// slashed and settled: `FILMARK_TWIN_CASES` random sequences (64 by default), Σ accounts =
/// balance after every step ([`filmark_tests::twin_model`]).
#[test]
fn twin_model() {
    let cases = filmark_tests::twin_model::cases();
    let stats = filmark_tests::twin_model::run(cases).unwrap();
    eprintln!("twin model: {cases} cases, {stats:?}");
    assert!(
        stats.accepted > 0 && stats.refused > 0 && stats.bound > 0 && stats.paid > 0,
        "both outcomes exercised, deals bound and paid: {stats:?}"
    );
}
