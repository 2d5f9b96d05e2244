//! The registry ⇄ escrow contract: `GetOrderFunding`'s exact CBOR shape and "funded until".
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::types::{FundOrderParams, OrderFunding, OrderIdParams};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::error::ExitCode;

#[test]
fn order_funding_is_the_agreed_six_tuple() {
    let f = OrderFunding {
        piece_cid: piece(1),
        content: Some(content(2)),
        client: 101,
        funded_until: -1,
        active_replicas: 3,
        open: true,
    };
    // The shape the registry declares independently: [Cid, Option<Cid>, u64, i64, u64, bool].
    let explicit =
        fvm_ipld_encoding::to_vec(&(piece(1), Some(content(2)), 101u64, -1i64, 3u64, true))
            .unwrap();
    assert_eq!(fvm_ipld_encoding::to_vec(&f).unwrap(), explicit);
    assert_eq!(explicit[0], 0x86, "a 6-element CBOR array");
    let none = OrderFunding { content: None, ..f };
    let explicit =
        fvm_ipld_encoding::to_vec(&(piece(1), None::<cid::Cid>, 101u64, -1i64, 3u64, true))
            .unwrap();
    assert_eq!(fvm_ipld_encoding::to_vec(&none).unwrap(), explicit);
    // Params: the order id as a bare u64.
    assert_eq!(
        fvm_ipld_encoding::to_vec(&OrderIdParams { order_id: 7 }).unwrap(),
        vec![0x07]
    );
    assert_eq!(
        Method::GetOrderFunding.number(),
        frc42_dispatch::method_hash!("GetOrderFunding")
    );
}

#[test]
fn funded_until_follows_the_orders_life() {
    let rt = setup();
    let order = funded_order(&rt);
    rt.set_epoch(10);
    // No deal: nothing is stored, nothing paid: −1.
    let f = funding(&rt, order);
    assert_eq!(
        (
            f.piece_cid,
            f.content,
            f.client,
            f.funded_until,
            f.active_replicas,
            f.open
        ),
        (piece(1), Some(content(1)), CLIENT, -1, 0, true)
    );
    // Bound deals: the latest end among them.
    bind(&rt, order, &deal(1, PROVIDER, 20, 120), Act::Active(15));
    bind(&rt, order, &deal(2, PROVIDER2, 20, 120), Act::Pending);
    let f = funding(&rt, order);
    assert_eq!((f.funded_until, f.active_replicas), (120, 1));
    // After the end: the last epoch paid for; the order has ended, so it is no longer open.
    rt.set_epoch(400);
    settle(
        &rt,
        order,
        &[(1, Act::Active(15)), (2, Act::Active(19))],
        &[(PROVIDER, 1000), (PROVIDER2, 1000)],
    );
    let f = funding(&rt, order);
    assert_eq!((f.funded_until, f.active_replicas, f.open), (120, 0, false));
    call(
        &rt,
        CLIENT,
        Method::CloseOrder,
        Some(&OrderIdParams { order_id: order }),
        0,
    )
    .unwrap();
    let f = funding(&rt, order);
    assert_eq!((f.funded_until, f.active_replicas, f.open), (120, 0, false));
    check_state(&rt);
}

/// Finding 7 of issue #12: without a deal `funded_until` does not extrapolate free funds at a
/// tiny price into centuries; it is the last epoch paid for (−1 if none).
#[test]
fn funded_until_without_a_deal_does_not_extrapolate_free_funds() {
    let rt = setup();
    let mut p = order_params();
    p.price_per_epoch = atto(1);
    p.min_duration = 1;
    p.replicas = 1;
    deposit(&rt, CLIENT, 1);
    let order = create(&rt, CLIENT, &p);
    let fund = FundOrderParams {
        order_id: order,
        from_available: atto(0),
    };
    call(
        &rt,
        SPONSOR,
        Method::FundOrder,
        Some(&fund),
        1_000_000_000_000_000_000,
    )
    .unwrap();
    rt.set_epoch(10);
    assert_eq!(funding(&rt, order).funded_until, -1);
    check_state(&rt);
}

#[test]
fn unknown_orders_and_malformed_ids() {
    let rt = setup();
    let r = call(
        &rt,
        OTHER,
        Method::GetOrderFunding,
        Some(&OrderIdParams { order_id: 3 }),
        0,
    );
    expect_err(r, ExitCode::USR_NOT_FOUND);
    rt.set_caller(OTHER);
    let bad = Some(IpldBlock {
        codec: fvm_ipld_encoding::DAG_CBOR,
        data: vec![0x20],
    });
    let r = rt.call(
        filmark_escrow::dispatch,
        Method::GetOrderFunding.number(),
        bad,
    );
    expect_err(r, ExitCode::USR_SERIALIZATION);
    // Read-only callers (the registry reads it read-only) get an answer without any write.
    let order = funded_order(&rt);
    rt.set_read_only(true);
    let f: OrderFunding = call_ok(
        &rt,
        OTHER,
        Method::GetOrderFunding,
        &OrderIdParams { order_id: order },
    );
    rt.set_read_only(false);
    assert!(f.open);
    check_state(&rt);
}
