//! Parameters and return values of the escrow's CBOR methods (tuple-encoded).

use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use serde::{Deserialize, Serialize};

use crate::state::{AppKey, Order};

/// `Withdraw` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct WithdrawParams {
    /// Amount to withdraw; at most the caller's available funds.
    pub amount: TokenAmount,
    /// Recipient; `None` sends to the caller.
    pub to: Option<Address>,
}

/// `GetAccount` params: the account's address.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct GetAccountParams {
    /// The account holder.
    pub account: Address,
}

/// `GetAccount` return.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq, Default)]
pub struct GetAccountReturn {
    /// Funds that may be withdrawn or locked into orders.
    pub available: TokenAmount,
    /// Funds held for the account's orders (sponsor contributions included).
    pub locked: TokenAmount,
}

/// `CreateOrder` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct CreateOrderParams {
    /// Piece CID (v1, `baga...`) of the data to store.
    pub piece_cid: Cid,
    /// Padded piece size (a power of two).
    pub piece_size: u64,
    /// Price per epoch per replica the escrow pays a provider.
    pub price_per_epoch: TokenAmount,
    /// Epochs each replica must be stored for at least.
    pub min_duration: ChainEpoch,
    /// Number of replicas.
    pub replicas: u64,
    /// Providers allowed to take the order; empty = anyone.
    pub allowed_providers: Vec<Address>,
    /// Last epoch a deal may be bound or start.
    pub activation_deadline: ChainEpoch,
    /// Registry content CID this order pays storage for, if any.
    pub content: Option<Cid>,
    /// Client the order is for; `None` = the caller. Another client requires the caller to be
    /// one of its app keys.
    pub client: Option<Address>,
    /// Let one provider hold several live replicas. Off (the default): each live deal of the
    /// order has its own provider, since replicas are meant as redundancy.
    pub allow_same_provider: bool,
}

/// `CreateOrder` return: the new order id.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct CreateOrderReturn {
    /// The order id.
    pub order_id: u64,
}

/// Params of methods addressing one order (`GetOrder`, `GetOrderFunding`, `Settle`,
/// `CloseOrder`): a bare u64.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct OrderIdParams {
    /// The order id.
    pub order_id: u64,
}

/// `ListOrders` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct ListOrdersParams {
    /// Only this client's orders, if given.
    pub client: Option<Address>,
    /// First order id to look at.
    pub cursor: u64,
    /// Most orders to return (1..=`MAX_LIST_LIMIT`).
    pub limit: u64,
}

/// One order in a list.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct OrderEntry {
    /// The order id.
    pub id: u64,
    /// The order.
    pub order: Order,
}

/// `ListOrders` return.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct ListOrdersReturn {
    /// The page.
    pub orders: Vec<OrderEntry>,
    /// Cursor for the next call, `None` when the end was reached.
    pub next_cursor: Option<u64>,
}

/// `GetOrderFunding` return: the registry ⇄ escrow contract, field order fixed.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct OrderFunding {
    /// The order's piece CID.
    pub piece_cid: Cid,
    /// The registry content CID the order pays for.
    pub content: Option<Cid>,
    /// The order's client.
    pub client: ActorID,
    /// Epochs before this one are paid for by the order: the latest end a live deal is
    /// reserved to, else the last epoch any deal was paid up to (−1 if none; see README).
    pub funded_until: ChainEpoch,
    /// Live bound deals seen activated.
    pub active_replicas: u64,
    /// The order can still store something: not closed, and before its deadline or with a live
    /// deal.
    pub open: bool,
}

/// `FundOrder` params (value sent is contributed by the caller).
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct FundOrderParams {
    /// The order.
    pub order_id: u64,
    /// Amount taken from the order client's available funds (caller: the client or its app
    /// key); zero for a plain sponsorship.
    pub from_available: TokenAmount,
}

/// `BindDeal` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BindDealParams {
    /// The order.
    pub order_id: u64,
    /// The market deal id.
    pub deal_id: DealID,
}

/// `Settle` return.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq, Default)]
pub struct SettleReturn {
    /// Paid to providers by this call.
    pub paid: TokenAmount,
    /// Unlocked back to funders by this call.
    pub unlocked: TokenAmount,
}

/// `AuthorizeKey` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeKeyParams {
    /// The app key (an existing actor: account, f410 or f0).
    pub key: Address,
    /// Total the key may lock from the caller's funds (over its lifetime).
    pub cap: TokenAmount,
    /// First epoch the key is no longer valid.
    pub expiry: ChainEpoch,
}

/// `RevokeKey` params.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct RevokeKeyParams {
    /// The app key.
    pub key: Address,
}

/// `GetAppKey` params.
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Copy, Debug, PartialEq, Eq)]
pub struct GetAppKeyParams {
    /// The client.
    pub client: Address,
    /// The app key.
    pub key: Address,
}

/// `GetAppKey` return.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(transparent)]
pub struct GetAppKeyReturn {
    /// The grant, if any.
    pub grant: Option<AppKey>,
}

/// `AuthenticateMessage` params (from the market).
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct AuthenticateMessageParams {
    /// Signature (ignored: the escrow authenticates by matching the proposal to an order).
    #[serde(with = "strict_bytes")]
    pub signature: Vec<u8>,
    /// CBOR `DealProposal`.
    #[serde(with = "strict_bytes")]
    pub message: Vec<u8>,
}

/// `MarketNotifyDeal` params (from the market).
#[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
pub struct MarketNotifyDealParams {
    /// CBOR `DealProposal`.
    #[serde(with = "strict_bytes")]
    pub proposal: Vec<u8>,
    /// The deal id the market assigned.
    pub deal_id: DealID,
}
