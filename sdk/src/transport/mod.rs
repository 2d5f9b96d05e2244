//! How the SDK reaches a node: the [`Transport`] trait and what it answers.
//!
//! Two implementations:
//! - [`HttpTransport`] (feature `http`): Lotus `Filecoin.*` and Ethereum `eth_*` JSON-RPC over
//!   HTTP, with reqwest (hyper on native, the browser's `fetch` on wasm32).
//! - `filmark_devnet_rpc::InProcess`: the same calls straight into a `filmark_devnet::Devnet`
//!   in this process. It lives in `filmark-devnet-rpc` because the devnet depends on this crate
//!   (keys); the browser build never pulls the FVM.
//!
//! The trait is async (`async fn` in a trait: use it through generics, `Client<T: Transport>`).
//! Its futures are not required to be `Send`, so that the wasm32 build (whose `fetch` futures
//! are not) implements it too.

mod controls;
#[cfg(feature = "http")]
mod http;
mod lotus_json;

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use fvm_shared::piece::PaddedPieceSize;

pub use self::controls::DevnetControls;
#[cfg(feature = "http")]
pub use self::http::HttpTransport;
pub use self::lotus_json::{b64_decode, b64_encode, parse_amount};
use crate::keys::SignedMessage;
use crate::{Error, Result};

/// A message receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Its exit code.
    pub exit_code: ExitCode,
    /// Its return value (CBOR).
    pub return_data: RawBytes,
    /// Gas used.
    pub gas_used: u64,
    /// The root of the events it emitted (read them with [`Transport::events`]), `None` when
    /// it emitted none.
    pub events_root: Option<Cid>,
}

/// An actor as `StateGetActor` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorInfo {
    /// Its code CID.
    pub code: Cid,
    /// Its state root.
    pub head: Cid,
    /// Its nonce.
    pub nonce: u64,
    /// Its balance.
    pub balance: TokenAmount,
    /// Its f4 address, if it has one.
    pub delegated_address: Option<Address>,
}

/// Where an executed message landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The message's CID (signed CID for secp256k1 and delegated senders).
    pub message: Cid,
    /// Height of the tipset that executed it.
    pub height: ChainEpoch,
    /// Its receipt.
    pub receipt: Receipt,
    /// The actor's error message when it failed, if the node keeps it (the in-process devnet
    /// does; over JSON-RPC the client re-runs a failed message with `StateCall` to get it).
    pub failure: Option<String>,
}

/// What a read-only call (`StateCall`) gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutcome {
    /// Its receipt (nothing is committed).
    pub receipt: Receipt,
    /// The actor's error message (or the FVM's backtrace) when it failed.
    pub failure: Option<String>,
}

/// A storage deal as the market actor (f05) holds it (`StateMarketStorageDeal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketDeal {
    /// The deal's piece commitment.
    pub piece_cid: Cid,
    /// The padded piece size.
    pub piece_size: PaddedPieceSize,
    /// The client (for Filmark orders, the escrow actor).
    pub client: Address,
    /// The storage provider.
    pub provider: Address,
    /// First epoch of the deal's term.
    pub start_epoch: ChainEpoch,
    /// Last epoch of the deal's term.
    pub end_epoch: ChainEpoch,
    /// Price per epoch.
    pub price_per_epoch: TokenAmount,
    /// Epoch its sector was activated, `-1` while not activated.
    pub sector_start_epoch: ChainEpoch,
    /// Epoch of its last payment, `-1` before any.
    pub last_updated_epoch: ChainEpoch,
    /// Epoch it was slashed, `-1` if never.
    pub slash_epoch: ChainEpoch,
}

/// Where a storage provider is with an order: the devnet's simulated provider's record
/// (`filmark_providerStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OfferState {
    /// The CAR is being received and checked.
    Received,
    /// No deal was made, and why.
    Rejected {
        /// A short stable name of the reason (`pieceMismatch`, `notFunded`, ...).
        kind: String,
        /// The provider's explanation (for a piece mismatch, both piece CIDs).
        message: String,
    },
    /// The deal is published and bound to the order, not yet activated.
    Published {
        /// The market deal id.
        deal_id: DealID,
    },
    /// The deal is published, bound and activated.
    Active {
        /// The market deal id.
        deal_id: DealID,
        /// The epoch it was activated at.
        since: ChainEpoch,
    },
    /// The deal is over (past its end, slashed, or gone from the market): the provider stores
    /// nothing for the order any more.
    Ended {
        /// The market deal id.
        deal_id: DealID,
        /// Its end or slash epoch, while the market still held the deal.
        at: Option<ChainEpoch>,
    },
}

/// A storage provider's record of an order it was offered a CAR for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderOffer {
    /// The provider.
    pub provider: Address,
    /// Where it is: a deal made, or why none was.
    pub state: OfferState,
    /// The piece CID of the CAR it received, once read.
    pub piece: Option<Cid>,
    /// What went wrong after the deal was published, if anything.
    pub note: Option<String>,
}

/// A node the SDK talks to. Every method maps onto one Lotus (or Ethereum) JSON-RPC method,
/// named in its doc; the in-process devnet answers the same.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// The chain id (`eth_chainId`).
    ///
    /// # Errors
    /// [`Error::Transport`] or [`Error::Rpc`].
    async fn chain_id(&self) -> Result<u64>;

    /// The node's network name (`StateNetworkName`): `mainnet`, `calibrationnet`, or
    /// [`DEVNET_NETWORK_NAME`](crate::network::DEVNET_NETWORK_NAME) for a Filmark devnet.
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn network_name(&self) -> Result<String>;

    /// The head's height (`ChainHead`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn head_height(&self) -> Result<ChainEpoch>;

    /// The next nonce of `address`, counting its messages in the pool (`MpoolGetNonce`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn pool_nonce(&self, address: &Address) -> Result<u64>;

    /// `message` with `GasLimit`, `GasFeeCap` and `GasPremium` filled by the node's estimate
    /// where zero (`GasEstimateMessageGas`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; an estimate of a message that fails is a refusal.
    async fn estimate_gas(&self, message: Message) -> Result<Message>;

    /// Pushes a signed Filecoin message to the pool (`MpoolPush`); its CID.
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; the pool's refusals are [`Error::Rpc`].
    async fn push(&self, signed: &SignedMessage) -> Result<Cid>;

    /// Pushes a raw signed Ethereum transaction (`eth_sendRawTransaction`).
    ///
    /// # Errors
    /// As [`Transport::push`].
    async fn push_eth(&self, raw: &[u8]) -> Result<()>;

    /// Where a message was executed, `None` while it is not (`StateSearchMsg`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn search(&self, message: &Cid) -> Result<Option<Lookup>>;

    /// Runs `message` on the head state without committing it (`StateCall`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; an actor failure is an exit code in the outcome.
    async fn call(&self, message: &Message) -> Result<CallOutcome>;

    /// Balance of `address`, zero when it has no actor (`WalletBalance`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn balance(&self, address: &Address) -> Result<TokenAmount>;

    /// The actor id `address` resolves to, `None` when no actor has it (`StateLookupID`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn lookup_id(&self, address: &Address) -> Result<Option<ActorID>>;

    /// A storage deal, `None` when the market has none of this id (`StateMarketStorageDeal`).
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn market_deal(&self, id: DealID) -> Result<Option<MarketDeal>>;

    /// Stores and compiles an actor's wasm, returning its code CID (the devnet's
    /// `filmark_installCode`; public networks take no user wasm actors).
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; a module the FVM does not compile.
    async fn install_code(&self, wasm: &[u8]) -> Result<Cid>;

    /// What storage providers made of order `order_id` of `escrow`: each one's deal, or why it
    /// made none (the devnet's `filmark_providerStatus`). Empty from nodes that do not have the
    /// method (public Lotus nodes), and for orders no provider was offered.
    ///
    /// # Errors
    /// As [`Transport::chain_id`].
    async fn provider_offers(&self, escrow: &Address, order_id: u64) -> Result<Vec<ProviderOffer>>;

    /// The events under a receipt's [`Receipt::events_root`] (`ChainGetEvents`), in emission
    /// order, each with its emitter's actor id.
    ///
    /// # Errors
    /// As [`Transport::chain_id`]; the default refuses ([`Error::Rpc`], method not found).
    async fn events(&self, root: &Cid) -> Result<Vec<StampedEvent>> {
        let _ = root;
        Err(unsupported("Filecoin.ChainGetEvents"))
    }

    /// An actor, `None` when no actor has `address` (`StateGetActor`).
    ///
    /// # Errors
    /// As [`Transport::events`].
    async fn actor(&self, address: &Address) -> Result<Option<ActorInfo>> {
        let _ = address;
        Err(unsupported("Filecoin.StateGetActor"))
    }

    /// A block of the node's store (state objects, HAMT nodes ...), `None` when it has none
    /// (`ChainHasObj`, `ChainReadObj`).
    ///
    /// # Errors
    /// As [`Transport::events`].
    async fn read_obj(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let _ = cid;
        Err(unsupported("Filecoin.ChainReadObj"))
    }

    /// Runs Solidity-ABI `calldata` against `to` on the head state, from no one, without
    /// committing (`eth_call`); the ABI return bytes. The default is the same call as a
    /// `StateCall` of `InvokeEVM` from the system actor (what Lotus' `eth_call` runs).
    ///
    /// # Errors
    /// [`Error::ActorFailed`] when the call reverts (exit code, message, revert reason); as
    /// [`Transport::chain_id`].
    async fn eth_call(&self, to: &Address, calldata: &[u8]) -> Result<Vec<u8>> {
        let message = Message {
            version: 0,
            from: Address::new_id(0),
            to: *to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: crate::keys::ext::evm::INVOKE_CONTRACT,
            params: crate::keys::calldata_params(calldata),
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let out = self.call(&message).await?;
        let data = out.receipt.return_data.bytes();
        if !out.receipt.exit_code.is_success() {
            // A twin's custom error is the native exit code it is named after.
            if let Some((exit_code, reason)) = crate::client::twin_revert(data) {
                return Err(Error::ActorFailed {
                    what: "eth_call".into(),
                    exit_code,
                    message: reason.clone(),
                    revert: Some(reason),
                });
            }
            let revert = filmark_actor_shared::abi::decode_revert(data);
            return Err(Error::ActorFailed {
                what: "eth_call".into(),
                exit_code: out.receipt.exit_code,
                message: out
                    .failure
                    .or_else(|| revert.clone())
                    .unwrap_or_else(|| "(the node gave no message)".into()),
                revert,
            });
        }
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let fvm_ipld_encoding::BytesDe(bytes) =
            fvm_ipld_encoding::from_slice(data).map_err(|e| Error::Decode {
                what: "InvokeEVM return".into(),
                reason: e.to_string(),
            })?;
        Ok(bytes)
    }
}

/// The error of a method a transport does not have (JSON-RPC's "method not found").
pub(crate) fn unsupported(method: &str) -> Error {
    Error::Rpc {
        method: method.to_owned(),
        code: -32601,
        message: "not supported by this transport".into(),
    }
}

/// Waits `duration` (tokio's timer on native targets, `setTimeout` in the browser).
pub(crate) async fn sleep(duration: std::time::Duration) {
    #[cfg(not(target_arch = "wasm32"))]
    tokio::time::sleep(duration).await;
    #[cfg(target_arch = "wasm32")]
    futures_timer::Delay::new(duration).await;
}
