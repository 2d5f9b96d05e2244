//! The escrow's Solidity interface (declared once, in `filmark-abi`, and re-exported here), and
//! the translation of ABI calls arriving through method 3844450837 into the native
//! methods.
//!
//! Conventions: amounts are `uint256` attoFIL; addresses are 20-byte Ethereum addresses (f410,
//! or masked ID `0xff‖0^11‖id` for other actors); CIDs are `bytes` (binary CID, empty = none);
//! the zero address means "none" where a native parameter is optional.

use alloy_primitives::U256;
use alloy_sol_types::SolCall;
use filmark_actor_shared::abi::{
    abi_return, address_from_eth, calldata, cid_from_abi, decode_call, eth_of, into_revert,
    opt_address_from_abi, opt_cid_from_abi,
};
use filmark_actor_shared::{ActorError, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::bigint::{BigInt, Sign};
use fvm_shared::econ::TokenAmount;

use crate::Actor;
use crate::state::Order;
use crate::types::{
    AuthorizeKeyParams, BindDealParams, CreateOrderParams, FundOrderParams, GetAppKeyParams,
    ListOrdersParams, WithdrawParams,
};

pub use filmark_abi::escrow::IFilmarkEscrow;

use IFilmarkEscrow::IFilmarkEscrowCalls as Call;

/// attoFIL as `uint256`.
pub fn u256_of(amount: &TokenAmount) -> U256 {
    let (_, bytes) = amount.atto().to_bytes_be();
    U256::try_from_be_slice(&bytes).unwrap_or(U256::MAX)
}

/// `uint256` as attoFIL.
pub fn token_of(v: U256) -> TokenAmount {
    TokenAmount::from_atto(BigInt::from_bytes_be(Sign::Plus, &v.to_be_bytes::<32>()))
}

/// An order in its ABI shape.
pub fn order_view<RT: Runtime>(rt: &RT, id: u64, o: &Order) -> IFilmarkEscrow::OrderView {
    IFilmarkEscrow::OrderView {
        id,
        client: eth_of(rt, o.client),
        pieceCid: o.piece_cid.to_bytes().into(),
        pieceSize: o.piece_size,
        pricePerEpoch: u256_of(&o.price_per_epoch),
        minDuration: o.min_duration,
        replicas: o.replicas,
        activationDeadline: o.activation_deadline,
        content: o.content.map(|c| c.0.to_bytes()).unwrap_or_default().into(),
        funded: u256_of(&o.funded),
        balance: u256_of(&o.balance),
        paid: u256_of(&o.paid),
        liveDeals: o.deals.len() as u64,
        completed: o.completed,
        activeReplicas: o.active_replicas(),
        closed: o.closed,
        allowSameProvider: o.allow_same_provider,
    }
}

/// Handles method 3844450837: decodes the calldata, runs the native method, ABI-encodes the
/// result. Empty calldata with value is a deposit (like a Solidity `receive()`); empty calldata
/// without value, short calldata and unknown selectors are `USR_UNHANDLED_MESSAGE`; arguments
/// that do not decode `USR_SERIALIZATION`. Errors keep their exit code and carry a revert.
///
/// # Errors
/// The native method's error, as a revert.
pub fn invoke<RT: Runtime>(
    rt: &RT,
    params: Option<IpldBlock>,
) -> Result<Option<IpldBlock>, ActorError> {
    run(rt, params).map_err(into_revert)
}

fn run<RT: Runtime>(rt: &RT, params: Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError> {
    let data = calldata(params)?;
    if data.is_empty() {
        if rt.value_received().is_positive() {
            Actor::deposit(rt)?;
            return abi_return(&[]);
        }
        return Err(ActorError::unhandled_message(
            "empty calldata without value",
        ));
    }
    let call: Call = decode_call(&data)?;
    let out = match call {
        Call::deposit(_) => {
            Actor::deposit(rt)?;
            Vec::new()
        }
        Call::withdraw(c) => {
            Actor::withdraw(
                rt,
                WithdrawParams {
                    amount: token_of(c.amount),
                    to: opt_address_from_abi(c.to)?,
                },
            )?;
            Vec::new()
        }
        Call::getAccount(c) => {
            let acc = address_from_eth(c.account.0.0)?;
            let r = Actor::get_account(rt, acc)?;
            IFilmarkEscrow::getAccountCall::abi_encode_returns_tuple(&(
                u256_of(&r.available),
                u256_of(&r.locked),
            ))
        }
        Call::createOrder(c) => {
            let p = c.params;
            let mut providers = Vec::with_capacity(p.allowedProviders.len());
            for a in p.allowedProviders {
                providers.push(address_from_eth(a.0.0)?);
            }
            let params = CreateOrderParams {
                piece_cid: cid_from_abi("pieceCid", &p.pieceCid)?,
                piece_size: p.pieceSize,
                price_per_epoch: token_of(p.pricePerEpoch),
                min_duration: p.minDuration,
                replicas: p.replicas,
                allowed_providers: providers,
                activation_deadline: p.activationDeadline,
                content: opt_cid_from_abi("content", &p.content)?,
                client: opt_address_from_abi(p.client)?,
                allow_same_provider: p.allowSameProvider,
            };
            let r = Actor::create_order(rt, params)?;
            IFilmarkEscrow::createOrderCall::abi_encode_returns(&r.order_id)
        }
        Call::getOrder(c) => {
            let o = Actor::get_order(rt, c.orderId)?;
            IFilmarkEscrow::getOrderCall::abi_encode_returns(&order_view(rt, c.orderId, &o))
        }
        Call::listOrders(c) => {
            let r = Actor::list_orders(
                rt,
                ListOrdersParams {
                    client: opt_address_from_abi(c.client)?,
                    cursor: c.cursor,
                    limit: c.limit,
                },
            )?;
            let views: Vec<_> = r
                .orders
                .iter()
                .map(|e| order_view(rt, e.id, &e.order))
                .collect();
            IFilmarkEscrow::listOrdersCall::abi_encode_returns_tuple(&(
                views,
                r.next_cursor.is_some(),
                r.next_cursor.unwrap_or_default(),
            ))
        }
        Call::getOrderFunding(c) => {
            let f = Actor::get_order_funding(rt, c.orderId)?;
            IFilmarkEscrow::getOrderFundingCall::abi_encode_returns_tuple(&(
                alloy_primitives::Bytes::from(f.piece_cid.to_bytes()),
                alloy_primitives::Bytes::from(f.content.map(|c| c.to_bytes()).unwrap_or_default()),
                eth_of(rt, f.client),
                f.funded_until,
                f.active_replicas,
                f.open,
            ))
        }
        Call::fundOrder(c) => {
            Actor::fund_order(
                rt,
                FundOrderParams {
                    order_id: c.orderId,
                    from_available: token_of(c.fromAvailable),
                },
            )?;
            Vec::new()
        }
        Call::bindDeal(c) => {
            Actor::bind_deal(
                rt,
                BindDealParams {
                    order_id: c.orderId,
                    deal_id: c.dealId,
                },
            )?;
            Vec::new()
        }
        Call::settle(c) => {
            let r = Actor::settle(rt, c.orderId)?;
            IFilmarkEscrow::settleCall::abi_encode_returns_tuple(&(
                u256_of(&r.paid),
                u256_of(&r.unlocked),
            ))
        }
        Call::closeOrder(c) => {
            Actor::close_order(rt, c.orderId)?;
            Vec::new()
        }
        Call::authorizeKey(c) => {
            Actor::authorize_key(
                rt,
                AuthorizeKeyParams {
                    key: address_from_eth(c.key.0.0)?,
                    cap: token_of(c.cap),
                    expiry: c.expiry,
                },
            )?;
            Vec::new()
        }
        Call::revokeKey(c) => {
            Actor::revoke_key(rt, address_from_eth(c.key.0.0)?)?;
            Vec::new()
        }
        Call::getAppKey(c) => {
            let r = Actor::get_app_key(
                rt,
                GetAppKeyParams {
                    client: address_from_eth(c.client.0.0)?,
                    key: address_from_eth(c.key.0.0)?,
                },
            )?;
            let g = r.grant;
            IFilmarkEscrow::getAppKeyCall::abi_encode_returns_tuple(&(
                g.is_some(),
                g.as_ref().map(|g| u256_of(&g.cap)).unwrap_or_default(),
                g.as_ref().map(|g| u256_of(&g.spent)).unwrap_or_default(),
                g.as_ref().map(|g| g.expiry).unwrap_or_default(),
            ))
        }
    };
    abi_return(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_convert_both_ways() {
        for atto in [0u128, 1, 10u128.pow(18), u128::MAX] {
            let t = TokenAmount::from_atto(atto);
            assert_eq!(token_of(u256_of(&t)), t);
            assert_eq!(u256_of(&t), U256::from(atto));
        }
    }
}
