//! The devnet's simulated storage provider: it takes a CAR for an escrow order, recomputes its
//! piece commitment, and publishes, binds and activates a deal only when that matches the
//! order's piece; otherwise it records why not. See the crate README, "The simulated provider".

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::{Mutex, MutexGuard};

use cid::Cid;
use filmark_devnet_actors::market::{
    self, ClientDealProposal, DealProposal, Label, PublishStorageDealsParams,
    PublishStorageDealsReturn,
};
use filmark_devnet_actors::{miner, power};
use filmark_escrow::Method as Escrow;
use filmark_escrow::order::DealTerms;
use filmark_escrow::state::Order;
use filmark_escrow::types::OrderIdParams;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::RegisteredPoStProof;

use crate::chain::TipsetRef;
use crate::devnet::Devnet;
use crate::genesis::{MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID};
use crate::keys::{DevnetKey, KeyKind};
use crate::provider_car::{CarFailure, read_car};
use crate::{Error, Result};

/// The seed of the devnet's provider key ([`Devnet::provider`]: its index 0, an f1).
pub const PROVIDER_SEED: &[u8] = b"filmark-devnet-provider";
/// Epochs between the epoch a deal is published in and its start epoch.
pub const DEAL_START_DELAY: ChainEpoch = 10;
/// What the provider's account is given (by [`Devnet::set_balance`]) for gas when it holds less
/// than a tenth of it: 1,000 FIL.
pub const PROVIDER_FUNDS_FIL: u64 = 1_000;

/// The window PoSt proof type of the provider's miner: 32 GiB sectors (the devnet proves
/// nothing, so any type with a sector size would do).
pub const MINER_POST_PROOF: RegisteredPoStProof = RegisteredPoStProof::StackedDRGWindow32GiBV1P1;

/// Why the provider made no deal for an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The escrow has no such order (`GetOrder` exit 17).
    #[error("order unknown to the escrow: {message}")]
    UnknownOrder {
        /// The escrow's message.
        message: String,
    },
    /// The order could not be read (not an escrow, or another failure of `GetOrder`).
    #[error("the order cannot be read (exit code {exit_code}): {message}")]
    OrderUnreadable {
        /// `GetOrder`'s exit code.
        exit_code: u32,
        /// Its message.
        message: String,
    },
    /// The order is closed.
    #[error("the order is closed")]
    OrderClosed,
    /// The order's activation deadline has passed.
    #[error("the order's activation deadline {deadline} has passed (epoch {now})")]
    PastDeadline {
        /// The order's last epoch for a deal to bind or start.
        deadline: ChainEpoch,
        /// The epoch a deal would be published in.
        now: ChainEpoch,
    },
    /// The order's free funds do not pay a replica for its minimum duration.
    #[error("the order is not funded: {message}")]
    NotFunded {
        /// The escrow's rule, with the amounts.
        message: String,
    },
    /// The escrow would not bind the deal for another reason (replicas taken, provider not
    /// allowed, ...).
    #[error("the order refuses the deal (exit code {exit_code}): {message}")]
    OrderRefused {
        /// The exit code the escrow would answer.
        exit_code: u32,
        /// Its message.
        message: String,
    },
    /// The CAR is larger than the order's piece can hold.
    #[error("the CAR is over {limit} bytes, what a piece of the order's padded size holds")]
    TooBig {
        /// The most bytes the order's piece holds (127/128 of its padded size).
        limit: u64,
    },
    /// The bytes are not a CARv1.
    #[error("not a CAR: {reason}")]
    NotACar {
        /// What is wrong.
        reason: String,
    },
    /// Reading the CAR failed.
    #[error("the CAR could not be read: {reason}")]
    Unreadable {
        /// The I/O error.
        reason: String,
    },
    /// The CAR's piece commitment is not the order's piece.
    #[error(
        "piece mismatch: the CAR's piece is {got} ({got_size} bytes padded), the order's is \
         {expected} ({expected_size} bytes padded)"
    )]
    PieceMismatch {
        /// The order's piece CID.
        expected: Cid,
        /// The order's padded size.
        expected_size: u64,
        /// The CAR's piece CID (v1).
        got: Cid,
        /// The CAR's padded size.
        got_size: u64,
    },
    /// The market refused the deal.
    #[error("PublishStorageDeals failed (exit code {exit_code}): {message}")]
    PublishFailed {
        /// The market's exit code.
        exit_code: u32,
        /// Its message.
        message: String,
    },
    /// The deal was published but the escrow's notification did not bind it (its `DealRejected`).
    #[error("deal {deal_id} was published but the escrow did not bind it")]
    NotBound {
        /// The market deal id.
        deal_id: DealID,
    },
}

impl Rejection {
    /// A short stable name of the reason (`unknownOrder`, `pieceMismatch`, ...), as the RPC
    /// reports it.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::UnknownOrder { .. } => "unknownOrder",
            Self::OrderUnreadable { .. } => "orderUnreadable",
            Self::OrderClosed => "orderClosed",
            Self::PastDeadline { .. } => "pastDeadline",
            Self::NotFunded { .. } => "notFunded",
            Self::OrderRefused { .. } => "orderRefused",
            Self::TooBig { .. } => "tooBig",
            Self::NotACar { .. } => "notACar",
            Self::Unreadable { .. } => "unreadable",
            Self::PieceMismatch { .. } => "pieceMismatch",
            Self::PublishFailed { .. } => "publishFailed",
            Self::NotBound { .. } => "notBound",
        }
    }
}

/// Where the provider is with an order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OfferState {
    /// The CAR is being received and checked (or the devnet failed meanwhile: see
    /// [`ProviderRecord::note`]).
    Received,
    /// No deal was made, and why.
    Rejected(Rejection),
    /// The deal is published and bound to the order, not activated (see
    /// [`ProviderRecord::note`] for why).
    Published {
        /// The market deal id.
        deal_id: DealID,
    },
    /// The deal is published, bound and activated.
    Active {
        /// The market deal id.
        deal_id: DealID,
        /// The epoch of the tipset that activated it.
        since: ChainEpoch,
    },
    /// The deal made is over: past its end epoch, terminated (slashed), or no longer in the
    /// market (which forgets a slashed deal at once, and a completed one once settled). The
    /// provider stores nothing for the order any more.
    Ended {
        /// The market deal id.
        deal_id: DealID,
        /// Its end epoch or its slash epoch, while the market still holds it.
        at: Option<ChainEpoch>,
    },
}

impl OfferState {
    /// `received`, `rejected`, `published` or `active`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Rejected(_) => "rejected",
            Self::Published { .. } => "published",
            Self::Active { .. } => "active",
            Self::Ended { .. } => "ended",
        }
    }

    /// The deal made, if any.
    pub const fn deal_id(&self) -> Option<DealID> {
        match self {
            Self::Published { deal_id }
            | Self::Active { deal_id, .. }
            | Self::Ended { deal_id, .. } => Some(*deal_id),
            _ => None,
        }
    }
}

/// The provider's record of one (escrow, order, provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRecord {
    /// The escrow (its f0 address when it resolves, else as given).
    pub escrow: Address,
    /// The order id.
    pub order_id: u64,
    /// The provider (its key's f1 address).
    pub provider: Address,
    /// Where it is.
    pub state: OfferState,
    /// CAR bytes read (all of them once the CAR is checked).
    pub car_bytes: u64,
    /// The CAR's first root, once read.
    pub root: Option<Cid>,
    /// The CAR's piece CID (v1) and padded size, once read.
    pub piece: Option<(Cid, u64)>,
    /// Head epoch when the CAR was offered.
    pub received_at: ChainEpoch,
    /// Head epoch of the last change.
    pub updated_at: ChainEpoch,
    /// What went wrong after the deal was published (activation failed), or the devnet's error
    /// that left the record `received`.
    pub note: Option<String>,
}

type Key = (Address, u64, Address);

/// Every provider's records, shared by all clones of a devnet (in memory: not persisted, and
/// not rolled back by [`Devnet::revert`]).
#[derive(Debug, Default)]
pub(crate) struct Book {
    records: Mutex<BTreeMap<Key, ProviderRecord>>,
    /// One publication at a time (per devnet), so an order is never published twice.
    publishing: Mutex<()>,
}

impl Book {
    fn records(&self) -> MutexGuard<'_, BTreeMap<Key, ProviderRecord>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A simulated storage provider of a devnet: an f1 key that publishes deals in the market. See
/// [`SimProvider::offer`].
#[derive(Debug, Clone)]
pub struct SimProvider {
    devnet: Devnet,
    key: DevnetKey,
}

impl Devnet {
    /// The devnet's provider: key index 0 of [`PROVIDER_SEED`] (not a genesis account; it is
    /// funded and registered with the market when it first publishes).
    pub fn provider(&self) -> SimProvider {
        SimProvider::new(
            self.clone(),
            DevnetKey::derive(PROVIDER_SEED, KeyKind::Secp256k1, 0),
        )
    }

    /// Every provider's record for `order_id` of `escrow`, by provider address; a deal that
    /// is over at the head shows as [`OfferState::Ended`].
    pub fn provider_records(&self, escrow: &Address, order_id: u64) -> Vec<ProviderRecord> {
        let escrow = self.canonical(escrow);
        let mut records: Vec<ProviderRecord> = self
            .providers
            .records()
            .iter()
            .filter(|((e, o, _), _)| *e == escrow && *o == order_id)
            .map(|(_, r)| r.clone())
            .collect();
        for r in &mut records {
            self.end_if_over(r);
        }
        records
    }

    /// Marks `record`'s published or active deal [`OfferState::Ended`] when, at the head, it
    /// is past its end epoch, slashed, or gone from the market (and saves that).
    fn end_if_over(&self, record: &mut ProviderRecord) {
        let deal_id = match record.state {
            OfferState::Published { deal_id } | OfferState::Active { deal_id, .. } => deal_id,
            _ => return,
        };
        let head = self.head().height();
        let Some(deal) = self.market_deal(deal_id) else {
            return; // the market cannot be read: nothing is known
        };
        let at = match deal {
            None => None,
            Some(d) if d.state.is_terminated() => Some(d.state.slash_epoch),
            Some(d) if head >= d.proposal.end_epoch => Some(d.proposal.end_epoch),
            Some(_) => return,
        };
        record.state = OfferState::Ended { deal_id, at };
        record.updated_at = head;
        let key = (record.escrow, record.order_id, record.provider);
        self.providers.records().insert(key, record.clone());
    }

    /// Deal `id` in the market at the head: `Some(None)` when the market has no such deal,
    /// `None` when the market's state cannot be read.
    fn market_deal(&self, id: DealID) -> Option<Option<filmark_devnet_actors::market::Deal>> {
        use fvm_ipld_encoding::CborStore as _;
        let (_, actor) = self
            .actor(&Address::new_id(MARKET_ACTOR_ID), TipsetRef::Head)
            .ok()??;
        let store = self.store();
        let state: filmark_devnet_actors::market::State = store.get_cbor(&actor.state).ok()??;
        Some(state.deal(&store, id).ok())
    }

    /// The f0 form of `address` when it resolves at the head, else `address`.
    fn canonical(&self, address: &Address) -> Address {
        match self.lookup_id(address, TipsetRef::Head) {
            Ok(Some(id)) => Address::new_id(id),
            _ => *address,
        }
    }
}

/// The result of one step of an offer: go on, or stop with a rejection.
type Step<T> = std::result::Result<T, Rejection>;

impl SimProvider {
    /// A provider of `devnet` publishing from `key` (an f1 key; fund it, or let the first
    /// publication fund it).
    pub const fn new(devnet: Devnet, key: DevnetKey) -> Self {
        Self { devnet, key }
    }

    /// Its address (the key's f1).
    pub fn address(&self) -> Address {
        self.key.address()
    }

    /// Its record for `order_id` of `escrow` (a deal over at the head shows as
    /// [`OfferState::Ended`]).
    pub fn record(&self, escrow: &Address, order_id: u64) -> Option<ProviderRecord> {
        let key = (self.devnet.canonical(escrow), order_id, self.address());
        let mut record = self.devnet.providers.records().get(&key).cloned()?;
        self.devnet.end_if_over(&mut record);
        Some(record)
    }

    /// Offers the CAR `car` for `order_id` of `escrow`, as a client uploading to a provider.
    ///
    /// The provider reads the order (`GetOrder`), refuses a closed order or one past its
    /// deadline, then reads the CAR once: its structure (CARv1) and its piece commitment (the
    /// SDK's commP), stopping past what the order's piece holds. Only when the piece CID and
    /// padded size are the order's, and the escrow's binding rules ([`Order::check_deal`]) let
    /// it bind, does it publish a deal through the market's `PublishStorageDeals` from its own
    /// key: client the escrow, label the order id, start [`DEAL_START_DELAY`] epochs after the
    /// publication (at most the order's deadline), lasting the order's minimum duration, price
    /// and collaterals zero (the escrow pays). The market's notification binds it to the order;
    /// the provider then activates it at once (as if its sector were proven in the next tipset),
    /// so the escrow pays it from its start epoch.
    ///
    /// Otherwise nothing is published (nothing on chain changes) and the record says why. A
    /// provider funds and registers itself with the market (two tipsets) when it first
    /// publishes. An order already published or active for this provider is not published
    /// again: its record is returned (once that deal is over, the order may be offered again).
    ///
    /// # Errors
    ///
    /// Only the devnet's own failures (a fatal FVM or store error; the record then stays
    /// `received` with a note). Every refusal is an `Ok` record in [`OfferState::Rejected`].
    pub fn offer<R: Read>(
        &self,
        escrow: &Address,
        order_id: u64,
        car: R,
    ) -> Result<ProviderRecord> {
        let _one = self
            .devnet
            .providers
            .publishing
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let escrow = self.devnet.canonical(escrow);
        let key = (escrow, order_id, self.address());
        let done = self.devnet.providers.records().get(&key).cloned();
        if let Some(mut done) = done {
            // A deal that is over frees the provider to store the order again.
            self.devnet.end_if_over(&mut done);
            if matches!(
                done.state,
                OfferState::Published { .. } | OfferState::Active { .. }
            ) {
                return Ok(done);
            }
        }
        let now = self.devnet.head().height();
        let mut record = ProviderRecord {
            escrow,
            order_id,
            provider: self.address(),
            state: OfferState::Received,
            car_bytes: 0,
            root: None,
            piece: None,
            received_at: now,
            updated_at: now,
            note: None,
        };
        self.save(&record);
        let outcome = self.run(&mut record, car);
        record.updated_at = self.devnet.head().height();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(rejection)) => record.state = OfferState::Rejected(rejection),
            Err(e) => {
                record.note = Some(e.to_string());
                self.save(&record);
                return Err(e);
            }
        }
        self.save(&record);
        Ok(record)
    }

    fn save(&self, record: &ProviderRecord) {
        let key = (record.escrow, record.order_id, record.provider);
        self.devnet.providers.records().insert(key, record.clone());
    }

    /// The offer's steps; the outer error is the devnet's, the inner the provider's refusal.
    fn run<R: Read>(&self, record: &mut ProviderRecord, car: R) -> Result<Step<()>> {
        let order = match self.order(&record.escrow, record.order_id)? {
            Ok(order) => order,
            Err(r) => return Ok(Err(r)),
        };
        let publish_epoch = self.devnet.head().height() + 1;
        if order.closed {
            return Ok(Err(Rejection::OrderClosed));
        }
        if publish_epoch > order.activation_deadline {
            return Ok(Err(Rejection::PastDeadline {
                deadline: order.activation_deadline,
                now: publish_epoch,
            }));
        }
        let limit = order.piece_size / 128 * 127;
        let summary = match read_car(car, limit) {
            Ok(s) => s,
            Err(CarFailure::TooBig { limit }) => return Ok(Err(Rejection::TooBig { limit })),
            Err(CarFailure::NotACar(reason)) => return Ok(Err(Rejection::NotACar { reason })),
            Err(CarFailure::Unreadable(reason)) => {
                return Ok(Err(Rejection::Unreadable { reason }));
            }
        };
        let piece = (summary.piece.cid_v1(), summary.piece.padded_size);
        record.car_bytes = summary.bytes;
        record.root = Some(summary.root);
        record.piece = Some(piece);
        self.save(record);
        if piece != (order.piece_cid, order.piece_size) {
            return Ok(Err(Rejection::PieceMismatch {
                expected: order.piece_cid,
                expected_size: order.piece_size,
                got: piece.0,
                got_size: piece.1,
            }));
        }
        let miner_id = self.ready()?;
        let proposal = self.proposal(&order, record, miner_id)?;
        let proposal = match proposal {
            Ok(p) => p,
            Err(r) => return Ok(Err(r)),
        };
        let deal_id = match self.publish(proposal)? {
            Ok(id) => id,
            Err(r) => return Ok(Err(r)),
        };
        match self.order(&record.escrow, record.order_id)? {
            Ok(order) if order.deals.iter().any(|d| d.deal_id == deal_id) => {}
            _ => return Ok(Err(Rejection::NotBound { deal_id })),
        }
        record.state = OfferState::Published { deal_id };
        self.save(record);
        match self.devnet.activate_deals(&[deal_id]) {
            Ok(activation) => {
                record.state = OfferState::Active {
                    deal_id,
                    since: activation.height,
                };
            }
            Err(e) => record.note = Some(format!("activation failed: {e}")),
        }
        Ok(Ok(()))
    }

    /// The order, read through the escrow's `GetOrder` at the head.
    fn order(&self, escrow: &Address, order_id: u64) -> Result<Step<Order>> {
        let params = RawBytes::serialize(OrderIdParams { order_id })?;
        let out = self
            .devnet
            .call_method(*escrow, *escrow, Escrow::GetOrder.number(), params)?;
        let exit_code = out.receipt.exit_code;
        if exit_code.is_success() {
            return Ok(out.receipt.return_data.deserialize().map_err(|e| {
                Rejection::OrderUnreadable {
                    exit_code: 0,
                    message: format!("GetOrder's answer is not an order: {e}"),
                }
            }));
        }
        let message = out.failure.unwrap_or_default();
        Ok(Err(if exit_code == ExitCode::USR_NOT_FOUND {
            Rejection::UnknownOrder { message }
        } else {
            Rejection::OrderUnreadable {
                exit_code: exit_code.value(),
                message,
            }
        }))
    }

    /// Funds the provider's account when it runs low and creates its miner actor (through the
    /// power actor's `CreateMiner`, owner and worker the provider's key) if it has none; the
    /// miner's actor id.
    fn ready(&self) -> Result<u64> {
        let address = self.address();
        let funds = TokenAmount::from_whole(PROVIDER_FUNDS_FIL);
        let balance = self.devnet.balance(&address, TipsetRef::Head)?;
        if balance < funds.div_floor(10) {
            self.devnet.set_balance(&address, funds)?;
        }
        if let Some(miner) = self.miner()? {
            return miner
                .id()
                .map_err(|e| Error::NotFound(format!("the provider's miner: {e}")));
        }
        let params = RawBytes::serialize(power::CreateMinerParams {
            owner: address,
            worker: address,
            window_post_proof_type: MINER_POST_PROOF,
            peer: Vec::new(),
            multiaddrs: Vec::new(),
        })?;
        let created = self.devnet.send(
            &self.key,
            Address::new_id(STORAGE_POWER_ACTOR_ID),
            TokenAmount::default(),
            power::Method::CreateMinerExported.number(),
            params,
        )?;
        let receipt = &created.record.receipt;
        if !receipt.exit_code.is_success() {
            return Err(Error::InvalidMessage(format!(
                "CreateMiner for the provider failed (exit code {}): {}",
                receipt.exit_code,
                created.record.failure.clone().unwrap_or_default()
            )));
        }
        let ret: power::CreateMinerReturn = receipt.return_data.deserialize()?;
        ret.id_address
            .id()
            .map_err(|e| Error::NotFound(format!("the provider's miner: {e}")))
    }

    /// Its miner actor (an f0 address) at the head: the first miner of the power actor whose
    /// owner is the provider's key; `None` before its first publication.
    ///
    /// # Errors
    ///
    /// A store error reading the power actor's or a miner's state.
    pub fn miner(&self) -> Result<Option<Address>> {
        use fvm_ipld_encoding::CborStore as _;
        let Some(owner) = self.devnet.lookup_id(&self.address(), TipsetRef::Head)? else {
            return Ok(None);
        };
        let store = self.devnet.store();
        let state_of = |address: Address| -> Result<Option<Cid>> {
            Ok(self
                .devnet
                .actor(&address, TipsetRef::Head)?
                .map(|(_, actor)| actor.state))
        };
        let Some(power_root) = state_of(Address::new_id(STORAGE_POWER_ACTOR_ID))? else {
            return Ok(None);
        };
        let miners: power::State = store.get_cbor(&power_root)?.unwrap_or_default();
        for id in miners {
            let Some(root) = state_of(Address::new_id(id))? else {
                continue;
            };
            let state: Option<miner::State> = store.get_cbor(&root)?;
            if state.is_some_and(|m| m.owner == Address::new_id(owner)) {
                return Ok(Some(Address::new_id(id)));
            }
        }
        Ok(None)
    }

    /// The deal to publish, checked against the escrow's binding rules as of the next epoch.
    fn proposal(
        &self,
        order: &Order,
        record: &ProviderRecord,
        miner_id: u64,
    ) -> Result<Step<DealProposal>> {
        let now = self.devnet.head().height() + 1;
        let start = (now + DEAL_START_DELAY)
            .min(order.activation_deadline)
            .max(now + 1);
        let terms = DealTerms {
            deal_id: 0,
            piece_cid: order.piece_cid,
            piece_size: order.piece_size,
            provider: miner_id,
            start,
            end: start + order.min_duration,
        };
        if let Err(e) = order.check_deal(&terms, now) {
            let message = e.msg().to_owned();
            return Ok(Err(match e.exit_code() {
                ExitCode::USR_INSUFFICIENT_FUNDS => Rejection::NotFunded { message },
                code => Rejection::OrderRefused {
                    exit_code: code.value(),
                    message,
                },
            }));
        }
        Ok(Ok(DealProposal {
            piece_cid: order.piece_cid,
            piece_size: PaddedPieceSize(order.piece_size),
            verified_deal: false,
            client: record.escrow,
            provider: Address::new_id(miner_id),
            label: Label::String(record.order_id.to_string()),
            start_epoch: terms.start,
            end_epoch: terms.end,
            storage_price_per_epoch: TokenAmount::default(),
            provider_collateral: TokenAmount::default(),
            client_collateral: TokenAmount::default(),
        }))
    }

    /// Publishes one deal from the provider's key; its id.
    fn publish(&self, proposal: DealProposal) -> Result<Step<DealID>> {
        let params = RawBytes::serialize(PublishStorageDealsParams {
            deals: vec![ClientDealProposal {
                proposal,
                // The client is an actor: the market authenticates it with the escrow.
                client_signature: Signature::new_secp256k1(vec![]),
            }],
        })?;
        let lookup = self.devnet.send(
            &self.key,
            Address::new_id(MARKET_ACTOR_ID),
            TokenAmount::default(),
            market::Method::PublishStorageDealsExported.number(),
            params,
        )?;
        let receipt = &lookup.record.receipt;
        if !receipt.exit_code.is_success() {
            return Ok(Err(Rejection::PublishFailed {
                exit_code: receipt.exit_code.value(),
                message: lookup.record.failure.clone().unwrap_or_default(),
            }));
        }
        let ret: PublishStorageDealsReturn = receipt.return_data.deserialize()?;
        Ok(ret
            .ids
            .first()
            .copied()
            .ok_or_else(|| Rejection::PublishFailed {
                exit_code: 0,
                message: "the market accepted no deal".into(),
            }))
    }
}
