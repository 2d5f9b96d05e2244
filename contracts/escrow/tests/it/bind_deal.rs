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
    bind(&rt, order, &deal(7, PROVIDER, 5, 110), Act::Ok(4, -1));
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
        try_bind(&rt, order, &deal(7, PROVIDER, 5, 110), Act::Ok(4, -1)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("already bound"), "{msg}");
    check_state(&rt);
}

#[test]
fn binds_a_published_deal_before_its_start() {
    let rt = setup();
    let order = funded_order(&rt);
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Ok(-1, -1));
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
            Act::Ok(-1, -1),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "piece",
        ),
        (
            Deal {
                size: SIZE * 2,
                ..deal(1, PROVIDER, 20, 120)
            },
            Act::Ok(-1, -1),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "size",
        ),
        (
            deal(1, PROVIDER2, 20, 120),
            Act::Ok(-1, -1),
            ExitCode::USR_FORBIDDEN,
            "not allowed",
        ),
        (
            deal(1, PROVIDER, 20, 119),
            Act::Ok(-1, -1),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "term",
        ),
        (
            deal(1, PROVIDER, DEADLINE + 1, 200),
            Act::Ok(-1, -1),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "deadline",
        ),
        (
            deal(1, PROVIDER, 0, 120),
            Act::Ok(0, 3),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "terminated",
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
        try_bind(&rt, order, &deal(1, PROVIDER, 20, 200), Act::Ok(-1, -1)),
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
        filmark_escrow::ext::market::Getter::GetDealDataCommitment.number(),
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
        filmark_escrow::ext::market::Getter::GetDealDataCommitment.number(),
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
    // A 300-epoch deal needs 3000 free; the order has 2000.
    let msg = expect_err(
        try_bind(&rt, order, &deal(1, PROVIDER, 20, 320), Act::Ok(-1, -1)),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    assert!(msg.contains("free"), "{msg}");
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Ok(-1, -1));
    bind(&rt, order, &deal(2, PROVIDER2, 20, 120), Act::Ok(-1, -1));
    let msg = expect_err(
        try_bind(&rt, order, &deal(3, PROVIDER, 20, 120), Act::Ok(-1, -1)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("replicas"), "{msg}");
    // A fresh order past its deadline takes no deal.
    deposit(&rt, CLIENT, 2000);
    let late = create(&rt, CLIENT, &CreateOrderParams { ..order_params() });
    rt.set_epoch(DEADLINE + 1);
    let msg = expect_err(
        try_bind(&rt, late, &deal(4, PROVIDER, 60, 200), Act::Ok(-1, -1)),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("deadline"), "{msg}");
    check_state(&rt);
}
