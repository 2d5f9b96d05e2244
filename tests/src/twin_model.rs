//! The escrow twin against a plain model and against the native escrow, on one devnet: random
//! sequences of deposit, withdraw, create (1-3 replicas), fund (a sponsor's value), bind (a
//! provider publishes a deal for an order's piece with the escrow as client: the market's
//! `AuthenticateMessage` and `MarketNotifyDeal`), activate, terminate (slash), advance (null
//! rounds), settle and close, sent by f410 accounts through the SDK's
//! [`EscrowClient`](filmark_sdk::EscrowClient) (deals by f1 providers to the builtin market).
//!
//! What each case checks, run first on the twin and then, from the same snapshot, on the
//! native escrow (both deployed on the devnet before the snapshot):
//! - **Accounting, after every step, on both:** every user's account and Σ accounts = the
//!   escrow's balance: no FIL created or lost (a provider's pay leaves the escrow).
//! - **The plain model, exactly, until the case's first bound deal:** the outcome (success or
//!   refusal) of every step and every account (available, locked). The model is the escrow's
//!   accounting with no deal: locks of price × duration × replicas, sponsors' contributions
//!   counted in the client's locked funds, the 1/32 rule for a new funder, and past the
//!   deadline every funder refunded exactly its contribution, by `Settle` or by the client's
//!   `CloseOrder`. Once a deal is bound, partial pay and pro-rata refunds follow the escrow's
//!   settlement rules, which the model does not reproduce: the differential check below covers
//!   them.
//! - **Payment bounds, on both:** from the `ProviderPaid` events, each payment is price ×
//!   its epochs, a deal never activated is paid nothing, and no deal is paid for more epochs
//!   than from its start to its end, or to its termination + `SETTLEMENT_WINDOW` when slashed; a
//!   successful bind emits `DealBound` for its order and deal.
//! - **The keeper's final settlement:** after the sequence, the chain moves past every deal's
//!   end and a keeper settles every order; then every deal activated and never slashed that
//!   runs for exactly its order's minimum duration (the free funds pay it whole; a longer deal
//!   is paid what its replica's share covers, checked by the bounds and the differential) was
//!   paid exactly price × its term, start to end: the market still holds it (nothing here
//!   settles it in the market), so the keeper's late `Settle` pays it in full.
//! - **Differential:** the twin and the native escrow give the same outcome at every step,
//!   the same accounts and balance, and the same escrow events (`ProviderPaid`,
//!   `FundsUnlocked`, ... with their data) from `Settle` and `CloseOrder`, and those of the
//!   escrow's `MarketNotifyDeal` in a provider's `PublishStorageDeals` (`DealBound`).
//!
//! Not checked: the exit code of a refusal (the twin reverts with a custom error, the actor
//! exits with a named code; only "refused" is compared), and the events of the other calls.
//!
//! One devnet serves every case: the twin and the actors deployed and every user funded once, a
//! snapshot taken; each case reverts to it before each of its two runs. Cases: 200 by default
//! (each runs twice); `FILMARK_TWIN_CASES=10000` for the full run.

use std::cell::Cell;
use std::collections::BTreeMap;

use alloy_primitives::U256;
use anyhow::{Context, ensure};
use filmark_escrow::Method as EscrowMethod;
use filmark_escrow::policy::SETTLEMENT_WINDOW;
use filmark_escrow::types::OrderIdParams;
use filmark_sdk::client::{FilmarkEvent, OrderBuilder, Signer};
use filmark_sdk::content::Packed;
use filmark_sdk::reexports::filmark_abi::IFilmarkEscrow::{
    IFilmarkEscrowEvents, closeOrderCall, settleCall,
};
use filmark_sdk::transport::Lookup;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::chain::{Filmark, Implementation, Users, exit_code};
use crate::in_process::{self, InProcessChain};
use crate::scenarios::{call, deal_id, publish_storage_deal, sample_content};

/// Cases in the default run (each runs on the twin and on the actor).
pub const DEFAULT_CASES: u32 = 200;
/// The environment variable that sets the number of cases.
pub const CASES_VAR: &str = "FILMARK_TWIN_CASES";
/// The f410 accounts that act (f410 accounts 2..6).
const USERS: usize = 4;
const FIRST_USER: usize = 2;
/// The f1 accounts that publish deals as providers (f1 accounts 2..5).
const PROVIDERS: usize = 3;
const FIRST_PROVIDER: usize = 2;
/// What each user deposits before the cases.
const INITIAL: u64 = 1_000_000;

/// One operation; indices pick a user, a provider, an existing order or deal.
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
    /// A provider publishes a deal for the order's piece, escrow as client, starting
    /// `now + 2 + start`, for the order's minimum duration + `extra`; the market activates it
    /// at once when `activate`.
    Bind {
        provider: usize,
        order: usize,
        start: i64,
        extra: i64,
        activate: bool,
    },
    /// The market activates a deal (refused past its start).
    Activate { deal: usize },
    /// The market slashes a deal (refused unless active).
    Terminate { deal: usize },
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
        3 => (0..USERS, 1..10u64, 1..30i64, 1..4u64, 0..40i64).prop_map(
            |(who, price, dur, replicas, deadline)| Op::Create { who, price, dur, replicas, deadline }
        ),
        2 => (0..USERS, 0..6usize, 1..20_000u64).prop_map(|(who, order, amount)| Op::Fund { who, order, amount }),
        4 => (0..PROVIDERS, 0..6usize, 0..4i64, 0..3i64, prop::bool::weighted(0.75)).prop_map(
            |(provider, order, start, extra, activate)| Op::Bind { provider, order, start, extra, activate }
        ),
        2 => (0..6usize).prop_map(|deal| Op::Activate { deal }),
        1 => (0..6usize).prop_map(|deal| Op::Terminate { deal }),
        3 => (1..5u64).prop_map(|epochs| Op::Advance { epochs }),
        3 => (0..USERS, 0..6usize).prop_map(|(who, order)| Op::Settle { who, order }),
        1 => (0..USERS, 0..6usize).prop_map(|(who, order)| Op::Close { who, order }),
    ]
}

/// A sequence of operations for one case.
fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..20)
}

#[derive(Debug, Clone)]
struct MOrder {
    id: u64,
    client: usize,
    price: u64,
    dur: i64,
    deadline: i64,
    funded: u64,
    /// (user, contributed).
    funders: Vec<(usize, u64)>,
    refunded: bool,
    closed: bool,
}

/// A deal published for an order, as the market was told.
#[derive(Debug, Clone)]
struct MDeal {
    id: u64,
    price: u64,
    start: i64,
    end: i64,
    activated: bool,
    /// The head epoch after the market slashed it.
    terminated: Option<i64>,
    /// Exactly the order's minimum duration: the escrow pays it to its end.
    full: bool,
    /// Epochs paid so far (from `ProviderPaid`).
    paid_epochs: i64,
}

/// The plain model: accounts (available, locked) by user, the orders; the deals published.
#[derive(Debug, Default, Clone)]
struct Model {
    accounts: BTreeMap<usize, (u64, u64)>,
    orders: Vec<MOrder>,
    deals: Vec<MDeal>,
    /// No deal bound yet: the accounts and outcomes are predicted exactly.
    exact: bool,
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

    /// Counts the `ProviderPaid` events and checks each against the deal's bounds.
    fn paid(&mut self, events: &[IFilmarkEscrowEvents]) -> anyhow::Result<()> {
        for e in events {
            let IFilmarkEscrowEvents::ProviderPaid(p) = e else {
                continue;
            };
            let d = self
                .deals
                .iter_mut()
                .find(|d| d.id == p.dealId)
                .with_context(|| format!("a payment for an unknown deal: {p:?}"))?;
            ensure!(
                p.amount == U256::from(d.price) * U256::from(p.epochs.max(0) as u64),
                "paid price × epochs: {p:?} for {d:?}"
            );
            d.paid_epochs += p.epochs;
            let until = d
                .terminated
                .map_or(d.end, |t| d.end.min(t + SETTLEMENT_WINDOW));
            ensure!(
                d.activated && d.paid_epochs <= until - d.start,
                "deal paid {} epochs, at most {} active: {d:?}",
                d.paid_epochs,
                until - d.start
            );
        }
        Ok(())
    }
}

/// What a step gave: its outcome, every account, the escrow's balance and its events.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    op: String,
    ok: bool,
    accounts: Vec<(TokenAmount, TokenAmount)>,
    balance: TokenAmount,
    events: Vec<IFilmarkEscrowEvents>,
}

/// The twin and the actors, their users and the chain, shared by every case.
struct World {
    chain: InProcessChain,
    twin: Filmark,
    native: Filmark,
    users: Vec<Signer>,
    providers: Vec<Signer>,
    keeper: Signer,
    packed: Packed,
    accepted: Cell<u64>,
    refused: Cell<u64>,
    bound: Cell<u64>,
    paid: Cell<u64>,
}

impl World {
    fn new() -> anyhow::Result<Self> {
        let chain = in_process::start()?.with(Implementation::Native, Users::Eth);
        let native = chain.filmark()?;
        chain.set(Implementation::Twin, Users::Eth);
        let twin = chain.filmark()?;
        let users = (0..USERS)
            .map(|i| chain.eth(FIRST_USER + i))
            .collect::<crate::Result<Vec<_>>>()?;
        let providers = (0..PROVIDERS)
            .map(|i| chain.f1(FIRST_PROVIDER + i))
            .collect::<crate::Result<Vec<_>>>()?;
        let keeper = chain.eth(FIRST_USER + USERS)?;
        let packed = sample_content(21, 1_000)?;
        for fm in [&twin, &native] {
            let escrow = chain.escrow(fm.escrow);
            for u in &users {
                chain.run(escrow.deposit(u, TokenAmount::from_atto(INITIAL)))?;
            }
        }
        Ok(Self {
            chain,
            twin,
            native,
            users,
            providers,
            keeper,
            packed,
            accepted: Cell::new(0),
            refused: Cell::new(0),
            bound: Cell::new(0),
            paid: Cell::new(0),
        })
    }

    fn model() -> Model {
        let mut m = Model {
            exact: true,
            ..Model::default()
        };
        for i in 0..USERS {
            m.acc(i).0 = INITIAL;
        }
        m
    }

    fn address(&self, who: usize) -> Address {
        self.users[who].address()
    }

    /// `Settle` (or `CloseOrder`) of `order` through the ABI: whether it succeeded, and the
    /// escrow's events.
    fn call_order(
        &self,
        fm: &Filmark,
        who: &Signer,
        order: u64,
        close: bool,
    ) -> anyhow::Result<(bool, Vec<IFilmarkEscrowEvents>)> {
        let params = OrderIdParams { order_id: order };
        let r = if close {
            let abi = closeOrderCall { orderId: order };
            call(
                &self.chain,
                who,
                fm.escrow,
                EscrowMethod::CloseOrder.number(),
                &params,
                &abi,
                "close",
            )
        } else {
            let abi = settleCall { orderId: order };
            call(
                &self.chain,
                who,
                fm.escrow,
                EscrowMethod::Settle.number(),
                &params,
                &abi,
                "settle",
            )
        };
        match r {
            Ok(lookup) => Ok((true, self.escrow_events(fm, &lookup)?)),
            Err(e) => {
                exit_code(Err::<(), _>(e))?;
                Ok((false, Vec::new()))
            }
        }
    }

    fn escrow_events(
        &self,
        fm: &Filmark,
        lookup: &Lookup,
    ) -> anyhow::Result<Vec<IFilmarkEscrowEvents>> {
        Ok(self
            .chain
            .events(lookup)?
            .into_iter()
            .filter(|e| e.emitter == fm.escrow_id)
            .filter_map(|e| match e.event {
                FilmarkEvent::Escrow(e) => Some(e),
                _ => None,
            })
            .collect())
    }

    /// Runs `op` on the escrow `fm` and the model; fails when the model's checks do.
    #[allow(clippy::too_many_lines)]
    fn step(&self, fm: &Filmark, m: &mut Model, op: &Op) -> anyhow::Result<Record> {
        let escrow = self.chain.escrow(fm.escrow);
        let c = &self.chain;
        // Instant mining: the message runs in the next tipset.
        let now = c.epoch()? + 1;
        let atto = |n: u64| TokenAmount::from_atto(n);
        let pick = |i: usize| (!m.orders.is_empty()).then(|| i % m.orders.len());
        let pick_deal = |i: usize| (!m.deals.is_empty()).then(|| i % m.deals.len());
        let mut events = Vec::new();
        // (predicted outcome when exact, actual outcome)
        let (ok, done) = match *op {
            Op::Deposit { who, amount } => {
                let r = exit_code(c.run(escrow.deposit(&self.users[who], atto(amount))))?;
                m.acc(who).0 += amount;
                (true, r.is_success())
            }
            Op::Withdraw { who, amount } => {
                let ok = m.acc(who).0 >= amount;
                let r = exit_code(c.run(escrow.withdraw(&self.users[who], atto(amount), None)))?;
                if ok && m.exact {
                    m.acc(who).0 -= amount;
                }
                (ok, r.is_success())
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
                let order = OrderBuilder::new(
                    self.packed.piece.cid_v1(),
                    self.packed.piece.padded_size,
                    atto(price),
                    dur,
                )
                .replicas(replicas)
                .activation_deadline(now + deadline);
                let r = c.run(escrow.create_order(&self.users[who], order, TokenAmount::default()));
                if let Ok(id) = &r {
                    if m.exact {
                        let a = m.acc(who);
                        a.0 -= lock;
                        a.1 += lock;
                    }
                    m.orders.push(MOrder {
                        id: *id,
                        client: who,
                        price,
                        dur,
                        deadline: now + deadline,
                        funded: lock,
                        funders: vec![(who, lock)],
                        refunded: false,
                        closed: false,
                    });
                }
                (ok, exit_code(r)?.is_success())
            }
            Op::Fund { who, order, amount } => {
                let Some(i) = pick(order) else {
                    return self.record(fm, m, op, true, events);
                };
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
                if r.is_success() {
                    let client = m.orders[i].client;
                    if m.exact {
                        m.acc(client).1 += amount;
                    }
                    let o = &mut m.orders[i];
                    o.funded += amount;
                    match o.funders.iter_mut().find(|f| f.0 == who) {
                        Some(f) => f.1 += amount,
                        None => o.funders.push((who, amount)),
                    }
                }
                (ok, r.is_success())
            }
            Op::Bind {
                provider,
                order,
                start,
                extra,
                activate,
            } => {
                let Some(i) = pick(order) else {
                    return self.record(fm, m, op, true, events);
                };
                let o = &m.orders[i];
                let (id, price, dur) = (o.id, o.price, o.dur);
                let start = now + 2 + start;
                let r = publish_storage_deal(
                    c,
                    fm,
                    &self.providers[provider],
                    &self.packed,
                    id,
                    start,
                    dur + extra,
                );
                let done = match r {
                    Ok(lookup) => {
                        let deal = deal_id(&lookup)?;
                        events = self.escrow_events(fm, &lookup)?;
                        ensure!(
                            events.iter().any(|e| matches!(e,
                                IFilmarkEscrowEvents::DealBound(b) if b.dealId == deal && b.orderId == id)),
                            "a bound deal's DealBound: {events:?}"
                        );
                        let activated = activate && c.activate_deals(&[deal]).is_ok();
                        m.deals.push(MDeal {
                            id: deal,
                            price,
                            start,
                            end: start + dur + extra,
                            activated,
                            terminated: None,
                            full: extra == 0,
                            paid_epochs: 0,
                        });
                        m.exact = false;
                        self.bound.set(self.bound.get() + 1);
                        true
                    }
                    Err(e) => {
                        exit_code(Err::<(), _>(e))?;
                        false
                    }
                };
                (done, done)
            }
            Op::Activate { deal } => {
                let Some(i) = pick_deal(deal) else {
                    return self.record(fm, m, op, true, events);
                };
                let done = c.activate_deals(&[m.deals[i].id]).is_ok();
                m.deals[i].activated |= done;
                (done, done)
            }
            Op::Terminate { deal } => {
                let Some(i) = pick_deal(deal) else {
                    return self.record(fm, m, op, true, events);
                };
                let done = c.terminate_deals(&[m.deals[i].id]).is_ok();
                if done {
                    m.deals[i].terminated = Some(c.epoch()?);
                }
                (done, done)
            }
            Op::Advance { epochs } => {
                c.advance_epochs(epochs)?;
                (true, true)
            }
            Op::Settle { who, order } => {
                let Some(i) = pick(order) else {
                    return self.record(fm, m, op, true, events);
                };
                let ok = !m.orders[i].closed;
                let (done, ev) = self.call_order(fm, &self.users[who], m.orders[i].id, false)?;
                events = ev;
                if done && m.exact {
                    m.unlock(i, now);
                }
                (ok, done)
            }
            Op::Close { who, order } => {
                let Some(i) = pick(order) else {
                    return self.record(fm, m, op, true, events);
                };
                let o = &m.orders[i];
                let ok = o.client == who && !o.closed && now > o.deadline;
                let (done, ev) = self.call_order(fm, &self.users[who], o.id, true)?;
                events = ev;
                if done {
                    if m.exact {
                        m.unlock(i, now);
                    }
                    m.orders[i].closed = true;
                }
                (ok, done)
            }
        };
        let tally = if done { &self.accepted } else { &self.refused };
        tally.set(tally.get() + 1);
        if m.exact {
            ensure!(
                done == ok,
                "{op:?} at epoch {now}: the model says {}, the escrow {}",
                if ok { "success" } else { "refusal" },
                if done { "succeeded" } else { "refused" },
            );
        }
        self.record(fm, m, op, done, events)
    }

    /// Checks the step's payments, every account as the model has it (while exact), and
    /// Σ accounts = the escrow's balance; the step's record.
    fn record(
        &self,
        fm: &Filmark,
        m: &mut Model,
        op: &Op,
        ok: bool,
        events: Vec<IFilmarkEscrowEvents>,
    ) -> anyhow::Result<Record> {
        m.paid(&events)?;
        let paid = events
            .iter()
            .filter(|e| matches!(e, IFilmarkEscrowEvents::ProviderPaid(_)))
            .count();
        self.paid.set(self.paid.get() + paid as u64);
        let escrow = self.chain.escrow(fm.escrow);
        let mut sum = TokenAmount::default();
        let mut accounts = Vec::with_capacity(USERS);
        for who in 0..USERS {
            let acc = self.chain.run(escrow.get_account(self.address(who)))?;
            if m.exact {
                let (available, locked) = m.accounts.get(&who).copied().unwrap_or_default();
                ensure!(
                    acc.available == TokenAmount::from_atto(available)
                        && acc.locked == TokenAmount::from_atto(locked),
                    "user {who}: the escrow has {acc:?}, the model ({available}, {locked})"
                );
            }
            sum += &acc.available + &acc.locked;
            accounts.push((acc.available, acc.locked));
        }
        let balance = self.chain.balance(&fm.escrow)?;
        ensure!(
            balance == sum,
            "Σ accounts {sum} ≠ the escrow's balance {balance}"
        );
        if m.exact {
            ensure!(
                sum == TokenAmount::from_atto(m.total()),
                "Σ accounts {sum}, the model {}",
                m.total()
            );
        }
        Ok(Record {
            op: format!("{op:?}"),
            ok,
            accounts,
            balance,
            events,
        })
    }

    /// Past every deal's end, a keeper settles every order; then every deal activated and never
    /// slashed was paid exactly its term.
    fn keeper(&self, fm: &Filmark, m: &mut Model) -> anyhow::Result<Vec<Record>> {
        let mut records = Vec::new();
        let Some(last) = m.deals.iter().map(|d| d.end).max() else {
            return Ok(records);
        };
        let head = self.chain.epoch()?;
        if last + 1 > head {
            self.chain.advance_epochs((last + 1 - head) as u64)?;
        }
        for i in 0..m.orders.len() {
            let (ok, events) = self.call_order(fm, &self.keeper, m.orders[i].id, false)?;
            records.push(self.record(
                fm,
                m,
                &Op::Settle {
                    who: USERS,
                    order: i,
                },
                ok,
                events,
            )?);
        }
        for d in &m.deals {
            if d.full && d.activated && d.terminated.is_none() {
                ensure!(
                    d.paid_epochs == d.end - d.start,
                    "an honest deal is paid its term ({} epochs) once settled after its end: {d:?}",
                    d.end - d.start
                );
            }
        }
        Ok(records)
    }

    /// One run of `ops` on `fm` from the snapshot: every step's record.
    fn run_on(&self, fm: &Filmark, ops: &[Op]) -> anyhow::Result<Vec<Record>> {
        let mut m = Self::model();
        let mut records = Vec::with_capacity(ops.len());
        for op in ops {
            let r = self.step(fm, &mut m, op);
            records.push(r.with_context(|| format!("{op:?}"))?);
        }
        records.extend(self.keeper(fm, &mut m)?);
        Ok(records)
    }
}

/// The number of cases: [`CASES_VAR`], else [`DEFAULT_CASES`].
pub fn cases() -> u32 {
    std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// What a run exercised, over both implementations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Operations that succeeded.
    pub accepted: u64,
    /// Operations refused.
    pub refused: u64,
    /// Deals bound (published with the escrow as client).
    pub bound: u64,
    /// `ProviderPaid` events.
    pub paid: u64,
}

/// Runs `cases` random sequences, each on the twin and then on the native escrow from the
/// same snapshot of one devnet; fails with the shrunk sequence when a check fails or the two
/// differ (see the module doc).
///
/// # Errors
/// When the devnet or the contracts cannot be set up, or a case fails.
pub fn run(cases: u32) -> anyhow::Result<Stats> {
    let world = World::new()?;
    let devnet = world.chain.client().transport().devnet().clone();
    let snapshot = Cell::new(devnet.snapshot());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&ops(), |ops| {
        let from_snapshot = || -> anyhow::Result<()> {
            devnet.revert(snapshot.get())?;
            snapshot.set(devnet.snapshot());
            world.chain.client().forget_nonces();
            Ok(())
        };
        let case = || -> anyhow::Result<()> {
            from_snapshot()?;
            let twin = world.run_on(&world.twin, &ops).context("on the twin")?;
            from_snapshot()?;
            let native = world.run_on(&world.native, &ops).context("on the actor")?;
            for (t, n) in twin.iter().zip(&native) {
                ensure!(
                    t == n,
                    "the twin and the actor differ:\n twin  {t:?}\n actor {n:?}"
                );
            }
            ensure!(twin.len() == native.len(), "as many steps");
            Ok(())
        };
        case().map_err(|e| TestCaseError::fail(format!("{e:#}")))
    });
    result
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the twin against the model and the actor")?;
    Ok(Stats {
        accepted: world.accepted.get(),
        refused: world.refused.get(),
        bound: world.bound.get(),
        paid: world.paid.get(),
    })
}
