//! [`EscrowClient`]: one method per escrow method, on both paths (f1/CBOR, eth/ABI).

use alloy_sol_types::SolCall;
use cid::Cid;
use filmark_abi::IFilmarkEscrow as I;
use filmark_escrow::abi::{token_of, u256_of};
use filmark_escrow::method::Method;
use filmark_escrow::state::Order;
use filmark_escrow::types::{
    AuthorizeKeyParams, BindDealParams, CreateOrderParams, CreateOrderReturn, FundOrderParams,
    GetAccountParams, GetAccountReturn, GetAppKeyParams, GetAppKeyReturn, ListOrdersParams,
    ListOrdersReturn, OrderFunding, OrderIdParams, RevokeKeyParams, SettleReturn, WithdrawParams,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;

use super::abi_reads::{account_of, app_key_of, is_abi_address};
use super::registry::eth_of;
use super::{Client, Returned, Signer, abi_decode, cbor, decode};
use crate::Result;
use crate::keys::EthAddress;
use crate::transport::Transport;

/// An order to create: the piece, its price and term; the rest has defaults. Builds
/// [`CreateOrderParams`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBuilder(CreateOrderParams);

impl OrderBuilder {
    /// An order for `piece_cid` of padded size `piece_size`, paying `price_per_epoch` per
    /// replica for at least `min_duration` epochs: one replica, any provider, activation
    /// within 2,880 epochs (a day), no content CID, the sender as client.
    pub fn new(
        piece_cid: Cid,
        piece_size: u64,
        price_per_epoch: TokenAmount,
        min_duration: ChainEpoch,
    ) -> Self {
        Self(CreateOrderParams {
            piece_cid,
            piece_size,
            price_per_epoch,
            min_duration,
            replicas: 1,
            allowed_providers: Vec::new(),
            activation_deadline: 2_880,
            content: None,
            client: None,
            allow_same_provider: false,
        })
    }
    /// Replicas wanted.
    #[must_use]
    pub const fn replicas(mut self, n: u64) -> Self {
        self.0.replicas = n;
        self
    }
    /// Only these providers may take it.
    #[must_use]
    pub fn allowed_providers(mut self, providers: Vec<Address>) -> Self {
        self.0.allowed_providers = providers;
        self
    }
    /// Epochs (from creation) within which a deal must activate.
    #[must_use]
    pub const fn activation_deadline(mut self, epochs: ChainEpoch) -> Self {
        self.0.activation_deadline = epochs;
        self
    }
    /// The content CID the piece holds (what the registry links).
    #[must_use]
    pub const fn content(mut self, cid: Cid) -> Self {
        self.0.content = Some(cid);
        self
    }
    /// Creates it for another client.
    #[must_use]
    pub const fn client(mut self, client: Address) -> Self {
        self.0.client = Some(client);
        self
    }
    /// Lets one provider hold several replicas.
    #[must_use]
    pub const fn allow_same_provider(mut self, yes: bool) -> Self {
        self.0.allow_same_provider = yes;
        self
    }
    /// The params.
    pub fn into_params(self) -> CreateOrderParams {
        self.0
    }
}

fn opt_eth(a: Option<&Address>) -> Result<EthAddress> {
    a.map_or(Ok(EthAddress::ZERO), eth_of)
}

/// The escrow at one address, through a [`Client`]: the native actor at its f0/f2 address, or
/// a contract behind the same ABI (the Solidity twin) at its f410 address. Writes to the actor
/// take the [`Signer`]'s path (f1/CBOR or eth/ABI), writes to a contract always send ABI
/// calldata; reads of the actor run `StateCall` with CBOR params, reads of a contract
/// `eth_call` with the ABI's call types ([`is_abi_address`](super::is_abi_address)), returned
/// as the native types (but for [`EscrowClient::get_order`] and [`EscrowClient::list_orders`],
/// whose sponsors and deal slots the ABI does not carry: [`EscrowClient::order_view`] reads an
/// order on both).
#[derive(Debug, Clone, Copy)]
pub struct EscrowClient<'a, T> {
    client: &'a Client<T>,
    address: Address,
}

impl<'a, T: Transport> EscrowClient<'a, T> {
    /// The escrow at `address`.
    pub const fn new(client: &'a Client<T>, address: Address) -> Self {
        Self { client, address }
    }

    /// Its address.
    pub const fn address(&self) -> Address {
        self.address
    }

    async fn write(
        &self,
        signer: &Signer,
        value: TokenAmount,
        method: Method,
        native: RawBytes,
        abi: impl FnOnce() -> Result<Vec<u8>>,
        what: &str,
    ) -> Result<Returned> {
        self.client
            .invoke(
                signer,
                self.address,
                value,
                method.number(),
                native,
                abi,
                what,
            )
            .await
    }

    async fn read<
        P: fvm_ipld_encoding::ser::Serialize,
        R: fvm_ipld_encoding::de::DeserializeOwned,
    >(
        &self,
        method: Method,
        params: &P,
        what: &str,
    ) -> Result<R> {
        let ret = self
            .client
            .read(self.address, method.number(), cbor(params)?, what)
            .await?;
        decode(&ret, what)
    }

    /// `Deposit`: adds `amount` to the sender's available balance.
    ///
    /// # Errors
    /// [`Error::ActorFailed`](crate::Error::ActorFailed) with the escrow's exit code and message; the plumbing's errors
    /// ([`Client::send`]).
    pub async fn deposit(&self, signer: &Signer, amount: TokenAmount) -> Result<()> {
        self.write(
            signer,
            amount,
            Method::Deposit,
            RawBytes::default(),
            || Ok(I::depositCall {}.abi_encode()),
            "escrow.deposit",
        )
        .await
        .map(drop)
    }

    /// `Withdraw`: sends `amount` of the sender's available balance to `to` (the sender if
    /// `None`).
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn withdraw(
        &self,
        signer: &Signer,
        amount: TokenAmount,
        to: Option<Address>,
    ) -> Result<()> {
        let p = WithdrawParams {
            amount: amount.clone(),
            to,
        };
        self.write(
            signer,
            TokenAmount::default(),
            Method::Withdraw,
            cbor(&p)?,
            || {
                Ok(I::withdrawCall {
                    amount: u256_of(&amount),
                    to: opt_eth(to.as_ref())?,
                }
                .abi_encode())
            },
            "escrow.withdraw",
        )
        .await
        .map(drop)
    }

    /// `CreateOrder`: creates an order, locking `value` (sent) plus what the sender has
    /// available for its full price; the order id.
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn create_order(
        &self,
        signer: &Signer,
        order: OrderBuilder,
        value: TokenAmount,
    ) -> Result<u64> {
        let p = order.into_params();
        let what = "escrow.createOrder";
        let r = self
            .write(
                signer,
                value,
                Method::CreateOrder,
                cbor(&p)?,
                || {
                    let providers = p
                        .allowed_providers
                        .iter()
                        .map(eth_of)
                        .collect::<Result<_>>()?;
                    Ok(I::createOrderCall {
                        params: I::OrderParams {
                            pieceCid: p.piece_cid.to_bytes().into(),
                            pieceSize: p.piece_size,
                            pricePerEpoch: u256_of(&p.price_per_epoch),
                            minDuration: p.min_duration,
                            replicas: p.replicas,
                            allowedProviders: providers,
                            activationDeadline: p.activation_deadline,
                            content: p.content.map(|c| c.to_bytes()).unwrap_or_default().into(),
                            client: opt_eth(p.client.as_ref())?,
                            allowSameProvider: p.allow_same_provider,
                        },
                    }
                    .abi_encode())
                },
                what,
            )
            .await?;
        match r {
            Returned::Cbor(ret) => decode::<CreateOrderReturn>(&ret, what).map(|r| r.order_id),
            abi => abi_decode::<I::createOrderCall>(abi, what),
        }
    }

    /// `FundOrder`: sponsors order `order_id` with `value` (sent) plus `from_available` of the
    /// sender's available balance.
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn fund_order(
        &self,
        signer: &Signer,
        order_id: u64,
        from_available: TokenAmount,
        value: TokenAmount,
    ) -> Result<()> {
        let p = FundOrderParams {
            order_id,
            from_available: from_available.clone(),
        };
        self.write(
            signer,
            value,
            Method::FundOrder,
            cbor(&p)?,
            || {
                Ok(I::fundOrderCall {
                    orderId: order_id,
                    fromAvailable: u256_of(&from_available),
                }
                .abi_encode())
            },
            "escrow.fundOrder",
        )
        .await
        .map(drop)
    }

    /// `BindDeal`: binds published deal `deal_id` to order `order_id`.
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn bind_deal(&self, signer: &Signer, order_id: u64, deal_id: DealID) -> Result<()> {
        let p = BindDealParams { order_id, deal_id };
        self.write(
            signer,
            TokenAmount::default(),
            Method::BindDeal,
            cbor(&p)?,
            || {
                Ok(I::bindDealCall {
                    orderId: order_id,
                    dealId: deal_id,
                }
                .abi_encode())
            },
            "escrow.bindDeal",
        )
        .await
        .map(drop)
    }

    /// `Settle`: pays the order's providers for their active epochs and unlocks what is due;
    /// what was paid and unlocked.
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn settle(&self, signer: &Signer, order_id: u64) -> Result<SettleReturn> {
        let what = "escrow.settle";
        let r = self
            .write(
                signer,
                TokenAmount::default(),
                Method::Settle,
                cbor(&OrderIdParams { order_id })?,
                || Ok(I::settleCall { orderId: order_id }.abi_encode()),
                what,
            )
            .await?;
        match r {
            Returned::Cbor(ret) => decode(&ret, what),
            abi => abi_decode::<I::settleCall>(abi, what).map(|r| SettleReturn {
                paid: token_of(r.paid),
                unlocked: token_of(r.unlocked),
            }),
        }
    }

    /// `CloseOrder`: closes order `order_id` (no new deals; funds unlock as deals end).
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn close_order(&self, signer: &Signer, order_id: u64) -> Result<()> {
        self.write(
            signer,
            TokenAmount::default(),
            Method::CloseOrder,
            cbor(&OrderIdParams { order_id })?,
            || Ok(I::closeOrderCall { orderId: order_id }.abi_encode()),
            "escrow.closeOrder",
        )
        .await
        .map(drop)
    }

    /// `AuthorizeKey`: lets app key `key` spend up to `cap` for the sender until `expiry`.
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn authorize_key(
        &self,
        signer: &Signer,
        key: Address,
        cap: TokenAmount,
        expiry: ChainEpoch,
    ) -> Result<()> {
        let p = AuthorizeKeyParams {
            key,
            cap: cap.clone(),
            expiry,
        };
        self.write(
            signer,
            TokenAmount::default(),
            Method::AuthorizeKey,
            cbor(&p)?,
            || {
                Ok(I::authorizeKeyCall {
                    key: eth_of(&key)?,
                    cap: u256_of(&cap),
                    expiry,
                }
                .abi_encode())
            },
            "escrow.authorizeKey",
        )
        .await
        .map(drop)
    }

    /// `RevokeKey`: revokes app key `key`.
    ///
    /// # Errors
    /// As [`EscrowClient::deposit`].
    pub async fn revoke_key(&self, signer: &Signer, key: Address) -> Result<()> {
        self.write(
            signer,
            TokenAmount::default(),
            Method::RevokeKey,
            cbor(&RevokeKeyParams { key })?,
            || Ok(I::revokeKeyCall { key: eth_of(&key)? }.abi_encode()),
            "escrow.revokeKey",
        )
        .await
        .map(drop)
    }

    /// `GetAccount`: `account`'s available and locked balances.
    ///
    /// # Errors
    /// [`Error::ActorFailed`](crate::Error::ActorFailed) when the escrow refuses; the transport's.
    pub async fn get_account(&self, account: Address) -> Result<GetAccountReturn> {
        let what = "escrow.getAccount";
        if self.abi_only() {
            let call = I::getAccountCall {
                account: self.client.eth_form(&account).await?,
            };
            return Ok(account_of(self.read_abi(&call, what).await?));
        }
        self.read(Method::GetAccount, &GetAccountParams { account }, what)
            .await
    }

    /// Whether reads and writes go through the ABI only (a contract at an f410 address).
    fn abi_only(&self) -> bool {
        is_abi_address(&self.address)
    }

    /// An ABI read: `eth_call` of `call`.
    async fn read_abi<C: SolCall>(&self, call: &C, what: &str) -> Result<C::Return> {
        self.client.eth_call(self.address, call, what).await
    }

    /// The ABI's view of an order (`getOrder` through `eth_call`), on the native actor and on a
    /// contract behind the same ABI alike: its funds, counts and state, without the sponsors
    /// and deal slots of [`EscrowClient::get_order`].
    ///
    /// # Errors
    /// As [`EscrowClient::get_order`].
    pub async fn order_view(&self, order_id: u64) -> Result<I::OrderView> {
        let call = I::getOrderCall { orderId: order_id };
        self.read_abi(&call, "escrow.getOrder").await
    }

    fn abi_has_no(what: &str) -> crate::Error {
        crate::Error::NotEthCompatible(format!(
            "{what}: the ABI's order carries no sponsors and deal slots; read \
             EscrowClient::order_view of a contract"
        ))
    }

    /// `GetOrder`: the order, with its sponsors and deal slots.
    ///
    /// # Errors
    /// [`Error::ActorFailed`](crate::Error::ActorFailed) with `USR_NOT_FOUND` for an unknown order; [`Error::NotEthCompatible`](crate::Error::NotEthCompatible) for a contract (its ABI has no sponsors and deal slots:
    /// [`EscrowClient::order_view`]); the transport's.
    pub async fn get_order(&self, order_id: u64) -> Result<Order> {
        if self.abi_only() {
            return Err(Self::abi_has_no("escrow.getOrder"));
        }
        self.read(
            Method::GetOrder,
            &OrderIdParams { order_id },
            "escrow.getOrder",
        )
        .await
    }

    /// `ListOrders`: one page of orders (of `client`, or all) from `cursor`.
    ///
    /// # Errors
    /// As [`EscrowClient::get_order`].
    pub async fn list_orders(
        &self,
        client: Option<Address>,
        cursor: u64,
        limit: u64,
    ) -> Result<ListOrdersReturn> {
        if self.abi_only() {
            return Err(Self::abi_has_no("escrow.listOrders"));
        }
        let p = ListOrdersParams {
            client,
            cursor,
            limit,
        };
        self.read(Method::ListOrders, &p, "escrow.listOrders").await
    }

    /// `GetOrderFunding`: what the registry asks about an order.
    ///
    /// # Errors
    /// As [`EscrowClient::get_order`].
    pub async fn get_order_funding(&self, order_id: u64) -> Result<OrderFunding> {
        let what = "escrow.getOrderFunding";
        if self.abi_only() {
            let call = I::getOrderFundingCall { orderId: order_id };
            let f = self.read_abi(&call, what).await?;
            return self.client.escrow_funding_of(f, what).await;
        }
        self.read(Method::GetOrderFunding, &OrderIdParams { order_id }, what)
            .await
    }

    /// `GetAppKey`: `client`'s grant to app key `key`, if any.
    ///
    /// # Errors
    /// As [`EscrowClient::get_account`].
    pub async fn get_app_key(&self, client: Address, key: Address) -> Result<GetAppKeyReturn> {
        let what = "escrow.getAppKey";
        if self.abi_only() {
            let call = I::getAppKeyCall {
                client: self.client.eth_form(&client).await?,
                key: self.client.eth_form(&key).await?,
            };
            return Ok(app_key_of(self.read_abi(&call, what).await?));
        }
        self.read(Method::GetAppKey, &GetAppKeyParams { client, key }, what)
            .await
    }
}
