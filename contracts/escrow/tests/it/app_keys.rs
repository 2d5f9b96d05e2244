//! Spend-capped app keys: create and fund orders for a client, enforced on-chain.
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::types::*;
use fvm_shared::error::ExitCode;

fn authorize(rt: &Rt, cap: i64, expiry: i64) {
    call(
        rt,
        CLIENT,
        Method::AuthorizeKey,
        Some(&AuthorizeKeyParams {
            key: id(APP_KEY),
            cap: atto(cap),
            expiry,
        }),
        0,
    )
    .unwrap();
}

fn for_client() -> CreateOrderParams {
    CreateOrderParams {
        client: Some(id(CLIENT)),
        ..order_params()
    }
}

#[test]
fn an_app_key_spends_up_to_its_cap() {
    let rt = setup();
    deposit(&rt, CLIENT, 10_000);
    authorize(&rt, 3000, 100);
    let order = create(&rt, APP_KEY, &for_client());
    assert_eq!(get_order(&rt, order).client, CLIENT);
    assert_eq!(account(&rt, CLIENT), (8000, 2000));
    assert_eq!(account(&rt, APP_KEY), (0, 0));
    // Funding from the client's funds counts against the cap too.
    let p = FundOrderParams {
        order_id: order,
        from_available: atto(1000),
    };
    call(&rt, APP_KEY, Method::FundOrder, Some(&p), 0).unwrap();
    let g: GetAppKeyReturn = call_ok(
        &rt,
        OTHER,
        Method::GetAppKey,
        &GetAppKeyParams {
            client: id(CLIENT),
            key: id(APP_KEY),
        },
    );
    assert_eq!(to_i64(&g.grant.unwrap().spent), 3000);
    let msg = expect_err(
        try_create(&rt, APP_KEY, &for_client()),
        ExitCode::USR_FORBIDDEN,
    );
    assert!(msg.contains("cap"), "{msg}");
    let p = FundOrderParams {
        order_id: order,
        from_available: atto(1),
    };
    expect_err(
        call(&rt, APP_KEY, Method::FundOrder, Some(&p), 0),
        ExitCode::USR_FORBIDDEN,
    );
    // Raising the cap keeps what was spent.
    authorize(&rt, 5000, 100);
    create(&rt, APP_KEY, &for_client());
    assert_eq!(account(&rt, CLIENT), (5000, 5000));
    check_state(&rt);
}

#[test]
fn expired_revoked_and_unknown_keys_are_forbidden() {
    let rt = setup();
    deposit(&rt, CLIENT, 10_000);
    expect_err(
        try_create(&rt, APP_KEY, &for_client()),
        ExitCode::USR_FORBIDDEN,
    );
    authorize(&rt, 10_000, 20);
    rt.set_epoch(20);
    let msg = expect_err(
        try_create(&rt, APP_KEY, &for_client()),
        ExitCode::USR_FORBIDDEN,
    );
    assert!(msg.contains("expired"), "{msg}");
    authorize(&rt, 10_000, 40);
    create(&rt, APP_KEY, &for_client());
    call(
        &rt,
        CLIENT,
        Method::RevokeKey,
        Some(&RevokeKeyParams { key: id(APP_KEY) }),
        0,
    )
    .unwrap();
    expect_err(
        try_create(&rt, APP_KEY, &for_client()),
        ExitCode::USR_FORBIDDEN,
    );
    expect_err(
        call(
            &rt,
            CLIENT,
            Method::RevokeKey,
            Some(&RevokeKeyParams { key: id(APP_KEY) }),
            0,
        ),
        ExitCode::USR_NOT_FOUND,
    );
    // Another client's key does not work for CLIENT.
    call(
        &rt,
        OTHER,
        Method::AuthorizeKey,
        Some(&AuthorizeKeyParams {
            key: id(APP_KEY),
            cap: atto(9999),
            expiry: 99,
        }),
        0,
    )
    .unwrap();
    expect_err(
        try_create(&rt, APP_KEY, &for_client()),
        ExitCode::USR_FORBIDDEN,
    );
    assert_eq!(
        event_names(&rt),
        [
            "Deposited",
            "AppKeyAuthorized",
            "AppKeyAuthorized",
            "OrderCreated",
            "AppKeyRevoked",
            "AppKeyAuthorized"
        ]
    );
    check_state(&rt);
}

#[test]
fn keys_cannot_send_value_for_the_client_nor_withdraw_its_funds() {
    let rt = setup();
    deposit(&rt, CLIENT, 10_000);
    authorize(&rt, 10_000, 100);
    expect_err(
        call(&rt, APP_KEY, Method::CreateOrder, Some(&for_client()), 2000),
        ExitCode::USR_NOT_PAYABLE,
    );
    let w = WithdrawParams {
        amount: atto(1),
        to: None,
    };
    expect_err(
        call(&rt, APP_KEY, Method::Withdraw, Some(&w), 0),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    check_state(&rt);
}

#[test]
fn authorize_checks_its_params() {
    let rt = setup();
    let bad = [
        AuthorizeKeyParams {
            key: id(CLIENT),
            cap: atto(1),
            expiry: 10,
        },
        AuthorizeKeyParams {
            key: id(APP_KEY),
            cap: atto(-1),
            expiry: 10,
        },
        AuthorizeKeyParams {
            key: id(APP_KEY),
            cap: atto(1),
            expiry: 0,
        },
    ];
    for p in bad {
        expect_err(
            call(&rt, CLIENT, Method::AuthorizeKey, Some(&p), 0),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        );
    }
    // A key with no actor is not found, as every address that does not resolve.
    let no_actor = fvm_shared::address::Address::new_delegated(10, &[1u8; 20]).unwrap();
    let p = AuthorizeKeyParams {
        key: no_actor,
        cap: atto(1),
        expiry: 10,
    };
    let msg = expect_err(
        call(&rt, CLIENT, Method::AuthorizeKey, Some(&p), 0),
        ExitCode::USR_NOT_FOUND,
    );
    assert_eq!(
        msg,
        "app key f4:0x0a0101010101010101010101010101010101010101 does not resolve to an actor on chain"
    );
    let msg = expect_err(
        call(
            &rt,
            OTHER,
            Method::GetAppKey,
            Some(&GetAppKeyParams {
                client: id(CLIENT),
                key: no_actor,
            }),
            0,
        ),
        ExitCode::USR_NOT_FOUND,
    );
    assert!(msg.starts_with("app key f4:"), "{msg}");
    let none: GetAppKeyReturn = call_ok(
        &rt,
        OTHER,
        Method::GetAppKey,
        &GetAppKeyParams {
            client: id(CLIENT),
            key: id(APP_KEY),
        },
    );
    assert_eq!(none.grant, None);
    check_state(&rt);
}
