//! Accounts: deposit, withdraw, balances.
use crate::harness::*;
use filmark_actor_shared::Runtime;
use filmark_escrow::Method;
use filmark_escrow::types::WithdrawParams;
use fvm_shared::METHOD_SEND;
use fvm_shared::error::ExitCode;

#[test]
fn deposit_then_withdraw_to_self_and_to_another_address() {
    let rt = setup();
    deposit(&rt, CLIENT, 1000);
    assert_eq!(account(&rt, CLIENT), (1000, 0));
    rt.expect_send(
        filmark_actor_shared::testing::ExpectedSend::new(id(CLIENT), METHOD_SEND, None)
            .value(atto(300)),
    );
    call(
        &rt,
        CLIENT,
        Method::Withdraw,
        Some(&WithdrawParams {
            amount: atto(300),
            to: None,
        }),
        0,
    )
    .unwrap();
    assert_eq!(account(&rt, CLIENT), (700, 0));
    rt.expect_send(
        filmark_actor_shared::testing::ExpectedSend::new(id(OTHER), METHOD_SEND, None)
            .value(atto(700)),
    );
    call(
        &rt,
        CLIENT,
        Method::Withdraw,
        Some(&WithdrawParams {
            amount: atto(700),
            to: Some(id(OTHER)),
        }),
        0,
    )
    .unwrap();
    assert_eq!(account(&rt, CLIENT), (0, 0));
    assert_eq!(event_names(&rt), ["Deposited", "Withdrawn", "Withdrawn"]);
    check_state(&rt);
}

#[test]
fn withdraw_only_what_is_available() {
    let rt = setup();
    let order = funded_order(&rt);
    deposit(&rt, CLIENT, 5);
    let locked = PRICE * MIN_DURATION * 2;
    assert_eq!(account(&rt, CLIENT), (5, locked));
    let r = call(
        &rt,
        CLIENT,
        Method::Withdraw,
        Some(&WithdrawParams {
            amount: atto(6),
            to: None,
        }),
        0,
    );
    expect_err(r, ExitCode::USR_INSUFFICIENT_FUNDS);
    // Someone else has nothing to withdraw.
    let r = call(
        &rt,
        OTHER,
        Method::Withdraw,
        Some(&WithdrawParams {
            amount: atto(1),
            to: None,
        }),
        0,
    );
    expect_err(r, ExitCode::USR_INSUFFICIENT_FUNDS);
    let _ = order;
    check_state(&rt);
}

#[test]
fn bad_amounts_and_values_are_rejected() {
    let rt = setup();
    expect_err(
        call::<()>(&rt, CLIENT, Method::Deposit, None, 0),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    deposit(&rt, CLIENT, 10);
    for amount in [0, -1] {
        let r = call(
            &rt,
            CLIENT,
            Method::Withdraw,
            Some(&WithdrawParams {
                amount: atto(amount),
                to: None,
            }),
            0,
        );
        expect_err(r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    let r = call(
        &rt,
        CLIENT,
        Method::Withdraw,
        Some(&WithdrawParams {
            amount: atto(1),
            to: None,
        }),
        5,
    );
    expect_err(r, ExitCode::USR_NOT_PAYABLE);
    check_state(&rt);
}

#[test]
fn failed_payout_rolls_back() {
    let rt = setup();
    deposit(&rt, CLIENT, 10);
    rt.expect_send(
        filmark_actor_shared::testing::ExpectedSend::new(id(OTHER), METHOD_SEND, None)
            .value(atto(10))
            .returns(ExitCode::USR_FORBIDDEN, None),
    );
    let r = call(
        &rt,
        CLIENT,
        Method::Withdraw,
        Some(&WithdrawParams {
            amount: atto(10),
            to: Some(id(OTHER)),
        }),
        0,
    );
    expect_err(r, ExitCode::USR_FORBIDDEN);
    assert_eq!(account(&rt, CLIENT), (10, 0));
    check_state(&rt);
}

#[test]
fn accounts_read_as_zero_unknown_addresses_are_not_found_and_constructor_is_guarded() {
    let rt = setup();
    assert_eq!(account(&rt, OTHER), (0, 0), "an actor that never deposited");
    let f4 = fvm_shared::address::Address::new_delegated(10, &[7u8; 20]).unwrap();
    let msg = expect_err(
        call(
            &rt,
            OTHER,
            Method::GetAccount,
            Some(&filmark_escrow::types::GetAccountParams { account: f4 }),
            0,
        ),
        ExitCode::USR_NOT_FOUND,
    );
    assert_eq!(
        msg,
        "account f4:0x0a0707070707070707070707070707070707070707 does not resolve to an actor on chain"
    );
    expect_err(
        call::<()>(&rt, CLIENT, Method::Constructor, None, 0),
        ExitCode::USR_FORBIDDEN,
    );
    check_state(&rt);
}

/// Value no account holds is refused: with the constructor and with the market's callbacks
/// (`USR_NOT_PAYABLE`), so the balance stays the sum of the accounts.
#[test]
fn constructor_and_callbacks_take_no_value() {
    let rt = Rt::new(ESCROW);
    rt.set_balance(atto(0));
    let msg = expect_err(
        call::<()>(&rt, INIT, Method::Constructor, None, 5),
        ExitCode::USR_NOT_PAYABLE,
    );
    assert!(
        msg.starts_with("this method does not accept value"),
        "{msg}"
    );
    assert!(rt.root().is_none() && rt.current_balance().is_zero());
    let rt = setup();
    for m in [Method::AuthenticateMessage, Method::MarketNotifyDeal] {
        expect_err(
            call::<()>(&rt, MARKET, m, None, 5),
            ExitCode::USR_NOT_PAYABLE,
        );
    }
    check_state(&rt);
}
