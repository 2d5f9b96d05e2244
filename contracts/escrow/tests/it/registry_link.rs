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
    // No deal: free funds 2000 at 10/epoch cover 200 epochs from now.
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
        (piece(1), Some(content(1)), CLIENT, 210, 0, true)
    );
    // A sponsor adds 500: 50 more epochs.
    let p = FundOrderParams {
        order_id: order,
        from_available: atto(0),
    };
    call(&rt, SPONSOR, Method::FundOrder, Some(&p), 500).unwrap();
    assert_eq!(funding(&rt, order).funded_until, 260);
    // Bound deals: the latest end among them.
    bind(&rt, order, &deal(1, PROVIDER, 20, 130), Act::Ok(15, -1));
    bind(&rt, order, &deal(2, PROVIDER2, 20, 150), Act::Ok(-1, -1));
    let f = funding(&rt, order);
    assert_eq!((f.funded_until, f.active_replicas), (150, 1));
    // After the end: the last epoch paid for.
    rt.set_epoch(400);
    settle(
        &rt,
        order,
        &[(1, Act::Ok(15, -1)), (2, Act::Ok(19, -1))],
        &[(PROVIDER, 1100), (PROVIDER2, 1300)],
    );
    call(
        &rt,
        CLIENT,
        Method::CloseOrder,
        Some(&OrderIdParams { order_id: order }),
        0,
    )
    .unwrap();
    let f = funding(&rt, order);
    assert_eq!((f.funded_until, f.active_replicas, f.open), (150, 0, false));
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
