//! proptest: random sequences of deposit, withdraw, create, fund, bind (both ways), activate,
//! terminate, slash, settle at random epochs and close keep the invariants and match a plain
//! model; no provider is ever paid more than price × the epochs its deal was really active.
//!
//! `MODEL_STATS=1` prints what each case exercised. Cases: 64 by default (debug CI run); `PROPTEST_CASES=10000 cargo test --release -p
//! filmark-escrow --test it model::` for the full run.
use std::collections::BTreeMap;

use crate::harness::*;
use filmark_escrow::Method;
use filmark_escrow::abi::IFilmarkEscrow as I;
use filmark_escrow::ext::market::EX_DEAL_EXPIRED;
use filmark_escrow::types::*;
use proptest::prelude::*;

const CLIENTS: [u64; 2] = [CLIENT, OTHER];
const FUNDERS: [u64; 4] = [CLIENT, OTHER, SPONSOR, SPONSOR2];
const PROVIDERS: [u64; 2] = [PROVIDER, PROVIDER2];

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
    Slash {
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

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..4usize, 1..5000i64).prop_map(|(who, amount)| Op::Deposit { who, amount }),
        1 => (0..4usize, 1..3000i64).prop_map(|(who, amount)| Op::Withdraw { who, amount }),
        2 => (0..2usize, 1..10i64, 1..30i64, 1..4u64, 5..60i64)
            .prop_map(|(who, price, dur, replicas, deadline)| Op::Create { who, price, dur, replicas, deadline }),
        1 => (0..4usize, 0..8usize, 1..2000i64).prop_map(|(who, order, amount)| Op::Fund { who, order, amount }),
        6 => (0..8usize, 0..2usize, 0..15i64, prop_oneof![4 => Just(0i64), 1 => -1..4i64], any::<bool>(), any::<bool>()).prop_map(
            |(order, provider, start, extra, notify, activate)| Op::Bind { order, provider, start, extra, notify, activate }
        ),
        6 => (0..64usize).prop_map(|deal| Op::Activate { deal }),
        1 => (0..64usize).prop_map(|deal| Op::Terminate { deal }),
        1 => (0..64usize).prop_map(|deal| Op::Slash { deal }),
        5 => (1..12i64).prop_map(|epochs| Op::Advance { epochs }),
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
    terminated: i64,
    slashed_at: Option<i64>,
    bound_at: i64,
    price: i64,
}

impl MDeal {
    /// What `GetDealActivation` answers at `now`.
    fn answer(&self, now: i64) -> Act {
        let cleaned = self.slashed_at.is_some()
            || now >= self.end + 5
            || (self.terminated >= 0 && now >= self.terminated + 5);
        if cleaned {
            Act::Exit(EX_DEAL_EXPIRED)
        } else {
            Act::Ok(self.activated, self.terminated)
        }
    }

    /// Epochs the deal was really active (and bound) before `now`.
    fn active_epochs(&self, now: i64) -> i64 {
        if self.activated < 0 {
            return 0;
        }
        let from = self.activated.max(self.start).max(self.bound_at);
        let mut to = self.end.min(now);
        if self.terminated >= 0 {
            to = to.min(self.terminated);
        }
        if let Some(s) = self.slashed_at {
            to = to.min(s);
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
    settled_until: i64,
}

#[derive(Clone, Debug)]
struct MOrder {
    client: u64,
    price: i64,
    dur: i64,
    replicas: u64,
    deadline: i64,
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
    fn can_bind(&self, start: i64, end: i64, now: i64) -> bool {
        let from = start.max(now);
        !self.closed
            && now <= self.deadline
            && start <= self.deadline
            && end - from >= self.dur
            && (self.slots.len() as u64 + self.completed) < self.replicas
            && self.free() >= self.price * (end - from)
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
            amount: 20_000,
        },
        Op::Deposit {
            who: 1,
            amount: 20_000,
        },
    ];
    for op in start.iter().chain(&ops) {
        step(&rt, &mut m, op);
        compare(&rt, &m);
    }
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
        } => {
            let client = CLIENTS[who];
            let p = CreateOrderParams {
                price_per_epoch: atto(price),
                min_duration: dur,
                replicas,
                activation_deadline: now + deadline,
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
            let ok = !o.closed && now <= o.deadline;
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
            m.deals.push(MDeal {
                start,
                end,
                activated: -1,
                terminated: -1,
                slashed_at: None,
                bound_at: now,
                price: o.price,
            });
            let ok = o.can_bind(start, end, now);
            let d = Deal {
                id: deal_id,
                piece: piece(1),
                size: SIZE,
                provider,
                start,
                end,
            };
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
                    Act::Ok(now, -1)
                } else {
                    Act::Ok(-1, -1)
                };
                let r = try_bind(rt, oid as u64, &d, act);
                assert_eq!(r.is_ok(), ok, "bind {op:?}: {r:?}");
            }
            if activate {
                m.deals[deal_id as usize].activated = now;
            }
            if ok {
                m.orders[oid].slots.push(MSlot {
                    deal: deal_id,
                    provider,
                    start,
                    end,
                    activation: if activate && !notify { now } else { -1 },
                    settled_until: start.max(now),
                });
            }
        }
        Op::Activate { deal } => {
            if let Some(d) = m.bound_deal(deal)
                && d.activated < 0
                && d.slashed_at.is_none()
                && now <= d.start
            {
                d.activated = now;
            }
        }
        Op::Terminate { deal } => {
            if let Some(d) = m.bound_deal(deal)
                && d.activated >= 0
                && d.terminated < 0
                && d.slashed_at.is_none()
                && now < d.end
            {
                d.terminated = now;
            }
        }
        Op::Slash { deal } => {
            if let Some(d) = m.bound_deal(deal)
                && d.slashed_at.is_none()
                && now < d.end
            {
                d.slashed_at = Some(now);
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
                let md = &m.deals[s.deal as usize];
                let act = md.answer(now);
                acts.push((s.deal, act));
                let finished = match act {
                    Act::Exit(_) => {
                        if s.activation >= 0 && now >= s.end {
                            o.completed += 1;
                        }
                        true
                    }
                    Act::Ok(a, _) if a < 0 => now > s.start,
                    Act::Ok(a, t) => {
                        s.activation = a;
                        let stop = if t >= 0 { t.min(now) } else { now };
                        let to = stop.min(s.end);
                        let from = s.settled_until.max(a);
                        let epochs = (to - from).max(0);
                        s.settled_until = s.settled_until.max(to);
                        if epochs > 0 {
                            pays.push((s.provider, epochs * o.price));
                            paid += epochs * o.price;
                            *m.paid_to.entry(s.provider).or_default() += epochs * o.price;
                        }
                        if t >= 0 && t <= now {
                            true
                        } else if now >= s.end {
                            o.completed += 1;
                            true
                        } else {
                            false
                        }
                    }
                };
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
            a.deals.iter().map(|d| d.deal_id).collect::<Vec<_>>(),
            o.slots.iter().map(|s| s.deal).collect::<Vec<_>>()
        );
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
    // Never more than price × really active epochs, per deal (from the ProviderPaid events).
    let mut per_deal: BTreeMap<u64, i64> = BTreeMap::new();
    for e in rt.events() {
        let (topics, data) = filmark_actor_shared::events::decode_log(&e).unwrap();
        if topics[0] == <I::ProviderPaid as alloy_sol_types::SolEvent>::SIGNATURE_HASH.0 {
            let deal = u64::from_be_bytes(topics[3][24..].try_into().unwrap());
            let amount = i64::from_be_bytes(data[24..32].try_into().unwrap());
            *per_deal.entry(deal).or_default() += amount;
        }
    }
    for (deal, amount) in per_deal {
        let d = &m.deals[deal as usize];
        assert!(
            amount <= d.price * d.active_epochs(m.now),
            "deal {deal} paid {amount} > {} × {}",
            d.price,
            d.active_epochs(m.now)
        );
        assert_eq!(amount % d.price, 0);
    }
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
