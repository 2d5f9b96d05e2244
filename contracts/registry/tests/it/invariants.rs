//! The invariant check itself: it reports corrupted states (and is clean on valid ones).
use crate::harness::*;

fn corrupt(rt: &FakeRuntime, f: impl FnOnce(&mut State)) -> Vec<String> {
    rt.call(
        |rt, _, _| {
            let mut st: State = rt.state()?;
            f(&mut st);
            rt.create(&st)?;
            Ok(None)
        },
        0,
        None,
    )
    .unwrap();
    let st: State = rt.state().unwrap();
    check_state_invariants(rt.blockstore(), &st).1.messages()
}

fn populated() -> FakeRuntime {
    let rt = setup();
    register(&rt, ALICE, 1);
    register(&rt, BOB, 2);
    add_signer(&rt, ALICE, APP, scope::ALL, 1000);
    revoke_signer(&rt, ALICE, APP);
    check_state(&rt);
    rt
}

#[test]
fn wrong_counters_are_reported() {
    let rt = populated();
    let msgs = corrupt(&rt, |st| st.record_count += 1);
    assert!(msgs.iter().any(|m| m.contains("record_count")), "{msgs:?}");
    let rt = populated();
    let msgs = corrupt(&rt, |st| st.owner_count = 5);
    assert!(msgs.iter().any(|m| m.contains("owner_count")), "{msgs:?}");
    let rt = populated();
    let msgs = corrupt(&rt, |st| st.next_grant_id += 1);
    assert!(msgs.iter().any(|m| m.contains("grants known")), "{msgs:?}");
}

#[test]
fn an_owner_index_out_of_step_with_records_is_reported() {
    let rt = populated();
    // Point Bob's index at Alice's map: records and index disagree both ways.
    let msgs = corrupt(&rt, |st| {
        let records = st.records;
        st.owners = records;
    });
    assert!(!msgs.is_empty());
}
