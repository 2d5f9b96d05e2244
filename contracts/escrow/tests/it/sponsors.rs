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
    // Client locks 2000; sponsors 1001 and 97 (total 3098).
    let order = funded_order(&rt);
    fund(&rt, SPONSOR, order, 1001);
    fund(&rt, SPONSOR2, order, 97);
    rt.set_epoch(DEADLINE + 1);
    let r = settle(&rt, order, &[], &[]);
    assert_eq!(to_i64(&r.unlocked), 3098);
    assert_eq!(account(&rt, CLIENT), (2000, 0));
    assert_eq!(account(&rt, SPONSOR), (1001, 0));
    assert_eq!(account(&rt, SPONSOR2), (97, 0));
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
    fund(&rt, SPONSOR2, order, 33);
    // Total 1066. One deal for 100 epochs from epoch 10 reserves 700.
    let d = deal(1, PROVIDER, 10, 110);
    bind(&rt, order, &d, Act::Active(5));
    // Terminated; first seen gone at epoch 60: paid 50 epochs × 7 = 350; 716 unspent.
    rt.set_epoch(DEADLINE + 10);
    let r = settle(&rt, order, &[(1, GONE)], &[(PROVIDER, 350)]);
    assert_eq!(to_i64(&r.paid), 350);
    // Shares of 716: client 700/1066 → 470.2, sponsor 333/1066 → 223.7, sponsor2 33/1066 → 22.2.
    assert_eq!(account(&rt, SPONSOR), (223, 0));
    assert_eq!(account(&rt, SPONSOR2), (22, 0));
    // Floors: 470 + 223 + 22 = 715; the order has ended, so the client also takes the 1 atto.
    assert_eq!(account(&rt, CLIENT), (471, 0));
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

/// Finding 8 of issue #12: a new funder brings at least 1/`MAX_FUNDERS` of what the order
/// holds (rounded up), so dust cannot fill the funder list: 31 sponsors together bring more
/// than the order had.
#[test]
fn dust_cannot_fill_the_funder_list() {
    let rt = setup();
    let order = funded_order(&rt);
    let p = FundOrderParams {
        order_id: order,
        from_available: atto(0),
    };
    let msg = expect_err(
        call(&rt, 500, Method::FundOrder, Some(&p), 1),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains(&format!("at least {}", atto(63))), "{msg}");
    let mut dust_total = 0;
    for i in 1..MAX_FUNDERS as u64 {
        let min = min_contribution(&rt, order);
        expect_err(
            call(&rt, 500 + i, Method::FundOrder, Some(&p), min - 1),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        );
        fund(&rt, 500 + i, order, min);
        dust_total += min;
    }
    assert!(dust_total > 2000, "31 sponsors brought {dust_total}");
    let min = min_contribution(&rt, order);
    expect_err(
        call(&rt, 999, Method::FundOrder, Some(&p), min),
        ExitCode::USR_ILLEGAL_STATE,
    );
    // An existing funder may add any amount.
    fund(&rt, 501, order, 1);
    assert_eq!(get_order(&rt, order).funders.len(), MAX_FUNDERS);
    check_state(&rt);
}

fn min_contribution(rt: &Rt, order: u64) -> i64 {
    let funded = to_i64(&get_order(rt, order).funded);
    (funded + MAX_FUNDERS as i64 - 1) / MAX_FUNDERS as i64
}
