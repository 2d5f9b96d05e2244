//! Random market histories keep the invariants, and a refused operation changes nothing.

use proptest::prelude::*;

use super::*;
use crate::market::policy::validate_proposal;

/// One step of a random market history.
#[derive(Clone, Debug)]
enum Op {
    Add {
        client: bool,
        amount: u64,
    },
    Withdraw {
        client: bool,
        amount: u64,
    },
    Publish {
        price: u64,
        provider_collateral: u64,
        client_collateral: u64,
        start: i64,
        len: i64,
    },
    Activate {
        deal: u64,
    },
    Terminate {
        deal: u64,
    },
    Settle {
        deals: Vec<u64>,
    },
    Advance {
        epochs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), 0..2_000u64).prop_map(|(client, amount)| Op::Add { client, amount }),
        (any::<bool>(), 0..2_000u64).prop_map(|(client, amount)| Op::Withdraw { client, amount }),
        (0..20u64, 0..500u64, 0..200u64, 0..30i64, 1..60i64).prop_map(
            |(price, provider_collateral, client_collateral, start, len)| Op::Publish {
                price,
                provider_collateral,
                client_collateral,
                start,
                len,
            }
        ),
        (0..8u64).prop_map(|deal| Op::Activate { deal }),
        (0..8u64).prop_map(|deal| Op::Terminate { deal }),
        proptest::collection::vec(0..10u64, 1..4).prop_map(|deals| Op::Settle { deals }),
        (0..25i64).prop_map(|epochs| Op::Advance { epochs }),
    ]
}

proptest! {
    #[test]
    fn random_histories_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        let mut h = Harness::new();
        let mut now: ChainEpoch = 0;
        let mut label = 0;
        for op in ops {
            let before = h.state.clone();
            let party = |client: bool| if client { CLIENT } else { PROVIDER };
            let result = match op.clone() {
                Op::Add { client, amount } => h
                    .state
                    .add_balance(&h.store, party(client), &atto(amount))
                    .map(|()| h.actor_balance += atto(amount)),
                Op::Withdraw { client, amount } => h
                    .state
                    .withdraw_balance(&h.store, party(client), &atto(amount))
                    .map(|taken| h.actor_balance -= taken),
                Op::Publish { price, provider_collateral, client_collateral, start, len } => {
                    label += 1;
                    let p = DealProposal {
                        storage_price_per_epoch: atto(price),
                        provider_collateral: atto(provider_collateral),
                        client_collateral: atto(client_collateral),
                        start_epoch: now + start,
                        end_epoch: now + start + len,
                        label: Label::String(format!("{label}")),
                        ..proposal()
                    };
                    let policy = h.state.policy.clone();
                    validate_proposal(&p, now, &policy, &atto(0))
                        .and_then(|()| h.publish_all(vec![p]))
                        .map(drop)
                }
                Op::Activate { deal } => h
                    .state
                    .activate_deals(&h.store, 1, &[deal], now)
                    .map(|effects| drop(h.apply(effects))),
                Op::Terminate { deal } => h
                    .state
                    .terminate_deals(&h.store, &[deal], now)
                    .map(|effects| drop(h.apply(effects))),
                Op::Settle { deals } => h
                    .state
                    .settle_deal_payments(&h.store, &deals, now)
                    .map(|(ret, effects)| {
                        assert_eq!(ret.results.codes().len(), deals.len());
                        drop(h.apply(effects));
                    }),
                Op::Advance { epochs } => {
                    now += epochs;
                    h.state.cron_tick(&h.store, now).map(|effects| drop(h.apply(effects)))
                }
            };
            if result.is_err() {
                prop_assert_eq!(&h.state, &before, "a refused {:?} changed the state", op);
            }
            h.check();
        }
    }
}
