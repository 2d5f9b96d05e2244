//! The simulated storage market (`f05`).
//!
//! It answers the real market's exported getters with the real method numbers, CBOR shapes
//! and exit codes, holds escrow (`AddBalance`, `WithdrawBalance`, `GetBalance`) and accepts
//! `PublishStorageDeals`, calling each client's `AuthenticateMessage` (read-only) and, for
//! client actors, `MarketNotifyDeal`, as the real market does. Deals then live by the devnet's
//! hand: the system actor (`f00`, the devnet's implicit messages) activates, terminates and
//! ticks them.
//!
//! Simplifications, against the real market:
//! - There are no miner actors and no sectors: a provider is any actor, and
//!   `PublishStorageDeals` must be sent by the provider of its first deal (deals naming
//!   another provider are skipped). `ActivateDeals` stands in for sector activation.
//! - No deal duration bounds, no verified registry (`verified_deal` is only recorded), no
//!   duplicate-proposal check. Events `deal-published`, `deal-activated`, `deal-terminated`
//!   and `deal-completed` carry `{$type, id, client, provider}` as the real ones do.
//! - `CronTick` visits every live deal rather than a per-epoch queue: fine for a devnet.
//! - A proposal is invalid (skipped, as in the real market) if a static check fails, a party
//!   does not resolve, the client does not authenticate it, or funds do not cover it; if no
//!   deal is valid the whole call fails with the first deal's reason.
//! - The client's `AuthenticateMessage` gets the CBOR proposal exactly as the provider sent
//!   it (what the client signed); the stored proposal, the getters and `MarketNotifyDeal`
//!   carry the client and provider as ID addresses, as the real market normalises them.
//! - Payments: the provider earns `storage_price_per_epoch` for every epoch of
//!   `[start_epoch, min(end_epoch, termination))`, paid when `CronTick` or a termination
//!   settles. A terminated or dropped deal burns the provider collateral to `f099` and unlocks
//!   the client's unspent funds; a completed deal unlocks both collaterals.

#[cfg(feature = "fil-actor")]
mod actor;
#[cfg(feature = "fil-actor")]
mod events;
pub mod policy;
pub mod state;
pub mod testing;
pub mod types;

#[cfg(feature = "fil-actor")]
pub use actor::dispatch;
pub use policy::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED};
pub use state::{BalanceEntry, Deal, DealEvent, DealEventKind, DealState, Effects, State};
pub use types::*;

use filmark_actor_shared::methods;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

methods! {
    /// The market's methods: the real numbers, plus the devnet-only deal controls (callable
    /// by the system actor only).
    pub enum Method {
        /// Caller: the system actor. Writes an empty state.
        Constructor = METHOD_CONSTRUCTOR,
        /// Legacy [`Method::AddBalanceExported`].
        AddBalance = 2,
        /// Legacy [`Method::WithdrawBalanceExported`].
        WithdrawBalance = 3,
        /// Legacy [`Method::PublishStorageDealsExported`] (what Lotus' market client sends).
        PublishStorageDeals = 4,
        /// Address (value = amount) → nothing.
        AddBalanceExported = frc42_dispatch::method_hash!("AddBalance"),
        /// [`WithdrawBalanceParams`] → TokenAmount withdrawn.
        WithdrawBalanceExported = frc42_dispatch::method_hash!("WithdrawBalance"),
        /// [`PublishStorageDealsParams`] → [`PublishStorageDealsReturn`].
        PublishStorageDealsExported = frc42_dispatch::method_hash!("PublishStorageDeals"),
        /// Address → [`GetBalanceReturn`].
        GetBalanceExported = frc42_dispatch::method_hash!("GetBalance"),
        /// Deal id → [`GetDealDataCommitmentReturn`].
        GetDealDataCommitmentExported = frc42_dispatch::method_hash!("GetDealDataCommitment"),
        /// Deal id → client ActorID.
        GetDealClientExported = frc42_dispatch::method_hash!("GetDealClient"),
        /// Deal id → provider ActorID.
        GetDealProviderExported = frc42_dispatch::method_hash!("GetDealProvider"),
        /// Deal id → [`Label`].
        GetDealLabelExported = frc42_dispatch::method_hash!("GetDealLabel"),
        /// Deal id → [`GetDealTermReturn`].
        GetDealTermExported = frc42_dispatch::method_hash!("GetDealTerm"),
        /// Deal id → TokenAmount (price × duration).
        GetDealTotalPriceExported = frc42_dispatch::method_hash!("GetDealTotalPrice"),
        /// Deal id → bool.
        GetDealVerifiedExported = frc42_dispatch::method_hash!("GetDealVerified"),
        /// Deal id → [`GetDealActivationReturn`].
        GetDealActivationExported = frc42_dispatch::method_hash!("GetDealActivation"),
        /// Devnet only, caller `f00`: [`DealIdsParams`] activated at the current epoch.
        ActivateDeals = frc42_dispatch::method_hash!("ActivateDeals"),
        /// Devnet only, caller `f00`: [`DealIdsParams`] terminated at the current epoch.
        TerminateDeals = frc42_dispatch::method_hash!("TerminateDeals"),
        /// Devnet only, caller `f00`: settle payments and remove finished deals (no params).
        CronTick = frc42_dispatch::method_hash!("CronTick"),
    }
}

/// Methods the market calls on a deal's client, and their numbers.
pub mod ext {
    use super::MethodNum;

    /// The client's `AuthenticateMessage` (sent read-only).
    pub const AUTHENTICATE_MESSAGE_METHOD: MethodNum =
        frc42_dispatch::method_hash!("AuthenticateMessage");

    /// The client actor's `MarketNotifyDeal`.
    pub const MARKET_NOTIFY_DEAL_METHOD: MethodNum =
        frc42_dispatch::method_hash!("MarketNotifyDeal");
}

#[cfg(test)]
mod tests;
