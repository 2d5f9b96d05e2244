//! `Settle` and `CloseOrder`: providers paid price × active epochs, unearned funds unlocked.
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::ext::market::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED};
use filmark_escrow::order::FinishReason;
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
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Ok(-1, -1));
    // Not yet activated, before its start: nothing to pay.
    rt.set_epoch(15);
    let r = settle(&rt, order, &[(1, Act::Ok(-1, -1))], &[]);
    assert!(r.paid.is_zero());
    // Activated at 18 (before start 20): paid from 20 to 40.
    rt.set_epoch(40);
    let r = settle(
        &rt,
        order,
        &[(1, Act::Ok(18, -1))],
        &[(PROVIDER, 20 * PRICE)],
    );
    assert_eq!(to_i64(&r.paid), 200);
    // Same epoch again: nothing more.
    settle(&rt, order, &[(1, Act::Ok(18, -1))], &[]);
    rt.set_epoch(70);
    settle(
        &rt,
        order,
        &[(1, Act::Ok(18, -1))],
        &[(PROVIDER, 30 * PRICE)],
    );
    assert_eq!(funding(&rt, order).active_replicas, 1);
    // Past the end: paid up to 120, completed; nothing more ever.
    rt.set_epoch(500);
    settle(
        &rt,
        order,
        &[(1, Act::Ok(18, -1))],
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
fn a_terminated_deal_stops_earning_and_its_slot_can_be_refilled() {
    let rt = setup();
    let mut p = order_params();
    p.replicas = 1;
    deposit(&rt, CLIENT, 2000);
    let order = create(&rt, CLIENT, &p);
    fund_value(&rt, order, 1000);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Ok(5, -1));
    rt.set_epoch(30);
    // Terminated at 25: paid 10..25.
    settle(
        &rt,
        order,
        &[(1, Act::Ok(5, 25))],
        &[(PROVIDER, 15 * PRICE)],
    );
    let o = get_order(&rt, order);
    assert!(o.deals.is_empty());
    assert_eq!(o.completed, 0);
    // Refill before the deadline with another provider.
    bind(&rt, order, &deal(2, PROVIDER2, 40, 140), Act::Ok(-1, -1));
    rt.set_epoch(200);
    settle(
        &rt,
        order,
        &[(2, Act::Ok(39, -1))],
        &[(PROVIDER2, 100 * PRICE)],
    );
    // Funded 1000 (client) + 1000 (sponsor); paid 150 + 1000; 850 back, half each.
    assert_eq!(account(&rt, SPONSOR), (425, 0));
    assert_eq!(account(&rt, CLIENT), (1000 + 425, 0));
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
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Ok(-1, -1));
    bind(&rt, order, &deal(2, PROVIDER2, 30, 130), Act::Ok(-1, -1));
    rt.set_epoch(25);
    settle(
        &rt,
        order,
        &[(1, Act::Exit(EX_DEAL_NOT_ACTIVATED)), (2, Act::Ok(-1, -1))],
        &[],
    );
    let o = get_order(&rt, order);
    assert_eq!(o.deals.iter().map(|d| d.deal_id).collect::<Vec<_>>(), [2]);
    // The freed slot is bound again.
    bind(&rt, order, &deal(3, PROVIDER, 40, 140), Act::Ok(-1, -1));
    check_state(&rt);
}

#[test]
fn an_expired_answer_stops_payment_at_the_last_settlement() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Ok(-1, -1));
    bind(&rt, order, &deal(2, PROVIDER2, 10, 110), Act::Ok(-1, -1));
    rt.set_epoch(30);
    settle(
        &rt,
        order,
        &[(1, Act::Ok(10, -1)), (2, Act::Ok(10, -1))],
        &[(PROVIDER, 200), (PROVIDER2, 200)],
    );
    // Deal 1 slashed (32 before its end): nothing beyond epoch 30, slot freed.
    rt.set_epoch(60);
    settle(
        &rt,
        order,
        &[(1, Act::Exit(EX_DEAL_EXPIRED)), (2, Act::Ok(10, -1))],
        &[(PROVIDER2, 300)],
    );
    let o = get_order(&rt, order);
    assert_eq!((o.deals.len(), o.completed), (1, 0));
    // Deal 2 expired normally and was cleaned up before anyone settled its tail: counts as
    // completed, paid up to the last settlement (60).
    rt.set_epoch(300);
    let r = settle(&rt, order, &[(2, Act::Exit(EX_DEAL_EXPIRED))], &[]);
    assert!(r.paid.is_zero());
    let o = get_order(&rt, order);
    assert_eq!((o.deals.len(), o.completed, to_i64(&o.paid)), (0, 1, 700));
    assert_eq!(account(&rt, CLIENT), (1300, 0));
    let finished: Vec<&str> = event_names(&rt)
        .into_iter()
        .filter(|n| *n == "DealFinished")
        .collect();
    assert_eq!(finished.len(), 2);
    let _ = FinishReason::Completed;
    check_state(&rt);
}

#[test]
fn unknown_deal_answers_and_unexpected_codes() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Ok(-1, -1));
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
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Ok(5, -1));
    rt.set_epoch(20);
    expect_activation(&rt, 1, Act::Ok(5, -1));
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
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Ok(5, -1));
    rt.set_epoch(DEADLINE + 1);
    expect_err(close(&rt, OTHER, order), ExitCode::USR_FORBIDDEN);
    // A live deal: not ended yet.
    let msg = expect_err(close(&rt, CLIENT, order), ExitCode::USR_ILLEGAL_STATE);
    assert!(msg.contains("not ended"), "{msg}");
    // Past the deadline the unfilled slot's funds unlock at once; the deal's reservation stays.
    let r = settle(
        &rt,
        order,
        &[(1, Act::Ok(5, -1))],
        &[(PROVIDER, 41 * PRICE)],
    );
    assert_eq!(to_i64(&r.unlocked), 2000 - 1000);
    assert_eq!(account(&rt, CLIENT), (1000, 590));
    rt.set_epoch(110);
    settle(
        &rt,
        order,
        &[(1, Act::Ok(5, -1))],
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
