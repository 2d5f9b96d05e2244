//! proptest: random operation sequences keep the invariants and match a plain in-memory model.
use std::collections::BTreeMap;

use crate::harness::*;
use proptest::prelude::*;

const ACTORS: [ActorID; 5] = [ALICE, BOB, CAROL, APP, APP2];
const CIDS: u64 = 10;
const KEYS: usize = 20;

#[derive(Clone, Debug)]
enum Op {
    Register {
        caller: usize,
        owner: Option<usize>,
        n: u64,
        entries: usize,
    },
    Update {
        caller: usize,
        n: u64,
        set: Vec<usize>,
        remove: Vec<usize>,
    },
    Transfer {
        caller: usize,
        n: u64,
        to: usize,
    },
    Tombstone {
        caller: usize,
        n: u64,
    },
    AddSigner {
        owner: usize,
        signer: usize,
        scope: u32,
        ttl: i64,
    },
    Revoke {
        caller: usize,
        owner: usize,
        signer: usize,
    },
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let a = 0..ACTORS.len();
    prop_oneof![
        4 => (a.clone(), proptest::option::of(a.clone()), 0..CIDS, 0usize..4)
            .prop_map(|(caller, owner, n, entries)| Op::Register { caller, owner, n, entries }),
        2 => (a.clone(), 0..CIDS, proptest::collection::vec(0..KEYS, 0..6), proptest::collection::vec(0..KEYS, 0..3))
            .prop_map(|(caller, n, set, remove)| Op::Update { caller, n, set, remove }),
        2 => (a.clone(), 0..CIDS, a.clone()).prop_map(|(caller, n, to)| Op::Transfer { caller, n, to }),
        1 => (a.clone(), 0..CIDS).prop_map(|(caller, n)| Op::Tombstone { caller, n }),
        2 => (a.clone(), a.clone(), 0u32..32, 1i64..40)
            .prop_map(|(owner, signer, scope, ttl)| Op::AddSigner { owner, signer, scope, ttl }),
        1 => (a.clone(), a.clone(), a).prop_map(|(caller, owner, signer)| Op::Revoke { caller, owner, signer }),
        1 => (1i64..20).prop_map(Op::Advance),
    ]
}

#[derive(Clone, Debug, PartialEq)]
struct MRecord {
    owner: ActorID,
    tombstoned: bool,
    metadata: BTreeMap<String, String>,
    via: Option<u64>,
}

#[derive(Default)]
struct Model {
    epoch: i64,
    records: BTreeMap<u64, MRecord>,
    grants: BTreeMap<(ActorID, ActorID), (u64, u32, i64)>,
    next_grant: u64,
    revoked: u64,
}

type Res = Result<Option<u64>, ExitCode>;

impl Model {
    fn auth(&self, caller: ActorID, owner: ActorID, needed: u32) -> Result<Option<u64>, ExitCode> {
        if caller == owner {
            return Ok(None);
        }
        match self.grants.get(&(owner, caller)) {
            Some(&(id, scope, expiry)) if self.epoch < expiry && scope & needed == needed => {
                Ok(Some(id))
            }
            _ => Err(ExitCode::USR_FORBIDDEN),
        }
    }

    fn record(&self, n: u64) -> Result<&MRecord, ExitCode> {
        self.records.get(&n).ok_or(ExitCode::USR_NOT_FOUND)
    }

    fn revoke(&mut self, owner: ActorID, signer: ActorID) -> Option<u64> {
        let (id, _, _) = self.grants.remove(&(owner, signer))?;
        self.revoked += 1;
        Some(id)
    }

    fn apply(&mut self, op: &Op) -> Res {
        match op {
            Op::Register {
                caller,
                owner,
                n,
                entries,
            } => {
                let caller = ACTORS[*caller];
                let owner = owner.map_or(caller, |o| ACTORS[o]);
                let via = self.auth(caller, owner, scope::REGISTER)?;
                if self.records.contains_key(n) {
                    return Err(ExitCode::USR_ILLEGAL_STATE);
                }
                let metadata = (0..*entries)
                    .map(|i| (format!("k{i}"), format!("v{n}")))
                    .collect();
                self.records.insert(
                    *n,
                    MRecord {
                        owner,
                        tombstoned: false,
                        metadata,
                        via,
                    },
                );
                Ok(None)
            }
            Op::Update {
                caller,
                n,
                set,
                remove,
            } => {
                let r = self.record(*n)?;
                let via = self.auth(ACTORS[*caller], r.owner, scope::UPDATE_METADATA)?;
                if r.tombstoned {
                    return Err(ExitCode::USR_ILLEGAL_STATE);
                }
                if set.is_empty() && remove.is_empty() {
                    return Err(ExitCode::USR_ILLEGAL_ARGUMENT);
                }
                let mut keys = set.clone();
                keys.sort_unstable();
                if keys.windows(2).any(|w| w[0] == w[1]) {
                    return Err(ExitCode::USR_ILLEGAL_ARGUMENT);
                }
                let mut metadata = r.metadata.clone();
                for k in remove {
                    metadata.remove(&format!("k{k}"));
                }
                for k in set {
                    metadata.insert(format!("k{k}"), "x".into());
                }
                if metadata.len() > MAX_METADATA_ENTRIES {
                    return Err(ExitCode::USR_ILLEGAL_ARGUMENT);
                }
                let r = self.records.get_mut(n).unwrap();
                r.metadata = metadata;
                r.via = via;
                Ok(None)
            }
            Op::Transfer { caller, n, to } => {
                let r = self.record(*n)?;
                let via = self.auth(ACTORS[*caller], r.owner, scope::TRANSFER)?;
                if r.tombstoned {
                    return Err(ExitCode::USR_ILLEGAL_STATE);
                }
                if r.owner == ACTORS[*to] {
                    return Err(ExitCode::USR_ILLEGAL_ARGUMENT);
                }
                let r = self.records.get_mut(n).unwrap();
                r.owner = ACTORS[*to];
                r.via = via;
                Ok(None)
            }
            Op::Tombstone { caller, n } => {
                let r = self.record(*n)?;
                let via = self.auth(ACTORS[*caller], r.owner, scope::TOMBSTONE)?;
                if r.tombstoned {
                    return Err(ExitCode::USR_ILLEGAL_STATE);
                }
                let r = self.records.get_mut(n).unwrap();
                r.tombstoned = true;
                r.via = via;
                Ok(None)
            }
            Op::AddSigner {
                owner,
                signer,
                scope,
                ttl,
            } => {
                let (owner, signer) = (ACTORS[*owner], ACTORS[*signer]);
                if owner == signer || *scope == 0 {
                    return Err(ExitCode::USR_ILLEGAL_ARGUMENT);
                }
                self.revoke(owner, signer);
                let id = self.next_grant;
                self.next_grant += 1;
                self.grants
                    .insert((owner, signer), (id, *scope, self.epoch + ttl));
                Ok(Some(id))
            }
            Op::Revoke {
                caller,
                owner,
                signer,
            } => {
                let (caller, owner, signer) = (ACTORS[*caller], ACTORS[*owner], ACTORS[*signer]);
                if caller != owner && caller != signer {
                    return Err(ExitCode::USR_FORBIDDEN);
                }
                self.revoke(owner, signer)
                    .map(Some)
                    .ok_or(ExitCode::USR_NOT_FOUND)
            }
            Op::Advance(_) => Ok(None),
        }
    }
}

fn run(rt: &FakeRuntime, op: &Op) -> Res {
    let res = match op {
        Op::Register {
            caller,
            owner,
            n,
            entries,
        } => {
            let mut p = reg(*n);
            p.owner = owner.map(|o| id(ACTORS[o]));
            p.metadata = (0..*entries)
                .map(|i| entry(&format!("k{i}"), &format!("v{n}")))
                .collect();
            call(rt, ACTORS[*caller], Method::Register, &p).map(|_| None)
        }
        Op::Update {
            caller,
            n,
            set,
            remove,
        } => call(
            rt,
            ACTORS[*caller],
            Method::UpdateMetadata,
            &UpdateMetadataParams {
                cid: cid(*n),
                set: set.iter().map(|k| entry(&format!("k{k}"), "x")).collect(),
                remove: remove.iter().map(|k| format!("k{k}")).collect(),
            },
        )
        .map(|_| None),
        Op::Transfer { caller, n, to } => call(
            rt,
            ACTORS[*caller],
            Method::Transfer,
            &TransferParams {
                cid: cid(*n),
                new_owner: id(ACTORS[*to]),
            },
        )
        .map(|_| None),
        Op::Tombstone { caller, n } => call(
            rt,
            ACTORS[*caller],
            Method::Tombstone,
            &TombstoneParams { cid: cid(*n) },
        )
        .map(|_| None),
        Op::AddSigner {
            owner,
            signer,
            scope,
            ttl,
        } => call_ret::<_, AddSignerReturn>(
            rt,
            ACTORS[*owner],
            Method::AddSigner,
            &AddSignerParams {
                signer: id(ACTORS[*signer]),
                scope: *scope,
                expiry: rt.curr_epoch() + ttl,
            },
        )
        .map(|r| Some(r.grant_id)),
        Op::Revoke {
            caller,
            owner,
            signer,
        } => call_ret::<_, RevokeSignerReturn>(
            rt,
            ACTORS[*caller],
            Method::RevokeSigner,
            &RevokeSignerParams {
                owner: Some(id(ACTORS[*owner])),
                signer: id(ACTORS[*signer]),
            },
        )
        .map(|r| Some(r.grant_id)),
        Op::Advance(d) => {
            rt.set_epoch(rt.curr_epoch() + d);
            Ok(None)
        }
    };
    res.map_err(|e| e.exit_code())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_match_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = setup();
        let mut model = Model { epoch: rt.curr_epoch(), ..Model::default() };
        for op in &ops {
            if let Op::Advance(d) = op {
                model.epoch += d;
            }
            let expected = model.apply(op);
            let got = run(&rt, op);
            prop_assert_eq!(got, expected, "op {:?}", op);
            check_state(&rt);
        }
        // Every record agrees with the model.
        for n in 0..CIDS {
            let res: Result<Record, _> = call_ret(&rt, ALICE, Method::Get, &GetParams { cid: cid(n) });
            match model.records.get(&n) {
                None => prop_assert_eq!(res.unwrap_err().exit_code(), ExitCode::USR_NOT_FOUND),
                Some(m) => {
                    let r = res.unwrap();
                    prop_assert_eq!(r.owner, m.owner);
                    prop_assert_eq!(r.status == Status::Tombstoned, m.tombstoned);
                    prop_assert_eq!(r.via_grant, m.via);
                    let md: BTreeMap<_, _> = r.metadata.into_iter().map(|e| (e.key, e.value)).collect();
                    prop_assert_eq!(&md, &m.metadata);
                }
            }
        }
        // Owner listings and signer lists agree too.
        for owner in ACTORS {
            let mut listed: Vec<Cid> = list(&rt, owner, 0, MAX_PAGE_SIZE).records.into_iter().map(|o| o.cid).collect();
            listed.sort();
            let mut expected: Vec<Cid> = model.records.iter().filter(|(_, r)| r.owner == owner).map(|(n, _)| cid(*n)).collect();
            expected.sort();
            prop_assert_eq!(listed, expected);
            let grants: ListSignersReturn = call_ret(&rt, ALICE, Method::ListSigners, &ListSignersParams { owner: id(owner) }).unwrap();
            let got: Vec<_> = grants.grants.iter().map(|g| (g.signer, g.grant_id, g.scope, g.expiry)).collect();
            let want: Vec<_> = model.grants.iter().filter(|((o, _), _)| *o == owner).map(|((_, s), (gid, sc, ex))| (*s, *gid, *sc, *ex)).collect();
            prop_assert_eq!(got, want);
        }
        let c = counts(&rt);
        prop_assert_eq!(c.records, model.records.len() as u64);
        prop_assert_eq!(c.tombstoned, model.records.values().filter(|r| r.tombstoned).count() as u64);
        prop_assert_eq!(c.signers, model.grants.len() as u64);
        prop_assert_eq!(c.revoked, model.revoked);
    }
}
