//! `BindDeal`: binding an existing market deal, checked through the market's getters.
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::ext::market::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED};
use filmark_escrow::types::CreateOrderParams;
use fvm_shared::error::ExitCode;

#[test]
fn binds_an_activated_deal_and_reserves_its_term() {
    let rt = setup();
    let order = funded_order(&rt);
    rt.set_epoch(10);
    bind(&rt, order, &deal(7, PROVIDER, 5, 110), Act::Active(4));
    let o = get_order(&rt, order);
    assert_eq!(o.deals.len(), 1);
    let slot = &o.deals[0];
    // Paid from the bind epoch (10), not the deal start (5).
    assert_eq!(
        (slot.settled_until, slot.activation, slot.end),
        (10, 4, 110)
    );
    assert_eq!(to_i64(&o.reserved()), PRICE * 100);
    assert_eq!(event_names(&rt), ["Deposited", "OrderCreated", "DealBound"]);
    // A deal binds to one order, ever.
    let msg = expect_err(
        try_bind(&rt, order, &deal(7, PROVIDER, 5, 110), Act::Active(4)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("already bound"), "{msg}");
    check_state(&rt);
}

#[test]
fn binds_a_published_deal_before_its_start() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Pending);
    bind(
        &rt,
        order,
        &deal(2, PROVIDER2, 20, 120),
        Act::Exit(EX_DEAL_NOT_ACTIVATED),
    );
    assert_eq!(funding(&rt, order).active_replicas, 0);
    check_state(&rt);
}

#[test]
fn refuses_deals_that_do_not_match() {
    let rt = setup();
    let mut p = order_params();
    p.allowed_providers = vec![id(PROVIDER)];
    deposit(&rt, CLIENT, 2000);
    let order = create(&rt, CLIENT, &p);
    let cases: Vec<(Deal, Act, ExitCode, &str)> = vec![
        (
            Deal {
                piece: piece(2),
                ..deal(1, PROVIDER, 20, 120)
            },
            Act::Pending,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "piece",
        ),
        (
            Deal {
                size: SIZE * 2,
                ..deal(1, PROVIDER, 20, 120)
            },
            Act::Pending,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "size",
        ),
        (
            deal(1, PROVIDER2, 20, 120),
            Act::Pending,
            ExitCode::USR_FORBIDDEN,
            "not allowed",
        ),
        (
            deal(1, PROVIDER, 20, 119),
            Act::Pending,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "term",
        ),
        (
            deal(1, PROVIDER, DEADLINE + 1, 200),
            Act::Pending,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "deadline",
        ),
        (
            deal(1, PROVIDER, 0, 120),
            Act::Exit(EX_DEAL_EXPIRED),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "expired",
        ),
        (
            deal(1, PROVIDER, 0, 120),
            Act::Exit(ExitCode::USR_NOT_FOUND),
            ExitCode::USR_NOT_FOUND,
            "not found",
        ),
    ];
    for (d, act, code, needle) in cases {
        let msg = expect_err(try_bind(&rt, order, &d, act), code);
        assert!(msg.contains(needle), "{msg:?} does not mention {needle:?}");
    }
    // Not activated and already past its start: the market drops it.
    rt.set_epoch(21);
    let msg = expect_err(
        try_bind(&rt, order, &deal(1, PROVIDER, 20, 200), Act::Pending),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("not activated"), "{msg}");
    check_state(&rt);
}

#[test]
fn market_getter_failures_keep_their_meaning() {
    let rt = setup();
    let order = funded_order(&rt);
    // Unknown deal: the first getter answers 17.
    expect_getter::<()>(
        &rt,
        filmark_escrow::ext::market::Getter::GetDealClient.number(),
        9,
        Err(ExitCode::USR_NOT_FOUND),
    );
    let p = filmark_escrow::types::BindDealParams {
        order_id: order,
        deal_id: 9,
    };
    expect_err(
        call(&rt, OTHER, Method::BindDeal, Some(&p), 0),
        ExitCode::USR_NOT_FOUND,
    );
    // Expired deal: 32.
    expect_getter::<()>(
        &rt,
        filmark_escrow::ext::market::Getter::GetDealClient.number(),
        9,
        Err(EX_DEAL_EXPIRED),
    );
    expect_err(
        call(&rt, OTHER, Method::BindDeal, Some(&p), 0),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    // Unknown order: no market query at all.
    let p = filmark_escrow::types::BindDealParams {
        order_id: 5,
        deal_id: 9,
    };
    expect_err(
        call(&rt, OTHER, Method::BindDeal, Some(&p), 0),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn replicas_deadline_and_free_funds_limit_binding() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Active(5));
    // Deal 1 is gone at 40 after earning 300: 1700 free for two open replicas, 850 each, less
    // than 100 epochs × 10.
    rt.set_epoch(40);
    settle(&rt, order, &[(1, GONE)], &[(PROVIDER, 300)]);
    let msg = expect_err(
        try_bind(&rt, order, &deal(2, PROVIDER2, 40, 140), Act::Pending),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    assert!(msg.contains("free"), "{msg}");
    call(
        &rt,
        SPONSOR,
        Method::FundOrder,
        Some(&filmark_escrow::types::FundOrderParams {
            order_id: order,
            from_available: atto(0),
        }),
        300,
    )
    .unwrap();
    bind(&rt, order, &deal(2, PROVIDER2, 40, 140), Act::Pending);
    bind(&rt, order, &deal(3, PROVIDER, 40, 140), Act::Pending);
    let msg = expect_err(
        try_bind(&rt, order, &deal(4, OTHER, 40, 140), Act::Pending),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("replicas"), "{msg}");
    // A fresh order past its deadline takes no deal.
    deposit(&rt, CLIENT, 2000);
    let late = create(&rt, CLIENT, &CreateOrderParams { ..order_params() });
    rt.set_epoch(DEADLINE + 1);
    let msg = expect_err(
        try_bind(&rt, late, &deal(4, PROVIDER, 60, 200), Act::Pending),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("deadline"), "{msg}");
    check_state(&rt);
}

/// Finding 3 of issue #12: a deal reserves at most its replica's share of the free funds
/// (free ÷ open slots); a longer deal is paid for that many epochs only. One long deal that is
/// never activated cannot starve the other replicas, and an honest deal twice the minimum
/// length does not take the second replica's budget.
#[test]
fn a_long_deal_reserves_only_its_replicas_share() {
    let rt = setup();
    let order = funded_order(&rt);
    // 2000 for two replicas of 100 epochs at 10: a 200-epoch deal is paid for 100 epochs.
    bind(&rt, order, &deal(1, PROVIDER, 10, 210), Act::Pending);
    let o = get_order(&rt, order);
    assert_eq!((o.deals[0].end, to_i64(&o.reserved())), (110, 1000));
    bind(&rt, order, &deal(2, PROVIDER2, 10, 110), Act::Pending);
    // With a sponsor's 4000 (6000 free, two open slots): a 900-epoch deal reserves 3000, and
    // the other slot still has its 3000.
    let rt = setup();
    let order = funded_order(&rt);
    call(
        &rt,
        SPONSOR,
        Method::FundOrder,
        Some(&filmark_escrow::types::FundOrderParams {
            order_id: order,
            from_available: atto(0),
        }),
        4000,
    )
    .unwrap();
    bind(
        &rt,
        order,
        &deal(1, PROVIDER, DEADLINE, DEADLINE + 900),
        Act::Pending,
    );
    assert_eq!(to_i64(&get_order(&rt, order).reserved()), 3000);
    bind(&rt, order, &deal(2, PROVIDER2, 10, 310), Act::Pending);
    assert_eq!(to_i64(&get_order(&rt, order).reserved()), 6000);
    // The clamped deal, present at its paid end, completes its replica.
    rt.set_epoch(DEADLINE + 300);
    settle(
        &rt,
        order,
        &[(1, Act::Active(DEADLINE)), (2, Act::Active(10))],
        &[(PROVIDER, 3000), (PROVIDER2, 3000)],
    );
    assert_eq!(get_order(&rt, order).completed, 2);
    check_state(&rt);
}

/// `BindDeal` binds only deals whose market client is the escrow: the escrow authenticated
/// their proposal against an order (`AuthenticateMessage`).
#[test]
fn bind_deal_refuses_a_deal_of_another_client() {
    let rt = setup();
    let order = funded_order(&rt);
    let d = Deal {
        client: OTHER,
        ..deal(1, PROVIDER, 10, 110)
    };
    let msg = expect_err(
        try_bind(&rt, order, &d, Act::Pending),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("client"), "{msg}");
    assert!(get_order(&rt, order).deals.is_empty());
    check_state(&rt);
}

/// Finding 5: replicas are redundancy, so by default each live deal of an order has its own
/// provider; `allow_same_provider` opts out.
#[test]
fn replicas_need_distinct_providers_unless_the_order_opts_out() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 10, 110), Act::Pending);
    let msg = expect_err(
        try_bind(&rt, order, &deal(2, PROVIDER, 10, 110), Act::Pending),
        ExitCode::USR_FORBIDDEN,
    );
    assert!(msg.contains("already"), "{msg}");
    // Through the market callbacks too: authentication refuses, the notification records it.
    let prop = proposal(order, &deal(3, PROVIDER, 10, 110));
    expect_err(authenticate(&rt, MARKET, &prop), ExitCode::USR_FORBIDDEN);
    notify(&rt, MARKET, &prop, 3).unwrap();
    assert_eq!(get_order(&rt, order).deals.len(), 1);
    // Opted out: one provider may hold both replicas.
    deposit(&rt, CLIENT, 2000);
    let same = create(
        &rt,
        CLIENT,
        &CreateOrderParams {
            allow_same_provider: true,
            ..order_params()
        },
    );
    assert!(get_order(&rt, same).allow_same_provider);
    bind(&rt, same, &deal(4, PROVIDER, 10, 110), Act::Pending);
    bind(&rt, same, &deal(5, PROVIDER, 10, 110), Act::Pending);
    check_state(&rt);
}
