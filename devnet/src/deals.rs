//! Devnet control of the simulated storage market (f05): deals are activated, terminated and
//! settled, and providers given controlling addresses, by implicit messages from the system
//! actor, now or at a chosen epoch.

use filmark_devnet_actors::market::{
    self, ActivateDealsParams, DealIdsParams, RegisterProviderParams, SettleDealPaymentsParams,
    SettleDealPaymentsReturn,
};
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;

use crate::Result;
use crate::chain::MessageRecord;
use crate::devnet::Devnet;
use crate::error::Error;
use crate::genesis::MARKET_ACTOR_ID;

const fn market_address() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

fn ids(deal_ids: &[DealID]) -> Result<RawBytes> {
    Ok(RawBytes::serialize(DealIdsParams {
        deal_ids: deal_ids.to_vec(),
    })?)
}

fn in_sector(sector_number: u64, deal_ids: &[DealID]) -> Result<RawBytes> {
    Ok(RawBytes::serialize(ActivateDealsParams {
        sector_number,
        deal_ids: deal_ids.to_vec(),
    })?)
}

impl Devnet {
    /// Activates published deals in sector 0 in a new tipset (as if a sector holding them
    /// were proven now). See [`Devnet::activate_deals_in_sector`].
    ///
    /// # Errors
    ///
    /// As [`Devnet::activate_deals_in_sector`].
    pub fn activate_deals(&self, deal_ids: &[DealID]) -> Result<MessageRecord> {
        self.activate_deals_in_sector(0, deal_ids)
    }

    /// Activates published deals in sector `sector_number` (what `GetDealSector` answers) in a
    /// new tipset.
    ///
    /// # Errors
    ///
    /// [`crate::Error::ImplicitFailed`] if the market refuses: 17 never published, 32 removed
    /// or past its start epoch, 16 already active or larger than a sector of the market's
    /// policy; a fatal FVM error.
    pub fn activate_deals_in_sector(
        &self,
        sector_number: u64,
        deal_ids: &[DealID],
    ) -> Result<MessageRecord> {
        self.system_call(
            market_address(),
            market::Method::ActivateDeals.number(),
            in_sector(sector_number, deal_ids)?,
            "activate deals",
        )
    }

    /// Terminates active deals in a new tipset, as their sector's termination does on mainnet:
    /// each is paid up to now, its provider collateral burnt, and it leaves the market at once
    /// (its getters answer 32). Deals already removed or past their end are skipped.
    ///
    /// # Errors
    ///
    /// [`crate::Error::ImplicitFailed`] for a deal never published (17) or not activated (33);
    /// a fatal FVM error.
    pub fn terminate_deals(&self, deal_ids: &[DealID]) -> Result<MessageRecord> {
        self.system_call(
            market_address(),
            market::Method::TerminateDeals.number(),
            ids(deal_ids)?,
            "terminate deals",
        )
    }

    /// Calls the market's `SettleDealPayments` for `deal_ids` in a new tipset, from the system
    /// actor (the method accepts any caller; a signed message from any account does the same).
    /// Returns the market's answer: per-deal failures and `{payment, completed}` summaries.
    ///
    /// # Errors
    ///
    /// [`crate::Error::ImplicitFailed`] if the whole call fails (a deal marked for
    /// termination); a fatal FVM error.
    pub fn settle_deal_payments(&self, deal_ids: &[DealID]) -> Result<SettleDealPaymentsReturn> {
        let bits = BitField::try_from_bits(deal_ids.iter().copied())
            .map_err(|e| Error::InvalidMessage(format!("deal ids: {e}")))?;
        let record = self.system_call(
            market_address(),
            market::Method::SettleDealPaymentsExported.number(),
            RawBytes::serialize(SettleDealPaymentsParams { deal_ids: bits })?,
            "settle deal payments",
        )?;
        Ok(record.receipt.return_data.deserialize()?)
    }

    /// Gives a provider that is not a miner actor (a devnet extension; a miner is asked instead)
    /// an owner, a worker and control addresses, as a miner actor has: from
    /// then on only they may publish its deals (the owner and worker may withdraw its escrow,
    /// which goes to the owner). A provider without them controls itself.
    ///
    /// # Errors
    ///
    /// [`crate::Error::ImplicitFailed`] if an address does not resolve (16); a fatal FVM
    /// error.
    pub fn register_provider(
        &self,
        provider: Address,
        owner: Address,
        worker: Address,
        control_addresses: Vec<Address>,
    ) -> Result<MessageRecord> {
        let params = RegisterProviderParams {
            provider,
            owner,
            worker,
            control_addresses,
        };
        self.system_call(
            market_address(),
            market::Method::RegisterProvider.number(),
            RawBytes::serialize(params)?,
            "register provider",
        )
    }

    /// Activates deals in sector 0 at the start of tipset `epoch` (a failure is logged, not
    /// returned).
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidMessage`] if `epoch` is not after the head.
    pub fn activate_deals_at(&self, epoch: ChainEpoch, deal_ids: &[DealID]) -> Result<()> {
        let method = market::Method::ActivateDeals.number();
        let params = in_sector(0, deal_ids)?;
        self.schedule_system_call(epoch, market_address(), method, params, "activate deals")
    }

    /// Terminates deals at the start of tipset `epoch` (a failure is logged, not returned).
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidMessage`] if `epoch` is not after the head.
    pub fn terminate_deals_at(&self, epoch: ChainEpoch, deal_ids: &[DealID]) -> Result<()> {
        let method = market::Method::TerminateDeals.number();
        self.schedule_system_call(
            epoch,
            market_address(),
            method,
            ids(deal_ids)?,
            "terminate deals",
        )
    }

    /// Runs the market's cron tick now, in a new tipset (it also runs at the end of every
    /// tipset unless [`crate::DevnetConfig::market_cron`] is off). As on mainnet it pays no new
    /// deal: it drops deals not activated by their start at their next scheduled update.
    ///
    /// # Errors
    ///
    /// [`crate::Error::ImplicitFailed`] if it fails; a fatal FVM error.
    pub fn market_cron(&self) -> Result<MessageRecord> {
        self.system_call(
            market_address(),
            market::Method::CronTick.number(),
            RawBytes::default(),
            "market cron",
        )
    }
}
