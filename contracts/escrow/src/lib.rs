#![doc = include_str!("../README.md")]

pub mod abi;
mod atto;
mod deals;
pub mod events;
pub mod ext;
mod market_queries;
pub mod method;
pub mod order;
pub mod policy;
pub mod state;
pub mod testing;
pub mod types;

use cid::Cid;
use filmark_actor_shared::builtin::INIT_ACTOR_ID;
use filmark_actor_shared::cid::ExternalCid;
use filmark_actor_shared::dispatch::{require_no_value, ret};
use filmark_actor_shared::{ActorError, AsActorError, Runtime, actor_error};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};

use crate::atto::{atto_of, held, tokens};
pub use crate::method::Method;
use crate::policy::*;
use crate::state::{AppKey, Funder, Order, State};
use crate::types::*;

/// The escrow actor: one function per method.
#[derive(Debug)]
pub struct Actor;

fn zero() -> TokenAmount {
    TokenAmount::from_atto(0)
}

fn non_negative(v: &TokenAmount, field: &str) -> Result<(), ActorError> {
    if v.is_negative() {
        return Err(actor_error!(illegal_argument; "{field} must not be negative"));
    }
    Ok(())
}

/// Checks that `caller` may spend `amount` of `client`'s funds: the client itself, or an
/// unexpired app key with room under its cap. Returns the updated grant for app keys.
pub(crate) fn check_spender<RT: Runtime>(
    rt: &RT,
    st: &State,
    client: ActorID,
    caller: ActorID,
    amount: &TokenAmount,
) -> Result<Option<AppKey>, ActorError> {
    if client == caller {
        return Ok(None);
    }
    let mut grant = st
        .app_key(rt.store(), client, caller)?
        .with_context_code(ExitCode::USR_FORBIDDEN, || {
            format!("f0{caller} is not an app key of f0{client}")
        })?;
    if rt.curr_epoch() >= grant.expiry {
        return Err(
            actor_error!(forbidden; "app key f0{caller} expired at epoch {}", grant.expiry),
        );
    }
    let spent = &grant.spent + amount;
    if spent > grant.cap {
        return Err(actor_error!(forbidden;
            "app key f0{caller} spend cap exceeded: {} > {}", spent, grant.cap));
    }
    grant.spent = spent;
    Ok(Some(grant))
}

fn check_piece(p: &CreateOrderParams) -> Result<(), ActorError> {
    if p.piece_cid.codec() != FIL_COMMITMENT_UNSEALED
        || p.piece_cid.hash().code() != SHA2_256_TRUNC254_PADDED
    {
        return Err(actor_error!(illegal_argument;
            "piece_cid must be a v1 piece commitment (fil-commitment-unsealed, \
             sha2-256-trunc254-padded), got codec {:#x} hash {:#x}",
            p.piece_cid.codec(), p.piece_cid.hash().code()));
    }
    if !p.piece_size.is_power_of_two() || !(MIN_PIECE_SIZE..=MAX_PIECE_SIZE).contains(&p.piece_size)
    {
        return Err(actor_error!(illegal_argument;
            "piece_size {} must be a power of two in {MIN_PIECE_SIZE}..={MAX_PIECE_SIZE}",
            p.piece_size));
    }
    Ok(())
}

impl Actor {
    /// Constructor: empty state. Caller: the init actor.
    ///
    /// # Errors
    /// `USR_FORBIDDEN` for another caller; `USR_NOT_PAYABLE` with value (it would be a balance
    /// no account holds).
    pub fn constructor<RT: Runtime>(rt: &RT) -> Result<(), ActorError> {
        rt.validate_caller_is([&Address::new_id(INIT_ACTOR_ID)])?;
        require_no_value(&rt.value_received())?;
        let st = State::new(rt.store())?;
        rt.create(&st)
    }

    /// Adds the value sent to the caller's available funds.
    ///
    /// # Errors
    /// `USR_ILLEGAL_ARGUMENT` for zero value.
    pub fn deposit<RT: Runtime>(rt: &RT) -> Result<(), ActorError> {
        let caller = rt.caller();
        let value = rt.value_received();
        if !value.is_positive() {
            return Err(actor_error!(illegal_argument; "deposit needs a positive value"));
        }
        rt.transaction(|st: &mut State, rt| {
            st.update_accounts(rt.store(), &mut |a| {
                a.modify(caller, |acc| acc.available += &value)
            })
        })?;
        events::deposited(rt, caller, &value)
    }

    /// Sends available funds to the caller or to `to`; the send is the last thing done.
    ///
    /// # Errors
    /// `USR_ILLEGAL_ARGUMENT` for a non-positive amount, `USR_INSUFFICIENT_FUNDS` above the
    /// available funds, or the send's failure.
    pub fn withdraw<RT: Runtime>(rt: &RT, p: WithdrawParams) -> Result<(), ActorError> {
        let caller = rt.caller();
        require_no_value(&rt.value_received())?;
        if !p.amount.is_positive() {
            return Err(actor_error!(illegal_argument; "amount must be positive"));
        }
        let to = p.to.unwrap_or_else(|| Address::new_id(caller));
        rt.transaction(|st: &mut State, rt| {
            st.update_accounts(rt.store(), &mut |a| {
                let acc = a.get(caller)?;
                if acc.available < p.amount {
                    return Err(actor_error!(insufficient_funds;
                        "withdrawing {} with {} available", p.amount, acc.available));
                }
                a.modify(caller, |acc| acc.available -= &p.amount)
            })
        })?;
        events::withdrawn(rt, caller, &to, &p.amount)?;
        rt.transfer(&to, p.amount)?;
        Ok(())
    }

    /// An account's available and locked funds (zero for an actor that never deposited).
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when the address does not resolve; state load failures.
    pub fn get_account<RT: Runtime>(
        rt: &RT,
        account: Address,
    ) -> Result<GetAccountReturn, ActorError> {
        require_no_value(&rt.value_received())?;
        let id = rt.resolve_actor(&account, "account")?;
        let st: State = rt.state()?;
        let a = st.account(rt.store(), id)?;
        Ok(GetAccountReturn {
            available: a.available,
            locked: a.locked,
        })
    }

    /// Creates an order and locks price × min_duration × replicas of the client's funds. Value
    /// sent (own orders only) is deposited first.
    ///
    /// # Errors
    /// A named exit code per limit or rule (see README).
    pub fn create_order<RT: Runtime>(
        rt: &RT,
        p: CreateOrderParams,
    ) -> Result<CreateOrderReturn, ActorError> {
        let caller = rt.caller();
        let client = match &p.client {
            Some(c) => rt.resolve_actor(c, "client")?,
            None => caller,
        };
        let value = rt.value_received();
        if value.is_positive() && client != caller {
            return Err(actor_error!(not_payable;
                "value may only come with an order for the caller itself; use FundOrder"));
        }
        let now = rt.curr_epoch();
        check_piece(&p)?;
        if !p.price_per_epoch.is_positive() {
            return Err(actor_error!(illegal_argument; "price_per_epoch must be positive"));
        }
        if !(MIN_ORDER_DURATION..=MAX_ORDER_DURATION).contains(&p.min_duration) {
            return Err(actor_error!(illegal_argument;
                "min_duration {} must be in {MIN_ORDER_DURATION}..={MAX_ORDER_DURATION}",
                p.min_duration));
        }
        if !(1..=MAX_REPLICAS).contains(&p.replicas) {
            return Err(actor_error!(illegal_argument;
                "replicas {} must be in 1..={MAX_REPLICAS}", p.replicas));
        }
        if p.allowed_providers.len() > MAX_ALLOWED_PROVIDERS {
            return Err(actor_error!(illegal_argument;
                "too many allowed_providers: {} > {MAX_ALLOWED_PROVIDERS}",
                p.allowed_providers.len()));
        }
        let mut providers = Vec::with_capacity(p.allowed_providers.len());
        for a in &p.allowed_providers {
            let id = rt.resolve_actor(a, "allowed provider")?;
            if providers.contains(&id) {
                return Err(actor_error!(illegal_argument; "allowed provider f0{id} listed twice"));
            }
            providers.push(id);
        }
        let latest = now.saturating_add(MAX_ACTIVATION_WINDOW);
        if p.activation_deadline < now || p.activation_deadline > latest {
            return Err(actor_error!(illegal_argument;
                "activation_deadline {} must be in {now}..={latest}", p.activation_deadline));
        }
        let lock = atto_of(&p.price_per_epoch, "price_per_epoch")?
            .checked_mul(u128::try_from(p.min_duration).unwrap_or(0))
            .and_then(|l| l.checked_mul(p.replicas.into()))
            .map(tokens)
            .ok_or_else(|| {
                actor_error!(illegal_argument;
                "price_per_epoch × min_duration × replicas is more than 2^128 attoFIL")
            })?;
        let order_id = rt.transaction(|st: &mut State, rt| {
            let grant = check_spender(rt, st, client, caller, &lock)?;
            st.update_accounts(rt.store(), &mut |a| {
                let mut acc = a.get(client)?;
                acc.available += &value;
                if acc.available < lock {
                    return Err(actor_error!(insufficient_funds;
                        "order locks {}, client f0{client} has {} available", lock,
                        acc.available));
                }
                acc.available -= &lock;
                acc.locked += &lock;
                a.set(client, acc)
            })?;
            if let Some(g) = &grant {
                st.set_app_key(rt.store(), client, caller, Some(g.clone()))?;
            }
            let id = st.take_order_id()?;
            let order = Order {
                client,
                piece_cid: p.piece_cid,
                piece_size: p.piece_size,
                price_per_epoch: p.price_per_epoch.clone(),
                min_duration: p.min_duration,
                replicas: p.replicas,
                allowed_providers: providers,
                allow_same_provider: p.allow_same_provider,
                activation_deadline: p.activation_deadline,
                content: p.content.map(ExternalCid),
                created: now,
                funded: lock.clone(),
                balance: lock.clone(),
                paid: zero(),
                unlock_target: zero(),
                funders: vec![Funder {
                    id: client,
                    amount: lock.clone(),
                    refunded: zero(),
                }],
                deals: Vec::new(),
                completed: 0,
                paid_until: -1,
                closed: false,
            };
            st.put_order(rt.store(), id, order)?;
            Ok(id)
        })?;
        if value.is_positive() {
            events::deposited(rt, caller, &value)?;
        }
        events::order_created(
            rt,
            order_id,
            client,
            &p.piece_cid,
            &lock,
            p.content.as_ref(),
        )?;
        Ok(CreateOrderReturn { order_id })
    }

    /// One order.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown id.
    pub fn get_order<RT: Runtime>(rt: &RT, order_id: u64) -> Result<Order, ActorError> {
        require_no_value(&rt.value_received())?;
        let st: State = rt.state()?;
        st.order(rt.store(), order_id)
    }

    /// A page of orders from `cursor`, optionally one client's (scanning at most
    /// `MAX_LIST_SCAN` orders per call).
    ///
    /// # Errors
    /// `USR_ILLEGAL_ARGUMENT` for a limit outside 1..=`MAX_LIST_LIMIT`; `USR_NOT_FOUND` when the
    /// client does not resolve.
    pub fn list_orders<RT: Runtime>(
        rt: &RT,
        p: ListOrdersParams,
    ) -> Result<ListOrdersReturn, ActorError> {
        require_no_value(&rt.value_received())?;
        if !(1..=MAX_LIST_LIMIT).contains(&p.limit) {
            return Err(
                actor_error!(illegal_argument; "limit {} must be in 1..={MAX_LIST_LIMIT}", p.limit),
            );
        }
        let client = match &p.client {
            Some(c) => Some(rt.resolve_actor(c, "client")?),
            None => None,
        };
        let st: State = rt.state()?;
        let budget = if client.is_some() {
            MAX_LIST_SCAN
        } else {
            p.limit
        };
        let mut orders = Vec::new();
        let next_cursor = st.for_each_order(rt.store(), p.cursor, budget, |id, o| {
            if client.is_none_or(|c| c == o.client) {
                orders.push(OrderEntry {
                    id,
                    order: o.clone(),
                });
            }
            (orders.len() as u64) < p.limit
        })?;
        Ok(ListOrdersReturn {
            orders,
            next_cursor,
        })
    }

    /// The registry-facing summary of an order (see README, "Registry link").
    ///
    /// # Errors
    /// `USR_NOT_FOUND` for an unknown id.
    pub fn get_order_funding<RT: Runtime>(
        rt: &RT,
        order_id: u64,
    ) -> Result<OrderFunding, ActorError> {
        require_no_value(&rt.value_received())?;
        let st: State = rt.state()?;
        let o = st.order(rt.store(), order_id)?;
        Ok(OrderFunding {
            piece_cid: o.piece_cid,
            content: o.content.map(Cid::from),
            client: o.client,
            funded_until: o.funded_until(),
            active_replicas: o.active_replicas(),
            open: !o.closed && !o.ended(rt.curr_epoch()),
        })
    }

    /// Adds funds to an open order before its deadline: the value sent (contributed by the
    /// caller) and `from_available` of the client's funds (caller: the client or its app key).
    ///
    /// # Errors
    /// `USR_NOT_FOUND`, `USR_ILLEGAL_STATE` (closed / past the deadline / too many funders),
    /// `USR_FORBIDDEN` (not the client or an app key with room), `USR_INSUFFICIENT_FUNDS`.
    pub fn fund_order<RT: Runtime>(rt: &RT, p: FundOrderParams) -> Result<(), ActorError> {
        let caller = rt.caller();
        let value = rt.value_received();
        non_negative(&p.from_available, "from_available")?;
        if !(&value + &p.from_available).is_positive() {
            return Err(
                actor_error!(illegal_argument; "nothing to fund: send value or set from_available"),
            );
        }
        let now = rt.curr_epoch();
        let client = rt.transaction(|st: &mut State, rt| {
            let mut o = st.order(rt.store(), p.order_id)?;
            if o.closed {
                return Err(actor_error!(illegal_state; "order {} is closed", p.order_id));
            }
            if now > o.activation_deadline {
                return Err(actor_error!(illegal_state;
                    "order {} no longer takes funds: its deadline {} has passed",
                    p.order_id, o.activation_deadline));
            }
            let client = o.client;
            for (who, amount) in [(caller, &value), (client, &p.from_available)] {
                if !amount.is_positive() {
                    continue;
                }
                let full = o.funders.len() >= MAX_FUNDERS;
                // A new funder brings at least ⌈funded / MAX_FUNDERS⌉: dust cannot fill the list.
                let min = tokens(held(&o.funded).div_ceil(MAX_FUNDERS as u128));
                match o.funders.iter_mut().find(|f| f.id == who) {
                    Some(f) => f.amount += amount,
                    None if full => {
                        return Err(actor_error!(illegal_state;
                            "order {} has the maximum of {MAX_FUNDERS} funders", p.order_id));
                    }
                    None if *amount < min => {
                        return Err(actor_error!(illegal_argument;
                            "a new funder of order {} must bring at least {min} \
                             (1/{MAX_FUNDERS} of its funds), not {amount}", p.order_id));
                    }
                    None => o.funders.push(Funder {
                        id: who,
                        amount: amount.clone(),
                        refunded: zero(),
                    }),
                }
            }
            if p.from_available.is_positive() {
                let grant = check_spender(rt, st, client, caller, &p.from_available)?;
                if let Some(g) = grant {
                    st.set_app_key(rt.store(), client, caller, Some(g))?;
                }
            }
            let total = &value + &p.from_available;
            st.update_accounts(rt.store(), &mut |a| {
                let mut acc = a.get(client)?;
                if acc.available < p.from_available {
                    return Err(actor_error!(insufficient_funds;
                        "from_available {} exceeds the client's {} available",
                        p.from_available, acc.available));
                }
                acc.available -= &p.from_available;
                acc.locked += &total;
                a.set(client, acc)
            })?;
            o.funded += &total;
            o.balance += &total;
            st.put_order(rt.store(), p.order_id, o)?;
            Ok(client)
        })?;
        if value.is_positive() {
            events::order_funded(rt, p.order_id, caller, client, &value)?;
        }
        if p.from_available.is_positive() {
            events::order_funded(rt, p.order_id, client, client, &p.from_available)?;
        }
        Ok(())
    }

    /// Authorises `key` to create and fund orders with the caller's funds, up to `cap` in total,
    /// before `expiry`. Re-authorising changes cap and expiry and keeps what was spent.
    ///
    /// # Errors
    /// `USR_ILLEGAL_ARGUMENT` for an unknown key, the caller itself, a negative cap or an expiry
    /// not in the future.
    pub fn authorize_key<RT: Runtime>(rt: &RT, p: AuthorizeKeyParams) -> Result<(), ActorError> {
        let caller = rt.caller();
        require_no_value(&rt.value_received())?;
        let key = rt.resolve_actor(&p.key, "app key")?;
        if key == caller {
            return Err(actor_error!(illegal_argument; "an account cannot be its own app key"));
        }
        non_negative(&p.cap, "cap")?;
        if p.expiry <= rt.curr_epoch() {
            return Err(
                actor_error!(illegal_argument; "expiry {} must be in the future", p.expiry),
            );
        }
        rt.transaction(|st: &mut State, rt| {
            let spent = st
                .app_key(rt.store(), caller, key)?
                .map_or_else(zero, |g| g.spent);
            let grant = AppKey {
                cap: p.cap.clone(),
                spent,
                expiry: p.expiry,
            };
            st.set_app_key(rt.store(), caller, key, Some(grant))
        })?;
        events::app_key_authorized(rt, caller, key, &p.cap, p.expiry)
    }

    /// Revokes one of the caller's app keys.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when the key does not resolve or is not one of the caller's.
    pub fn revoke_key<RT: Runtime>(rt: &RT, key: Address) -> Result<(), ActorError> {
        let caller = rt.caller();
        require_no_value(&rt.value_received())?;
        let key = rt.resolve_actor(&key, "app key")?;
        rt.transaction(|st: &mut State, rt| {
            if st.app_key(rt.store(), caller, key)?.is_none() {
                return Err(actor_error!(not_found; "f0{key} is not an app key of f0{caller}"));
            }
            st.set_app_key(rt.store(), caller, key, None)
        })?;
        events::app_key_revoked(rt, caller, key)
    }

    /// An app key's grant, if any.
    ///
    /// # Errors
    /// `USR_NOT_FOUND` when the client or the key does not resolve; state load failures.
    pub fn get_app_key<RT: Runtime>(
        rt: &RT,
        p: GetAppKeyParams,
    ) -> Result<GetAppKeyReturn, ActorError> {
        require_no_value(&rt.value_received())?;
        let client = rt.resolve_actor(&p.client, "client")?;
        let key = rt.resolve_actor(&p.key, "app key")?;
        let st: State = rt.state()?;
        Ok(GetAppKeyReturn {
            grant: st.app_key(rt.store(), client, key)?,
        })
    }
}

/// Dispatches one invocation to the method it names.
///
/// # Errors
/// `USR_UNHANDLED_MESSAGE` for an unknown method; otherwise the method's own errors.
pub fn dispatch<RT: Runtime>(
    rt: &RT,
    method: MethodNum,
    p: Option<IpldBlock>,
) -> Result<Option<IpldBlock>, ActorError> {
    let Some(m) = Method::from_number(method) else {
        return Err(actor_error!(unhandled_message; "unknown method {method}"));
    };
    match m {
        Method::Constructor => {
            m.no_params(p)?;
            Actor::constructor(rt)?;
            Ok(None)
        }
        Method::Deposit => {
            m.no_params(p)?;
            Actor::deposit(rt)?;
            Ok(None)
        }
        Method::Withdraw => {
            Actor::withdraw(rt, m.params(p)?)?;
            Ok(None)
        }
        Method::GetAccount => {
            let GetAccountParams { account } = m.params(p)?;
            ret(&Actor::get_account(rt, account)?)
        }
        Method::CreateOrder => ret(&Actor::create_order(rt, m.params(p)?)?),
        Method::GetOrder => {
            let OrderIdParams { order_id } = m.params(p)?;
            ret(&Actor::get_order(rt, order_id)?)
        }
        Method::ListOrders => ret(&Actor::list_orders(rt, m.params(p)?)?),
        Method::GetOrderFunding => {
            let OrderIdParams { order_id } = m.params(p)?;
            ret(&Actor::get_order_funding(rt, order_id)?)
        }
        Method::FundOrder => {
            Actor::fund_order(rt, m.params(p)?)?;
            Ok(None)
        }
        Method::BindDeal => {
            Actor::bind_deal(rt, m.params(p)?)?;
            Ok(None)
        }
        Method::Settle => {
            let OrderIdParams { order_id } = m.params(p)?;
            ret(&Actor::settle(rt, order_id)?)
        }
        Method::CloseOrder => {
            let OrderIdParams { order_id } = m.params(p)?;
            Actor::close_order(rt, order_id)?;
            Ok(None)
        }
        Method::AuthorizeKey => {
            Actor::authorize_key(rt, m.params(p)?)?;
            Ok(None)
        }
        Method::RevokeKey => {
            let RevokeKeyParams { key } = m.params(p)?;
            Actor::revoke_key(rt, key)?;
            Ok(None)
        }
        Method::GetAppKey => ret(&Actor::get_app_key(rt, m.params(p)?)?),
        Method::AuthenticateMessage => ret(&Actor::authenticate_message(rt, p)?),
        Method::MarketNotifyDeal => {
            Actor::market_notify_deal(rt, p)?;
            Ok(None)
        }
        Method::InvokeEvm => abi::invoke(rt, p),
    }
}

#[cfg(feature = "fil-actor")]
filmark_actor_shared::wasm_entrypoint!(dispatch);
