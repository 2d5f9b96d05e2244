//! App signers: scope, expiry, revocation, re-grants, self-revocation, limits.
use crate::harness::*;

fn bob_record(n: u64) -> RegisterParams {
    let mut p = reg(n);
    p.owner = Some(id(BOB));
    p
}

#[test]
fn a_signer_acts_for_its_owner_within_scope() {
    let rt = setup();
    let g = add_signer(&rt, BOB, APP, scope::ALL, 1000);
    assert_eq!(g, 0);
    call(&rt, APP, Method::Register, &bob_record(1)).unwrap();
    let r = get(&rt, cid(1));
    assert_eq!((r.owner, r.via_grant), (BOB, Some(g)));
    call(
        &rt,
        APP,
        Method::UpdateMetadata,
        &UpdateMetadataParams {
            cid: cid(1),
            set: vec![entry("k", "v")],
            remove: vec![],
        },
    )
    .unwrap();
    call(
        &rt,
        APP,
        Method::Tombstone,
        &TombstoneParams { cid: cid(1) },
    )
    .unwrap();
    assert_eq!(get(&rt, cid(1)).status, Status::Tombstoned);
    let c = counts(&rt);
    assert_eq!((c.signers, c.revoked), (1, 0));
    check_state(&rt);
}

#[test]
fn an_out_of_scope_signer_is_forbidden() {
    let rt = setup();
    add_signer(&rt, BOB, APP, scope::REGISTER, 1000);
    call(&rt, APP, Method::Register, &bob_record(1)).unwrap();
    let msg = expect_code(
        call(
            &rt,
            APP,
            Method::Tombstone,
            &TombstoneParams { cid: cid(1) },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    assert!(msg.contains("does not cover Tombstone"), "{msg}");
    expect_code(
        call(
            &rt,
            APP,
            Method::Transfer,
            &TransferParams {
                cid: cid(1),
                new_owner: id(APP),
            },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    expect_code(
        call(
            &rt,
            APP,
            Method::UpdateMetadata,
            &UpdateMetadataParams {
                cid: cid(1),
                set: vec![entry("k", "v")],
                remove: vec![],
            },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    expect_code(
        call(
            &rt,
            APP,
            Method::LinkOrder,
            &LinkOrderParams {
                cid: cid(1),
                order_id: 1,
            },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    check_state(&rt);
}

#[test]
fn an_expired_signer_is_forbidden() {
    let rt = setup();
    add_signer(&rt, BOB, APP, scope::ALL, 200);
    rt.set_epoch(199);
    call(&rt, APP, Method::Register, &bob_record(1)).unwrap();
    rt.set_epoch(200);
    let msg = expect_code(
        call(&rt, APP, Method::Register, &bob_record(2)),
        ExitCode::USR_FORBIDDEN,
    );
    assert!(msg.contains("expired at epoch 200"), "{msg}");
    check_state(&rt);
}

#[test]
fn a_non_owner_without_a_grant_is_forbidden_everywhere() {
    let rt = setup();
    register(&rt, BOB, 1);
    for (method, res) in [
        (
            "UpdateMetadata",
            call(
                &rt,
                ALICE,
                Method::UpdateMetadata,
                &UpdateMetadataParams {
                    cid: cid(1),
                    set: vec![entry("k", "v")],
                    remove: vec![],
                },
            ),
        ),
        (
            "Transfer",
            call(
                &rt,
                ALICE,
                Method::Transfer,
                &TransferParams {
                    cid: cid(1),
                    new_owner: id(ALICE),
                },
            ),
        ),
        (
            "Tombstone",
            call(
                &rt,
                ALICE,
                Method::Tombstone,
                &TombstoneParams { cid: cid(1) },
            ),
        ),
        (
            "LinkOrder",
            call(
                &rt,
                ALICE,
                Method::LinkOrder,
                &LinkOrderParams {
                    cid: cid(1),
                    order_id: 3,
                },
            ),
        ),
    ] {
        assert_eq!(
            res.unwrap_err().exit_code(),
            ExitCode::USR_FORBIDDEN,
            "{method}"
        );
    }
    // A signer of another owner does not act for Bob either.
    add_signer(&rt, CAROL, ALICE, scope::ALL, 1000);
    expect_code(
        call(
            &rt,
            ALICE,
            Method::Tombstone,
            &TombstoneParams { cid: cid(1) },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    check_state(&rt);
}

#[test]
fn a_revoked_grant_never_acts_again_and_a_re_grant_gets_a_new_id() {
    let rt = setup();
    let g0 = add_signer(&rt, BOB, APP, scope::ALL, 1000);
    call(&rt, APP, Method::Register, &bob_record(1)).unwrap();
    let r: RevokeSignerReturn = call_ret(
        &rt,
        BOB,
        Method::RevokeSigner,
        &RevokeSignerParams {
            owner: None,
            signer: id(APP),
        },
    )
    .unwrap();
    assert_eq!(r.grant_id, g0);
    let msg = expect_code(
        call(&rt, APP, Method::Register, &bob_record(2)),
        ExitCode::USR_FORBIDDEN,
    );
    assert!(msg.contains("no current signer grant"), "{msg}");
    // Revoking again finds nothing.
    expect_code(
        call(
            &rt,
            BOB,
            Method::RevokeSigner,
            &RevokeSignerParams {
                owner: None,
                signer: id(APP),
            },
        ),
        ExitCode::USR_NOT_FOUND,
    );
    // Re-adding the same address makes a new grant, with a new id.
    let g1 = add_signer(&rt, BOB, APP, scope::REGISTER, 1000);
    assert_ne!(g1, g0);
    call(&rt, APP, Method::Register, &bob_record(2)).unwrap();
    assert_eq!(get(&rt, cid(2)).via_grant, Some(g1));
    let c = counts(&rt);
    assert_eq!((c.signers, c.revoked), (1, 1));
    check_state(&rt);
}

#[test]
fn adding_a_signer_again_revokes_its_current_grant() {
    let rt = setup();
    let g0 = add_signer(&rt, BOB, APP, scope::ALL, 1000);
    let g1 = add_signer(&rt, BOB, APP, scope::REGISTER, 2000);
    assert!(g1 > g0);
    let grants: ListSignersReturn = call_ret(
        &rt,
        ALICE,
        Method::ListSigners,
        &ListSignersParams { owner: id(BOB) },
    )
    .unwrap();
    assert_eq!(grants.grants.len(), 1);
    assert_eq!(grants.grants[0].grant_id, g1);
    assert_eq!(grants.grants[0].scope, scope::REGISTER);
    assert_eq!(grants.grants[0].expiry, 2000);
    let c = counts(&rt);
    assert_eq!((c.signers, c.revoked), (1, 1));
    check_state(&rt);
}

#[test]
fn a_signer_may_revoke_its_own_grant_but_a_third_party_may_not() {
    let rt = setup();
    add_signer(&rt, BOB, APP, scope::ALL, 1000);
    expect_code(
        call(
            &rt,
            ALICE,
            Method::RevokeSigner,
            &RevokeSignerParams {
                owner: Some(id(BOB)),
                signer: id(APP),
            },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    // Another signer of the same owner may not revoke it either.
    add_signer(&rt, BOB, APP2, scope::ALL, 1000);
    expect_code(
        call(
            &rt,
            APP2,
            Method::RevokeSigner,
            &RevokeSignerParams {
                owner: Some(id(BOB)),
                signer: id(APP),
            },
        ),
        ExitCode::USR_FORBIDDEN,
    );
    call(
        &rt,
        APP,
        Method::RevokeSigner,
        &RevokeSignerParams {
            owner: Some(id(BOB)),
            signer: Address::new_delegated(10, &APP_ETH).unwrap(),
        },
    )
    .unwrap();
    expect_code(
        call(&rt, APP, Method::Register, &bob_record(1)),
        ExitCode::USR_FORBIDDEN,
    );
    check_state(&rt);
}

#[test]
fn signer_grants_are_validated() {
    let rt = setup();
    let add = |signer: Address, scope: u32, expiry: i64| {
        call(
            &rt,
            BOB,
            Method::AddSigner,
            &AddSignerParams {
                signer,
                scope,
                expiry,
            },
        )
    };
    expect_code(
        add(id(BOB), scope::ALL, 1000),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    expect_code(add(id(APP), 0, 1000), ExitCode::USR_ILLEGAL_ARGUMENT);
    expect_code(add(id(APP), 1 << 9, 1000), ExitCode::USR_ILLEGAL_ARGUMENT);
    expect_code(
        add(id(APP), scope::ALL, 100),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let msg = expect_code(
        add(id(APP), scope::ALL, 101 + MAX_SIGNER_TTL),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_SIGNER_TTL"), "{msg}");
    add(id(APP), scope::ALL, 100 + MAX_SIGNER_TTL).unwrap();
    expect_code(
        add(
            Address::new_secp256k1(&[3u8; 65]).unwrap(),
            scope::ALL,
            1000,
        ),
        ExitCode::USR_NOT_FOUND,
    );
    check_state(&rt);
}

#[test]
fn an_owner_holds_at_most_max_signers() {
    let rt = setup();
    for i in 0..MAX_SIGNERS_PER_OWNER as u64 {
        add_signer(&rt, BOB, 5000 + i, scope::REGISTER, 1000);
    }
    let msg = expect_code(
        call(
            &rt,
            BOB,
            Method::AddSigner,
            &AddSignerParams {
                signer: id(9999),
                scope: scope::REGISTER,
                expiry: 1000,
            },
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_SIGNERS_PER_OWNER"), "{msg}");
    // Re-granting an existing signer does not take a new slot.
    add_signer(&rt, BOB, 5000, scope::ALL, 1000);
    let grants: ListSignersReturn = call_ret(
        &rt,
        ALICE,
        Method::ListSigners,
        &ListSignersParams { owner: id(BOB) },
    )
    .unwrap();
    assert_eq!(grants.grants.len(), MAX_SIGNERS_PER_OWNER);
    assert!(grants.grants.windows(2).all(|w| w[0].signer < w[1].signer));
    check_state(&rt);
}
