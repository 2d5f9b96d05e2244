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
fn a_valid_state_reports_nothing() {
    let rt = populated();
    let st: State = rt.state().unwrap();
    let (summary, acc) = check_state_invariants(rt.blockstore(), &st);
    assert_eq!(acc.messages(), Vec::<String>::new());
    assert_eq!(summary.records.len(), 2);
    assert_eq!(summary.revoked.len(), 1);
}

#[test]
fn wrong_counters_are_reported() {
    let rt = populated();
    assert_eq!(
        corrupt(&rt, |st| st.record_count += 1),
        ["record_count 3 != 2 records"]
    );
    let rt = populated();
    assert_eq!(
        corrupt(&rt, |st| st.tombstoned_count = 1),
        ["tombstoned_count 1 != 0"]
    );
    let rt = populated();
    assert_eq!(
        corrupt(&rt, |st| st.owner_count = 5),
        ["owner_count 5 != 2"]
    );
    let rt = populated();
    assert_eq!(
        corrupt(&rt, |st| st.next_grant_id += 1),
        ["1 grants known, 2 issued"]
    );
    let rt = populated();
    assert_eq!(
        corrupt(&rt, |st| st.revoked_count = 0),
        ["revoked_count 0 != 1"]
    );
    let rt = populated();
    let seq = rt.state::<State>().unwrap().seq;
    let msgs = corrupt(&rt, |st| st.seq = 1);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(
        msgs[0].ends_with(": seq 2 > state seq 1"),
        "{msgs:?} (seq was {seq})"
    );
}

#[test]
fn an_owner_index_out_of_step_with_records_is_reported() {
    let rt = populated();
    // Point the owner index at the records map: its values are not owner entries (the typed
    // map refuses its root node), so no record is indexed and no owner is counted.
    let msgs = corrupt(&rt, |st| {
        let records = st.records;
        st.owners = records;
    });
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(
        msgs[0].starts_with("loading the owner index: owners: Serialization error"),
        "{msgs:?}"
    );
    assert_eq!(
        msgs[1..],
        ["0 index entries for 2 records", "owner_count 2 != 0"]
    );
    // An empty owner index: every record is missing from it.
    let rt = populated();
    let msgs = corrupt(&rt, |st| {
        let empty = st.signers;
        st.owners = empty;
    });
    assert_eq!(
        msgs,
        ["0 index entries for 2 records", "owner_count 2 != 0"]
    );
}
