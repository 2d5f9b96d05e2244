//! Which event each state change emits (all declared in [`crate::abi::IFilmarkEscrow`]).
//!
//! Topics: order id, the client / provider / funder as a 20-byte Ethereum address (f410 or
//! masked ID), and the piece CID as `keccak256(cid bytes)`, so an indexer can filter by any.
//!
//! Each event is built with `filmark_actor_shared::events::Log` (the same bytes as alloy's
//! `SolEvent` encoders, without an instantiation of them per event in the wasm); the tests check
//! each against alloy's encoding.

use alloy_primitives::Address as EthAddress;
use alloy_sol_types::SolEvent;
use cid::Cid;
use filmark_actor_shared::abi::eth_of;
use filmark_actor_shared::events::{Log, Word, cid_topic, word};
use filmark_actor_shared::{ActorError, Runtime};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use crate::abi::IFilmarkEscrow as I;
use crate::abi::u256_of;
use crate::order::FinishReason;

/// The `uint256` word of an amount.
fn amount_word(amount: &TokenAmount) -> Word {
    word::uint256(&u256_of(amount))
}

/// The topic word of an actor: its Ethereum address.
fn who<RT: Runtime>(rt: &RT, id: ActorID) -> Word {
    word::address(&eth_of(rt, id))
}

/// `Deposited`: funds credited to an account.
pub(crate) fn deposited<RT: Runtime>(
    rt: &RT,
    account: ActorID,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    Log::new(I::Deposited::SIGNATURE_HASH.0)
        .topic(who(rt, account))
        .word(amount_word(amount))
        .emit(rt)
}

/// `Withdrawn`: funds sent out of an account.
pub(crate) fn withdrawn<RT: Runtime>(
    rt: &RT,
    account: ActorID,
    to: &Address,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    let to_eth = match rt.resolve_address(to) {
        Some(id) => eth_of(rt, id),
        None => filmark_actor_shared::abi::eth_address_from_f4(to)
            .map(EthAddress::from)
            .unwrap_or_default(),
    };
    Log::new(I::Withdrawn::SIGNATURE_HASH.0)
        .topic(who(rt, account))
        .word(word::address(&to_eth))
        .word(amount_word(amount))
        .emit(rt)
}

/// `OrderCreated`.
pub(crate) fn order_created<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    client: ActorID,
    piece: &Cid,
    locked: &TokenAmount,
    content: Option<&Cid>,
) -> Result<(), ActorError> {
    let content = content.map(Cid::to_bytes).unwrap_or_default();
    Log::new(I::OrderCreated::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, client))
        .topic(cid_topic(piece).0)
        .word(amount_word(locked))
        .bytes(&content)
        .emit(rt)
}

/// `OrderFunded`.
pub(crate) fn order_funded<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    funder: ActorID,
    client: ActorID,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    Log::new(I::OrderFunded::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, funder))
        .topic(who(rt, client))
        .word(amount_word(amount))
        .emit(rt)
}

/// `DealBound`: `end` is the epoch the order pays the deal up to (its end, or earlier when the
/// deal is longer than its replica's share pays for).
pub(crate) fn deal_bound<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    piece: &Cid,
    deal_id: DealID,
    start: ChainEpoch,
    end: ChainEpoch,
) -> Result<(), ActorError> {
    Log::new(I::DealBound::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, provider))
        .topic(cid_topic(piece).0)
        .word(word::uint(deal_id))
        .word(word::int(start))
        .word(word::int(end))
        .emit(rt)
}

/// `DealActivated`: a settlement saw a bound deal activated for the first time.
pub(crate) fn deal_activated<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    epoch: ChainEpoch,
) -> Result<(), ActorError> {
    Log::new(I::DealActivated::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, provider))
        .topic(word::uint(deal_id))
        .word(word::int(epoch))
        .emit(rt)
}

/// `DealRejected`: a deal the market notified could not be bound (recorded, not aborted).
pub(crate) fn deal_rejected<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    reason: &str,
) -> Result<(), ActorError> {
    Log::new(I::DealRejected::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, provider))
        .topic(word::uint(deal_id))
        .bytes(reason.as_bytes())
        .emit(rt)
}

/// `DealFinished`: a deal left its order.
pub(crate) fn deal_finished<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    reason: FinishReason,
) -> Result<(), ActorError> {
    Log::new(I::DealFinished::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, provider))
        .topic(word::uint(deal_id))
        .word(word::uint(reason as u64))
        .emit(rt)
}

/// `ProviderPaid`.
pub(crate) fn provider_paid<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    amount: &TokenAmount,
    epochs: ChainEpoch,
) -> Result<(), ActorError> {
    Log::new(I::ProviderPaid::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, provider))
        .topic(word::uint(deal_id))
        .word(amount_word(amount))
        .word(word::int(epochs))
        .emit(rt)
}

/// `FundsUnlocked`: a funder's pro-rata share went back to its available funds.
pub(crate) fn funds_unlocked<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    funder: ActorID,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    Log::new(I::FundsUnlocked::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, funder))
        .word(amount_word(amount))
        .emit(rt)
}

/// `OrderClosed`.
pub(crate) fn order_closed<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    client: ActorID,
) -> Result<(), ActorError> {
    Log::new(I::OrderClosed::SIGNATURE_HASH.0)
        .topic(word::uint(order_id))
        .topic(who(rt, client))
        .emit(rt)
}

/// `AppKeyAuthorized`.
pub(crate) fn app_key_authorized<RT: Runtime>(
    rt: &RT,
    client: ActorID,
    key: ActorID,
    cap: &TokenAmount,
    expiry: ChainEpoch,
) -> Result<(), ActorError> {
    Log::new(I::AppKeyAuthorized::SIGNATURE_HASH.0)
        .topic(who(rt, client))
        .topic(who(rt, key))
        .word(amount_word(cap))
        .word(word::int(expiry))
        .emit(rt)
}

/// `AppKeyRevoked`.
pub(crate) fn app_key_revoked<RT: Runtime>(
    rt: &RT,
    client: ActorID,
    key: ActorID,
) -> Result<(), ActorError> {
    Log::new(I::AppKeyRevoked::SIGNATURE_HASH.0)
        .topic(who(rt, client))
        .topic(who(rt, key))
        .emit(rt)
}

#[cfg(test)]
mod tests {
    use cid::multihash::Multihash;
    use filmark_actor_shared::testing::assert_emits_like_alloy as check;

    use super::*;

    #[test]
    fn events_encode_like_alloy() {
        let piece = Cid::new_v1(0xf101, Multihash::<64>::wrap(0x1012, &[7; 32]).unwrap());
        let big = TokenAmount::from_atto(u128::MAX);
        let amt = TokenAmount::from_atto(123_456_789u64);
        check(
            |rt| deposited(rt, 77, &big),
            |rt| I::Deposited {
                account: eth_of(rt, 77),
                amount: u256_of(&big),
            },
        );
        for to in [Address::new_id(77), Address::new_id(5)] {
            check(
                |rt| withdrawn(rt, 5, &to, &amt),
                |rt| I::Withdrawn {
                    account: eth_of(rt, 5),
                    to: eth_of(rt, to.id().unwrap()),
                    amount: u256_of(&amt),
                },
            );
        }
        let f4 = Address::new_delegated(10, &[0xcd; 20]).unwrap();
        check(
            |rt| withdrawn(rt, 5, &f4, &amt),
            |rt| I::Withdrawn {
                account: eth_of(rt, 5),
                to: EthAddress::from([0xcd; 20]),
                amount: u256_of(&amt),
            },
        );
        for content in [None, Some(piece)] {
            check(
                |rt| order_created(rt, 3, 77, &piece, &amt, content.as_ref()),
                |rt| I::OrderCreated {
                    orderId: 3,
                    client: eth_of(rt, 77),
                    pieceCidHash: cid_topic(&piece),
                    locked: u256_of(&amt),
                    content: content.map(|c| c.to_bytes()).unwrap_or_default().into(),
                },
            );
        }
        check(
            |rt| order_funded(rt, u64::MAX, 77, 5, &amt),
            |rt| I::OrderFunded {
                orderId: u64::MAX,
                funder: eth_of(rt, 77),
                client: eth_of(rt, 5),
                amount: u256_of(&amt),
            },
        );
        check(
            |rt| deal_bound(rt, 1, 77, &piece, 9, -5, i64::MAX),
            |rt| I::DealBound {
                orderId: 1,
                provider: eth_of(rt, 77),
                pieceCidHash: cid_topic(&piece),
                dealId: 9,
                start: -5,
                end: i64::MAX,
            },
        );
        check(
            |rt| deal_activated(rt, 1, 77, 9, i64::MIN),
            |rt| I::DealActivated {
                orderId: 1,
                provider: eth_of(rt, 77),
                dealId: 9,
                epoch: i64::MIN,
            },
        );
        for reason in ["", "x", &"r".repeat(32), &"long reason ".repeat(7)] {
            check(
                |rt| deal_rejected(rt, 1, 77, 9, reason),
                |rt| I::DealRejected {
                    orderId: 1,
                    provider: eth_of(rt, 77),
                    dealId: 9,
                    reason: reason.to_owned(),
                },
            );
        }
        check(
            |rt| deal_finished(rt, 1, 77, 9, FinishReason::NotFound),
            |rt| I::DealFinished {
                orderId: 1,
                provider: eth_of(rt, 77),
                dealId: 9,
                reason: FinishReason::NotFound as u8,
            },
        );
        check(
            |rt| provider_paid(rt, 1, 77, 9, &amt, 40),
            |rt| I::ProviderPaid {
                orderId: 1,
                provider: eth_of(rt, 77),
                dealId: 9,
                amount: u256_of(&amt),
                epochs: 40,
            },
        );
        check(
            |rt| funds_unlocked(rt, 2, 77, &amt),
            |rt| I::FundsUnlocked {
                orderId: 2,
                funder: eth_of(rt, 77),
                amount: u256_of(&amt),
            },
        );
        check(
            |rt| order_closed(rt, 2, 77),
            |rt| I::OrderClosed {
                orderId: 2,
                client: eth_of(rt, 77),
            },
        );
        check(
            |rt| app_key_authorized(rt, 77, 5, &amt, -1),
            |rt| I::AppKeyAuthorized {
                client: eth_of(rt, 77),
                key: eth_of(rt, 5),
                cap: u256_of(&amt),
                expiry: -1,
            },
        );
        check(
            |rt| app_key_revoked(rt, 77, 5),
            |rt| I::AppKeyRevoked {
                client: eth_of(rt, 77),
                key: eth_of(rt, 5),
            },
        );
    }
}
