//! The simulated storage market (`f05`).
//!
//! It answers as builtin-actors v18's market: the exported getters, `SettleDealPayments`,
//! escrow (`AddBalance`, `WithdrawBalance`, `GetBalance`) and `PublishStorageDeals` with the
//! real method numbers, CBOR shapes, checks and exit codes, calling each client's
//! `AuthenticateMessage` (read-only) and `MarketNotifyDeal`. The numbers deals are checked
//! against are a [`MarketPolicy`] chosen by the constructor's params: the builtin-actors
//! `devnet` bundle's by default, [`MarketPolicy::mainnet`] or [`MarketPolicy::fast`] (short
//! deals, for tests) otherwise. Sectors are the devnet's hand: the system actor (`f00`, the
//! devnet's implicit messages) activates and terminates deals and runs the cron.
//!
//! As on mainnet:
//! - Only `SettleDealPayments` (anyone may call it) or a termination pays a provider or
//!   completes a deal; the cron only drops deals not activated by their start, at their
//!   next scheduled update (every `deal_updates_interval` epochs at an offset of `id mod
//!   interval`), and pays deals a settlement already updated once.
//! - A terminated deal is paid up to its termination and leaves the state at once; a deal
//!   settled at or after its end is removed; the getters then answer 32 (`EX_DEAL_EXPIRED`).
//!   `GetDealActivation` answers `[activated, -1]` or `[-1, -1]`, never a termination epoch.
//! - `PublishStorageDeals` is sent by a controlling address of the first deal's provider (for
//!   a miner actor: its `IsControllingAddress` says so, owner, worker or control address); a
//!   deal is skipped if it breaks a rule (label, piece, epochs, duration, price and
//!   collateral bounds), its client does not authenticate it, funds do not cover it, or it
//!   duplicates a pending proposal; 16 if none is valid; then, deal by deal, its client gets
//!   `MarketNotifyDeal` (a failure fails the call with 16) and `deal-published` is emitted.
//!
//! Simplifications, against the real market:
//! - A provider may be any actor, not only a miner (v18 refuses that with 16, "deal provider is
//!   not a storage miner actor"): a miner is asked (`IsControllingAddress` to publish,
//!   `ControlAddresses` to withdraw, as v18); any other actor is controlled by itself unless the
//!   devnet registered an owner, worker and control addresses for it (`RegisterProvider`). The
//!   devnet's simulated provider publishes for its own miner.
//! - No verified registry: nobody has DataCap, so verified deals are always skipped.
//! - No power or reward actor: the provider collateral bound divides by the reward actor's
//!   genesis baseline power (see [`MarketPolicy::provider_collateral_bounds`]).
//! - Escrow balances are an AMT by actor id; proposals and deal states share one AMT.

#[cfg(feature = "fil-actor")]
mod actor;
#[cfg(feature = "fil-actor")]
mod events;
pub mod policy;
mod settle;
pub mod state;
mod tables;
pub mod testing;
pub mod types;

#[cfg(feature = "fil-actor")]
pub use actor::dispatch;
pub use policy::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED, MarketPolicy};
pub use state::{
    BalanceEntry, Candidate, Deal, DealEvent, DealEventKind, DealState, Effects, ProviderInfo,
    Published, State,
};
pub use types::*;

use filmark_actor_shared::methods;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

methods! {
    /// The market's methods: the real numbers, plus the devnet-only deal controls (callable
    /// by the system actor only).
    pub enum Method {
        /// Caller: the system actor. Writes an empty state checking deals against the
        /// [`MarketPolicy`] in the params ([`MarketPolicy::devnet`] without params).
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
        /// Deal id → TokenAmount.
        GetDealClientCollateralExported = frc42_dispatch::method_hash!("GetDealClientCollateral"),
        /// Deal id → TokenAmount.
        GetDealProviderCollateralExported =
            frc42_dispatch::method_hash!("GetDealProviderCollateral"),
        /// Deal id → [`GetDealActivationReturn`].
        GetDealActivationExported = frc42_dispatch::method_hash!("GetDealActivation"),
        /// Deal id → sector number.
        GetDealSectorExported = frc42_dispatch::method_hash!("GetDealSector"),
        /// [`SettleDealPaymentsParams`] → [`SettleDealPaymentsReturn`]; anyone may call it.
        SettleDealPaymentsExported = frc42_dispatch::method_hash!("SettleDealPayments"),
        /// Devnet only, caller `f00`: [`ActivateDealsParams`], activated at the current epoch.
        ActivateDeals = frc42_dispatch::method_hash!("ActivateDeals"),
        /// Devnet only, caller `f00`: [`DealIdsParams`] terminated at the current epoch.
        TerminateDeals = frc42_dispatch::method_hash!("TerminateDeals"),
        /// Devnet only, caller `f00`: [`RegisterProviderParams`].
        RegisterProvider = frc42_dispatch::method_hash!("RegisterProvider"),
        /// Devnet only, caller `f00` (the real one: the cron actor): the end-of-epoch pass
        /// (no params).
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
