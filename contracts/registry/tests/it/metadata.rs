//! UpdateMetadata: set, overwrite, remove, limits after the merge, tombstoned records.
use crate::harness::*;

fn update(
    rt: &FakeRuntime,
    caller: ActorID,
    set: Vec<MetadataEntry>,
    remove: Vec<&str>,
) -> Result<Option<IpldBlock>, ActorError> {
    call(
        rt,
        caller,
        Method::UpdateMetadata,
        &UpdateMetadataParams {
            cid: cid(1),
            set,
            remove: remove.into_iter().map(String::from).collect(),
        },
    )
}

#[test]
fn update_sets_overwrites_and_removes() {
    let rt = setup();
    register(&rt, ALICE, 1);
    rt.set_epoch(150);
    update(
        &rt,
        ALICE,
        vec![entry("title", "new"), entry("lang", "en")],
        vec!["alt", "missing"],
    )
    .unwrap();
    let r = get(&rt, cid(1));
    assert_eq!(r.metadata, vec![entry("lang", "en"), entry("title", "new")]);
    assert_eq!((r.created, r.updated), (100, 150));
    // Remove applies before set: a key in both ends up set.
    update(&rt, ALICE, vec![entry("lang", "fr")], vec!["lang"]).unwrap();
    assert_eq!(get(&rt, cid(1)).metadata[0], entry("lang", "fr"));
    check_state(&rt);
}

#[test]
fn an_empty_update_is_refused() {
    let rt = setup();
    register(&rt, ALICE, 1);
    expect_code(
        update(&rt, ALICE, vec![], vec![]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    check_state(&rt);
}

#[test]
fn the_merged_metadata_must_stay_within_the_limit() {
    let rt = setup();
    register(&rt, ALICE, 1); // 2 entries
    let set: Vec<_> = (0..MAX_METADATA_ENTRIES - 2)
        .map(|i| entry(&format!("k{i}"), "v"))
        .collect();
    update(&rt, ALICE, set, vec![]).unwrap();
    assert_eq!(get(&rt, cid(1)).metadata.len(), MAX_METADATA_ENTRIES);
    let msg = expect_code(
        update(&rt, ALICE, vec![entry("one-more", "v")], vec![]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_METADATA_ENTRIES"), "{msg}");
    // Removing one makes room in the same call.
    update(&rt, ALICE, vec![entry("one-more", "v")], vec!["k0"]).unwrap();
    check_state(&rt);
}

#[test]
fn update_checks_keys_and_values() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let long_key = "k".repeat(MAX_METADATA_KEY_BYTES + 1);
    let msg = expect_code(
        update(&rt, ALICE, vec![entry(&long_key, "v")], vec![]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_METADATA_KEY_BYTES"), "{msg}");
    expect_code(
        update(&rt, ALICE, vec![], vec![&long_key]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let long_value = "v".repeat(MAX_METADATA_VALUE_BYTES + 1);
    let msg = expect_code(
        update(&rt, ALICE, vec![entry("k", &long_value)], vec![]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_METADATA_VALUE_BYTES"), "{msg}");
    expect_code(
        update(&rt, ALICE, vec![entry("", "v")], vec![]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    expect_code(
        update(&rt, ALICE, vec![entry("a", "1"), entry("a", "2")], vec![]),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    check_state(&rt);
}

#[test]
fn unknown_and_tombstoned_records_cannot_be_updated() {
    let rt = setup();
    expect_code(
        update(&rt, ALICE, vec![entry("k", "v")], vec![]),
        ExitCode::USR_NOT_FOUND,
    );
    register(&rt, ALICE, 1);
    call(
        &rt,
        ALICE,
        Method::Tombstone,
        &TombstoneParams { cid: cid(1) },
    )
    .unwrap();
    let msg = expect_code(
        update(&rt, ALICE, vec![entry("k", "v")], vec![]),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert!(msg.contains("tombstoned"), "{msg}");
    check_state(&rt);
}

#[test]
fn a_non_owner_cannot_update() {
    let rt = setup();
    register(&rt, ALICE, 1);
    expect_code(
        update(&rt, BOB, vec![entry("k", "v")], vec![]),
        ExitCode::USR_FORBIDDEN,
    );
    assert_eq!(get(&rt, cid(1)).metadata.len(), 2);
    check_state(&rt);
}
