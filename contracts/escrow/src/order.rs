//! Order economics, free of any runtime: binding checks, settlement, pro-rata unlocking.

use cid::Cid;
use filmark_actor_shared::{ActorError, actor_error};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use crate::atto::{held, per_epochs, share, tokens};
use crate::state::{DealSlot, Order};

/// What the escrow knows of a deal from the market (see `ext::market`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DealStatus {
    /// `GetDealActivation` answered `[activated, terminated]` (−1 = not yet / not terminated).
    Known {
        /// Activation epoch or −1.
        activated: ChainEpoch,
        /// Termination epoch or −1.
        terminated: ChainEpoch,
    },
    /// Exit 33 `EX_DEAL_NOT_ACTIVATED`: treated as `activated = -1`.
    NotActivated,
    /// Exit 32 `EX_DEAL_EXPIRED`: expired, slashed or cleaned up.
    Expired,
    /// Exit 17 `USR_NOT_FOUND`.
    NotFound,
}

/// Why a bound deal left its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FinishReason {
    /// Ran to its end: the replica is done, the slot is not re-filled.
    Completed = 0,
    /// Terminated at a known epoch: the slot may be re-filled before the deadline.
    Terminated = 1,
    /// Not activated by its start epoch (dropped by the market).
    NeverActivated = 2,
    /// The market answered exit 32 before the deal's end (slashed or removed).
    Expired = 3,
    /// The market does not know the deal.
    NotFound = 4,
}

/// A deal as far as binding needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealTerms {
    /// Market deal id.
    pub deal_id: DealID,
    /// Piece CID.
    pub piece_cid: Cid,
    /// Padded piece size.
    pub piece_size: u64,
    /// Provider actor id.
    pub provider: ActorID,
    /// Start epoch.
    pub start: ChainEpoch,
    /// End epoch (exclusive).
    pub end: ChainEpoch,
}

/// The result of settling one deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotOutcome {
    /// Market deal id.
    pub deal_id: DealID,
    /// Provider to pay.
    pub provider: ActorID,
    /// Epochs paid by this settlement.
    pub epochs: ChainEpoch,
    /// Amount paid by this settlement.
    pub amount: TokenAmount,
    /// Set when the deal left the order.
    pub finished: Option<FinishReason>,
    /// The activation epoch, when this settlement is the first to see the deal activated.
    pub activated: Option<ChainEpoch>,
}

fn zero() -> TokenAmount {
    TokenAmount::from_atto(0)
}

impl Order {
    /// Funds a live deal may still earn: price × (end − settled_until) per live deal.
    pub fn reserved(&self) -> TokenAmount {
        self.deals
            .iter()
            .map(|d| per_epochs(&self.price_per_epoch, d.end - d.settled_until))
            .sum()
    }

    /// Designated for refund but not yet handed out (rounding dust, less than one atto per funder).
    pub fn pending_refund(&self) -> TokenAmount {
        let refunded: TokenAmount = self.funders.iter().map(|f| &f.refunded).sum();
        &self.unlock_target - &refunded
    }

    /// Funds neither reserved for live deals nor designated for refund.
    pub fn free(&self) -> TokenAmount {
        &self.balance - &self.reserved() - &self.pending_refund()
    }

    /// Replica slots taken: live deals and completed ones.
    pub fn slots_taken(&self) -> u64 {
        self.deals.len() as u64 + self.completed
    }

    /// Past the deadline with no live deal: nothing can change any more but the final refund.
    pub const fn ended(&self, now: ChainEpoch) -> bool {
        now > self.activation_deadline && self.deals.is_empty()
    }

    /// Bound deals seen activated.
    pub fn active_replicas(&self) -> u64 {
        self.deals.iter().filter(|d| d.activation >= 0).count() as u64
    }

    /// Epochs before this one are paid for (see README, "funded until").
    pub fn funded_until(&self, now: ChainEpoch) -> ChainEpoch {
        if let Some(end) = self.deals.iter().map(|d| d.end).max() {
            return end;
        }
        if !self.closed && now <= self.activation_deadline {
            let free = self.free();
            if free.is_positive() && self.price_per_epoch.is_positive() {
                let epochs = held(&free) / held(&self.price_per_epoch);
                let epochs = i64::try_from(epochs).unwrap_or(i64::MAX);
                return now.saturating_add(epochs);
            }
            return now;
        }
        self.paid_until
    }

    /// Checks that a deal may be bound now; returns the first epoch the escrow would pay for.
    ///
    /// # Errors
    /// A named exit code for each rule the deal breaks.
    pub fn check_deal(&self, deal: &DealTerms, now: ChainEpoch) -> Result<ChainEpoch, ActorError> {
        if self.closed {
            return Err(actor_error!(illegal_state; "order is closed"));
        }
        if now > self.activation_deadline {
            return Err(actor_error!(illegal_state;
                "order's activation deadline {} has passed", self.activation_deadline));
        }
        if deal.piece_cid != self.piece_cid {
            return Err(actor_error!(illegal_argument;
                "deal piece CID is not the order's piece CID"));
        }
        if deal.piece_size != self.piece_size {
            return Err(actor_error!(illegal_argument;
                "deal piece size {} is not the order's {}", deal.piece_size, self.piece_size));
        }
        if !self.allowed_providers.is_empty() && !self.allowed_providers.contains(&deal.provider) {
            return Err(actor_error!(forbidden;
                "provider f0{} is not allowed by the order", deal.provider));
        }
        if deal.start > self.activation_deadline {
            return Err(actor_error!(illegal_argument;
                "deal start {} is after the activation deadline {}", deal.start,
                self.activation_deadline));
        }
        let paid_from = deal.start.max(now);
        let term = deal.end.saturating_sub(paid_from);
        if term < self.min_duration {
            return Err(actor_error!(illegal_argument;
                "deal term covers {term} epochs from {paid_from}, the order needs {}",
                self.min_duration));
        }
        if self.slots_taken() >= self.replicas {
            return Err(actor_error!(illegal_state;
                "all {} replicas of the order are taken", self.replicas));
        }
        let reservation = per_epochs(&self.price_per_epoch, term);
        let free = self.free();
        if free < reservation {
            return Err(actor_error!(insufficient_funds;
                "order has {} free, the deal needs {}", free, reservation));
        }
        Ok(paid_from)
    }

    /// Binds a deal that passed [`Order::check_deal`].
    pub fn bind(&mut self, deal: &DealTerms, paid_from: ChainEpoch, activation: ChainEpoch) {
        self.deals.push(DealSlot {
            deal_id: deal.deal_id,
            provider: deal.provider,
            start: deal.start,
            end: deal.end,
            activation,
            settled_until: paid_from,
            paid_epochs: 0,
        });
    }

    /// Settles every live deal given its market status (same order as `self.deals`), removes
    /// finished deals, and updates the order's totals. Payments leave `balance`.
    pub fn settle(&mut self, statuses: &[DealStatus], now: ChainEpoch) -> Vec<SlotOutcome> {
        let price = self.price_per_epoch.clone();
        let mut outcomes = Vec::with_capacity(self.deals.len());
        for (slot, status) in self.deals.iter_mut().zip(statuses) {
            let mut epochs = 0;
            let mut newly_activated = None;
            let pending =
                |slot: &DealSlot| (now > slot.start).then_some(FinishReason::NeverActivated);
            let finished = match *status {
                DealStatus::Known { activated, .. } if activated < 0 => pending(slot),
                DealStatus::NotActivated => pending(slot),
                DealStatus::Known {
                    activated,
                    terminated,
                } => {
                    if slot.activation < 0 {
                        newly_activated = Some(activated);
                    }
                    slot.activation = activated;
                    let stop = if terminated >= 0 {
                        terminated.min(now)
                    } else {
                        now
                    };
                    let to = stop.min(slot.end);
                    let from = slot.settled_until.max(activated);
                    epochs = (to - from).max(0);
                    slot.paid_epochs += epochs;
                    slot.settled_until = slot.settled_until.max(to);
                    if terminated >= 0 && terminated <= now {
                        Some(FinishReason::Terminated)
                    } else if now >= slot.end {
                        Some(FinishReason::Completed)
                    } else {
                        None
                    }
                }
                DealStatus::Expired if slot.activation >= 0 && now >= slot.end => {
                    Some(FinishReason::Completed)
                }
                DealStatus::Expired if slot.activation < 0 => Some(FinishReason::NeverActivated),
                DealStatus::Expired => Some(FinishReason::Expired),
                DealStatus::NotFound => Some(FinishReason::NotFound),
            };
            let amount = per_epochs(&price, epochs);
            if epochs > 0 {
                self.paid_until = self.paid_until.max(slot.settled_until);
            }
            outcomes.push(SlotOutcome {
                deal_id: slot.deal_id,
                provider: slot.provider,
                epochs,
                amount,
                finished,
                activated: newly_activated,
            });
        }
        for o in &outcomes {
            self.paid += &o.amount;
            self.balance -= &o.amount;
            if o.finished == Some(FinishReason::Completed) {
                // At most `replicas` (≤ MAX_REPLICAS) deals ever complete: no overflow possible,
                // unlike the state's counters (see `filmark_actor_shared::counter`).
                self.completed += 1;
            }
        }
        let finished: Vec<DealID> = outcomes
            .iter()
            .filter(|o| o.finished.is_some())
            .map(|o| o.deal_id)
            .collect();
        self.deals.retain(|d| !finished.contains(&d.deal_id));
        outcomes
    }

    /// Past the deadline, hands free funds back to the funders pro rata (see README, "Rounding");
    /// once the order has ended, everything left goes back and the client takes the dust.
    /// Returns each funder's share (zero shares omitted); they leave `balance`.
    pub fn unlock(&mut self, now: ChainEpoch) -> Vec<(ActorID, TokenAmount)> {
        if self.closed || now <= self.activation_deadline || !self.funded.is_positive() {
            return Vec::new();
        }
        let free = self.free();
        if free.is_positive() {
            self.unlock_target += &free;
        }
        let mut shares = Vec::new();
        let mut total = zero();
        for f in &mut self.funders {
            let target = tokens(share(
                held(&f.amount),
                held(&self.unlock_target),
                held(&self.funded),
            ));
            let delta = &target - &f.refunded;
            if delta.is_positive() {
                f.refunded = target;
                total += &delta;
                shares.push((f.id, delta));
            }
        }
        if self.ended(now) {
            let rest = &self.balance - &total;
            if let (true, Some(client)) = (rest.is_positive(), self.funders.first_mut()) {
                client.refunded += &rest;
                total += &rest;
                match shares.iter_mut().find(|(id, _)| *id == client.id) {
                    Some((_, s)) => *s += &rest,
                    None => shares.push((client.id, rest)),
                }
            }
            self.unlock_target = &self.funded - &self.paid;
        }
        self.balance -= &total;
        shares
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Funder;

    fn order(funders: &[(ActorID, i64)]) -> Order {
        let funded: i64 = funders.iter().map(|f| f.1).sum();
        Order {
            client: funders[0].0,
            piece_cid: Cid::default(),
            piece_size: 2048,
            price_per_epoch: TokenAmount::from_atto(3),
            min_duration: 10,
            replicas: 2,
            allowed_providers: vec![],
            activation_deadline: 100,
            content: None,
            created: 0,
            funded: TokenAmount::from_atto(funded),
            balance: TokenAmount::from_atto(funded),
            paid: zero(),
            unlock_target: zero(),
            funders: funders
                .iter()
                .map(|(id, a)| Funder {
                    id: *id,
                    amount: TokenAmount::from_atto(*a),
                    refunded: zero(),
                })
                .collect(),
            deals: vec![],
            completed: 0,
            paid_until: -1,
            closed: false,
        }
    }

    fn terms(deal_id: DealID, start: ChainEpoch, end: ChainEpoch) -> DealTerms {
        DealTerms {
            deal_id,
            piece_cid: Cid::default(),
            piece_size: 2048,
            provider: 9,
            start,
            end,
        }
    }

    #[test]
    fn refunds_round_down_per_funder_and_the_client_takes_the_dust_at_the_end() {
        // 10 + 10 + 10 = 30 funded; one deal reserves 3 × 6 = 18, so 12 are free after the deadline.
        let mut o = order(&[(1, 10), (2, 10), (3, 10)]);
        o.bind(&terms(1, 0, 10), 4, 0);
        let shares = o.unlock(101);
        assert_eq!(
            shares
                .iter()
                .map(|s| s.1.atto().clone())
                .sum::<fvm_shared::bigint::BigInt>(),
            12.into()
        );
        assert!(shares.iter().all(|(_, a)| *a == TokenAmount::from_atto(4)));
        // The deal earns 5 of its 6 epochs, then ends: 3 atto unearned, one atto each; none dust.
        let out = o.settle(
            &[DealStatus::Known {
                activated: 0,
                terminated: 9,
            }],
            200,
        );
        assert_eq!(out[0].amount, TokenAmount::from_atto(15));
        let shares = o.unlock(200);
        assert_eq!(shares.len(), 3);
        assert!(o.balance.is_zero());
        assert_eq!(
            &o.funded,
            &(&o.paid + &o.funders.iter().map(|f| &f.refunded).sum::<TokenAmount>())
        );
    }

    #[test]
    fn uneven_shares_never_create_or_lose_an_atto() {
        let mut o = order(&[(1, 7), (2, 5), (3, 1)]);
        let before = o.balance.clone();
        let shares = o.unlock(101);
        let total: TokenAmount = shares.iter().map(|s| &s.1).sum();
        assert_eq!(total, before);
        // 7/13, 5/13, 1/13 of 13: exact here.
        assert_eq!(
            shares,
            vec![
                (1, TokenAmount::from_atto(7)),
                (2, TokenAmount::from_atto(5)),
                (3, TokenAmount::from_atto(1))
            ]
        );
        assert!(o.unlock(102).is_empty());
    }

    #[test]
    fn settlement_pays_only_active_epochs() {
        let mut o = order(&[(1, 1000)]);
        o.bind(&terms(1, 10, 40), 10, -1);
        // Pending before its start, dropped after it.
        assert!(
            o.settle(&[DealStatus::NotActivated], 5)[0]
                .finished
                .is_none()
        );
        let out = o.settle(
            &[DealStatus::Known {
                activated: 15,
                terminated: -1,
            }],
            20,
        );
        assert_eq!((out[0].epochs, out[0].finished), (5, None));
        let out = o.settle(
            &[DealStatus::Known {
                activated: 15,
                terminated: -1,
            }],
            99,
        );
        assert_eq!(
            (out[0].epochs, out[0].finished),
            (20, Some(FinishReason::Completed))
        );
        assert_eq!((o.completed, o.paid_until), (1, 40));
        o.bind(&terms(2, 50, 80), 50, -1);
        assert_eq!(o.funded_until(60), 80);
        let out = o.settle(&[DealStatus::Expired], 60);
        assert_eq!(out[0].finished, Some(FinishReason::NeverActivated));
        // No deal, before the deadline: free funds from now at the order's price.
        let free = o.free();
        assert_eq!(
            o.funded_until(60),
            60 + i64::try_from(free.atto() / 3).unwrap()
        );
    }
}
