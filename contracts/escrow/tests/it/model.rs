//! proptest: random sequences of deposit, withdraw, create, fund, bind (both ways), activate,
//! terminate (slash), a third party's `SettleDealPayments` (which removes a deal at or after
//! its end, or an unactivated one past its start), settle at random epochs and close keep the
//! invariants and match a plain model of the escrow; the fake market answers as actors v18
//! (`[activated, -1]`, 32 once slashed or removed). From the `ProviderPaid` events: no deal is
//! paid more than price × its active epochs (+ `SETTLEMENT_WINDOW` if it was terminated); after
//! a keeper settles every order until all deals are over, every honest deal seen active within
//! the window before its paid end was paid exactly price × its active epochs.
//!
//! `MODEL_STATS=1` prints what each case exercised. Cases: 64 by default (debug CI run);
//! `PROPTEST_CASES=10000 cargo test --release -p filmark-escrow --test it model::` for the full
//! run.
use std::collections::BTreeMap;

use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::abi::IFilmarkEscrow as I;
use filmark_escrow::policy::{MAX_FUNDERS, SETTLEMENT_WINDOW as W};
use filmark_escrow::types::*;
use proptest::prelude::*;

const CLIENTS: [u64; 2] = [CLIENT, OTHER];
const FUNDERS: [u64; 4] = [CLIENT, OTHER, SPONSOR, SPONSOR2];
const PROVIDERS: [u64; 3] = [PROVIDER, PROVIDER2, 203];

#[derive(Clone, Debug)]
enum Op {
    Deposit {
        who: usize,
        amount: i64,
    },
    Withdraw {
        who: usize,
        amount: i64,
    },
    Create {
        who: usize,
        price: i64,
        dur: i64,
        replicas: u64,
        deadline: i64,
        same: bool,
    },
    Fund {
        who: usize,
        order: usize,
        amount: i64,
    },
    Bind {
        order: usize,
        provider: usize,
        start: i64,
        extra: i64,
        notify: bool,
        activate: bool,
    },
    Activate {
        deal: usize,
    },
    Terminate {
        deal: usize,
    },
    MarketSettle {
        deal: usize,
    },
    Advance {
        epochs: i64,
    },
    Settle {
        order: usize,
    },
    Close {
        order: usize,
    },
}

/// Epoch counts: mostly short, some around the settlement window.
fn epochs(short: std::ops::Range<i64>) -> impl Strategy<Value = i64> {
    prop_oneof![3 => short, 1 => (1..40i64).prop_map(|n| n * 100)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..4usize, 1..50_000i64).prop_map(|(who, amount)| Op::Deposit { who, amount }),
        1 => (0..4usize, 1..30_000i64).prop_map(|(who, amount)| Op::Withdraw { who, amount }),
        2 => (0..2usize, 1..10i64, epochs(1..30), 1..4u64, epochs(5..60), any::<bool>())
            .prop_map(|(who, price, dur, replicas, deadline, same)| Op::Create { who, price, dur, replicas, deadline, same }),
        1 => (0..4usize, 0..8usize, 1..20_000i64).prop_map(|(who, order, amount)| Op::Fund { who, order, amount }),
        6 => (0..8usize, 0..3usize, epochs(0..15), prop_oneof![4 => Just(0i64), 1 => -1..4i64, 1 => epochs(1..30)], any::<bool>(), any::<bool>()).prop_map(
            |(order, provider, start, extra, notify, activate)| Op::Bind { order, provider, start, extra, notify, activate }
        ),
        6 => (0..64usize).prop_map(|deal| Op::Activate { deal }),
        1 => (0..64usize).prop_map(|deal| Op::Terminate { deal }),
        3 => (0..64usize).prop_map(|deal| Op::MarketSettle { deal }),
        5 => epochs(1..12).prop_map(|epochs| Op::Advance { epochs }),
        5 => (0..8usize).prop_map(|order| Op::Settle { order }),
        1 => (0..8usize).prop_map(|order| Op::Close { order }),
    ]
}

/// A deal as the simulated market knows it.
#[derive(Clone, Debug)]
struct MDeal {
    start: i64,
    end: i64,
    activated: i64,
    /// Epoch the deal left the market (slashed, or settled by anyone at/after its end, or
    /// dropped unactivated): from then on its getters answer 32.
    gone_at: Option<i64>,
    /// Slashed (terminated) rather than completed.
    terminated: bool,
    bound_at: i64,
    price: i64,
    /// The epoch the escrow pays it up to (its slot's end), if it was bound.
    paid_end: Option<i64>,
    /// The latest settlement that saw it present and activated.
    seen: i64,
}

impl MDeal {
    /// What `GetDealActivation` answers at `now`, as the v18 market does.
    fn answer(&self) -> Act {
        if self.gone_at.is_some() {
            GONE
        } else if self.activated >= 0 {
            Act::Active(self.activated)
        } else {
            Act::Pending
        }
    }

    /// Epochs the deal was really active (and payable by its order) before `now`.
    fn active_epochs(&self, now: i64) -> i64 {
        if self.activated < 0 {
            return 0;
        }
        let from = self.activated.max(self.start).max(self.bound_at);
        let mut to = self.end.min(now).min(self.paid_end.unwrap_or(self.end));
        if self.terminated {
            to = to.min(self.gone_at.unwrap_or(i64::MAX));
        }
        (to - from).max(0)
    }
}

#[derive(Clone, Debug)]
struct MSlot {
    deal: u64,
    provider: u64,
    start: i64,
    end: i64,
    activation: i64,
    last_seen: i64,
    settled_until: i64,
}

#[derive(Clone, Debug)]
struct MOrder {
    client: u64,
    price: i64,
    dur: i64,
    replicas: u64,
    deadline: i64,
    same: bool,
    funded: i64,
    funders: Vec<(u64, i64, i64)>,
    balance: i64,
    paid: i64,
    unlock_target: i64,
    slots: Vec<MSlot>,
    completed: u64,
    closed: bool,
}

impl MOrder {
    fn free(&self) -> i64 {
        let reserved: i64 = self
            .slots
            .iter()
            .map(|s| self.price * (s.end - s.settled_until).max(0))
            .sum();
        let refunded: i64 = self.funders.iter().map(|f| f.2).sum();
        self.balance - reserved - (self.unlock_target - refunded)
    }
    /// The end the order would pay a new deal up to, if it may bind now.
    fn can_bind(&self, provider: u64, start: i64, end: i64, now: i64) -> Option<i64> {
        let from = start.max(now);
        let taken = self.slots.len() as u64 + self.completed;
        let ok = !self.closed
            && now <= self.deadline
            && start <= self.deadline
            && end - from >= self.dur
            && taken < self.replicas
            && (self.same || self.slots.iter().all(|s| s.provider != provider));
        if !ok {
            return None;
        }
        let share = self.free() / (self.replicas - taken) as i64 / self.price;
        let epochs = share.min(end - from);
        (epochs >= self.dur).then_some(from + epochs)
    }
    fn ended(&self, now: i64) -> bool {
        now > self.deadline && self.slots.is_empty()
    }
    /// Pro-rata refunds; returns (funder, amount).
    fn unlock(&mut self, now: i64) -> Vec<(u64, i64)> {
        if self.closed || now <= self.deadline {
            return vec![];
        }
        let free = self.free();
        if free > 0 {
            self.unlock_target += free;
        }
        let mut out = vec![];
        let mut total = 0;
        for f in &mut self.funders {
            let target =
                (i128::from(f.1) * i128::from(self.unlock_target) / i128::from(self.funded)) as i64;
            if target > f.2 {
                out.push((f.0, target - f.2));
                total += target - f.2;
                f.2 = target;
            }
        }
        if self.ended(now) {
            let rest = self.balance - total;
            if rest > 0 {
                self.funders[0].2 += rest;
                total += rest;
                out.push((self.client, rest));
            }
            self.unlock_target = self.funded - self.paid;
        }
        self.balance -= total;
        out
    }
}

#[derive(Default, Debug)]
struct Model {
    now: i64,
    accounts: BTreeMap<u64, (i64, i64)>,
    orders: Vec<MOrder>,
    deals: Vec<MDeal>,
    paid_to: BTreeMap<u64, i64>,
}

impl Model {
    /// A deal bound to some order (most market actions target those), else any deal.
    fn bound_deal(&mut self, pick: usize) -> Option<&mut MDeal> {
        let bound: Vec<u64> = self
            .orders
            .iter()
            .flat_map(|o| o.slots.iter().map(|s| s.deal))
            .collect();
        let i = if bound.is_empty() {
            if self.deals.is_empty() {
                return None;
            }
            pick % self.deals.len()
        } else {
            bound[pick % bound.len()] as usize
        };
        self.deals.get_mut(i)
    }

    fn acc(&mut self, id: u64) -> &mut (i64, i64) {
        self.accounts.entry(id).or_default()
    }
}

fn run(ops: Vec<Op>) {
    let rt = setup();
    let mut m = Model::default();
    let start = [
        Op::Deposit {
            who: 0,
            amount: 1_000_000,
        },
        Op::Deposit {
            who: 1,
            amount: 1_000_000,
        },
    ];
    for op in start.iter().chain(&ops) {
        step(&rt, &mut m, op);
        compare(&rt, &m);
    }
    // A keeper settles every order every half window until every deal is over.
    let last = m.deals.iter().map(|d| d.end).max().unwrap_or(0);
    loop {
        for order in 0..m.orders.len() {
            if !m.orders[order].closed {
                step(&rt, &mut m, &Op::Settle { order });
            }
        }
        compare(&rt, &m);
        if m.now > last && m.orders.iter().all(|o| o.slots.is_empty()) {
            break;
        }
        step(&rt, &mut m, &Op::Advance { epochs: W / 2 });
    }
    let honest = honest_deals_are_paid_in_full(&rt, &m);
    if std::env::var("MODEL_STATS").is_ok() {
        let names = event_names(&rt);
        let count = |n: &str| names.iter().filter(|x| **x == n).count();
        eprintln!(
            "orders {} bound {} rejected {} paid {} finished {} unlocked {} closed {}",
            count("OrderCreated"),
            count("DealBound"),
            count("DealRejected"),
            count("ProviderPaid"),
            count("DealFinished"),
            count("FundsUnlocked"),
            count("OrderClosed")
        );
        let terminated = m.deals.iter().filter(|d| d.terminated).count();
        let removed = m
            .deals
            .iter()
            .filter(|d| !d.terminated && d.gone_at.is_some())
            .count();
        eprintln!(
            "  honest deals checked {honest} terminated {terminated} removed by the market {removed}"
        );
    }
}

fn step(rt: &Rt, m: &mut Model, op: &Op) {
    let now = m.now;
    match *op {
        Op::Deposit { who, amount } => {
            deposit(rt, FUNDERS[who], amount);
            m.acc(FUNDERS[who]).0 += amount;
        }
        Op::Withdraw { who, amount } => {
            let id = FUNDERS[who];
            let ok = m.acc(id).0 >= amount;
            if ok {
                expect_payment(rt, id, amount);
            }
            let r = call(
                rt,
                id,
                Method::Withdraw,
                Some(&WithdrawParams {
                    amount: atto(amount),
                    to: None,
                }),
                0,
            );
            assert_eq!(r.is_ok(), ok, "withdraw {op:?}: {r:?}");
            if ok {
                m.acc(id).0 -= amount;
            }
        }
        Op::Create {
            who,
            price,
            dur,
            replicas,
            deadline,
            same,
        } => {
            let client = CLIENTS[who];
            let p = CreateOrderParams {
                price_per_epoch: atto(price),
                min_duration: dur,
                replicas,
                activation_deadline: now + deadline,
                allow_same_provider: same,
                ..order_params()
            };
            let lock = price * dur * replicas as i64;
            let ok = m.acc(client).0 >= lock;
            let r = try_create(rt, client, &p);
            assert_eq!(r.is_ok(), ok, "create {op:?}: {r:?}");
            if ok {
                let a = m.acc(client);
                a.0 -= lock;
                a.1 += lock;
                m.orders.push(MOrder {
                    client,
                    price,
                    dur,
                    replicas,
                    deadline: now + deadline,
                    same,
                    funded: lock,
                    funders: vec![(client, lock, 0)],
                    balance: lock,
                    paid: 0,
                    unlock_target: 0,
                    slots: vec![],
                    completed: 0,
                    closed: false,
                });
            }
        }
        Op::Fund { who, order, amount } => {
            if m.orders.is_empty() {
                return;
            }
            let oid = order % m.orders.len();
            let funder = FUNDERS[who];
            let o = &m.orders[oid];
            let min = (o.funded + MAX_FUNDERS as i64 - 1) / MAX_FUNDERS as i64;
            let known = o.funders.iter().any(|f| f.0 == funder);
            let ok = !o.closed && now <= o.deadline && (known || amount >= min);
            let p = FundOrderParams {
                order_id: oid as u64,
                from_available: atto(0),
            };
            let r = call(rt, funder, Method::FundOrder, Some(&p), amount);
            assert_eq!(r.is_ok(), ok, "fund {op:?}: {r:?}");
            if ok {
                let o = &mut m.orders[oid];
                match o.funders.iter_mut().find(|f| f.0 == funder) {
                    Some(f) => f.1 += amount,
                    None => o.funders.push((funder, amount, 0)),
                }
                o.funded += amount;
                o.balance += amount;
                let client = o.client;
                m.acc(client).1 += amount;
            }
        }
        Op::Bind {
            order,
            provider,
            start,
            extra,
            notify,
            activate,
        } => {
            if m.orders.is_empty() {
                return;
            }
            let oid = order % m.orders.len();
            let o = &m.orders[oid];
            let (start, end) = (now + start, now + start + o.dur + extra);
            if end <= start {
                return;
            }
            let deal_id = m.deals.len() as u64;
            let provider = PROVIDERS[provider];
            let paid_end = o.can_bind(provider, start, end, now);
            m.deals.push(MDeal {
                start,
                end,
                activated: -1,
                gone_at: None,
                terminated: false,
                bound_at: now,
                price: o.price,
                paid_end,
                seen: -1,
            });
            let d = Deal {
                provider,
                start,
                end,
                ..deal(deal_id, provider, start, end)
            };
            let ok = paid_end.is_some();
            if notify {
                let prop = proposal(oid as u64, &d);
                assert_eq!(
                    authenticate(rt, MARKET, &prop).is_ok(),
                    ok,
                    "authenticate {op:?}"
                );
                crate::harness::notify(rt, MARKET, &prop, deal_id).expect("notify never aborts");
            } else {
                let act = if activate {
                    Act::Active(now)
                } else {
                    Act::Pending
                };
                let r = try_bind(rt, oid as u64, &d, act);
                assert_eq!(r.is_ok(), ok, "bind {op:?}: {r:?}");
            }
            if activate {
                m.deals[deal_id as usize].activated = now;
            }
            if let Some(paid_end) = paid_end {
                let seen = if activate && !notify { now } else { -1 };
                m.deals[deal_id as usize].seen = seen;
                m.orders[oid].slots.push(MSlot {
                    deal: deal_id,
                    provider,
                    start,
                    end: paid_end,
                    activation: seen,
                    last_seen: seen,
                    settled_until: start.max(now),
                });
            }
        }
        Op::Activate { deal } => {
            if let Some(d) = m.bound_deal(deal)
                && d.activated < 0
                && d.gone_at.is_none()
                && now <= d.start
            {
                d.activated = now;
            }
        }
        Op::Terminate { deal } => {
            if let Some(d) = m.bound_deal(deal)
                && d.activated >= 0
                && d.gone_at.is_none()
                && now < d.end
            {
                d.gone_at = Some(now);
                d.terminated = true;
            }
        }
        Op::MarketSettle { deal } => {
            // Anyone's SettleDealPayments: removes an activated deal at or after its end, and an
            // unactivated one at or after its start; otherwise it only pays in the market.
            let removable: Vec<u64> = m
                .orders
                .iter()
                .flat_map(|o| o.slots.iter().map(|s| s.deal))
                .filter(|&i| {
                    let d = &m.deals[i as usize];
                    (d.activated >= 0 && now >= d.end) || (d.activated < 0 && now >= d.start)
                })
                .collect();
            if !removable.is_empty() {
                let d = &mut m.deals[removable[deal % removable.len()] as usize];
                if d.gone_at.is_none() {
                    d.gone_at = Some(now);
                }
            }
        }
        Op::Advance { epochs } => {
            m.now += epochs;
            rt.set_epoch(m.now);
        }
        Op::Settle { order } => {
            if m.orders.is_empty() {
                return;
            }
            let oid = order % m.orders.len();
            if m.orders[oid].closed {
                let r = call(
                    rt,
                    OTHER,
                    Method::Settle,
                    Some(&OrderIdParams {
                        order_id: oid as u64,
                    }),
                    0,
                );
                assert!(r.is_err());
                return;
            }
            let mut acts = vec![];
            let mut pays = vec![];
            let o = &mut m.orders[oid];
            let mut keep = vec![];
            let mut paid = 0;
            for mut s in o.slots.clone() {
                let md = &mut m.deals[s.deal as usize];
                let act = md.answer();
                acts.push((s.deal, act));
                let (to, finished) = match act {
                    Act::Active(a) => {
                        s.activation = a;
                        s.last_seen = now;
                        md.seen = now;
                        if now >= s.end {
                            o.completed += 1;
                        }
                        (now.min(s.end), now >= s.end)
                    }
                    Act::Pending => (s.settled_until, now > s.start),
                    Act::Exit(_) if s.last_seen < 0 => (s.settled_until, true),
                    Act::Exit(_) => {
                        let to = s.end.min(now).min(s.last_seen + W);
                        if to >= s.end {
                            o.completed += 1;
                        }
                        (to, true)
                    }
                };
                let epochs = (to - s.settled_until.max(s.activation)).max(0);
                s.settled_until = s.settled_until.max(to);
                if epochs > 0 {
                    pays.push((s.provider, epochs * o.price));
                    paid += epochs * o.price;
                    *m.paid_to.entry(s.provider).or_default() += epochs * o.price;
                }
                if !finished {
                    keep.push(s);
                }
            }
            o.slots = keep;
            o.paid += paid;
            o.balance -= paid;
            let shares = o.unlock(now);
            let client = o.client;
            let unlocked: i64 = shares.iter().map(|s| s.1).sum();
            m.acc(client).1 -= paid + unlocked;
            for (id, a) in shares {
                m.acc(id).0 += a;
            }
            let r = settle(rt, oid as u64, &acts, &pays);
            assert_eq!((to_i64(&r.paid), to_i64(&r.unlocked)), (paid, unlocked));
        }
        Op::Close { order } => {
            if m.orders.is_empty() {
                return;
            }
            let oid = order % m.orders.len();
            let o = &m.orders[oid];
            let client = o.client;
            let ok = !o.closed && o.ended(now);
            let r = call(
                rt,
                client,
                Method::CloseOrder,
                Some(&OrderIdParams {
                    order_id: oid as u64,
                }),
                0,
            );
            assert_eq!(r.is_ok(), ok, "close {op:?}: {r:?}");
            if ok {
                let o = &mut m.orders[oid];
                let shares = o.unlock(now);
                o.closed = true;
                let unlocked: i64 = shares.iter().map(|s| s.1).sum();
                m.acc(client).1 -= unlocked;
                for (id, a) in shares {
                    m.acc(id).0 += a;
                }
            }
        }
    }
}

fn compare(rt: &Rt, m: &Model) {
    check_state(rt);
    for id in FUNDERS {
        let want = m.accounts.get(&id).copied().unwrap_or_default();
        assert_eq!(account(rt, id), want, "account f0{id}");
    }
    for (i, o) in m.orders.iter().enumerate() {
        let a = get_order(rt, i as u64);
        assert_eq!(
            (to_i64(&a.balance), to_i64(&a.paid), a.closed),
            (o.balance, o.paid, o.closed),
            "order {i}"
        );
        assert_eq!(
            a.deals
                .iter()
                .map(|d| (d.deal_id, d.end, d.settled_until, d.last_seen))
                .collect::<Vec<_>>(),
            o.slots
                .iter()
                .map(|s| (s.deal, s.end, s.settled_until, s.last_seen))
                .collect::<Vec<_>>()
        );
        assert_eq!(a.completed, o.completed, "order {i} completed replicas");
    }
    // Payments actually sent match the model, per provider.
    let mut sent: BTreeMap<u64, i64> = BTreeMap::new();
    for s in rt.sent() {
        if let Ok(p) = s.to.id()
            && PROVIDERS.contains(&p)
        {
            *sent.entry(p).or_default() += to_i64(&s.value);
        }
    }
    let want: BTreeMap<u64, i64> = m
        .paid_to
        .iter()
        .filter(|(_, v)| **v > 0)
        .map(|(k, v)| (*k, *v))
        .collect();
    assert_eq!(sent, want, "provider payments");
    // Never more than price × really active epochs (+ the window for a terminated deal).
    for (deal, amount) in paid_per_deal(rt) {
        let d = &m.deals[deal as usize];
        let exposure = if d.terminated { W } else { 0 };
        let most = d.price * (d.active_epochs(m.now) + exposure);
        assert!(amount <= most, "deal {deal} paid {amount} > {most}: {d:?}");
        assert_eq!(amount % d.price, 0);
    }
}

/// Paid per deal, from the `ProviderPaid` events.
fn paid_per_deal(rt: &Rt) -> BTreeMap<u64, i64> {
    let mut per_deal: BTreeMap<u64, i64> = BTreeMap::new();
    for e in rt.events() {
        let (topics, data) = filmark_actor_shared::events::decode_log(&e).unwrap();
        if topics[0] == <I::ProviderPaid as alloy_sol_types::SolEvent>::SIGNATURE_HASH.0 {
            let deal = u64::from_be_bytes(topics[3][24..].try_into().unwrap());
            let amount = i64::from_be_bytes(data[24..32].try_into().unwrap());
            *per_deal.entry(deal).or_default() += amount;
        }
    }
    per_deal
}

/// Once every deal is over: each bound, activated deal that was never terminated and that a
/// settlement saw active within the window before its paid end was paid exactly price × its
/// active epochs (whoever removed it from the market, whenever).
fn honest_deals_are_paid_in_full(rt: &Rt, m: &Model) -> usize {
    let paid = paid_per_deal(rt);
    let mut checked = 0;
    for (i, d) in m.deals.iter().enumerate() {
        let Some(end) = d.paid_end else { continue };
        if d.activated < 0 || d.terminated || d.seen < 0 || d.seen < end - W {
            continue;
        }
        let want = d.price * d.active_epochs(m.now);
        assert_eq!(
            paid.get(&(i as u64)).copied().unwrap_or(0),
            want,
            "honest deal {i} {d:?}"
        );
        checked += 1;
    }
    checked
}

proptest! {
    // 64 cases unless PROPTEST_CASES says otherwise (the full run uses 10,000).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_operations_keep_the_invariants_and_match_the_model(ops in proptest::collection::vec(op(), 1..80)) {
        run(ops);
    }
}

proptest! {
    #[test]
    fn params_and_returns_round_trip(order_id: u64, deal_id: u64, amount: u64, to in proptest::option::of(0u64..1000)) {
        fn rt<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
            let b = fvm_ipld_encoding::to_vec(v).unwrap();
            assert_eq!(&fvm_ipld_encoding::from_slice::<T>(&b).unwrap(), v);
        }
        rt(&WithdrawParams { amount: atto(amount as i64 & i64::MAX), to: to.map(id) });
        rt(&BindDealParams { order_id, deal_id });
        rt(&OrderIdParams { order_id });
        rt(&FundOrderParams { order_id, from_available: atto(amount as i64 & i64::MAX) });
        rt(&SettleReturn { paid: atto(amount as i64 & i64::MAX), unlocked: atto(1) });
        rt(&CreateOrderReturn { order_id });
        rt(&MarketNotifyDealParams { proposal: vec![1, 2], deal_id });
        rt(&AuthenticateMessageParams { signature: vec![3], message: vec![1, 2] });
        rt(&ListOrdersParams { client: to.map(id), cursor: order_id, limit: deal_id });
        rt(&AuthorizeKeyParams { key: id(deal_id), cap: atto(1), expiry: order_id as i64 & i64::MAX });
        rt(&GetAppKeyParams { client: id(order_id), key: id(deal_id) });
        rt(&OrderFunding { piece_cid: piece(1), content: to.map(|_| content(2)), client: order_id, funded_until: -1, active_replicas: deal_id, open: true });
        rt(&CreateOrderParams { client: to.map(id), ..order_params() });
        rt(&GetAccountReturn { available: atto(1), locked: atto(amount as i64 & i64::MAX) });
    }
}
