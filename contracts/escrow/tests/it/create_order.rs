//! Creating and listing orders, and every order limit.
use crate::harness::*;
use filmark_actor_shared::Runtime;
use filmark_escrow::Method;
use filmark_escrow::policy::*;
use filmark_escrow::types::{CreateOrderParams, ListOrdersParams, ListOrdersReturn};
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

#[test]
fn creating_locks_price_times_duration_times_replicas() {
    let rt = setup();
    deposit(&rt, CLIENT, 5000);
    let id0 = create(&rt, CLIENT, &order_params());
    assert_eq!(id0, 0);
    assert_eq!(account(&rt, CLIENT), (5000 - 2000, 2000));
    let o = get_order(&rt, id0);
    assert_eq!(
        (o.client, o.replicas, to_i64(&o.funded), to_i64(&o.balance)),
        (CLIENT, 2, 2000, 2000)
    );
    assert_eq!(o.content.map(cid::Cid::from), Some(content(1)));
    assert_eq!(o.funders.len(), 1);
    assert_eq!(event_names(&rt), ["Deposited", "OrderCreated"]);
    check_state(&rt);
}

#[test]
fn value_sent_with_an_own_order_is_deposited_first() {
    let rt = setup();
    let r = call(
        &rt,
        CLIENT,
        Method::CreateOrder,
        Some(&order_params()),
        2500,
    )
    .unwrap();
    let ret: filmark_escrow::types::CreateOrderReturn = decode(r);
    assert_eq!(ret.order_id, 0);
    assert_eq!(account(&rt, CLIENT), (500, 2000));
    check_state(&rt);
}

#[test]
fn not_enough_funds() {
    let rt = setup();
    deposit(&rt, CLIENT, 1999);
    expect_err(
        try_create(&rt, CLIENT, &order_params()),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    assert_eq!(account(&rt, CLIENT), (1999, 0));
    check_state(&rt);
}

fn rejects(f: impl FnOnce(&mut CreateOrderParams), code: ExitCode, needle: &str) {
    let rt = setup();
    deposit(&rt, CLIENT, 1_000_000_000);
    let mut p = order_params();
    f(&mut p);
    let msg = expect_err(try_create(&rt, CLIENT, &p), code);
    assert!(msg.contains(needle), "{msg:?} does not mention {needle:?}");
    check_state(&rt);
}

#[test]
fn every_limit_is_enforced() {
    use ExitCode as E;
    rejects(|p| p.replicas = 0, E::USR_ILLEGAL_ARGUMENT, "replicas");
    rejects(
        |p| p.replicas = MAX_REPLICAS + 1,
        E::USR_ILLEGAL_ARGUMENT,
        "replicas",
    );
    rejects(
        |p| p.min_duration = 0,
        E::USR_ILLEGAL_ARGUMENT,
        "min_duration",
    );
    rejects(
        |p| p.min_duration = MAX_ORDER_DURATION + 1,
        E::USR_ILLEGAL_ARGUMENT,
        "min_duration",
    );
    rejects(
        |p| p.price_per_epoch = atto(0),
        E::USR_ILLEGAL_ARGUMENT,
        "price_per_epoch",
    );
    rejects(
        |p| p.price_per_epoch = atto(-5),
        E::USR_ILLEGAL_ARGUMENT,
        "price_per_epoch",
    );
    // Amounts beyond any FIL supply: the price, or the lock it implies.
    rejects(
        |p| p.price_per_epoch = TokenAmount::from_atto(BigInt::from(u128::MAX) + 1),
        E::USR_ILLEGAL_ARGUMENT,
        "price_per_epoch",
    );
    rejects(
        |p| p.price_per_epoch = TokenAmount::from_atto(u128::MAX / 2),
        E::USR_ILLEGAL_ARGUMENT,
        "price_per_epoch × min_duration × replicas",
    );
    rejects(
        |p| p.piece_size = 3000,
        E::USR_ILLEGAL_ARGUMENT,
        "piece_size",
    );
    rejects(|p| p.piece_size = 64, E::USR_ILLEGAL_ARGUMENT, "piece_size");
    rejects(
        |p| p.piece_size = MAX_PIECE_SIZE * 2,
        E::USR_ILLEGAL_ARGUMENT,
        "piece_size",
    );
    rejects(
        |p| p.piece_cid = content(1),
        E::USR_ILLEGAL_ARGUMENT,
        "piece_cid",
    );
    rejects(
        |p| p.activation_deadline = -1,
        E::USR_ILLEGAL_ARGUMENT,
        "activation_deadline",
    );
    rejects(
        |p| p.activation_deadline = MAX_ACTIVATION_WINDOW + 1,
        E::USR_ILLEGAL_ARGUMENT,
        "activation_deadline",
    );
    rejects(
        |p| {
            p.allowed_providers = (0..=MAX_ALLOWED_PROVIDERS as u64)
                .map(|i| id(300 + i))
                .collect()
        },
        E::USR_ILLEGAL_ARGUMENT,
        "allowed_providers",
    );
    rejects(
        |p| p.allowed_providers = vec![id(PROVIDER), id(PROVIDER)],
        E::USR_ILLEGAL_ARGUMENT,
        "twice",
    );
    let f1 = fvm_shared::address::Address::new_secp256k1(&[3u8; 65]).unwrap();
    rejects(
        |p| p.allowed_providers = vec![f1],
        E::USR_NOT_FOUND,
        "allowed provider f1",
    );
    rejects(
        |p| p.client = Some(f1),
        E::USR_NOT_FOUND,
        "client f1:0xd065a0f91ccebee8cfcad088df8e710b1ee02a39 does not resolve to an actor on chain",
    );
}

#[test]
fn limits_at_the_boundary_are_accepted() {
    let rt = setup();
    deposit(&rt, CLIENT, i64::MAX);
    let mut p = order_params();
    p.replicas = MAX_REPLICAS;
    p.allowed_providers = (0..MAX_ALLOWED_PROVIDERS as u64)
        .map(|i| id(300 + i))
        .collect();
    p.activation_deadline = MAX_ACTIVATION_WINDOW;
    p.piece_size = MAX_PIECE_SIZE;
    p.price_per_epoch = atto(1);
    p.min_duration = MAX_ORDER_DURATION;
    create(&rt, CLIENT, &p);
    check_state(&rt);
}

#[test]
fn list_orders_pages_and_filters_by_client() {
    let rt = setup();
    deposit(&rt, CLIENT, 10_000);
    deposit(&rt, OTHER, 10_000);
    for i in 0..4 {
        create(
            &rt,
            if i % 2 == 0 { CLIENT } else { OTHER },
            &order_params(),
        );
    }
    let page: ListOrdersReturn = call_ok(
        &rt,
        OTHER,
        Method::ListOrders,
        &ListOrdersParams {
            client: None,
            cursor: 0,
            limit: 3,
        },
    );
    assert_eq!(
        page.orders.iter().map(|e| e.id).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(page.next_cursor, Some(3));
    let page: ListOrdersReturn = call_ok(
        &rt,
        OTHER,
        Method::ListOrders,
        &ListOrdersParams {
            client: None,
            cursor: 3,
            limit: 3,
        },
    );
    assert_eq!(page.orders.len(), 1);
    assert_eq!(page.next_cursor, None);
    let mine: ListOrdersReturn = call_ok(
        &rt,
        OTHER,
        Method::ListOrders,
        &ListOrdersParams {
            client: Some(id(OTHER)),
            cursor: 0,
            limit: 1,
        },
    );
    assert_eq!(mine.orders.iter().map(|e| e.id).collect::<Vec<_>>(), [1]);
    assert_eq!(mine.next_cursor, Some(2));
    for limit in [0, MAX_LIST_LIMIT + 1] {
        let r = call(
            &rt,
            OTHER,
            Method::ListOrders,
            Some(&ListOrdersParams {
                client: None,
                cursor: 0,
                limit,
            }),
            0,
        );
        expect_err(r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    expect_err(
        call(
            &rt,
            OTHER,
            Method::GetOrder,
            Some(&filmark_escrow::types::OrderIdParams { order_id: 9 }),
            0,
        ),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn a_client_filter_scans_a_bounded_number_of_orders_per_call() {
    let rt = setup();
    let mut p = order_params();
    p.replicas = 1;
    p.min_duration = 1;
    deposit(&rt, OTHER, PRICE * (MAX_LIST_SCAN as i64 + 1));
    deposit(&rt, CLIENT, PRICE);
    for _ in 0..MAX_LIST_SCAN {
        create(&rt, OTHER, &p);
    }
    create(&rt, CLIENT, &p);
    let q = ListOrdersParams {
        client: Some(id(CLIENT)),
        cursor: 0,
        limit: 10,
    };
    let page: ListOrdersReturn = call_ok(&rt, OTHER, Method::ListOrders, &q);
    assert!(page.orders.is_empty());
    assert_eq!(page.next_cursor, Some(MAX_LIST_SCAN));
    let q = ListOrdersParams {
        client: Some(id(CLIENT)),
        cursor: MAX_LIST_SCAN,
        limit: 10,
    };
    let page: ListOrdersReturn = call_ok(&rt, OTHER, Method::ListOrders, &q);
    assert_eq!(
        page.orders.iter().map(|e| e.id).collect::<Vec<_>>(),
        [MAX_LIST_SCAN]
    );
    assert_eq!(page.next_cursor, None);
    check_state(&rt);
}

/// Order ids are taken with checked arithmetic: with `next_order_id` at `u64::MAX`,
/// `CreateOrder` fails with `USR_ILLEGAL_STATE` and locks nothing.
#[test]
fn order_ids_never_wrap() {
    let rt = setup();
    deposit(&rt, CLIENT, 1_000_000);
    rt.call(
        |rt, _, _| {
            let mut st: filmark_escrow::state::State = rt.state()?;
            st.next_order_id = u64::MAX;
            rt.create(&st)?;
            Ok(None)
        },
        0,
        None,
    )
    .unwrap();
    let msg = expect_err(
        try_create(&rt, CLIENT, &order_params()),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert_eq!(msg, "counter next_order_id is at u64::MAX and cannot grow");
    assert_eq!(account(&rt, CLIENT), (1_000_000, 0));
}
