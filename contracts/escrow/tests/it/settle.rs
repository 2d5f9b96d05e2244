//! `Settle` and `CloseOrder`: providers paid price × active epochs, unearned funds unlocked.
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::ext::market::EX_DEAL_NOT_ACTIVATED;
use filmark_escrow::policy::SETTLEMENT_WINDOW;
use filmark_escrow::types::OrderIdParams;
use fvm_shared::error::ExitCode;

fn close(
    rt: &Rt,
    caller: u64,
    order_id: u64,
) -> Result<Option<fvm_ipld_encoding::ipld_block::IpldBlock>, filmark_actor_shared::ActorError> {
    call(
        rt,
        caller,
        Method::CloseOrder,
        Some(&OrderIdParams { order_id }),
        0,
    )
}

#[test]
fn pays_exactly_the_active_epochs_over_several_settlements() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Pending);
    // Not yet activated, before its start: nothing to pay.
    rt.set_epoch(15);
    let r = settle(&rt, order, &[(1, Act::Pending)], &[]);
    assert!(r.paid.is_zero());
    // Activated at 18 (before start 20): paid from 20 to 40.
    rt.set_epoch(40);
    let r = settle(
        &rt,
        order,
        &[(1, Act::Active(18))],
        &[(PROVIDER, 20 * PRICE)],
    );
    assert_eq!(to_i64(&r.paid), 200);
    // Same epoch again: nothing more.
    settle(&rt, order, &[(1, Act::Active(18))], &[]);
    rt.set_epoch(70);
    settle(
        &rt,
        order,
        &[(1, Act::Active(18))],
        &[(PROVIDER, 30 * PRICE)],
    );
    assert_eq!(funding(&rt, order).active_replicas, 1);
    // Past the end: paid up to 120, completed; nothing more ever.
    rt.set_epoch(500);
    settle(
        &rt,
        order,
        &[(1, Act::Active(18))],
        &[(PROVIDER, 50 * PRICE)],
    );
    let o = get_order(&rt, order);
    assert_eq!((o.completed, o.deals.len(), to_i64(&o.paid)), (1, 0, 1000));
    assert_eq!(o.paid_until, 120);
    // Both replica slots are settled; all 1000 unspent came back, the order has ended.
    assert_eq!(account(&rt, CLIENT), (1000, 0));
    assert!(
        event_names(&rt).contains(&"ProviderPaid") && event_names(&rt).contains(&"DealFinished")
    );
    close(&rt, CLIENT, order).unwrap();
    assert!(get_order(&rt, order).closed);
    check_state(&rt);
}

#[test]
fn a_terminated_deal_is_paid_up_to_the_settlement_that_sees_it_gone_and_its_slot_reopens() {
    let rt = setup();
    let mut p = order_params();
    p.replicas = 1;
    deposit(&rt, CLIENT, 2000);
    let order = create(&rt, CLIENT, &p);
    fund_value(&rt, order, 1000);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Active(5));
    rt.set_epoch(20);
    settle(
        &rt,
        order,
        &[(1, Act::Active(5))],
        &[(PROVIDER, 10 * PRICE)],
    );
    // Terminated at 25: the real market answers 32 from then on, never its termination epoch.
    // The next settlement (30) pays up to 30: the deal's active epochs plus 5, within the
    // window; the deal leaves the order without completing it.
    rt.set_epoch(30);
    let r = settle(&rt, order, &[(1, GONE)], &[(PROVIDER, 10 * PRICE)]);
    assert_eq!(to_i64(&r.paid), 100);
    let o = get_order(&rt, order);
    assert!(o.deals.is_empty());
    assert_eq!((o.completed, to_i64(&o.paid)), (0, 200));
    // Refill before the deadline with another provider.
    bind(&rt, order, &deal(2, PROVIDER2, 40, 140), Act::Pending);
    rt.set_epoch(200);
    settle(
        &rt,
        order,
        &[(2, Act::Active(39))],
        &[(PROVIDER2, 100 * PRICE)],
    );
    // Funded 1000 (client) + 1000 (sponsor); paid 200 + 1000; 800 back, half each.
    assert_eq!(account(&rt, SPONSOR), (400, 0));
    assert_eq!(account(&rt, CLIENT), (1000 + 400, 0));
    check_state(&rt);
}

/// Finding 1 of issue #12: once a deal has ended anyone may call the market's
/// `SettleDealPayments`, which removes it (its getters answer 32). The provider is still paid
/// its tail, up to the deal's end, and the replica counts as completed.
#[test]
fn a_providers_tail_survives_someone_elses_market_settlement() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Active(5));
    rt.set_epoch(60);
    settle(
        &rt,
        order,
        &[(1, Act::Active(5))],
        &[(PROVIDER, 50 * PRICE)],
    );
    // Past its end a third party settled the deal in the market: 32.
    rt.set_epoch(120);
    let r = settle(&rt, order, &[(1, GONE)], &[(PROVIDER, 50 * PRICE)]);
    assert_eq!(to_i64(&r.paid), 500);
    let o = get_order(&rt, order);
    assert_eq!((o.completed, o.deals.len(), to_i64(&o.paid)), (1, 0, 1000));
    assert_eq!(o.paid_until, 110);
    check_state(&rt);
}

fn long_order(rt: &Rt) -> u64 {
    let mut p = order_params();
    p.replicas = 1;
    p.price_per_epoch = atto(1);
    p.min_duration = 5000;
    deposit(rt, CLIENT, 5000);
    create(rt, CLIENT, &p)
}

/// Findings 2 and 4: the escrow cannot learn when a deal was slashed, so a deal that is gone is
/// paid up to the earliest of its end, the settlement that first sees it gone, and its last
/// sighting as active plus `SETTLEMENT_WINDOW`; it completes its replica only if that reaches
/// its end. A deal slashed long before its end and first settled after it is not completed.
#[test]
fn a_slashed_deal_settled_after_its_end_is_paid_within_the_window_and_not_completed() {
    let rt = setup();
    let order = long_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 5010), Act::Active(5));
    rt.set_epoch(100);
    settle(&rt, order, &[(1, Act::Active(5))], &[(PROVIDER, 90)]);
    // Slashed at 200; nobody settles until after the deal's end.
    rt.set_epoch(6000);
    let r = settle(&rt, order, &[(1, GONE)], &[(PROVIDER, SETTLEMENT_WINDOW)]);
    assert_eq!(to_i64(&r.paid), SETTLEMENT_WINDOW);
    let o = get_order(&rt, order);
    assert_eq!((o.completed, o.deals.len()), (0, 0));
    assert_eq!(o.paid_until, 100 + SETTLEMENT_WINDOW);
    // Past the deadline the rest went back to the client.
    assert_eq!(account(&rt, CLIENT), (5000 - 90 - SETTLEMENT_WINDOW, 0));
    check_state(&rt);
}

/// A deal gone before its end, seen gone soon after its last sighting, is paid up to the
/// sighting of its absence: its slot reopens before the deadline.
#[test]
fn a_deal_gone_before_its_end_frees_its_slot() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Pending);
    bind(&rt, order, &deal(2, PROVIDER2, 10, 110), Act::Pending);
    rt.set_epoch(30);
    settle(
        &rt,
        order,
        &[(1, Act::Active(10)), (2, Act::Active(10))],
        &[(PROVIDER, 200), (PROVIDER2, 200)],
    );
    rt.set_epoch(45);
    settle(
        &rt,
        order,
        &[(1, GONE), (2, Act::Active(10))],
        &[(PROVIDER, 150), (PROVIDER2, 150)],
    );
    let o = get_order(&rt, order);
    assert_eq!((o.deals.len(), o.completed), (1, 0));
    // Deal 1 spent 350 of its 1000: a full-length replacement needs a top-up.
    fund_value(&rt, order, 350);
    bind(&rt, order, &deal(3, PROVIDER, 50, 150), Act::Pending);
    check_state(&rt);
}

/// A deal never seen activated that is gone earns nothing: the escrow cannot know it was ever
/// active (its provider or a keeper settles once after activation to be paid).
#[test]
fn a_deal_never_seen_active_earns_nothing_when_gone() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Pending);
    rt.set_epoch(200);
    let r = settle(&rt, order, &[(1, GONE)], &[]);
    assert!(r.paid.is_zero());
    assert_eq!(get_order(&rt, order).completed, 0);
    check_state(&rt);
}

fn fund_value(rt: &Rt, order_id: u64, v: i64) {
    let p = filmark_escrow::types::FundOrderParams {
        order_id,
        from_available: atto(0),
    };
    call(rt, SPONSOR, Method::FundOrder, Some(&p), v).unwrap();
}

#[test]
fn never_activated_deals_free_their_slot_after_their_start() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Pending);
    bind(&rt, order, &deal(2, PROVIDER2, 30, 130), Act::Pending);
    rt.set_epoch(25);
    settle(
        &rt,
        order,
        &[(1, Act::Exit(EX_DEAL_NOT_ACTIVATED)), (2, Act::Pending)],
        &[],
    );
    let o = get_order(&rt, order);
    assert_eq!(o.deals.iter().map(|d| d.deal_id).collect::<Vec<_>>(), [2]);
    // The freed slot is bound again.
    bind(&rt, order, &deal(3, PROVIDER, 40, 140), Act::Pending);
    check_state(&rt);
}

#[test]
fn unknown_deal_answers_and_unexpected_codes() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Pending);
    rt.set_epoch(20);
    // Any other exit code aborts the settlement with that code.
    expect_activation(&rt, 1, Act::Exit(ExitCode::USR_ILLEGAL_STATE));
    let r = call(
        &rt,
        OTHER,
        Method::Settle,
        Some(&OrderIdParams { order_id: order }),
        0,
    );
    // The failure names the market's method.
    assert_eq!(
        expect_err(r, ExitCode::USR_ILLEGAL_STATE),
        "market GetDealActivation failed with exit code 20"
    );
    // 17: the deal leaves the order unpaid.
    settle(&rt, order, &[(1, Act::Exit(ExitCode::USR_NOT_FOUND))], &[]);
    assert!(get_order(&rt, order).deals.is_empty());
    expect_err(
        call(
            &rt,
            OTHER,
            Method::Settle,
            Some(&OrderIdParams { order_id: 9 }),
            0,
        ),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn a_failed_payment_rolls_the_settlement_back() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Active(5));
    rt.set_epoch(20);
    expect_activation(&rt, 1, Act::Active(5));
    rt.expect_send(
        filmark_actor_shared::testing::ExpectedSend::new(
            id(PROVIDER),
            fvm_shared::METHOD_SEND,
            None,
        )
        .value(atto(100))
        .returns(ExitCode::USR_FORBIDDEN, None),
    );
    let r = call(
        &rt,
        OTHER,
        Method::Settle,
        Some(&OrderIdParams { order_id: order }),
        0,
    );
    assert_eq!(
        expect_err(r, ExitCode::USR_FORBIDDEN),
        "transfer on f0201 failed with exit code 18"
    );
    assert_eq!(get_order(&rt, order).deals[0].settled_until, 10);
    check_state(&rt);
}

#[test]
fn closing_rules() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Active(5));
    rt.set_epoch(DEADLINE + 1);
    expect_err(close(&rt, OTHER, order), ExitCode::USR_FORBIDDEN);
    // A live deal: not ended yet.
    let msg = expect_err(close(&rt, CLIENT, order), ExitCode::USR_ILLEGAL_STATE);
    assert!(msg.contains("not ended"), "{msg}");
    // Past the deadline the unfilled slot's funds unlock at once; the deal's reservation stays.
    let r = settle(
        &rt,
        order,
        &[(1, Act::Active(5))],
        &[(PROVIDER, 41 * PRICE)],
    );
    assert_eq!(to_i64(&r.unlocked), 2000 - 1000);
    assert_eq!(account(&rt, CLIENT), (1000, 590));
    rt.set_epoch(110);
    settle(
        &rt,
        order,
        &[(1, Act::Active(5))],
        &[(PROVIDER, 59 * PRICE)],
    );
    close(&rt, CLIENT, order).unwrap();
    expect_err(close(&rt, CLIENT, order), ExitCode::USR_ILLEGAL_STATE);
    expect_err(
        call(
            &rt,
            OTHER,
            Method::Settle,
            Some(&OrderIdParams { order_id: order }),
            0,
        ),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert_eq!(account(&rt, CLIENT), (1000, 0));
    assert_eq!(event_names(&rt).last(), Some(&"OrderClosed"));
    check_state(&rt);
}
