//! Devnet control of the simulated storage market (f05): deals are activated, terminated and
//! ticked by implicit messages from the system actor, now or at a chosen epoch.

use filmark_devnet_actors::market::{self, DealIdsParams};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;

use crate::Result;
use crate::chain::MessageRecord;
use crate::devnet::Devnet;
use crate::genesis::MARKET_ACTOR_ID;

const fn market_address() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

fn ids(deal_ids: &[DealID]) -> Result<RawBytes> {
    Ok(RawBytes::serialize(DealIdsParams {
        deal_ids: deal_ids.to_vec(),
    })?)
}

impl Devnet {
    /// Activates published deals in a new tipset (as if their sectors were proven now).
    ///
    /// # Errors
    ///
    /// [`crate::Error::ImplicitFailed`] if the market refuses (unknown deal, already active,
    /// past its start epoch, ...); a fatal FVM error.
    pub fn activate_deals(&self, deal_ids: &[DealID]) -> Result<MessageRecord> {
        self.system_call(
            market_address(),
            market::Method::ActivateDeals.number(),
            ids(deal_ids)?,
            "activate deals",
        )
    }

    /// Terminates (slashes) active deals in a new tipset.
    ///
    /// # Errors
    ///
    /// As [`Devnet::activate_deals`].
    pub fn terminate_deals(&self, deal_ids: &[DealID]) -> Result<MessageRecord> {
        self.system_call(
            market_address(),
            market::Method::TerminateDeals.number(),
            ids(deal_ids)?,
            "terminate deals",
        )
    }

    /// Activates deals at the start of tipset `epoch` (a failure is logged, not returned).
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidMessage`] if `epoch` is not after the head.
    pub fn activate_deals_at(&self, epoch: ChainEpoch, deal_ids: &[DealID]) -> Result<()> {
        let method = market::Method::ActivateDeals.number();
        self.schedule_system_call(
            epoch,
            market_address(),
            method,
            ids(deal_ids)?,
            "activate deals",
        )
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
    /// tipset unless [`crate::DevnetConfig::market_cron`] is off).
    ///
    /// # Errors
    ///
    /// As [`Devnet::activate_deals`].
    pub fn market_cron(&self) -> Result<MessageRecord> {
        self.system_call(
            market_address(),
            market::Method::CronTick.number(),
            RawBytes::default(),
            "market cron",
        )
    }
}
