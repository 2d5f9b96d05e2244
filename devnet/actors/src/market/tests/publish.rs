//! What `PublishStorageDeals` accepts: the proposal rules under each policy, then the checks
//! against the market's state.

use super::*;
use crate::market::policy::{EPOCHS_IN_DAY, total_filecoin, validate_proposal};
use crate::market::state::check_withdrawal;

/// 2 billion FIL in circulation.
fn circ() -> TokenAmount {
    TokenAmount::from_whole(2_000_000_000)
}

#[test]
fn policies_have_the_builtin_actors_numbers() {
    let devnet = MarketPolicy::devnet();
    assert_eq!(devnet, MarketPolicy::default());
    assert_eq!(
        (devnet.min_duration, devnet.max_duration),
        (518_400, 3_680_640)
    );
    assert_eq!(devnet.deal_updates_interval, 86_400);
    assert_eq!(
        (devnet.prov_collateral_num, devnet.prov_collateral_denom),
        (1, 100)
    );
    assert_eq!(devnet.max_sector_size, 8 << 20);
    let mainnet = MarketPolicy::mainnet();
    assert_eq!(mainnet.max_sector_size, 64 << 30);
    assert_eq!(
        MarketPolicy {
            max_sector_size: 8 << 20,
            ..mainnet
        },
        devnet
    );
    assert_eq!(EPOCHS_IN_DAY * 180, devnet.min_duration);
    assert_eq!(total_filecoin(), TokenAmount::from_whole(2_000_000_000));
}

#[test]
fn provider_collateral_is_a_share_of_the_circulating_supply() {
    let policy = MarketPolicy::devnet();
    let (min, max) = policy.provider_collateral_bounds(2048, &circ());
    // 2e27 atto × 1/100 × 2048 / 2_888_888_880_000_000_000 = 14_178_461_582.08 (floored)
    assert_eq!(min, TokenAmount::from_atto(14_178_461_582u64));
    assert_eq!(max, total_filecoin());
    // A piece larger than the network power is its own denominator: 1% of the supply.
    let huge = MarketPolicy {
        network_power: 1,
        ..policy
    };
    assert_eq!(
        huge.provider_collateral_bounds(2048, &circ()).0,
        TokenAmount::from_whole(20_000_000)
    );
    // The fast policy (for tests) asks for none.
    let fast = MarketPolicy::fast().provider_collateral_bounds(2048, &circ());
    assert!(fast.0.is_zero());
}

#[test]
fn proposals_are_checked_as_mainnet() {
    let policy = MarketPolicy::devnet();
    let now = 10;
    let good = || DealProposal {
        end_epoch: START + policy.min_duration,
        provider_collateral: TokenAmount::from_nano(15),
        ..proposal()
    };
    assert!(validate_proposal(&good(), now, &policy, &circ()).is_ok());
    let at_start = DealProposal {
        start_epoch: now,
        end_epoch: now + policy.min_duration,
        ..good()
    };
    assert!(
        validate_proposal(&at_start, now, &policy, &circ()).is_ok(),
        "start == now"
    );
    let longest = DealProposal {
        end_epoch: START + policy.max_duration,
        ..good()
    };
    assert!(validate_proposal(&longest, now, &policy, &circ()).is_ok());

    type Breaker = fn(&mut DealProposal);
    let cases: [(&str, Breaker); 13] = [
        ("label", |p| p.label = Label::Bytes(vec![0; 257])),
        ("piece size", |p| p.piece_size = PaddedPieceSize(1000)),
        ("piece size", |p| p.piece_size = PaddedPieceSize(64)),
        ("not a piece CID", |p| p.piece_cid = Cid::default()),
        ("end epoch", |p| p.end_epoch = p.start_epoch),
        ("elapsed", |p| p.start_epoch = 9),
        ("duration", |p| p.end_epoch -= 1),
        ("duration", |p| {
            p.end_epoch = p.start_epoch + 1278 * EPOCHS_IN_DAY + 1
        }),
        ("storage price", |p| {
            p.storage_price_per_epoch = TokenAmount::from_atto(-1)
        }),
        ("storage price", |p| {
            p.storage_price_per_epoch = total_filecoin() + TokenAmount::from_atto(1)
        }),
        ("provider collateral", |p| {
            p.provider_collateral = TokenAmount::from_atto(14_178_461_581u64)
        }),
        ("provider collateral", |p| {
            p.provider_collateral = total_filecoin() + TokenAmount::from_atto(1)
        }),
        ("client collateral", |p| {
            p.client_collateral = TokenAmount::from_atto(-1)
        }),
    ];
    for (reason, break_it) in cases {
        let mut p = good();
        break_it(&mut p);
        let err = validate_proposal(&p, now, &policy, &circ()).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(err.msg().contains(reason), "{reason}: {}", err.msg());
    }
    // The fast policy takes a one-epoch deal; the devnet and mainnet ones do not.
    let short = DealProposal {
        end_epoch: START + 1,
        ..good()
    };
    assert!(validate_proposal(&short, now, &MarketPolicy::fast(), &circ()).is_ok());
    assert!(validate_proposal(&short, now, &MarketPolicy::mainnet(), &circ()).is_err());
}

#[test]
fn publishing_locks_funds() {
    let mut h = Harness::new();
    let id = h.publish();
    assert_eq!(id, 0);
    // Fee 10 × 100 + client collateral 50; provider collateral 300.
    assert_eq!(h.balance(CLIENT), (atto(5_000), atto(1_050)));
    assert_eq!(h.balance(PROVIDER), (atto(1_000), atto(300)));
    assert_eq!(h.state.deal(&h.store, id).unwrap().state, DealState::NEW);
    h.check();
}

#[test]
fn a_batch_skips_invalid_deals_and_fails_with_16_when_none_is_valid() {
    let mut h = Harness::new();
    let second = DealProposal {
        label: Label::String("two".into()),
        ..proposal()
    };
    let greedy = DealProposal {
        label: Label::String("greedy".into()),
        provider_collateral: atto(701),
        ..proposal()
    };
    let verified = DealProposal {
        verified_deal: true,
        label: Label::String("v".into()),
        ..proposal()
    };
    let other = DealProposal {
        provider: Address::new_id(CLIENT),
        label: Label::String("o".into()),
        ..proposal()
    };
    // The duplicate in the batch, the deal the provider's escrow no longer covers (300 + 300
    // + 701 > 1000), the verified one and the other provider's are skipped.
    let ids = h
        .publish_all(vec![
            proposal(),
            proposal(),
            second,
            greedy,
            verified,
            other,
        ])
        .unwrap();
    assert_eq!(ids, [0, 1]);
    assert_eq!(h.balance(PROVIDER), (atto(1_000), atto(600)));
    h.check();

    // A proposal still pending is a duplicate: a batch of only that fails with 16 and changes
    // nothing.
    let before = h.state.clone();
    let err = h.publish_all(vec![proposal()]).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert!(err.msg().contains("duplicate"), "{}", err.msg());
    assert_eq!(h.state, before);

    // The client's cumulative lockup counts: 5000 - 2100 locked leaves room for 2 more deals.
    let more: Vec<_> = (0..3)
        .map(|i| DealProposal {
            label: Label::String(format!("m{i}")),
            provider_collateral: atto(0),
            ..proposal()
        })
        .collect();
    assert_eq!(h.publish_all(more).unwrap(), [2, 3]);
    assert_eq!(h.balance(CLIENT), (atto(5_000), atto(4_200)));
    h.check();
}

#[test]
fn a_pending_proposal_can_be_published_again_once_updated() {
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, START);
    // The first update after activation (here the cron's scheduled visit) clears it.
    let first = h.state.policy.next_update_epoch(id, START);
    h.cron(first);
    assert_eq!(h.publish_all(vec![proposal()]).unwrap(), [1]);
    h.check();
}

#[test]
fn controlling_addresses_are_owner_worker_and_controls() {
    let info = ProviderInfo {
        owner: 1,
        worker: 2,
        control_addresses: vec![3],
    };
    assert!([1, 2, 3].iter().all(|&a| info.is_controlling(a)));
    assert!(!info.is_controlling(PROVIDER));
    assert!(ProviderInfo::itself(PROVIDER).is_controlling(PROVIDER));
    let mut h = Harness::new();
    assert_eq!(
        h.state.provider(&h.store, PROVIDER).unwrap(),
        ProviderInfo::itself(PROVIDER)
    );
    h.state
        .register_provider(&h.store, PROVIDER, info.clone())
        .unwrap();
    assert_eq!(h.state.provider(&h.store, PROVIDER).unwrap(), info);
}

#[test]
fn only_unlocked_funds_are_withdrawn() {
    let mut h = Harness::new();
    h.publish();
    let taken = h
        .state
        .withdraw_balance(&h.store, CLIENT, &atto(10_000))
        .unwrap();
    assert_eq!(taken, atto(3_950));
    h.actor_balance -= &taken;
    assert_eq!(h.balance(CLIENT), (atto(1_050), atto(1_050)));
    let negative = check_withdrawal(&TokenAmount::from_atto(-1)).unwrap_err();
    assert_eq!(negative.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    let zero = h.state.add_balance(&h.store, CLIENT, &atto(0)).unwrap_err();
    assert_eq!(zero.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    h.check();
}
