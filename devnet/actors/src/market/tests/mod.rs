//! Native tests of the market's state transitions (the FVM glue runs in the devnet's tests),
//! over one harness that checks the invariants after every step.

mod getters;
#[cfg(not(target_arch = "wasm32"))]
mod model;
mod publish;
mod settle;

use cid::Cid;
use cid::multihash::Multihash;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use multihash_codetable::{Code, MultihashDigest};

use super::policy::{FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED};
use super::tables::Tables;
use super::testing::{StateSummary, check_state_invariants};
use super::*;
use crate::ActorResult;

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

/// Deal of 100 epochs, price 10, provider collateral 300, client collateral 50.
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

/// The candidate for `p` at `index`, with its real CID.
fn candidate(index: u64, p: DealProposal) -> Candidate {
    let digest = Code::Blake2b256.digest(&fvm_ipld_encoding::to_vec(&p).unwrap());
    Candidate {
        index,
        cid: proposal_cid(digest.digest().try_into().unwrap()),
        proposal: p,
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
    /// With the fast policy (updates every 10 epochs).
    fn new() -> Self {
        let store = MemoryBlockstore::new();
        let state = State::new(&store, MarketPolicy::fast()).unwrap();
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

    fn publish_all(&mut self, proposals: Vec<DealProposal>) -> ActorResult<Vec<DealID>> {
        let candidates = proposals
            .into_iter()
            .enumerate()
            .map(|(i, p)| candidate(i as u64, p))
            .collect();
        let (published, _) = self
            .state
            .publish_deals(&self.store, PROVIDER, candidates)?;
        Ok(published.iter().map(|d| d.id).collect())
    }

    fn publish_with(&mut self, p: DealProposal) -> DealID {
        self.publish_all(vec![p]).unwrap()[0]
    }

    fn publish(&mut self) -> DealID {
        self.publish_with(proposal())
    }

    fn activate(&mut self, id: DealID, now: ChainEpoch) {
        let out = self
            .state
            .activate_deals(&self.store, 7, &[id], now)
            .unwrap();
        self.apply(out);
    }

    fn balance(&self, id: u64) -> (TokenAmount, TokenAmount) {
        let e = self.state.balance(&self.store, id).unwrap();
        (e.balance, e.locked)
    }

    fn cron(&mut self, now: ChainEpoch) -> Vec<DealEvent> {
        let out = self.state.cron_tick(&self.store, now).unwrap();
        self.apply(out)
    }

    fn settle(&mut self, ids: &[DealID], now: ChainEpoch) -> SettleDealPaymentsReturn {
        let (ret, out) = self
            .state
            .settle_deal_payments(&self.store, ids, now)
            .unwrap();
        self.apply(out);
        ret
    }

    fn terminate(&mut self, id: DealID, now: ChainEpoch) -> Vec<DealEvent> {
        let out = self.state.terminate_deals(&self.store, &[id], now).unwrap();
        self.apply(out)
    }

    fn apply(&mut self, out: Effects) -> Vec<DealEvent> {
        self.actor_balance -= &out.burn;
        self.burnt += out.burn;
        out.events
    }

    fn activation(&self, id: DealID) -> Result<(ChainEpoch, ChainEpoch), ExitCode> {
        self.state
            .deal_activation(&self.store, id)
            .map_err(|e| e.exit_code())
    }

    /// Rewrites a deal's state by hand (what no transition produces).
    fn set_deal_state(&mut self, id: DealID, state: DealState) {
        let mut tables = Tables::load(&self.state, &self.store).unwrap();
        let mut deal = tables.deal(id).unwrap();
        deal.state = state;
        tables.set_deal(id, deal).unwrap();
        tables.flush(&mut self.state).unwrap();
    }

    fn check(&self) -> StateSummary {
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

fn summary(payment: u64, completed: bool) -> DealSettlementSummary {
    DealSettlementSummary {
        payment: atto(payment),
        completed,
    }
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
