//! The escrow as a deal's client: `AuthenticateMessage` (read-only) and `MarketNotifyDeal`.
use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::ext::market::Label;
use filmark_escrow::state::State;
use filmark_escrow::types::{AuthorizeKeyParams, WithdrawParams};
use fvm_shared::error::ExitCode;

#[test]
fn authenticates_a_matching_proposal_without_writing_state() {
    let rt = setup();
    let order = funded_order(&rt);
    let root = rt.root();
    let events = rt.events().len();
    // The fake runtime panics on any state write, send with value or event in read-only mode.
    let r = authenticate(&rt, MARKET, &proposal(order, &deal(1, PROVIDER, 20, 120))).unwrap();
    assert!(decode::<bool>(r));
    assert_eq!(rt.root(), root);
    assert_eq!(rt.events().len(), events);
    // Bytes labels work too.
    let mut p = proposal(order, &deal(1, PROVIDER, 20, 120));
    p.label = Label::Bytes(order.to_string().into_bytes());
    assert!(decode::<bool>(authenticate(&rt, MARKET, &p).unwrap()));
    check_state(&rt);
}

#[test]
fn refuses_proposals_that_do_not_match() {
    let rt = setup();
    let order = funded_order(&rt);
    let base = proposal(order, &deal(1, PROVIDER, 20, 120));
    let mut cases = Vec::new();
    let mut p = base.clone();
    p.piece_cid = piece(9);
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.piece_size = fvm_shared::piece::PaddedPieceSize(SIZE / 2);
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.storage_price_per_epoch = atto(PRICE + 1);
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.end_epoch = 119;
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.start_epoch = DEADLINE + 1;
    p.end_epoch = DEADLINE + 200;
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.client = id(OTHER);
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.label = Label::String("not an order".into());
    cases.push((p, ExitCode::USR_ILLEGAL_ARGUMENT));
    let mut p = base.clone();
    p.label = Label::String("77".into());
    cases.push((p, ExitCode::USR_NOT_FOUND));
    for (p, code) in cases {
        expect_err(authenticate(&rt, MARKET, &p), code);
    }
    // Only the market may call.
    expect_err(authenticate(&rt, PROVIDER, &base), ExitCode::USR_FORBIDDEN);
    // Malformed message.
    let bad = filmark_escrow::types::AuthenticateMessageParams {
        signature: vec![],
        message: vec![0xff],
    };
    rt.set_read_only(true);
    expect_err(
        call(&rt, MARKET, Method::AuthenticateMessage, Some(&bad), 0),
        ExitCode::USR_SERIALIZATION,
    );
    rt.set_read_only(false);
    check_state(&rt);
}

#[test]
fn notify_binds_the_deal_and_never_aborts_for_one_that_no_longer_fits() {
    let rt = setup();
    let order = funded_order(&rt);
    // A batch of three deals for a 2-replica order: all authenticate, the third cannot bind.
    let providers = [PROVIDER, PROVIDER2, OTHER];
    let deals: Vec<Deal> = (1..=3)
        .map(|i| deal(i, providers[i as usize - 1], 20, 120))
        .collect();
    for d in &deals {
        assert!(decode::<bool>(
            authenticate(&rt, MARKET, &proposal(order, d)).unwrap()
        ));
    }
    for d in &deals {
        notify(&rt, MARKET, &proposal(order, d), d.id).unwrap();
    }
    let o = get_order(&rt, order);
    assert_eq!(
        o.deals.iter().map(|d| d.deal_id).collect::<Vec<_>>(),
        [1, 2]
    );
    let st: State = filmark_actor_shared::Runtime::state(&rt).unwrap();
    assert_eq!(st.rejected_deals, 1);
    assert_eq!(
        event_names(&rt)[2..],
        ["DealBound", "DealBound", "DealRejected"]
    );
    // Re-notifying a bound deal is recorded, not aborted.
    notify(&rt, MARKET, &proposal(order, &deals[0]), 1).unwrap();
    let st: State = filmark_actor_shared::Runtime::state(&rt).unwrap();
    assert_eq!(st.rejected_deals, 2);
    // A proposal for an unknown order is recorded too.
    let mut p = proposal(order, &deal(4, PROVIDER, 20, 120));
    p.label = Label::String("42".into());
    notify(&rt, MARKET, &p, 4).unwrap();
    check_state(&rt);
}

#[test]
fn notify_is_for_the_market_only_and_checks_its_params() {
    let rt = setup();
    let order = funded_order(&rt);
    let p = proposal(order, &deal(1, PROVIDER, 20, 120));
    expect_err(notify(&rt, OTHER, &p, 1), ExitCode::USR_FORBIDDEN);
    let bad = filmark_escrow::types::MarketNotifyDealParams {
        proposal: vec![1, 2, 3],
        deal_id: 1,
    };
    expect_err(
        call(&rt, MARKET, Method::MarketNotifyDeal, Some(&bad), 0),
        ExitCode::USR_SERIALIZATION,
    );
    assert!(get_order(&rt, order).deals.is_empty());
    check_state(&rt);
}

/// A method that writes state, called read-only, fails as on chain: `USR_READ_ONLY`, nothing
/// changed (the fake refuses the write as the FVM does).
#[test]
fn a_write_in_a_read_only_call_is_refused_with_read_only() {
    let rt = setup();
    deposit(&rt, CLIENT, 100);
    let before = rt.root();
    rt.set_read_only(true);
    let p = AuthorizeKeyParams {
        key: id(APP_KEY),
        cap: atto(10),
        expiry: 100,
    };
    let msg = expect_err(
        call(&rt, CLIENT, Method::AuthorizeKey, Some(&p), 0),
        ExitCode::USR_READ_ONLY,
    );
    assert_eq!(msg, "state write in a read-only call");
    let w = WithdrawParams {
        amount: atto(10),
        to: None,
    };
    let msg = expect_err(
        call(&rt, CLIENT, Method::Withdraw, Some(&w), 0),
        ExitCode::USR_READ_ONLY,
    );
    assert_eq!(msg, "state write in a read-only call");
    rt.set_read_only(false);
    assert_eq!(rt.root(), before);
    assert!(rt.sent().is_empty());
    assert_eq!(account(&rt, CLIENT), (100, 0));
    check_state(&rt);
}
