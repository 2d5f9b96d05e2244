//! The escrow twin against a plain model, on a devnet: random sequences of deposit, withdraw,
//! create (1-3 replicas), fund (a sponsor's value), advance, settle and close, sent by f410
//! accounts through the SDK's [`EscrowClient`](filmark_sdk::EscrowClient) to the twin at its
//! f410 address. After every step the twin's outcome (success or refusal), every account
//! (available, locked) and its balance match the model, and Σ accounts = the twin's balance:
//! no FIL created or lost. The model is the escrow's accounting with no deal bound (what
//! `contracts/escrow`'s model test checks of the actor, where the deals run on a fake
//! market): locks of price × duration × replicas, sponsors' contributions counted in the
//! client's locked funds, the 1/32 rule for a new funder, and past the deadline every funder
//! refunded exactly its contribution, by `Settle` or by the client's `CloseOrder`.
//!
//! One devnet serves every case: the twin is deployed and every user funded once, a snapshot
//! taken, and each case starts from it (revert, then a new snapshot). Cases: 256 by default;
//! `FILMARK_TWIN_CASES=10000` for the full run.

use std::cell::Cell;
use std::collections::BTreeMap;

use anyhow::{Context, ensure};
use filmark_sdk::client::{OrderBuilder, Signer};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::chain::{Filmark, Implementation, Users, exit_code};
use crate::in_process::{self, InProcessChain};
use crate::scenarios::sample_content;

/// Cases in the default run.
pub const DEFAULT_CASES: u32 = 256;
/// The environment variable that sets the number of cases.
pub const CASES_VAR: &str = "FILMARK_TWIN_CASES";
/// The f410 accounts that act (f410 accounts 2..6).
const USERS: usize = 4;
const FIRST_USER: usize = 2;
/// What each user deposits before the cases.
const INITIAL: u64 = 1_000_000;

/// One operation; indices pick a user or an existing order.
#[derive(Clone, Debug)]
enum Op {
    /// `deposit()` with `amount` as value.
    Deposit { who: usize, amount: u64 },
    /// `withdraw(amount, sender)`.
    Withdraw { who: usize, amount: u64 },
    /// `createOrder` locking price × dur × replicas from available, deadline `now + deadline`.
    Create {
        who: usize,
        price: u64,
        dur: i64,
        replicas: u64,
        deadline: i64,
    },
    /// `fundOrder(order, 0)` with `amount` as value.
    Fund {
        who: usize,
        order: usize,
        amount: u64,
    },
    /// Epochs pass.
    Advance { epochs: u64 },
    /// `settle(order)` by anyone.
    Settle { who: usize, order: usize },
    /// `closeOrder(order)` (the client only).
    Close { who: usize, order: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..USERS, 1..50_000u64).prop_map(|(who, amount)| Op::Deposit { who, amount }),
        1 => (0..USERS, 1..60_000u64).prop_map(|(who, amount)| Op::Withdraw { who, amount }),
        3 => (0..USERS, 1..10u64, 1..30i64, 1..4u64, 0..8i64).prop_map(
            |(who, price, dur, replicas, deadline)| Op::Create { who, price, dur, replicas, deadline }
        ),
        3 => (0..USERS, 0..6usize, 1..20_000u64).prop_map(|(who, order, amount)| Op::Fund { who, order, amount }),
        3 => (1..6u64).prop_map(|epochs| Op::Advance { epochs }),
        3 => (0..USERS, 0..6usize).prop_map(|(who, order)| Op::Settle { who, order }),
        1 => (0..USERS, 0..6usize).prop_map(|(who, order)| Op::Close { who, order }),
    ]
}

/// A sequence of operations for one case.
fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..12)
}

#[derive(Debug, Clone)]
struct MOrder {
    id: u64,
    client: usize,
    deadline: i64,
    funded: u64,
    /// (user, contributed).
    funders: Vec<(usize, u64)>,
    refunded: bool,
    closed: bool,
}

/// The plain model: accounts (available, locked) by user, the orders.
#[derive(Debug, Default, Clone)]
struct Model {
    accounts: BTreeMap<usize, (u64, u64)>,
    orders: Vec<MOrder>,
}

impl Model {
    fn acc(&mut self, who: usize) -> &mut (u64, u64) {
        self.accounts.entry(who).or_default()
    }

    fn total(&self) -> u64 {
        self.accounts.values().map(|(a, l)| a + l).sum()
    }

    /// Past the deadline, each funder gets back its contribution (once).
    fn unlock(&mut self, order: usize, now: i64) {
        let o = &self.orders[order];
        if o.closed || o.refunded || now <= o.deadline {
            return;
        }
        let (client, funded, funders) = (o.client, o.funded, o.funders.clone());
        self.acc(client).1 -= funded;
        for (who, amount) in funders {
            self.acc(who).0 += amount;
        }
        self.orders[order].refunded = true;
    }
}

/// The twin, its users and the chain, shared by every case.
struct World {
    chain: InProcessChain,
    fm: Filmark,
    users: Vec<Signer>,
    piece: (cid::Cid, u64),
    accepted: Cell<u64>,
    refused: Cell<u64>,
}

impl World {
    fn new() -> anyhow::Result<Self> {
        let chain = in_process::start()?.with(Implementation::Twin, Users::Eth);
        let fm = chain.filmark()?;
        let users = (0..USERS)
            .map(|i| chain.eth(FIRST_USER + i))
            .collect::<crate::Result<Vec<_>>>()?;
        let packed = sample_content(21, 1_000)?;
        let piece = (packed.piece.cid_v1(), packed.piece.padded_size);
        let escrow = chain.escrow(fm.escrow);
        for u in &users {
            chain.run(escrow.deposit(u, TokenAmount::from_atto(INITIAL)))?;
        }
        Ok(Self {
            chain,
            fm,
            users,
            piece,
            accepted: Cell::new(0),
            refused: Cell::new(0),
        })
    }

    fn model(&self) -> Model {
        let mut m = Model::default();
        for i in 0..USERS {
            m.acc(i).0 = INITIAL;
        }
        m
    }

    fn address(&self, who: usize) -> Address {
        self.users[who].address()
    }

    /// Runs `op` on the twin and the model; fails when they disagree.
    fn step(&self, m: &mut Model, op: &Op) -> anyhow::Result<()> {
        let escrow = self.chain.escrow(self.fm.escrow);
        let c = &self.chain;
        // Instant mining: the message runs in the next tipset.
        let now = c.epoch()? + 1;
        let atto = |n: u64| TokenAmount::from_atto(n);
        let pick = |i: usize| (!m.orders.is_empty()).then(|| i % m.orders.len());
        let (ok, result) = match *op {
            Op::Deposit { who, amount } => {
                let r = exit_code(c.run(escrow.deposit(&self.users[who], atto(amount))))?;
                m.acc(who).0 += amount;
                (true, r)
            }
            Op::Withdraw { who, amount } => {
                let ok = m.acc(who).0 >= amount;
                let r = exit_code(c.run(escrow.withdraw(&self.users[who], atto(amount), None)))?;
                if ok {
                    m.acc(who).0 -= amount;
                }
                (ok, r)
            }
            Op::Create {
                who,
                price,
                dur,
                replicas,
                deadline,
            } => {
                let lock = price * dur as u64 * replicas;
                let ok = m.acc(who).0 >= lock;
                let order = OrderBuilder::new(self.piece.0, self.piece.1, atto(price), dur)
                    .replicas(replicas)
                    .activation_deadline(now + deadline);
                let r = c.run(escrow.create_order(&self.users[who], order, TokenAmount::default()));
                if let Ok(id) = &r {
                    let a = m.acc(who);
                    a.0 -= lock;
                    a.1 += lock;
                    m.orders.push(MOrder {
                        id: *id,
                        client: who,
                        deadline: now + deadline,
                        funded: lock,
                        funders: vec![(who, lock)],
                        refunded: false,
                        closed: false,
                    });
                }
                (ok, exit_code(r)?)
            }
            Op::Fund { who, order, amount } => {
                let Some(i) = pick(order) else { return Ok(()) };
                let o = &m.orders[i];
                let known = o.funders.iter().any(|f| f.0 == who);
                let ok = !o.closed
                    && now <= o.deadline
                    && (known || (o.funders.len() < 32 && amount >= o.funded.div_ceil(32)));
                let id = o.id;
                let r = exit_code(c.run(escrow.fund_order(
                    &self.users[who],
                    id,
                    TokenAmount::default(),
                    atto(amount),
                )))?;
                if ok {
                    let client = m.orders[i].client;
                    m.acc(client).1 += amount;
                    let o = &mut m.orders[i];
                    o.funded += amount;
                    match o.funders.iter_mut().find(|f| f.0 == who) {
                        Some(f) => f.1 += amount,
                        None => o.funders.push((who, amount)),
                    }
                }
                (ok, r)
            }
            Op::Advance { epochs } => {
                c.advance_epochs(epochs)?;
                return self.compare(m);
            }
            Op::Settle { who, order } => {
                let Some(i) = pick(order) else { return Ok(()) };
                let ok = !m.orders[i].closed;
                let id = m.orders[i].id;
                let r = exit_code(c.run(escrow.settle(&self.users[who], id)))?;
                if ok {
                    m.unlock(i, now);
                }
                (ok, r)
            }
            Op::Close { who, order } => {
                let Some(i) = pick(order) else { return Ok(()) };
                let o = &m.orders[i];
                let ok = o.client == who && !o.closed && now > o.deadline;
                let id = o.id;
                let r = exit_code(c.run(escrow.close_order(&self.users[who], id)))?;
                if ok {
                    m.unlock(i, now);
                    m.orders[i].closed = true;
                }
                (ok, r)
            }
        };
        let tally = if ok { &self.accepted } else { &self.refused };
        tally.set(tally.get() + 1);
        ensure!(
            result.is_success() == ok,
            "{op:?} at epoch {now}: the model says {}, the twin exited {result:?}",
            if ok { "success" } else { "refusal" }
        );
        self.compare(m)
    }

    /// Every account as the model has it, and Σ accounts = the twin's balance.
    fn compare(&self, m: &Model) -> anyhow::Result<()> {
        let escrow = self.chain.escrow(self.fm.escrow);
        let mut sum = TokenAmount::default();
        for who in 0..USERS {
            let acc = self.chain.run(escrow.get_account(self.address(who)))?;
            let (available, locked) = m.accounts.get(&who).copied().unwrap_or_default();
            ensure!(
                acc.available == TokenAmount::from_atto(available)
                    && acc.locked == TokenAmount::from_atto(locked),
                "user {who}: the twin has {acc:?}, the model ({available}, {locked})"
            );
            sum += acc.available + acc.locked;
        }
        let balance = self.chain.balance(&self.fm.escrow)?;
        ensure!(
            balance == sum && sum == TokenAmount::from_atto(m.total()),
            "Σ accounts {sum} (model {}) ≠ the twin's balance {balance}",
            m.total()
        );
        Ok(())
    }
}

/// The number of cases: [`CASES_VAR`], else [`DEFAULT_CASES`].
pub fn cases() -> u32 {
    std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// What a run exercised: operations the twin accepted and refused (as the model predicted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Operations that succeeded.
    pub accepted: u64,
    /// Operations refused.
    pub refused: u64,
}

/// Runs `cases` random sequences against the twin on one devnet, each from the same
/// snapshot; fails with the shrunk sequence when the twin and the model disagree.
///
/// # Errors
/// When the devnet or the twin cannot be set up, or a case fails.
pub fn run(cases: u32) -> anyhow::Result<Stats> {
    let world = World::new()?;
    let devnet = world.chain.client().transport().devnet().clone();
    let snapshot = std::cell::Cell::new(devnet.snapshot());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&ops(), |ops| {
        let case = || -> anyhow::Result<()> {
            devnet.revert(snapshot.get())?;
            snapshot.set(devnet.snapshot());
            world.chain.client().forget_nonces();
            let mut m = world.model();
            for op in &ops {
                world.step(&mut m, op)?;
            }
            Ok(())
        };
        case().map_err(|e| TestCaseError::fail(format!("{e:#}")))
    });
    result
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the twin against the model")?;
    Ok(Stats {
        accepted: world.accepted.get(),
        refused: world.refused.get(),
    })
}
