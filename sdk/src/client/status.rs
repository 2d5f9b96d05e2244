//! `status(cid)`: where a piece of content is — its record, its order, its deals.

use cid::Cid;
use filmark_escrow::state::Order;
use filmark_registry::types::{Record, Status};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use super::Client;
use crate::Result;
use crate::transport::{MarketDeal, ProviderOffer, Transport};

/// A deal's state as the market shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealState {
    /// Published, its sector not yet activated.
    Published,
    /// Stored since `since` (its sector's activation).
    Active {
        /// Activation epoch.
        since: ChainEpoch,
    },
    /// Slashed at `at` (its sector terminated early).
    Slashed {
        /// Slash epoch.
        at: ChainEpoch,
    },
    /// Past its end (or gone from the market, which forgets finished deals).
    Expired {
        /// The end epoch the escrow paid up to.
        at: ChainEpoch,
    },
}

/// A deal bound to the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealStatus {
    /// Market deal id.
    pub deal_id: DealID,
    /// The storage provider (f0).
    pub provider: Address,
    /// Start of its term.
    pub start: ChainEpoch,
    /// The epoch (exclusive) the order pays it up to.
    pub end: ChainEpoch,
    /// Its state.
    pub state: DealState,
    /// Paid to its provider so far (epochs paid × the order's price per epoch).
    pub paid: TokenAmount,
    /// The market's record of it, while the market has it.
    pub market: Option<MarketDeal>,
}

/// The order linked to a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatus {
    /// Its id.
    pub id: u64,
    /// Price per epoch per replica.
    pub price_per_epoch: TokenAmount,
    /// Minimum term, in epochs.
    pub min_duration: ChainEpoch,
    /// Replicas wanted.
    pub replicas: u64,
    /// The epoch up to which its funds pay for every replica (the escrow's answer).
    pub funded_until: ChainEpoch,
    /// Total funded.
    pub funded: TokenAmount,
    /// Paid out so far.
    pub paid: TokenAmount,
    /// Who funded it and how much (f0 addresses; the client first).
    pub sponsors: Vec<(Address, TokenAmount)>,
    /// Whether it is closed.
    pub closed: bool,
    /// Its deals, bound and not yet finished.
    pub deals: Vec<DealStatus>,
    /// What storage providers offered its CAR made of it: a deal, or why none was made
    /// ([`Transport::provider_offers`]; empty on nodes without a simulated provider).
    pub offers: Vec<ProviderOffer>,
    /// The order as the escrow holds it.
    pub raw: Order,
}

/// Where a piece of content is: [`Client::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentStatus {
    /// The content CID.
    pub cid: Cid,
    /// Its registry record (owner, kind, size, metadata, ...).
    pub record: Record,
    /// Whether it is tombstoned.
    pub tombstoned: bool,
    /// Its linked order, if any.
    pub order: Option<OrderStatus>,
    /// The head epoch the answer was read at.
    pub epoch: ChainEpoch,
}

impl ContentStatus {
    /// The record's owner (f0).
    pub fn owner(&self) -> Address {
        Address::new_id(self.record.owner)
    }
}

/// A deal's state from the market's record (or its absence) at `head`.
pub fn deal_state(deal: Option<&MarketDeal>, end: ChainEpoch, head: ChainEpoch) -> DealState {
    match deal {
        None => DealState::Expired { at: end },
        Some(d) if d.slash_epoch >= 0 => DealState::Slashed { at: d.slash_epoch },
        Some(d) if head >= d.end_epoch => DealState::Expired { at: d.end_epoch },
        Some(d) if d.sector_start_epoch >= 0 => DealState::Active {
            since: d.sector_start_epoch,
        },
        Some(_) => DealState::Published,
    }
}

impl<T: Transport> Client<T> {
    /// Where `cid` is: its record in `registry`, the order linked to it in the escrow (price,
    /// term, replicas, funded-until, sponsors), each bound deal with its market state and
    /// what its provider was paid so far, and each provider's offer: its deal, or why it made
    /// none.
    ///
    /// # Errors
    /// [`Error::ActorFailed`](crate::Error::ActorFailed) with `USR_NOT_FOUND` (17) when the CID
    /// is not registered; the transport's.
    pub async fn status(
        &self,
        registry: Address,
        escrow: Address,
        cid: Cid,
    ) -> Result<ContentStatus> {
        let reg = self.registry(registry);
        let record = reg.get(cid).await?;
        let epoch = self.transport().head_height().await?;
        let order = match record.order_id {
            None => None,
            Some(id) => {
                let funding = reg.get_funding(cid).await?;
                let raw = self.escrow(escrow).get_order(id).await?;
                let offers = self.transport().provider_offers(&escrow, id).await?;
                let mut deals = Vec::with_capacity(raw.deals.len());
                for slot in &raw.deals {
                    let market = self.transport().market_deal(slot.deal_id).await?;
                    deals.push(DealStatus {
                        deal_id: slot.deal_id,
                        provider: Address::new_id(slot.provider),
                        start: slot.start,
                        end: slot.end,
                        state: deal_state(market.as_ref(), slot.end, epoch),
                        paid: raw.price_per_epoch.clone() * slot.paid_epochs,
                        market,
                    });
                }
                Some(OrderStatus {
                    id,
                    price_per_epoch: raw.price_per_epoch.clone(),
                    min_duration: raw.min_duration,
                    replicas: raw.replicas,
                    funded_until: funding.funding.map_or(-1, |f| f.funded_until),
                    funded: raw.funded.clone(),
                    paid: raw.paid.clone(),
                    sponsors: raw
                        .funders
                        .iter()
                        .map(|f| (Address::new_id(f.id), f.amount.clone()))
                        .collect(),
                    closed: raw.closed,
                    deals,
                    offers,
                    raw,
                })
            }
        };
        Ok(ContentStatus {
            cid,
            tombstoned: record.status == Status::Tombstoned,
            record,
            order,
            epoch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deal(start: ChainEpoch, slash: ChainEpoch) -> MarketDeal {
        MarketDeal {
            piece_cid: Cid::default(),
            piece_size: fvm_shared::piece::PaddedPieceSize(128),
            client: Address::new_id(1000),
            provider: Address::new_id(1001),
            start_epoch: 10,
            end_epoch: 100,
            price_per_epoch: TokenAmount::from_atto(1),
            sector_start_epoch: start,
            last_updated_epoch: -1,
            slash_epoch: slash,
        }
    }

    #[test]
    fn deal_states() {
        assert_eq!(
            deal_state(Some(&deal(-1, -1)), 100, 5),
            DealState::Published
        );
        assert_eq!(
            deal_state(Some(&deal(12, -1)), 100, 50),
            DealState::Active { since: 12 }
        );
        assert_eq!(
            deal_state(Some(&deal(12, 40)), 100, 50),
            DealState::Slashed { at: 40 }
        );
        assert_eq!(
            deal_state(Some(&deal(12, -1)), 100, 100),
            DealState::Expired { at: 100 }
        );
        assert_eq!(deal_state(None, 90, 200), DealState::Expired { at: 90 });
    }
}
