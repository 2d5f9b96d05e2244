//! Native tests of the market's state transitions (the FVM glue runs in the devnet's tests).

use cid::Cid;
use cid::multihash::Multihash;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;

use super::ext::{AUTHENTICATE_MESSAGE_METHOD, MARKET_NOTIFY_DEAL_METHOD};
use super::policy::{FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED, validate_proposal};
use super::testing::check_state_invariants;
use super::*;

const CLIENT: u64 = 100;
const PROVIDER: u64 = 101;
const START: ChainEpoch = 100;
const END: ChainEpoch = 200;

fn piece() -> Cid {
    Cid::new_v1(
        FIL_COMMITMENT_UNSEALED,
        Multihash::wrap(SHA2_256_TRUNC254_PADDED, &[7; 32]).unwrap(),
    )
}

fn atto(n: u64) -> TokenAmount {
    TokenAmount::from_atto(n)
}

fn proposal() -> DealProposal {
    DealProposal {
        piece_cid: piece(),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client: Address::new_id(CLIENT),
        provider: Address::new_id(PROVIDER),
        label: Label::String("bafy-payload".into()),
        start_epoch: START,
        end_epoch: END,
        storage_price_per_epoch: atto(10),
        provider_collateral: atto(300),
        client_collateral: atto(50),
    }
}

/// A market with funded parties, tracking the actor's balance as the FVM would.
struct Harness {
    store: MemoryBlockstore,
    state: State,
    actor_balance: TokenAmount,
    burnt: TokenAmount,
}

impl Harness {
    fn new() -> Self {
        let store = MemoryBlockstore::new();
        let state = State::new(&store).unwrap();
        let mut h = Self {
            store,
            state,
            actor_balance: atto(0),
            burnt: atto(0),
        };
        h.add(CLIENT, 5_000);
        h.add(PROVIDER, 1_000);
        h
    }

    fn add(&mut self, id: u64, amount: u64) {
        self.state
            .add_balance(&self.store, id, &atto(amount))
            .unwrap();
        self.actor_balance += atto(amount);
    }

    fn publish(&mut self) -> DealID {
        self.state.publish_deal(&self.store, proposal()).unwrap()
    }

    fn balance(&self, id: u64) -> (TokenAmount, TokenAmount) {
        let e = self.state.balance(&self.store, id).unwrap();
        (e.balance, e.locked)
    }

    fn cron(&mut self, now: ChainEpoch) -> Vec<DealEvent> {
        let out = self.state.cron_tick(&self.store, now).unwrap();
        self.burn(out)
    }

    fn terminate(&mut self, id: DealID, now: ChainEpoch) -> Vec<DealEvent> {
        let out = self.state.terminate_deals(&self.store, &[id], now).unwrap();
        self.burn(out)
    }

    fn burn(&mut self, out: Effects) -> Vec<DealEvent> {
        self.actor_balance -= &out.burn;
        self.burnt += out.burn;
        out.events
    }

    fn deal_error(&self, id: DealID) -> ExitCode {
        self.state.deal(&self.store, id).unwrap_err().exit_code()
    }

    fn check(&self) -> testing::StateSummary {
        let (summary, violations) =
            check_state_invariants(&self.state, &self.store, &self.actor_balance);
        assert!(violations.is_empty(), "invariants broken: {violations:#?}");
        summary
    }
}

fn event(kind: DealEventKind, id: DealID) -> DealEvent {
    DealEvent {
        kind,
        id,
        client: CLIENT,
        provider: PROVIDER,
    }
}

#[test]
fn method_numbers_match_the_real_market() {
    let expected = [
        (Method::AddBalanceExported, 822_473_126),
        (Method::WithdrawBalanceExported, 2_280_458_852),
        (Method::GetBalanceExported, 726_108_461),
        (Method::PublishStorageDealsExported, 2_236_929_350),
        (Method::GetDealDataCommitmentExported, 1_157_985_802),
        (Method::GetDealClientExported, 128_053_329),
        (Method::GetDealProviderExported, 935_081_690),
        (Method::GetDealLabelExported, 46_363_526),
        (Method::GetDealTermExported, 163_777_312),
        (Method::GetDealTotalPriceExported, 4_287_162_428),
        (Method::GetDealVerifiedExported, 2_627_389_465),
        (Method::GetDealActivationExported, 2_567_238_399),
        (Method::PublishStorageDeals, 4),
    ];
    for (method, number) in expected {
        assert_eq!(method.number(), number, "{method:?}");
        assert_eq!(Method::from_number(number), Some(method));
    }
    assert_eq!(AUTHENTICATE_MESSAGE_METHOD, 2_643_134_072);
    assert_eq!(MARKET_NOTIFY_DEAL_METHOD, 4_186_741_094);
}

#[test]
fn labels_keep_their_cbor_major_type() {
    let text = fvm_ipld_encoding::to_vec(&Label::String("hi".into())).unwrap();
    assert_eq!(text, [0x62, b'h', b'i']);
    let bytes = fvm_ipld_encoding::to_vec(&Label::Bytes(vec![1, 2])).unwrap();
    assert_eq!(bytes, [0x42, 1, 2]);
    for label in [
        Label::String("hi".into()),
        Label::Bytes(vec![1, 2]),
        Label::default(),
    ] {
        let encoded = fvm_ipld_encoding::to_vec(&label).unwrap();
        assert_eq!(
            fvm_ipld_encoding::from_slice::<Label>(&encoded).unwrap(),
            label
        );
    }
    assert!(
        fvm_ipld_encoding::from_slice::<Label>(&[0x01]).is_err(),
        "an integer is no label"
    );
}

#[test]
fn proposal_is_the_eleven_tuple() {
    let p = proposal();
    let encoded = fvm_ipld_encoding::to_vec(&p).unwrap();
    assert_eq!(encoded[0], 0x8b, "a CBOR array of 11");
    assert_eq!(
        fvm_ipld_encoding::from_slice::<DealProposal>(&encoded).unwrap(),
        p
    );
    let ret = GetDealActivationReturn {
        activated: 5,
        terminated: -1,
    };
    assert_eq!(fvm_ipld_encoding::to_vec(&ret).unwrap(), [0x82, 0x05, 0x20]);
}

#[test]
fn proposals_are_checked() {
    let now = 10;
    assert!(validate_proposal(&proposal(), now).is_ok());
    type Breaker = fn(&mut DealProposal);
    let cases: [(&str, Breaker); 7] = [
        ("piece size", |p| p.piece_size = PaddedPieceSize(1000)),
        ("piece size", |p| p.piece_size = PaddedPieceSize(64)),
        ("not a piece CID", |p| p.piece_cid = Cid::default()),
        ("label", |p| p.label = Label::Bytes(vec![0; 257])),
        ("start epoch", |p| p.start_epoch = 10),
        ("end epoch", |p| p.end_epoch = p.start_epoch),
        ("negative", |p| {
            p.client_collateral = TokenAmount::from_atto(-1)
        }),
    ];
    for (reason, break_it) in cases {
        let mut p = proposal();
        break_it(&mut p);
        let err = validate_proposal(&p, now).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(err.msg().contains(reason), "{reason}: {}", err.msg());
    }
}

#[test]
fn publishing_locks_funds_or_changes_nothing() {
    let mut h = Harness::new();
    let id = h.publish();
    assert_eq!(id, 0);
    // Fee 10 × 100 + client collateral 50; provider collateral 300.
    assert_eq!(h.balance(CLIENT), (atto(5_000), atto(1_050)));
    assert_eq!(h.balance(PROVIDER), (atto(1_000), atto(300)));

    let before = h.state.clone();
    let mut greedy = proposal();
    greedy.provider_collateral = atto(701);
    let err = h.state.publish_deal(&h.store, greedy).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
    assert_eq!(h.state, before, "a refused deal changes nothing");
    h.check();
}

#[test]
fn a_deal_pays_per_epoch_and_expires() {
    let mut h = Harness::new();
    let id = h.publish();
    let activated = h.state.activate_deals(&h.store, &[id], 50).unwrap();
    assert_eq!(activated.events, [event(DealEventKind::Activated, id)]);
    assert!(h.cron(90).is_empty()); // before the start: nothing earned yet
    assert_eq!(h.balance(PROVIDER), (atto(1_000), atto(300)));
    h.cron(130);
    assert_eq!(h.balance(PROVIDER), (atto(1_300), atto(300)));
    assert_eq!(h.balance(CLIENT), (atto(4_700), atto(750)));
    let summary = h.check();
    assert_eq!((summary.deals, summary.active_deals), (1, 1));

    assert_eq!(h.cron(250), [event(DealEventKind::Completed, id)]);
    assert_eq!(h.balance(PROVIDER), (atto(2_000), atto(0)));
    assert_eq!(h.balance(CLIENT), (atto(4_000), atto(0)));
    assert_eq!(h.deal_error(id), EX_DEAL_EXPIRED);
    assert_eq!(h.deal_error(7), ExitCode::USR_NOT_FOUND);
    assert_eq!(h.check().deals, 0);
}

#[test]
fn termination_pays_up_to_it_and_burns_the_collateral() {
    let mut h = Harness::new();
    let id = h.publish();
    h.state.activate_deals(&h.store, &[id], START).unwrap();
    h.cron(120);
    assert_eq!(h.terminate(id, 150), [event(DealEventKind::Terminated, id)]);
    assert_eq!(h.burnt, atto(300));
    // 50 epochs paid (500), the other 50 (500) and the collateral (50) unlocked.
    assert_eq!(h.balance(CLIENT), (atto(4_500), atto(0)));
    assert_eq!(h.balance(PROVIDER), (atto(1_200), atto(0)));
    let (_, deal) = h.state.deal(&h.store, id).unwrap();
    assert_eq!((deal.sector_start_epoch, deal.slash_epoch), (START, 150));
    h.check();

    let again = h.state.terminate_deals(&h.store, &[id], 151).unwrap_err();
    assert_eq!(again.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    h.cron(151);
    assert_eq!(h.deal_error(id), EX_DEAL_EXPIRED);
    h.check();
}

#[test]
fn a_deal_not_activated_by_its_start_is_dropped() {
    let mut h = Harness::new();
    let id = h.publish();
    h.cron(START - 1);
    assert!(h.state.deal(&h.store, id).is_ok());
    let late = h
        .state
        .activate_deals(&h.store, &[id], START + 1)
        .unwrap_err();
    assert_eq!(late.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    let not_active = h
        .state
        .terminate_deals(&h.store, &[id], START - 1)
        .unwrap_err();
    assert_eq!(not_active.exit_code(), EX_DEAL_NOT_ACTIVATED);
    h.cron(START);
    assert_eq!(h.deal_error(id), EX_DEAL_EXPIRED);
    assert_eq!(h.burnt, atto(300));
    assert_eq!(h.balance(CLIENT), (atto(5_000), atto(0)));
    assert_eq!(h.balance(PROVIDER), (atto(700), atto(0)));
    h.check();
}

#[test]
fn only_unlocked_funds_are_withdrawn() {
    let mut h = Harness::new();
    h.publish();
    let taken = h
        .state
        .withdraw_balance(&h.store, CLIENT, &atto(10_000))
        .unwrap();
    assert_eq!(taken, atto(3_950));
    h.actor_balance -= &taken;
    assert_eq!(h.balance(CLIENT), (atto(1_050), atto(1_050)));
    let negative = h
        .state
        .withdraw_balance(&h.store, CLIENT, &TokenAmount::from_atto(-1));
    assert_eq!(
        negative.unwrap_err().exit_code(),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    let zero = h.state.add_balance(&h.store, CLIENT, &atto(0)).unwrap_err();
    assert_eq!(zero.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    h.check();
}

#[test]
fn invariants_catch_a_lost_token() {
    let mut h = Harness::new();
    h.publish();
    h.actor_balance += atto(1);
    let (_, violations) = check_state_invariants(&h.state, &h.store, &h.actor_balance);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("escrows add up to"));
}

/// One step of a random market history.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug)]
enum Op {
    Add {
        client: bool,
        amount: u64,
    },
    Withdraw {
        client: bool,
        amount: u64,
    },
    Publish {
        price: u64,
        provider_collateral: u64,
        client_collateral: u64,
        start: i64,
        len: i64,
    },
    Activate {
        deal: u64,
    },
    Terminate {
        deal: u64,
    },
    Advance {
        epochs: i64,
    },
}

#[cfg(not(target_arch = "wasm32"))]
fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<bool>(), 0..2_000u64).prop_map(|(client, amount)| Op::Add { client, amount }),
        (any::<bool>(), 0..2_000u64).prop_map(|(client, amount)| Op::Withdraw { client, amount }),
        (0..20u64, 0..500u64, 0..200u64, 1..30i64, 1..60i64).prop_map(
            |(price, provider_collateral, client_collateral, start, len)| Op::Publish {
                price,
                provider_collateral,
                client_collateral,
                start,
                len,
            }
        ),
        (0..8u64).prop_map(|deal| Op::Activate { deal }),
        (0..8u64).prop_map(|deal| Op::Terminate { deal }),
        (0..25i64).prop_map(|epochs| Op::Advance { epochs }),
    ]
}

#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    /// Whatever happens, escrows add up to the actor's balance, locks match the live deals,
    /// and a refused operation changes nothing.
    #[test]
    fn random_histories_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        let mut h = Harness::new();
        let mut now: ChainEpoch = 0;
        for op in ops {
            let before = h.state.clone();
            let party = |client: bool| if client { CLIENT } else { PROVIDER };
            let result = match op {
                Op::Add { client, amount } => h
                    .state
                    .add_balance(&h.store, party(client), &atto(amount))
                    .map(|()| h.actor_balance += atto(amount)),
                Op::Withdraw { client, amount } => h
                    .state
                    .withdraw_balance(&h.store, party(client), &atto(amount))
                    .map(|taken| h.actor_balance -= taken),
                Op::Publish { price, provider_collateral, client_collateral, start, len } => {
                    let mut p = proposal();
                    p.storage_price_per_epoch = atto(price);
                    p.provider_collateral = atto(provider_collateral);
                    p.client_collateral = atto(client_collateral);
                    p.start_epoch = now + start;
                    p.end_epoch = now + start + len;
                    validate_proposal(&p, now).and_then(|()| h.state.publish_deal(&h.store, p)).map(drop)
                }
                Op::Activate { deal } => h.state.activate_deals(&h.store, &[deal], now).map(drop),
                Op::Terminate { deal } => h
                    .state
                    .terminate_deals(&h.store, &[deal], now)
                    .map(|effects| drop(h.burn(effects))),
                Op::Advance { epochs } => {
                    now += epochs;
                    h.state.cron_tick(&h.store, now).map(|effects| drop(h.burn(effects)))
                }
            };
            if result.is_err() {
                proptest::prop_assert_eq!(&h.state, &before, "a refused {:?} changed the state", op);
            }
            h.check();
        }
    }
}
