//! Payments: only `SettleDealPayments` or a termination pays; the cron drops late deals.

use super::*;

#[test]
fn the_cron_never_pays_or_completes_a_new_deal() {
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, 50);
    for now in (60..=400).step_by(7) {
        assert!(h.cron(now).is_empty());
    }
    assert_eq!(h.balance(PROVIDER), (atto(1_000), atto(300)));
    // Past its end, unsettled, it still answers [activated, -1].
    assert_eq!(h.activation(id), Ok((50, -1)));
    assert_eq!(h.check().active_deals, 1);
}

#[test]
fn settlement_pays_up_to_now_and_completes_at_the_end() {
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, 50);
    assert_eq!(
        h.settle(&[id], 90).settlements,
        [summary(0, false)],
        "before the start"
    );
    let ret = h.settle(&[id], 130);
    assert_eq!(
        ret.results,
        BatchReturn {
            success_count: 1,
            fail_codes: vec![]
        }
    );
    assert_eq!(ret.settlements, [summary(300, false)]);
    assert_eq!(h.balance(PROVIDER), (atto(1_300), atto(300)));
    assert_eq!(h.balance(CLIENT), (atto(4_700), atto(750)));
    assert_eq!(h.activation(id), Ok((50, -1)));
    h.check();

    let (ret, out) = h.state.settle_deal_payments(&h.store, &[id], 250).unwrap();
    assert_eq!(ret.settlements, [summary(700, true)]);
    assert_eq!(h.apply(out), [event(DealEventKind::Completed, id)]);
    assert_eq!(h.balance(PROVIDER), (atto(2_000), atto(0)));
    assert_eq!(h.balance(CLIENT), (atto(4_000), atto(0)));
    // Removed: every getter answers 32 from now on, and so does a second settlement.
    assert_eq!(h.activation(id), Err(EX_DEAL_EXPIRED));
    assert_eq!(
        h.state.deal(&h.store, id).unwrap_err().exit_code(),
        EX_DEAL_EXPIRED
    );
    let again = h.settle(&[id], 260);
    assert_eq!(
        again.results.fail_codes,
        [FailCode {
            idx: 0,
            code: EX_DEAL_EXPIRED
        }]
    );
    assert_eq!(h.check().deals, 0);
}

#[test]
fn settlement_of_deals_that_are_not_active() {
    let mut h = Harness::new();
    let early = h.publish();
    let late = h.publish_with(DealProposal {
        label: Label::String("late".into()),
        ..proposal()
    });
    // Never published (id 9) fails with 32 as a removed deal does; the unactivated deal before
    // its start is a {0, false} success; both at index order.
    let ret = h.settle(&[9, early], START - 1);
    assert_eq!(ret.results.codes(), [EX_DEAL_EXPIRED, ExitCode::OK]);
    assert_eq!(ret.settlements, [summary(0, false)]);
    h.check();

    // Past its start, unactivated: dropped, provider collateral burnt, fails with 32.
    let ret = h.settle(&[late], START);
    assert_eq!(
        ret.results.fail_codes,
        [FailCode {
            idx: 0,
            code: EX_DEAL_EXPIRED
        }]
    );
    assert_eq!(h.burnt, atto(300));
    assert_eq!(h.activation(late), Err(EX_DEAL_EXPIRED));
    assert_eq!(h.balance(PROVIDER), (atto(700), atto(300)));
    assert_eq!(h.balance(CLIENT), (atto(5_000), atto(1_050)));
    h.check();
}

#[test]
fn a_deal_marked_for_termination_cannot_be_settled() {
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, START);
    let state = h.state.deal(&h.store, id).unwrap().state;
    h.set_deal_state(
        id,
        DealState {
            slash_epoch: 150,
            ..state
        },
    );
    let err = h
        .state
        .settle_deal_payments(&h.store, &[id], 160)
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn termination_pays_up_to_it_burns_the_collateral_and_removes_the_deal() {
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, START);
    assert_eq!(h.settle(&[id], 120).settlements, [summary(200, false)]);
    assert_eq!(h.terminate(id, 150), [event(DealEventKind::Terminated, id)]);
    assert_eq!(h.burnt, atto(300));
    // 50 epochs paid (200 settled + 300 now), the other 50 (500) and the collateral unlocked.
    assert_eq!(h.balance(CLIENT), (atto(4_500), atto(0)));
    assert_eq!(h.balance(PROVIDER), (atto(1_200), atto(0)));
    assert_eq!(h.activation(id), Err(EX_DEAL_EXPIRED));
    assert_eq!(h.check().deals, 0);
    // Terminating it again is a no-op, as for the real market's removed deals.
    assert!(h.terminate(id, 151).is_empty());
    h.check();
}

#[test]
fn termination_before_any_settlement_pays_every_active_epoch() {
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, 60);
    h.cron(START + 50); // the cron pays nothing
    h.terminate(id, 170);
    assert_eq!(
        h.balance(PROVIDER),
        (atto(1_400), atto(0)),
        "+700 earned, -300 burnt"
    );
    assert_eq!(h.balance(CLIENT), (atto(4_300), atto(0)));
    // An ended deal is not terminated (it waits for its settlement).
    let ended = h.publish_with(DealProposal {
        label: Label::String("e".into()),
        start_epoch: 200,
        end_epoch: 210,
        ..proposal()
    });
    h.activate(ended, 200);
    assert!(h.terminate(ended, 210).is_empty());
    assert_eq!(h.activation(ended), Ok((200, -1)));
    h.check();
}

#[test]
fn an_unactivated_deal_is_dropped_at_its_next_scheduled_update() {
    let mut h = Harness::new();
    // Ids 0..=2 are unactivated; with updates every 10 epochs, deal 2 (start 100) is first
    // updated at epoch 102, not at its start.
    for i in 0..3 {
        h.publish_with(DealProposal {
            label: Label::String(format!("{i}")),
            ..proposal()
        });
    }
    assert_eq!(h.state.policy.next_update_epoch(2, START), 102);
    assert_eq!(h.state.policy.next_update_epoch(2, 103), 112);
    assert_eq!(h.state.policy.next_update_epoch(0, START), 100);
    h.cron(START);
    assert_eq!(h.activation(0), Err(EX_DEAL_EXPIRED));
    assert_eq!(h.activation(2), Ok((-1, -1)), "still there at its start");
    h.cron(START + 1);
    assert_eq!(h.activation(1), Err(EX_DEAL_EXPIRED));
    assert_eq!(h.activation(2), Ok((-1, -1)));
    h.cron(START + 2);
    assert_eq!(h.activation(2), Err(EX_DEAL_EXPIRED));
    assert_eq!(h.burnt, atto(900));
    h.check();
}

#[test]
fn a_deal_settled_before_its_first_update_is_paid_by_the_cron() {
    // builtin-actors' cron still updates deals whose last update is set (its legacy path):
    // a settlement before the scheduled visit puts the deal on it.
    let mut h = Harness::new();
    let id = h.publish();
    h.activate(id, 50);
    h.settle(&[id], START); // last update set, nothing earned yet
    h.cron(START); // scheduled visit: pays 0, reschedules at 110
    h.cron(115);
    assert_eq!(h.balance(PROVIDER), (atto(1_150), atto(300)));
    let events = h.cron(205);
    assert_eq!(events, [event(DealEventKind::Completed, id)]);
    assert_eq!(h.balance(PROVIDER), (atto(2_000), atto(0)));
    h.check();
}
