//! Which event each state change emits (all declared in [`crate::abi::IFilmarkEscrow`]).
//!
//! Topics: order id, the client / provider / funder as a 20-byte Ethereum address (f410 or
//! masked ID), and the piece CID as `keccak256(cid bytes)`, so an indexer can filter by any.

use alloy_primitives::{Address as EthAddress, B256, keccak256};
use cid::Cid;
use filmark_actor_shared::abi::eth_of;
use filmark_actor_shared::events::emit;
use filmark_actor_shared::{ActorError, Runtime};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use crate::abi::IFilmarkEscrow as I;
use crate::abi::u256_of;
use crate::order::FinishReason;

/// Topic of a CID: keccak256 of its binary form.
pub fn cid_topic(cid: &Cid) -> B256 {
    keccak256(cid.to_bytes())
}

/// `Deposited`: funds credited to an account.
pub(crate) fn deposited<RT: Runtime>(
    rt: &RT,
    who: ActorID,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::Deposited {
            account: eth_of(rt, who),
            amount: u256_of(amount),
        },
    )
}

/// `Withdrawn`: funds sent out of an account.
pub(crate) fn withdrawn<RT: Runtime>(
    rt: &RT,
    who: ActorID,
    to: &Address,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    let to_eth = match rt.resolve_address(to) {
        Some(id) => eth_of(rt, id),
        None => filmark_actor_shared::abi::eth_address_from_f4(to)
            .map(EthAddress::from)
            .unwrap_or_default(),
    };
    emit(
        rt,
        &I::Withdrawn {
            account: eth_of(rt, who),
            to: to_eth,
            amount: u256_of(amount),
        },
    )
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
    emit(
        rt,
        &I::OrderCreated {
            orderId: order_id,
            client: eth_of(rt, client),
            pieceCidHash: cid_topic(piece),
            locked: u256_of(locked),
            content: content.map(Cid::to_bytes).unwrap_or_default().into(),
        },
    )
}

/// `OrderFunded`.
pub(crate) fn order_funded<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    funder: ActorID,
    client: ActorID,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::OrderFunded {
            orderId: order_id,
            funder: eth_of(rt, funder),
            client: eth_of(rt, client),
            amount: u256_of(amount),
        },
    )
}

/// `DealBound`.
pub(crate) fn deal_bound<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    piece: &Cid,
    deal_id: DealID,
    start: ChainEpoch,
    end: ChainEpoch,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::DealBound {
            orderId: order_id,
            provider: eth_of(rt, provider),
            pieceCidHash: cid_topic(piece),
            dealId: deal_id,
            start,
            end,
        },
    )
}

/// `DealActivated`: a settlement saw a bound deal activated for the first time.
pub(crate) fn deal_activated<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    epoch: ChainEpoch,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::DealActivated {
            orderId: order_id,
            provider: eth_of(rt, provider),
            dealId: deal_id,
            epoch,
        },
    )
}

/// `DealRejected`: a deal the market notified could not be bound (recorded, not aborted).
pub(crate) fn deal_rejected<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    reason: &str,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::DealRejected {
            orderId: order_id,
            provider: eth_of(rt, provider),
            dealId: deal_id,
            reason: reason.to_owned(),
        },
    )
}

/// `DealFinished`: a deal left its order.
pub(crate) fn deal_finished<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    provider: ActorID,
    deal_id: DealID,
    reason: FinishReason,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::DealFinished {
            orderId: order_id,
            provider: eth_of(rt, provider),
            dealId: deal_id,
            reason: reason as u8,
        },
    )
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
    emit(
        rt,
        &I::ProviderPaid {
            orderId: order_id,
            provider: eth_of(rt, provider),
            dealId: deal_id,
            amount: u256_of(amount),
            epochs,
        },
    )
}

/// `FundsUnlocked`: a funder's pro-rata share went back to its available funds.
pub(crate) fn funds_unlocked<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    funder: ActorID,
    amount: &TokenAmount,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::FundsUnlocked {
            orderId: order_id,
            funder: eth_of(rt, funder),
            amount: u256_of(amount),
        },
    )
}

/// `OrderClosed`.
pub(crate) fn order_closed<RT: Runtime>(
    rt: &RT,
    order_id: u64,
    client: ActorID,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::OrderClosed {
            orderId: order_id,
            client: eth_of(rt, client),
        },
    )
}

/// `AppKeyAuthorized`.
pub(crate) fn app_key_authorized<RT: Runtime>(
    rt: &RT,
    client: ActorID,
    key: ActorID,
    cap: &TokenAmount,
    expiry: ChainEpoch,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::AppKeyAuthorized {
            client: eth_of(rt, client),
            key: eth_of(rt, key),
            cap: u256_of(cap),
            expiry,
        },
    )
}

/// `AppKeyRevoked`.
pub(crate) fn app_key_revoked<RT: Runtime>(
    rt: &RT,
    client: ActorID,
    key: ActorID,
) -> Result<(), ActorError> {
    emit(
        rt,
        &I::AppKeyRevoked {
            client: eth_of(rt, client),
            key: eth_of(rt, key),
        },
    )
}
