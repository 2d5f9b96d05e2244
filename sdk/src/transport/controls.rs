//! [`DevnetControls`]: what a local Filmark devnet does on request and a public network does
//! not (mine, skip epochs, drive the storage market's deals, hand a CAR to the simulated
//! provider). `HttpTransport` sends the devnet's `anvil_*` / `filmark_*` JSON-RPC methods and
//! the provider's upload endpoint; `filmark_devnet_rpc::InProcess` calls the devnet directly.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;

use super::{ProviderOffer, Transport};
use crate::Result;

/// A devnet's controls, beside its [`Transport`]. Each method names the JSON-RPC method it maps
/// onto; a public node answers "method not found" ([`Error::Rpc`](crate::Error::Rpc)).
#[allow(async_fn_in_trait)]
pub trait DevnetControls: Transport {
    /// Mines `tipsets` tipsets, one epoch each (`anvil_mine`); the new head's height.
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn mine(&self, tipsets: u64) -> Result<ChainEpoch>;

    /// Moves the chain `epochs` ahead at once, null rounds and one tipset at the new height
    /// (`filmark_advanceEpochs`); that height.
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; `epochs` of 0.
    async fn advance_epochs(&self, epochs: u64) -> Result<ChainEpoch>;

    /// Activates storage-market deals in a sector of their provider, in a new tipset
    /// (`filmark_activateDeals`); its height.
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; the market's refusal.
    async fn activate_deals(&self, ids: &[DealID]) -> Result<ChainEpoch>;

    /// Terminates (slashes) storage-market deals, in a new tipset (`filmark_terminateDeals`);
    /// its height.
    ///
    /// # Errors
    /// As [`DevnetControls::activate_deals`].
    async fn terminate_deals(&self, ids: &[DealID]) -> Result<ChainEpoch>;

    /// The market's exported `SettleDealPayments` for `ids`, sent as a third party in a new
    /// tipset (`filmark_settleDealPayments`); the market's CBOR answer
    /// (`SettleDealPaymentsReturn`).
    ///
    /// # Errors
    /// As [`DevnetControls::activate_deals`].
    async fn settle_deal_payments(&self, ids: &[DealID]) -> Result<RawBytes>;

    /// Hands `car` to the devnet's simulated storage provider for order `order_id` of `escrow`
    /// (`PUT /provider/car/{escrow}/{orderId}` over HTTP): it recomputes the piece commitment
    /// and publishes a deal only when it matches the order's. Its record: the deal made, or
    /// why none was ([`OfferState::Rejected`](super::OfferState::Rejected)).
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; the devnet's failure (not a rejection, which is a record).
    async fn upload_car(
        &self,
        escrow: &Address,
        order_id: u64,
        car: Vec<u8>,
    ) -> Result<ProviderOffer>;
}
