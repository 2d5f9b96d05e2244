//! The Solidity ABI path (method 3844450837): each function gives the same state, events and
//! results as the CBOR method, errors revert with the same exit code and a readable reason.
use crate::harness::*;
use alloy_primitives::{Address as EthAddress, B256, Bytes};
use alloy_sol_types::SolCall;
use filmark_actor_shared::abi::{abi_return_bytes, decode_revert, masked_id_address};
use filmark_registry::abi::{
    IFilmarkRegistry as I, counts_to_abi, funding_to_abi, grant_to_abi, record_to_abi,
};
use fvm_ipld_encoding::BytesSer;

fn abi_call(rt: &FakeRuntime, caller: ActorID, data: Vec<u8>) -> Result<Vec<u8>, ActorError> {
    rt.set_caller(caller);
    let params = IpldBlock::serialize_cbor(&BytesSer(&data)).unwrap();
    rt.call(dispatch, Method::InvokeEvm.number(), params)
        .map(|r| abi_return_bytes(r).unwrap())
}

fn eth(id: ActorID) -> EthAddress {
    match id {
        CAROL => EthAddress::from(CAROL_ETH),
        APP => EthAddress::from(APP_ETH),
        other => EthAddress::from(masked_id_address(other)),
    }
}

fn abi_req(p: &RegisterParams) -> I::RegisterRequest {
    I::RegisterRequest {
        cid: Bytes::from(p.cid.to_bytes()),
        owner: p
            .owner
            .map(|a| eth(a.id().unwrap()))
            .unwrap_or(EthAddress::ZERO),
        kind: p.kind.clone(),
        size: p.size,
        pieceCid: p
            .piece
            .map(|c| Bytes::from(c.to_bytes()))
            .unwrap_or_default(),
        platform: p.platform.clone(),
        refHash: B256::from(p.ref_hash),
        metadata: p
            .metadata
            .iter()
            .map(|e| I::MetadataEntry {
                key: e.key.clone(),
                value: e.value.clone(),
            })
            .collect(),
    }
}

fn cb(c: Cid) -> Bytes {
    Bytes::from(c.to_bytes())
}

/// Two registries driven in lockstep, one through CBOR, one through the ABI.
struct Pair {
    cbor: FakeRuntime,
    abi: FakeRuntime,
}

impl Pair {
    fn new() -> Self {
        Self {
            cbor: setup(),
            abi: setup(),
        }
    }

    fn same_state(&self) {
        assert_eq!(self.cbor.root(), self.abi.root(), "state roots differ");
        assert_eq!(self.cbor.events(), self.abi.events(), "events differ");
        check_state(&self.cbor);
        check_state(&self.abi);
    }

    /// Runs a state change both ways; both must succeed and agree.
    fn change<T: serde::Serialize, C: SolCall>(
        &self,
        caller: ActorID,
        m: Method,
        p: &T,
        c: C,
    ) -> Vec<u8> {
        call(&self.cbor, caller, m, p).unwrap();
        let out = abi_call(&self.abi, caller, c.abi_encode()).unwrap();
        self.same_state();
        out
    }
}

#[test]
fn every_function_matches_its_cbor_method() {
    let pair = Pair::new();
    let r1 = reg(1);
    pair.change(
        ALICE,
        Method::Register,
        &r1,
        I::registerCall {
            request: abi_req(&r1),
        },
    );

    let batch: Vec<_> = (2..5).map(reg).collect();
    pair.change(
        ALICE,
        Method::RegisterBatch,
        &RegisterBatchParams {
            records: batch.clone(),
        },
        I::registerBatchCall {
            requests: batch.iter().map(abi_req).collect(),
        },
    );

    let up = UpdateMetadataParams {
        cid: cid(1),
        set: vec![entry("lang", "en")],
        remove: vec!["alt".into()],
    };
    pair.change(
        ALICE,
        Method::UpdateMetadata,
        &up,
        I::updateMetadataCall {
            cid: cb(cid(1)),
            set: vec![I::MetadataEntry {
                key: "lang".into(),
                value: "en".into(),
            }],
            remove: vec!["alt".into()],
        },
    );

    let add = AddSignerParams {
        signer: id(APP),
        scope: scope::ALL,
        expiry: 5000,
    };
    let out = pair.change(
        ALICE,
        Method::AddSigner,
        &add,
        I::addSignerCall {
            signer: eth(APP),
            scope: scope::ALL,
            expiry: 5000,
        },
    );
    assert_eq!(I::addSignerCall::abi_decode_returns(&out).unwrap(), 0);

    let mut for_alice = reg(5);
    for_alice.owner = Some(id(ALICE));
    pair.change(
        APP,
        Method::Register,
        &for_alice,
        I::registerCall {
            request: abi_req(&for_alice),
        },
    );

    pair.change(
        ALICE,
        Method::Transfer,
        &TransferParams {
            cid: cid(2),
            new_owner: carol_f410(),
        },
        I::transferCall {
            cid: cb(cid(2)),
            newOwner: eth(CAROL),
        },
    );

    for rt in [&pair.cbor, &pair.abi] {
        expect_funding(rt, 4, ExitCode::OK, Some(&funding_for(ALICE, 3)));
    }
    pair.change(
        ALICE,
        Method::LinkOrder,
        &LinkOrderParams {
            cid: cid(3),
            order_id: 4,
        },
        I::linkOrderCall {
            cid: cb(cid(3)),
            orderId: 4,
        },
    );

    pair.change(
        ALICE,
        Method::Tombstone,
        &TombstoneParams { cid: cid(4) },
        I::tombstoneCall { cid: cb(cid(4)) },
    );

    let out = pair.change(
        APP,
        Method::RevokeSigner,
        &RevokeSignerParams {
            owner: Some(id(ALICE)),
            signer: id(APP),
        },
        I::revokeSignerCall {
            owner: eth(ALICE),
            signer: eth(APP),
        },
    );
    assert_eq!(I::revokeSignerCall::abi_decode_returns(&out).unwrap(), 0);
    add_signer(&pair.cbor, ALICE, APP2, scope::REGISTER, 900);
    add_signer(&pair.abi, ALICE, APP2, scope::REGISTER, 900);
    pair.same_state();

    // Reads: the ABI answer is the CBOR answer in ABI form.
    let rt = &pair.abi;
    for n in 1..=5 {
        let rec = get(&pair.cbor, cid(n));
        let out = abi_call(rt, BOB, I::getCall { cid: cb(cid(n)) }.abi_encode()).unwrap();
        assert_eq!(
            I::getCall::abi_decode_returns(&out).unwrap(),
            record_to_abi(rt, &cid(n), &rec)
        );
    }

    let page = list(&pair.cbor, ALICE, 0, 2);
    let out = abi_call(
        rt,
        BOB,
        I::listByOwnerCall {
            owner: eth(ALICE),
            cursor: 0,
            limit: 2,
        }
        .abi_encode(),
    )
    .unwrap();
    let got = I::listByOwnerCall::abi_decode_returns(&out).unwrap();
    assert_eq!(
        got.records,
        page.records
            .iter()
            .map(|o| record_to_abi(rt, &o.cid, &o.record))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        (got.hasMore, got.nextCursor),
        (true, page.next_cursor.unwrap())
    );

    let signers: ListSignersReturn = call_ret(
        &pair.cbor,
        BOB,
        Method::ListSigners,
        &ListSignersParams { owner: id(ALICE) },
    )
    .unwrap();
    let out = abi_call(
        rt,
        BOB,
        I::listSignersCall { owner: eth(ALICE) }.abi_encode(),
    )
    .unwrap();
    assert_eq!(
        I::listSignersCall::abi_decode_returns(&out).unwrap(),
        signers
            .grants
            .iter()
            .map(|g| grant_to_abi(rt, g))
            .collect::<Vec<_>>()
    );
    assert_eq!(signers.grants.len(), 1);

    let out = abi_call(rt, BOB, I::countsCall {}.abi_encode()).unwrap();
    assert_eq!(
        I::countsCall::abi_decode_returns(&out).unwrap(),
        counts_to_abi(&counts(&pair.cbor))
    );

    let answer = funding_for(ALICE, 3);
    expect_funding(&pair.cbor, 4, ExitCode::OK, Some(&answer));
    expect_funding(rt, 4, ExitCode::OK, Some(&answer));
    let f: GetFundingReturn = call_ret(
        &pair.cbor,
        BOB,
        Method::GetFunding,
        &GetFundingParams { cid: cid(3) },
    )
    .unwrap();
    let out = abi_call(rt, BOB, I::getFundingCall { cid: cb(cid(3)) }.abi_encode()).unwrap();
    let got = I::getFundingCall::abi_decode_returns(&out).unwrap();
    assert!(got.hasOrder && got.hasFunding);
    assert_eq!(got.orderId, f.order_id.unwrap());
    assert_eq!(got.funding, funding_to_abi(rt, f.funding.as_ref().unwrap()));
    assert_eq!(got.funding.client, eth(ALICE));
    pair.same_state();
}

#[test]
fn errors_keep_their_exit_code_and_revert_with_a_reason() {
    let pair = Pair::new();
    register(&pair.abi, ALICE, 1);
    let err = abi_call(
        &pair.abi,
        BOB,
        I::tombstoneCall { cid: cb(cid(1)) }.abi_encode(),
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_FORBIDDEN);
    let reason = decode_revert(&err.data().unwrap().data).unwrap();
    assert!(
        reason.contains("is not the owner") && reason.contains("exit code 18"),
        "{reason}"
    );
    let err = abi_call(&pair.abi, BOB, I::getCall { cid: cb(cid(9)) }.abi_encode()).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_NOT_FOUND);
    check_state(&pair.abi);
}

#[test]
fn bad_calldata_is_refused_without_panicking() {
    let rt = setup();
    // Unknown selector and empty calldata.
    expect_code(
        abi_call(&rt, ALICE, vec![1, 2, 3, 4, 5]),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    expect_code(
        abi_call(&rt, ALICE, vec![]),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    expect_code(
        abi_call(&rt, ALICE, vec![1, 2]),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    // A known selector with truncated arguments.
    let mut data = I::tombstoneCall { cid: cb(cid(1)) }.abi_encode();
    data.truncate(40);
    expect_code(abi_call(&rt, ALICE, data), ExitCode::USR_SERIALIZATION);
    // CID bytes that are not a CID, have trailing bytes, or are too long.
    for bytes in [
        vec![0x01, 0x02],
        [cid(1).to_bytes(), vec![0]].concat(),
        vec![1u8; MAX_CID_BYTES + 1],
    ] {
        let msg = expect_code(
            abi_call(
                &rt,
                ALICE,
                I::tombstoneCall {
                    cid: Bytes::from(bytes),
                }
                .abi_encode(),
            ),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        );
        assert!(msg.contains("cid"), "{msg}");
    }
    let msg = expect_code(
        abi_call(
            &rt,
            ALICE,
            I::getCall {
                cid: Bytes::from(vec![1u8; MAX_CID_BYTES + 1]),
            }
            .abi_encode(),
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert!(msg.contains("MAX_CID_BYTES"), "{msg}");
    // Every selector with garbage arguments.
    for sel in I::IFilmarkRegistryCalls::SELECTORS {
        let mut data = sel.to_vec();
        data.extend_from_slice(&[0xff; 7]);
        let res = abi_call(&rt, ALICE, data);
        // `counts` takes no arguments: the 7 bytes are trailing bytes, refused too.
        let code = res.unwrap_err().exit_code();
        assert!(
            code == ExitCode::USR_SERIALIZATION || code == ExitCode::USR_ILLEGAL_ARGUMENT,
            "selector {sel:?}: {code}"
        );
    }
    check_state(&rt);
}

#[test]
fn dirty_high_bits_and_trailing_bytes_are_refused() {
    let rt = setup();
    register(&rt, ALICE, 1);
    let good = I::listByOwnerCall {
        owner: eth(ALICE),
        cursor: 0,
        limit: 10,
    }
    .abi_encode();
    abi_call(&rt, BOB, good.clone()).unwrap();
    // limit = 2^32 + 10 (a non-validating decode would read 10), cursor = 2^64, a dirty
    // address prefix, trailing bytes.
    let mut limit = good.clone();
    limit[4 + 2 * 32 + 27] = 1;
    let mut cursor = good.clone();
    cursor[4 + 32 + 23] = 1;
    let mut owner = good.clone();
    owner[4] = 1;
    let trailing = [good.as_slice(), &[0]].concat();
    for data in [limit, cursor, owner, trailing] {
        expect_code(abi_call(&rt, BOB, data), ExitCode::USR_SERIALIZATION);
    }
    check_state(&rt);
}

/// Every function of the compiled interface (solc's own selectors, `contracts/solidity/out`)
/// reaches the dispatch: a bare selector fails to decode (or, for `counts()`, runs) instead of
/// being an unknown function; a selector not in the interface is one.
#[test]
fn every_function_solc_compiles_is_dispatched() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../solidity/out/IFilmarkRegistry.json"
    );
    let out: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ids = out["methodIdentifiers"].as_object().unwrap();
    assert_eq!(ids.len(), 13);
    let rt = setup();
    for (signature, id) in ids {
        let selector = alloy_primitives::hex::decode(id.as_str().unwrap()).unwrap();
        match abi_call(&rt, ALICE, selector) {
            Ok(_) => assert_eq!(signature, "counts()"),
            Err(e) => assert_eq!(
                e.exit_code(),
                ExitCode::USR_SERIALIZATION,
                "{signature}: {e:?}"
            ),
        }
    }
    let unknown = abi_call(&rt, ALICE, vec![0xde, 0xad, 0xbe, 0xef]).unwrap_err();
    assert_eq!(unknown.exit_code(), ExitCode::USR_UNHANDLED_MESSAGE);
}
