//! Sponsors: anyone funds an order; unspent funds go back to each funder pro rata, exactly.
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::policy::MAX_FUNDERS;
use filmark_escrow::types::FundOrderParams;
use fvm_shared::error::ExitCode;

fn fund(rt: &Rt, who: u64, order_id: u64, value: i64) {
    call(
        rt,
        who,
        Method::FundOrder,
        Some(&FundOrderParams {
            order_id,
            from_available: atto(0),
        }),
        value,
    )
    .unwrap();
}

#[test]
fn sponsor_funds_count_as_the_clients_locked_funds() {
    let rt = setup();
    let order = funded_order(&rt);
    fund(&rt, SPONSOR, order, 700);
    fund(&rt, SPONSOR, order, 300);
    assert_eq!(account(&rt, CLIENT), (0, 3000));
    assert_eq!(account(&rt, SPONSOR), (0, 0));
    let o = get_order(&rt, order);
    assert_eq!(o.funders.len(), 2);
    assert_eq!(to_i64(&o.funders[1].amount), 1000);
    assert_eq!(
        event_names(&rt),
        ["Deposited", "OrderCreated", "OrderFunded", "OrderFunded"]
    );
    check_state(&rt);
}

#[test]
fn an_unused_order_refunds_everyone_pro_rata_without_losing_an_atto() {
    let rt = setup();
    // Client locks 2000; sponsors 1001 and 3 (total 3004).
    let order = funded_order(&rt);
    fund(&rt, SPONSOR, order, 1001);
    fund(&rt, SPONSOR2, order, 3);
    rt.set_epoch(DEADLINE + 1);
    let r = settle(&rt, order, &[], &[]);
    assert_eq!(to_i64(&r.unlocked), 3004);
    assert_eq!(account(&rt, CLIENT), (2000, 0));
    assert_eq!(account(&rt, SPONSOR), (1001, 0));
    assert_eq!(account(&rt, SPONSOR2), (3, 0));
    call(
        &rt,
        CLIENT,
        Method::CloseOrder,
        Some(&filmark_escrow::types::OrderIdParams { order_id: order }),
        0,
    )
    .unwrap();
    assert!(get_order(&rt, order).closed);
    check_state(&rt);
}

#[test]
fn partial_spending_rounds_down_for_sponsors_and_the_client_takes_the_dust() {
    let rt = setup();
    let mut p = order_params();
    p.replicas = 1;
    p.price_per_epoch = atto(7);
    deposit(&rt, CLIENT, 700);
    let order = create(&rt, CLIENT, &p);
    fund(&rt, SPONSOR, order, 333);
    fund(&rt, SPONSOR2, order, 1);
    // Total 1034. One deal for 100 epochs from epoch 10 reserves 700.
    let d = deal(1, PROVIDER, 10, 110);
    bind(&rt, order, &d, Act::Ok(5, -1));
    // Terminated at epoch 60: paid 50 epochs × 7 = 350; 684 unspent.
    rt.set_epoch(DEADLINE + 10);
    let r = settle(&rt, order, &[(1, Act::Ok(5, 60))], &[(PROVIDER, 350)]);
    assert_eq!(to_i64(&r.paid), 350);
    // Shares of 684: client 700/1034 → 463.06, sponsor 333/1034 → 220.28, sponsor2 1/1034 → 0.66.
    assert_eq!(account(&rt, SPONSOR), (220, 0));
    assert_eq!(account(&rt, SPONSOR2), (0, 0));
    // Floors: 463 + 220 + 0 = 683; the order has ended, so the client also takes the 1 atto.
    assert_eq!(account(&rt, CLIENT), (464, 0));
    assert!(get_order(&rt, order).balance.is_zero());
    check_state(&rt);
}

#[test]
fn funding_rules() {
    let rt = setup();
    let order = funded_order(&rt);
    let none = FundOrderParams {
        order_id: order,
        from_available: atto(0),
    };
    expect_err(
        call(&rt, SPONSOR, Method::FundOrder, Some(&none), 0),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let neg = FundOrderParams {
        order_id: order,
        from_available: atto(-1),
    };
    expect_err(
        call(&rt, SPONSOR, Method::FundOrder, Some(&neg), 5),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let missing = FundOrderParams {
        order_id: 7,
        from_available: atto(0),
    };
    expect_err(
        call(&rt, SPONSOR, Method::FundOrder, Some(&missing), 5),
        ExitCode::USR_NOT_FOUND,
    );
    // Only the client (or its app key) may move the client's available funds.
    deposit(&rt, CLIENT, 50);
    let from = FundOrderParams {
        order_id: order,
        from_available: atto(50),
    };
    expect_err(
        call(&rt, SPONSOR, Method::FundOrder, Some(&from), 0),
        ExitCode::USR_FORBIDDEN,
    );
    let too_much = FundOrderParams {
        order_id: order,
        from_available: atto(51),
    };
    expect_err(
        call(&rt, CLIENT, Method::FundOrder, Some(&too_much), 0),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    call(&rt, CLIENT, Method::FundOrder, Some(&from), 0).unwrap();
    assert_eq!(account(&rt, CLIENT), (0, 2050));
    // Past the deadline an order takes no more funds.
    rt.set_epoch(DEADLINE + 1);
    expect_err(
        call(&rt, SPONSOR, Method::FundOrder, Some(&none), 5),
        ExitCode::USR_ILLEGAL_STATE,
    );
    check_state(&rt);
}

#[test]
fn at_most_max_funders() {
    let rt = setup();
    let order = funded_order(&rt);
    for i in 1..MAX_FUNDERS as u64 {
        fund(&rt, 500 + i, order, 1);
    }
    let p = FundOrderParams {
        order_id: order,
        from_available: atto(0),
    };
    expect_err(
        call(&rt, 999, Method::FundOrder, Some(&p), 1),
        ExitCode::USR_ILLEGAL_STATE,
    );
    // An existing funder may add more.
    fund(&rt, 501, order, 1);
    assert_eq!(get_order(&rt, order).funders.len(), MAX_FUNDERS);
    check_state(&rt);
}
