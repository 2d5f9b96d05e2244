//! Order economics, free of any runtime: binding checks, settlement, pro-rata unlocking.

use cid::Cid;
use filmark_actor_shared::{ActorError, actor_error};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use crate::atto::{held, per_epochs, share, tokens};
use crate::policy::SETTLEMENT_WINDOW;
use crate::state::{DealSlot, Order};

/// What the escrow knows of a deal from the market (see `ext::market`). The real market
/// (actors v18) answers `[activated, -1]` while a deal is in its state and exit 32 from the
/// moment it is slashed or removed; it never answers a termination epoch. A termination epoch,
/// were one given, is treated as the deal being gone from then on.
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
    /// The market answered with a termination epoch: the slot may be re-filled before the
    /// deadline. (The real market never does; kept for the event's numbering.)
    Terminated = 1,
    /// Not activated by its start epoch (dropped by the market), or gone without ever having
    /// been seen activated.
    NeverActivated = 2,
    /// Gone (exit 32) and paid short of its end (see README, "Settlement"): slashed or
    /// terminated; the slot may be re-filled before the deadline.
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

/// A deal first seen gone at `seen_gone`: paid up to min(end, seen_gone, last sighting as
/// active + [`SETTLEMENT_WINDOW`]); completed only if that reaches its end. Never seen active:
/// nothing is owed (the escrow cannot know it ever was).
fn gone(slot: &DealSlot, seen_gone: ChainEpoch) -> (ChainEpoch, Option<FinishReason>) {
    if slot.last_seen < 0 {
        return (slot.settled_until, Some(FinishReason::NeverActivated));
    }
    let to = slot
        .end
        .min(seen_gone)
        .min(slot.last_seen.saturating_add(SETTLEMENT_WINDOW));
    let reason = if to >= slot.end {
        FinishReason::Completed
    } else {
        FinishReason::Expired
    };
    (to, Some(reason))
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

    /// Epochs before this one are paid for (see README, "funded until"): the latest end a
    /// live deal is reserved to, else the last epoch any deal was paid up to (−1 if none). Free
    /// funds alone store nothing, so they are not extrapolated.
    pub fn funded_until(&self) -> ChainEpoch {
        self.deals
            .iter()
            .map(|d| d.end)
            .max()
            .unwrap_or(self.paid_until)
    }

    /// Checks that a deal may be bound now; returns the first epoch the escrow would pay for
    /// and the epoch it pays up to: the deal's end, or earlier when the deal is longer than its
    /// replica's share of the free funds (free ÷ open slots) pays for.
    ///
    /// # Errors
    /// A named exit code for each rule the deal breaks.
    pub fn check_deal(
        &self,
        deal: &DealTerms,
        now: ChainEpoch,
    ) -> Result<(ChainEpoch, ChainEpoch), ActorError> {
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
        let taken = self.slots_taken();
        if taken >= self.replicas {
            return Err(actor_error!(illegal_state;
                "all {} replicas of the order are taken", self.replicas));
        }
        if !self.allow_same_provider && self.deals.iter().any(|d| d.provider == deal.provider) {
            return Err(actor_error!(forbidden;
                "provider f0{} already stores a replica of the order (allow_same_provider is off)",
                deal.provider));
        }
        // The replica's share: free funds split evenly over the open slots, in whole epochs.
        let open = u128::from(self.replicas - taken);
        let price = held(&self.price_per_epoch).max(1);
        let share_epochs = held(&self.free()) / open / price;
        let paid_epochs = i64::try_from(share_epochs).unwrap_or(i64::MAX).min(term);
        if paid_epochs < self.min_duration {
            return Err(actor_error!(insufficient_funds;
                "order has {} free for {open} open replicas, a deal needs {} ({} epochs)",
                self.free(), per_epochs(&self.price_per_epoch, self.min_duration),
                self.min_duration));
        }
        Ok((paid_from, paid_from + paid_epochs))
    }

    /// Binds a deal that passed [`Order::check_deal`], paid from `paid_from` up to `paid_end`,
    /// seen activated at `activation` (−1: not yet) at epoch `now`.
    pub fn bind(
        &mut self,
        deal: &DealTerms,
        (paid_from, paid_end): (ChainEpoch, ChainEpoch),
        activation: ChainEpoch,
        now: ChainEpoch,
    ) {
        self.deals.push(DealSlot {
            deal_id: deal.deal_id,
            provider: deal.provider,
            start: deal.start,
            end: paid_end,
            activation,
            last_seen: if activation >= 0 { now } else { -1 },
            settled_until: paid_from,
            paid_epochs: 0,
        });
    }

    /// Settles every live deal given its market status (same order as `self.deals`), removes
    /// finished deals, and updates the order's totals. Payments leave `balance`.
    ///
    /// A deal present and activated is paid up to min(now, end) and, at or after its end,
    /// completes its replica (the market removes a slashed deal at once, so one still present
    /// at its end ran to it). A deal gone (exit 32) is paid up to the earliest of its end, now
    /// (the first settlement that sees it gone) and its last sighting as active plus
    /// [`SETTLEMENT_WINDOW`]; it completes its replica only if that reaches its end.
    pub fn settle(&mut self, statuses: &[DealStatus], now: ChainEpoch) -> Vec<SlotOutcome> {
        let price = self.price_per_epoch.clone();
        let mut outcomes = Vec::with_capacity(self.deals.len());
        for (slot, status) in self.deals.iter_mut().zip(statuses) {
            let mut newly_activated = None;
            let (to, finished) = match *status {
                DealStatus::Known {
                    activated,
                    terminated,
                } if activated >= 0 => {
                    if slot.activation < 0 {
                        newly_activated = Some(activated);
                    }
                    slot.activation = activated;
                    if terminated >= 0 {
                        gone(slot, terminated.min(now))
                    } else {
                        slot.last_seen = now;
                        let done = now >= slot.end;
                        (now.min(slot.end), done.then_some(FinishReason::Completed))
                    }
                }
                DealStatus::Known { .. } | DealStatus::NotActivated => (
                    slot.settled_until,
                    (now > slot.start).then_some(FinishReason::NeverActivated),
                ),
                DealStatus::Expired => gone(slot, now),
                DealStatus::NotFound => (slot.settled_until, Some(FinishReason::NotFound)),
            };
            // Never before the activation (a deal activates by its start on the real market).
            let epochs = (to - slot.settled_until.max(slot.activation)).max(0);
            slot.paid_epochs += epochs;
            slot.settled_until = slot.settled_until.max(to);
            if epochs > 0 {
                self.paid_until = self.paid_until.max(slot.settled_until);
            }
            outcomes.push(SlotOutcome {
                deal_id: slot.deal_id,
                provider: slot.provider,
                epochs,
                amount: per_epochs(&price, epochs),
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
            allow_same_provider: false,
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
        o.bind(&terms(1, 0, 10), (4, 10), 0, 4);
        let shares = o.unlock(101);
        assert_eq!(
            shares
                .iter()
                .map(|s| s.1.atto().clone())
                .sum::<fvm_shared::bigint::BigInt>(),
            12.into()
        );
        assert!(shares.iter().all(|(_, a)| *a == TokenAmount::from_atto(4)));
        // The deal, seen active at 4, is first seen gone at 9: it earns 5 of its 6 epochs; 3
        // atto unearned, one atto each; no dust.
        let out = o.settle(&[DealStatus::Expired], 9);
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
        o.bind(&terms(1, 10, 40), (10, 40), -1, 0);
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
        o.bind(&terms(2, 50, 80), (50, 80), -1, 45);
        assert_eq!(o.funded_until(), 80);
        let out = o.settle(&[DealStatus::Expired], 60);
        assert_eq!(out[0].finished, Some(FinishReason::NeverActivated));
        // No deal: the last epoch paid for, whatever the free funds.
        assert_eq!(o.funded_until(), 40);
    }

    #[test]
    fn a_gone_deal_is_paid_within_the_window_of_its_last_sighting() {
        let active = DealStatus::Known {
            activated: 0,
            terminated: -1,
        };
        let w = SETTLEMENT_WINDOW;
        // (last sighting, first seen gone, end) → (paid up to, finish reason).
        for (seen, gone_at, end, to, reason) in [
            (100, 150, 10_000, 150, FinishReason::Expired),
            (100, 9_000, 10_000, 100 + w, FinishReason::Expired),
            (10_000 - w, 20_000, 10_000, 10_000, FinishReason::Completed),
            (10_000 - w - 1, 20_000, 10_000, 9_999, FinishReason::Expired),
        ] {
            let mut o = order(&[(1, 1_000_000)]);
            o.min_duration = 1;
            o.activation_deadline = 20_000;
            o.bind(&terms(1, 0, end), (0, end), -1, 0);
            o.settle(&[active], seen);
            let out = o.settle(&[DealStatus::Expired], gone_at);
            assert_eq!(out[0].finished, Some(reason), "{seen} {gone_at}");
            assert_eq!(o.paid_until, to, "{seen} {gone_at}");
            assert_eq!(o.completed, u64::from(reason == FinishReason::Completed));
        }
    }
}
