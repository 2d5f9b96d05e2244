//! The escrow's persisted state and its store operations.
//!
//! Root: four collections and two counters, no unbounded vectors. Accounts, the deal index and
//! app keys are HAMTs; orders are an AMT indexed by order id. Per-order vectors (funders,
//! allowed providers, live deals) are bounded by [`crate::policy`].

use cid::Cid;
use filmark_actor_shared::ActorError;
use filmark_actor_shared::cid::ExternalCid;
use filmark_actor_shared::hamt::{BytesKey, IpldMap};
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use crate::policy::{AMT_BIT_WIDTH, HAMT_CONFIG};

/// A HAMT or AMT failure: `USR_ILLEGAL_STATE` (the store failed or a block is not what the
/// state says it is).
#[cold]
#[inline(never)]
fn store_error(e: impl core::fmt::Display) -> ActorError {
    ActorError::illegal_state(format!("state store: {e}"))
}

/// The escrow's state root.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// HAMT: actor id (8 bytes BE) → [`Account`].
    pub accounts: Cid,
    /// AMT: order id → [`Order`].
    pub orders: Cid,
    /// HAMT: deal id (8 bytes BE) → order id. A deal is bound to at most one order, ever.
    pub deals: Cid,
    /// HAMT: client id ‖ key id (16 bytes BE) → [`AppKey`].
    pub app_keys: Cid,
    /// Id of the next order.
    pub next_order_id: u64,
    /// Deals the market notified that could not be bound (recorded, never aborted).
    pub rejected_deals: u64,
}

/// One account's funds.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq, Default)]
pub struct Account {
    /// Withdrawable, or lockable into orders.
    pub available: TokenAmount,
    /// Held for this client's orders: the sum of their balances (sponsor funds included).
    pub locked: TokenAmount,
}

/// A contribution to an order.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct Funder {
    /// Who contributed.
    pub id: ActorID,
    /// How much, in total.
    pub amount: TokenAmount,
    /// How much has come back to them.
    pub refunded: TokenAmount,
}

/// A deal bound to an order, until it is finished.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct DealSlot {
    /// Market deal id.
    pub deal_id: DealID,
    /// The storage provider, paid at its ID address.
    pub provider: ActorID,
    /// Deal start epoch (recorded at bind time: the market forgets expired deals).
    pub start: ChainEpoch,
    /// The epoch (exclusive) the order pays the deal up to: the deal's end, or earlier when the
    /// deal is longer than its replica's share of the free funds paid for at bind time.
    pub end: ChainEpoch,
    /// Activation epoch, or -1 while not seen activated.
    pub activation: ChainEpoch,
    /// The latest epoch a settlement (or the binding) saw the deal in the market, activated
    /// (`[activated, -1]`); −1 if never. A deal gone from the market is paid up to at most
    /// this + `SETTLEMENT_WINDOW` (see README, "Settlement").
    pub last_seen: ChainEpoch,
    /// Epochs before this one are settled (paid or not payable); starts at
    /// max(start, bind epoch).
    pub settled_until: ChainEpoch,
    /// Epochs paid so far.
    pub paid_epochs: ChainEpoch,
}

/// A storage order.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// The client (owner of the order's locked funds).
    pub client: ActorID,
    /// Piece CID.
    pub piece_cid: Cid,
    /// Padded piece size.
    pub piece_size: u64,
    /// Price per epoch per replica.
    pub price_per_epoch: TokenAmount,
    /// Minimum epochs each replica's deal must cover.
    pub min_duration: ChainEpoch,
    /// Replicas wanted.
    pub replicas: u64,
    /// Providers allowed; empty = anyone.
    pub allowed_providers: Vec<ActorID>,
    /// One provider may hold several live replicas (off by default: replicas are redundancy).
    pub allow_same_provider: bool,
    /// Last epoch a deal may be bound or start.
    pub activation_deadline: ChainEpoch,
    /// Registry content CID, if any (kept as bytes: the FVM refuses links to dag-pb/sha2 CIDs).
    pub content: Option<ExternalCid>,
    /// Epoch the order was created.
    pub created: ChainEpoch,
    /// Total contributed (sum of `funders[].amount`).
    pub funded: TokenAmount,
    /// Funds still held: funded − paid − refunded.
    pub balance: TokenAmount,
    /// Total paid to providers.
    pub paid: TokenAmount,
    /// Cumulative amount designated for refund (pro-rata base, see README).
    pub unlock_target: TokenAmount,
    /// Contributors; the client is always first.
    pub funders: Vec<Funder>,
    /// Live bound deals.
    pub deals: Vec<DealSlot>,
    /// Replicas whose deal ran to its end.
    pub completed: u64,
    /// Last epoch any deal of this order was paid up to (−1 if none).
    pub paid_until: ChainEpoch,
    /// Closed orders hold no funds and accept nothing.
    pub closed: bool,
}

/// An app key's grant: it may lock up to `cap` of the client's funds before `expiry`.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct AppKey {
    /// Total it may lock.
    pub cap: TokenAmount,
    /// Locked through it so far.
    pub spent: TokenAmount,
    /// First epoch it is no longer valid.
    pub expiry: ChainEpoch,
}

/// The HAMT key of an actor or deal id.
pub fn id_key(id: u64) -> BytesKey {
    BytesKey(id.to_be_bytes().to_vec())
}

/// The HAMT key of an app key grant.
pub fn app_key_key(client: ActorID, key: ActorID) -> BytesKey {
    let mut k = client.to_be_bytes().to_vec();
    k.extend_from_slice(&key.to_be_bytes());
    BytesKey(k)
}

/// Loads one of the state's HAMTs ([`HAMT_CONFIG`]).
///
/// # Errors
/// `USR_ILLEGAL_STATE` when the root cannot be loaded.
pub fn load_map<BS: Blockstore, V>(store: BS, root: &Cid) -> Result<IpldMap<BS, V>, ActorError>
where
    V: serde::Serialize + serde::de::DeserializeOwned,
{
    IpldMap::load(store, root, HAMT_CONFIG).map_err(store_error)
}

/// Loads the order AMT.
fn load_orders<'a, BS: Blockstore>(
    store: &'a BS,
    root: &Cid,
) -> Result<Amt<Order, &'a BS>, ActorError> {
    Amt::load(root, store).map_err(store_error)
}

impl State {
    /// An empty state.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn new<BS: Blockstore>(store: &BS) -> Result<Self, ActorError> {
        let empty_map = IpldMap::<_, ()>::new(store, HAMT_CONFIG)
            .flush()
            .map_err(store_error)?;
        let orders = Amt::<Order, _>::new_with_bit_width(store, AMT_BIT_WIDTH)
            .flush()
            .map_err(store_error)?;
        Ok(Self {
            accounts: empty_map,
            orders,
            deals: empty_map,
            app_keys: empty_map,
            next_order_id: 0,
            rejected_deals: 0,
        })
    }

    /// Takes the next order id.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when `next_order_id` is at `u64::MAX`.
    pub fn take_order_id(&mut self) -> Result<u64, ActorError> {
        filmark_actor_shared::counter::take_id(&mut self.next_order_id, "next_order_id")
    }

    /// An account (all zero if it never existed).
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn account<BS: Blockstore>(&self, store: &BS, id: ActorID) -> Result<Account, ActorError> {
        let map: IpldMap<_, Account> = load_map(store, &self.accounts)?;
        Ok(map
            .get(&id_key(id))
            .map_err(store_error)?
            .unwrap_or_default())
    }

    /// Applies `f` to several accounts and saves them; nothing is saved if `f` fails.
    ///
    /// `f` is a trait object so that every caller shares one copy of the load and the save.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails, or what `f` returns.
    pub fn update_accounts<BS: Blockstore>(
        &mut self,
        store: &BS,
        f: &mut dyn FnMut(&mut Accounts<&BS>) -> Result<(), ActorError>,
    ) -> Result<(), ActorError> {
        let mut accounts = Accounts {
            map: load_map(store, &self.accounts)?,
        };
        f(&mut accounts)?;
        self.accounts = accounts.map.flush().map_err(store_error)?;
        Ok(())
    }

    /// An order.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown id; `USR_ILLEGAL_STATE` when the store fails.
    pub fn order<BS: Blockstore>(&self, store: &BS, id: u64) -> Result<Order, ActorError> {
        let amt = load_orders(store, &self.orders)?;
        amt.get(id)
            .map_err(store_error)?
            .cloned()
            .ok_or_else(|| ActorError::not_found(format!("order {id} not found")))
    }

    /// Stores an order under `id`.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn put_order<BS: Blockstore>(
        &mut self,
        store: &BS,
        id: u64,
        order: Order,
    ) -> Result<(), ActorError> {
        let mut amt = load_orders(store, &self.orders)?;
        amt.set(id, order).map_err(store_error)?;
        self.orders = amt.flush().map_err(store_error)?;
        Ok(())
    }

    /// Visits orders with id ≥ `start`, at most `limit` of them, while `f` returns true.
    /// Returns the id of the next order not visited, if any.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn for_each_order<BS: Blockstore>(
        &self,
        store: &BS,
        start: u64,
        limit: u64,
        mut f: impl FnMut(u64, &Order) -> bool,
    ) -> Result<Option<u64>, ActorError> {
        let amt = load_orders(store, &self.orders)?;
        let (_, next) = amt
            .for_each_while_ranged(Some(start), Some(limit), |i, o| Ok(f(i, o)))
            .map_err(store_error)?;
        Ok(next)
    }

    /// The order a deal is bound to, if any.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn deal_order<BS: Blockstore>(
        &self,
        store: &BS,
        deal_id: DealID,
    ) -> Result<Option<u64>, ActorError> {
        let map: IpldMap<_, u64> = load_map(store, &self.deals)?;
        map.get(&id_key(deal_id)).map_err(store_error)
    }

    /// Records that `deal_id` is bound to `order_id`.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn bind_deal_index<BS: Blockstore>(
        &mut self,
        store: &BS,
        deal_id: DealID,
        order_id: u64,
    ) -> Result<(), ActorError> {
        let mut map: IpldMap<_, u64> = load_map(store, &self.deals)?;
        map.set(id_key(deal_id), &order_id).map_err(store_error)?;
        self.deals = map.flush().map_err(store_error)?;
        Ok(())
    }

    /// An app key grant.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn app_key<BS: Blockstore>(
        &self,
        store: &BS,
        client: ActorID,
        key: ActorID,
    ) -> Result<Option<AppKey>, ActorError> {
        let map: IpldMap<_, AppKey> = load_map(store, &self.app_keys)?;
        map.get(&app_key_key(client, key)).map_err(store_error)
    }

    /// Stores (`Some`) or deletes (`None`) an app key grant.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn set_app_key<BS: Blockstore>(
        &mut self,
        store: &BS,
        client: ActorID,
        key: ActorID,
        grant: Option<AppKey>,
    ) -> Result<(), ActorError> {
        let mut map: IpldMap<_, AppKey> = load_map(store, &self.app_keys)?;
        match grant {
            Some(g) => map.set(app_key_key(client, key), &g).map_err(store_error)?,
            None => {
                map.delete(&app_key_key(client, key)).map_err(store_error)?;
            }
        }
        self.app_keys = map.flush().map_err(store_error)?;
        Ok(())
    }
}

/// Accounts loaded for an update (see [`State::update_accounts`]).
#[derive(Debug)]
pub struct Accounts<BS: Blockstore> {
    map: IpldMap<BS, Account>,
}

impl<BS: Blockstore> Accounts<BS> {
    /// An account (zero if absent).
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn get(&self, id: ActorID) -> Result<Account, ActorError> {
        Ok(self
            .map
            .get(&id_key(id))
            .map_err(store_error)?
            .unwrap_or_default())
    }

    /// Replaces an account; an all-zero account is deleted.
    ///
    /// # Errors
    /// `USR_ILLEGAL_STATE` when the store fails.
    pub fn set(&mut self, id: ActorID, account: Account) -> Result<(), ActorError> {
        if account.available.is_zero() && account.locked.is_zero() {
            self.map.delete(&id_key(id)).map_err(store_error)?;
        } else {
            self.map.set(id_key(id), &account).map_err(store_error)?;
        }
        Ok(())
    }

    /// Changes an account with `f`; fails if a field would go negative.
    ///
    /// # Errors
    /// `USR_ASSERTION_FAILED` when a field would go negative (callers check funds first, so
    /// this is a bug); `USR_ILLEGAL_STATE` when the store fails.
    pub fn modify(&mut self, id: ActorID, f: impl FnOnce(&mut Account)) -> Result<(), ActorError> {
        let mut a = self.get(id)?;
        f(&mut a);
        self.set_non_negative(id, a)
    }

    /// [`set`](Self::set), refusing a negative field: the part of [`modify`](Self::modify)
    /// that does not depend on its closure, compiled once.
    fn set_non_negative(&mut self, id: ActorID, account: Account) -> Result<(), ActorError> {
        if account.available.is_negative() || account.locked.is_negative() {
            return Err(ActorError::assertion_failed(format!(
                "inconsistent state: account f0{id} would go negative"
            )));
        }
        self.set(id, account)
    }
}
