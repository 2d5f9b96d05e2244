//! [`InProcess`]: the SDK's [`Transport`] straight into a [`Devnet`] in this process, with the
//! same answers as the JSON-RPC methods each call is named after.
//!
//! It lives here, not in the SDK, because `filmark-devnet` depends on `filmark-sdk` (keys):
//! the SDK cannot depend on the devnet, and its browser build must not pull the FVM. The
//! devnet's API blocks (locks, FVM execution), so every call runs on tokio's blocking pool
//! (`spawn_blocking`): no blocking call inside async code.

use cid::Cid;
use filmark_devnet::{Devnet, MARKET_ACTOR_ID, ProviderRecord, TipsetRef, VerifiedMessage};
use filmark_devnet_actors::market::State as MarketState;
use filmark_sdk::keys::{SignedEthTx, SignedMessage};
use filmark_sdk::transport::{
    ActorInfo, CallOutcome, DevnetControls, Lookup, MarketDeal, OfferState, ProviderOffer, Receipt,
    Transport,
};
use filmark_sdk::{Error, Result};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;

/// A [`Transport`] over an in-process [`Devnet`].
#[derive(Debug, Clone)]
pub struct InProcess {
    devnet: Devnet,
}

impl InProcess {
    /// A transport to `devnet`.
    pub const fn new(devnet: Devnet) -> Self {
        Self { devnet }
    }

    /// The devnet.
    pub const fn devnet(&self) -> &Devnet {
        &self.devnet
    }

    /// Runs `f` on the blocking pool; a devnet error becomes [`Error::Rpc`] (code `-32000`, as
    /// the server answers a refusal) named after the JSON-RPC method.
    async fn run<R: Send + 'static>(
        &self,
        method: &'static str,
        f: impl FnOnce(&Devnet) -> filmark_devnet::Result<R> + Send + 'static,
    ) -> Result<R> {
        let devnet = self.devnet.clone();
        tokio::task::spawn_blocking(move || f(&devnet))
            .await
            .map_err(|e| Error::Transport {
                method: method.into(),
                reason: e.to_string(),
            })?
            .map_err(|e| Error::Rpc {
                method: method.into(),
                code: -32000,
                message: e.to_string(),
            })
    }
}

/// The market actor's state at `at`.
pub(crate) fn market_state(devnet: &Devnet, at: TipsetRef) -> Result<MarketState, String> {
    let (_, actor) = devnet
        .actor(&Address::new_id(MARKET_ACTOR_ID), at)
        .map_err(|e| e.to_string())?
        .ok_or("market actor missing")?;
    devnet
        .store()
        .get_cbor::<MarketState>(&actor.state)
        .map_err(|e| format!("market state: {e}"))?
        .ok_or_else(|| "market state missing".to_owned())
}

impl Transport for InProcess {
    async fn chain_id(&self) -> Result<u64> {
        Ok(self.devnet.chain_id())
    }

    async fn network_name(&self) -> Result<String> {
        Ok(filmark_devnet::NETWORK_NAME.to_owned())
    }

    async fn head_height(&self) -> Result<ChainEpoch> {
        self.run("Filecoin.ChainHead", |d| Ok(d.head().height()))
            .await
    }

    async fn pool_nonce(&self, address: &Address) -> Result<u64> {
        let a = *address;
        self.run("Filecoin.MpoolGetNonce", move |d| d.next_nonce(&a))
            .await
    }

    async fn estimate_gas(&self, message: Message) -> Result<Message> {
        self.run("Filecoin.GasEstimateMessageGas", move |d| {
            let mut m = message;
            crate::lotus::fill_gas(d, &mut m)?;
            Ok(m)
        })
        .await
    }

    async fn push(&self, signed: &SignedMessage) -> Result<Cid> {
        let s = signed.clone();
        self.run("Filecoin.MpoolPush", move |d| d.push(s)).await
    }

    async fn push_eth(&self, raw: &[u8]) -> Result<()> {
        // Decoded once; the sender recovered once (what verifies it) and the pool takes that.
        let tx = SignedEthTx::decode(raw)?;
        self.run("eth_sendRawTransaction", move |d| {
            d.push_verified(VerifiedMessage::from_eth_tx(&tx, d.chain_id())?)
                .map(drop)
        })
        .await
    }

    async fn search(&self, message: &Cid) -> Result<Option<Lookup>> {
        let c = *message;
        self.run("Filecoin.StateSearchMsg", move |d| match d.lookup(&c) {
            Ok(l) => {
                let height = match l.execution {
                    Some(t) => d
                        .tipset(TipsetRef::Key(t))
                        .map_or(l.record.height, |t| t.height()),
                    None => l.record.height,
                };
                let r = l.record;
                Ok(Some(Lookup {
                    message: r.cid,
                    height,
                    receipt: Receipt {
                        exit_code: r.receipt.exit_code,
                        return_data: r.receipt.return_data,
                        gas_used: r.receipt.gas_used,
                        events_root: r.receipt.events_root,
                    },
                    failure: r.failure,
                }))
            }
            Err(filmark_devnet::Error::UnknownMessage(_)) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn call(&self, message: &Message) -> Result<CallOutcome> {
        let m = message.clone();
        self.run("Filecoin.StateCall", move |d| {
            let r = d.call(m)?;
            Ok(CallOutcome {
                receipt: Receipt {
                    exit_code: r.receipt.exit_code,
                    return_data: r.receipt.return_data,
                    gas_used: r.receipt.gas_used,
                    events_root: r.receipt.events_root,
                },
                failure: r.failure,
            })
        })
        .await
    }

    async fn balance(&self, address: &Address) -> Result<TokenAmount> {
        let a = *address;
        self.run("Filecoin.WalletBalance", move |d| {
            d.balance(&a, TipsetRef::Head)
        })
        .await
    }

    async fn lookup_id(&self, address: &Address) -> Result<Option<ActorID>> {
        let a = *address;
        self.run("Filecoin.StateLookupID", move |d| {
            d.lookup_id(&a, TipsetRef::Head)
        })
        .await
    }

    async fn market_deal(&self, id: DealID) -> Result<Option<MarketDeal>> {
        let devnet = self.devnet.clone();
        let found = tokio::task::spawn_blocking(move || {
            let state = market_state(&devnet, TipsetRef::Head)?;
            // Unknown and expired (forgotten) deals both answer an error: no deal.
            Ok::<_, String>(state.deal(&devnet.store(), id).ok())
        })
        .await
        .map_err(|e| Error::Transport {
            method: "Filecoin.StateMarketStorageDeal".into(),
            reason: e.to_string(),
        })?
        .map_err(|e| Error::Rpc {
            method: "Filecoin.StateMarketStorageDeal".into(),
            code: -32603,
            message: e,
        })?;
        Ok(found.map(|deal| {
            let p = deal.proposal;
            MarketDeal {
                piece_cid: p.piece_cid,
                piece_size: p.piece_size,
                client: p.client,
                provider: p.provider,
                start_epoch: p.start_epoch,
                end_epoch: p.end_epoch,
                price_per_epoch: p.storage_price_per_epoch,
                sector_start_epoch: deal.state.sector_start_epoch,
                last_updated_epoch: deal.state.last_updated_epoch,
                slash_epoch: deal.state.slash_epoch,
            }
        }))
    }

    async fn install_code(&self, wasm: &[u8]) -> Result<Cid> {
        let w = wasm.to_vec();
        self.run("filmark_installCode", move |d| d.install_code(&w))
            .await
    }

    async fn provider_offers(&self, escrow: &Address, order_id: u64) -> Result<Vec<ProviderOffer>> {
        let e = *escrow;
        let records = self
            .run("filmark_providerStatus", move |d| {
                Ok(d.provider_records(&e, order_id))
            })
            .await?;
        Ok(records.iter().map(offer).collect())
    }

    async fn events(&self, root: &Cid) -> Result<Vec<StampedEvent>> {
        let root = *root;
        self.run("Filecoin.ChainGetEvents", move |d| {
            let store = d.store();
            let fail = |e: fvm_ipld_amt::Error| filmark_devnet::Error::Fvm(e.into());
            let amt = fvm_ipld_amt::Amt::<StampedEvent, _>::load(&root, &store).map_err(fail)?;
            let mut events = Vec::new();
            amt.for_each(|_, e| {
                events.push(e.clone());
                Ok(())
            })
            .map_err(fail)?;
            Ok(events)
        })
        .await
    }

    async fn actor(&self, address: &Address) -> Result<Option<ActorInfo>> {
        let a = *address;
        self.run("Filecoin.StateGetActor", move |d| {
            Ok(d.actor(&a, TipsetRef::Head)?.map(|(_, actor)| ActorInfo {
                code: actor.code,
                head: actor.state,
                nonce: actor.sequence,
                balance: actor.balance,
                delegated_address: actor.delegated_address,
            }))
        })
        .await
    }

    async fn read_obj(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let c = *cid;
        self.run("Filecoin.ChainReadObj", move |d| {
            d.store().get(&c).map_err(filmark_devnet::Error::Fvm)
        })
        .await
    }
}

impl DevnetControls for InProcess {
    async fn mine(&self, tipsets: u64) -> Result<ChainEpoch> {
        self.run("anvil_mine", move |d| Ok(d.mine(tipsets)?.height()))
            .await
    }

    async fn advance_epochs(&self, epochs: u64) -> Result<ChainEpoch> {
        self.run("filmark_advanceEpochs", move |d| {
            Ok(d.advance_epochs(epochs)?.height())
        })
        .await
    }

    async fn activate_deals(&self, ids: &[DealID]) -> Result<ChainEpoch> {
        let ids = ids.to_vec();
        self.run("filmark_activateDeals", move |d| {
            Ok(d.activate_deals(&ids)?.height)
        })
        .await
    }

    async fn terminate_deals(&self, ids: &[DealID]) -> Result<ChainEpoch> {
        let ids = ids.to_vec();
        self.run("filmark_terminateDeals", move |d| {
            Ok(d.terminate_deals(&ids)?.height)
        })
        .await
    }

    async fn settle_deal_payments(&self, ids: &[DealID]) -> Result<RawBytes> {
        let ids = ids.to_vec();
        let ret = self
            .run("filmark_settleDealPayments", move |d| {
                d.settle_deal_payments(&ids)
            })
            .await?;
        RawBytes::serialize(ret).map_err(|e| Error::Cbor(e.to_string()))
    }

    async fn upload_car(
        &self,
        escrow: &Address,
        order_id: u64,
        car: Vec<u8>,
    ) -> Result<ProviderOffer> {
        let e = *escrow;
        let record = self
            .run("PUT /provider/car", move |d| {
                d.provider().offer(&e, order_id, car.as_slice())
            })
            .await?;
        Ok(offer(&record))
    }
}

/// A provider's record as the SDK reads it (what `filmark_providerStatus` answers).
fn offer(r: &ProviderRecord) -> ProviderOffer {
    let state = match &r.state {
        filmark_devnet::OfferState::Rejected(why) => OfferState::Rejected {
            kind: why.kind().to_owned(),
            message: why.to_string(),
        },
        filmark_devnet::OfferState::Published { deal_id } => {
            OfferState::Published { deal_id: *deal_id }
        }
        filmark_devnet::OfferState::Active { deal_id, since } => OfferState::Active {
            deal_id: *deal_id,
            since: *since,
        },
        filmark_devnet::OfferState::Ended { deal_id, at } => OfferState::Ended {
            deal_id: *deal_id,
            at: *at,
        },
        _ => OfferState::Received,
    };
    ProviderOffer {
        provider: r.provider,
        state,
        piece: r.piece.map(|(c, _)| c),
        note: r.note.clone(),
    }
}
