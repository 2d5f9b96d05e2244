//! [`HttpTransport`]: JSON-RPC 2.0 over HTTP `POST`, as Lotus and the Filmark devnet serve it.
//!
//! reqwest: hyper on native targets (run it on tokio), the browser's `fetch` on wasm32, with
//! one API, so this file compiles for both. It is the most used Rust HTTP client and the one
//! alloy's providers use; ureq (blocking) and hyper alone (no wasm) do not fit.

use std::sync::atomic::{AtomicU64, Ordering};

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Network};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::lotus_json::{
    ActorJson, EventJson, InvocResultJson, LookupJson, MarketDealJson, ProviderRecordJson,
    b64_decode, b64_encode, parse_amount,
};
use super::{ActorInfo, CallOutcome, DevnetControls, Lookup, MarketDeal, ProviderOffer, Transport};
use crate::keys::json::{CidJson, MessageJson, SignedMessageJson};
use crate::keys::{SignedMessage, format_address};
use crate::{Error, Result};

/// JSON-RPC error code Lotus and the devnet answer when a message's execution fails.
const EXECUTION_ERROR: i64 = 3;
/// JSON-RPC 2.0's "method not found" (what a public Lotus node answers a devnet method).
const METHOD_NOT_FOUND: i64 = -32601;

/// A node reached over HTTP JSON-RPC (`http://127.0.0.1:1234/rpc/v1` for a local devnet).
#[derive(Debug)]
pub struct HttpTransport {
    url: String,
    client: reqwest::Client,
    next_id: AtomicU64,
    network: Network,
}

/// An HTTP client whose requests time out after `timeout` (native targets).
fn client(timeout: std::time::Duration) -> Result<reqwest::Client> {
    let builder = reqwest::Client::builder();
    #[cfg(not(target_arch = "wasm32"))]
    let builder = builder.timeout(timeout);
    #[cfg(target_arch = "wasm32")]
    let _ = timeout;
    builder.build().map_err(|e| Error::Transport {
        method: "connect".into(),
        reason: e.to_string(),
    })
}

impl HttpTransport {
    /// A transport to `url`. Addresses are written with the testnet prefix `t` (devnet,
    /// calibration); use [`HttpTransport::with_address_network`] for mainnet's `f`.
    /// Requests time out after 30 s on native targets.
    ///
    /// # Errors
    /// [`Error::Transport`] if the HTTP client cannot be built.
    pub fn new(url: impl Into<String>) -> Result<Self> {
        Ok(Self {
            url: url.into(),
            client: client(std::time::Duration::from_secs(30))?,
            next_id: AtomicU64::new(1),
            network: Network::Testnet,
        })
    }

    /// Requests time out after `timeout` instead of 30 s (native targets; the browser's own
    /// limits apply on wasm32).
    ///
    /// # Errors
    /// [`Error::Transport`] if the HTTP client cannot be built.
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Result<Self> {
        self.client = client(timeout)?;
        Ok(self)
    }

    /// Writes addresses with `network`'s prefix.
    #[must_use]
    pub const fn with_address_network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// The URL requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with positional `params`; its `result`.
    ///
    /// # Errors
    /// [`Error::Transport`] when the node cannot be reached or its answer is not JSON-RPC;
    /// [`Error::Rpc`] for a JSON-RPC error.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value> {
        self.request_with_data(method, params)
            .await
            .map_err(|(e, _)| e)
    }

    /// [`HttpTransport::request`], keeping a JSON-RPC error's `data` (an `eth_call` revert's
    /// return bytes).
    async fn request_with_data(
        &self,
        method: &str,
        params: Value,
    ) -> std::result::Result<Value, (Error, Option<Value>)> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let transport = |e: reqwest::Error| Error::Transport {
            method: method.to_owned(),
            reason: e.to_string(),
        };
        let reply: Value = self
            .client
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| (transport(e), None))?
            .json()
            .await
            .map_err(|e| (transport(e), None))?;
        if let Some(e) = reply.get("error") {
            return Err((
                Error::Rpc {
                    method: method.to_owned(),
                    code: e["code"].as_i64().unwrap_or_default(),
                    message: e["message"].as_str().unwrap_or_default().to_owned(),
                },
                e.get("data").cloned(),
            ));
        }
        Ok(reply.get("result").cloned().unwrap_or(Value::Null))
    }

    async fn typed<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T> {
        let v = self.request(method, params).await?;
        serde_json::from_value(v).map_err(|e| Error::Decode {
            what: format!("{method} answer"),
            reason: e.to_string(),
        })
    }

    fn addr(&self, a: &Address) -> Value {
        Value::String(format_address(a, self.network))
    }

    fn message(&self, m: &Message) -> Value {
        serde_json::to_value(MessageJson::new(m, self.network)).unwrap_or(Value::Null)
    }
}

fn hex_quantity(v: &Value, what: &str) -> Result<u64> {
    v.as_str()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .ok_or_else(|| Error::Decode {
            what: what.to_owned(),
            reason: format!("not a hex quantity: {v}"),
        })
}

impl Transport for HttpTransport {
    async fn chain_id(&self) -> Result<u64> {
        hex_quantity(
            &self.request("eth_chainId", json!([])).await?,
            "eth_chainId",
        )
    }

    async fn network_name(&self) -> Result<String> {
        let name = self.request("Filecoin.StateNetworkName", json!([])).await?;
        name.as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Decode {
                what: "StateNetworkName".into(),
                reason: "not a string".into(),
            })
    }

    async fn head_height(&self) -> Result<ChainEpoch> {
        let head = self.request("Filecoin.ChainHead", json!([])).await?;
        head["Height"].as_i64().ok_or_else(|| Error::Decode {
            what: "ChainHead".into(),
            reason: "no Height".into(),
        })
    }

    async fn pool_nonce(&self, address: &Address) -> Result<u64> {
        self.typed("Filecoin.MpoolGetNonce", json!([self.addr(address)]))
            .await
    }

    async fn estimate_gas(&self, message: Message) -> Result<Message> {
        let m: MessageJson = self
            .typed(
                "Filecoin.GasEstimateMessageGas",
                json!([self.message(&message), null, null]),
            )
            .await?;
        m.to_message()
    }

    async fn push(&self, signed: &SignedMessage) -> Result<Cid> {
        let s = serde_json::to_value(SignedMessageJson::new(signed, self.network))
            .map_err(|e| Error::InvalidJson(e.to_string()))?;
        let c: CidJson = self.typed("Filecoin.MpoolPush", json!([s])).await?;
        c.to_cid()
    }

    async fn push_eth(&self, raw: &[u8]) -> Result<()> {
        let raw = format!("0x{}", hex_lower(raw));
        self.request("eth_sendRawTransaction", json!([raw]))
            .await
            .map(drop)
    }

    async fn search(&self, message: &Cid) -> Result<Option<Lookup>> {
        let l: Option<LookupJson> = self
            .typed(
                "Filecoin.StateSearchMsg",
                json!([null, CidJson::from(message), -1, true]),
            )
            .await?;
        l.map(|l| l.to_lookup()).transpose()
    }

    async fn call(&self, message: &Message) -> Result<CallOutcome> {
        match self
            .typed::<InvocResultJson>("Filecoin.StateCall", json!([self.message(message), null]))
            .await
        {
            Ok(r) => r.to_outcome(),
            Err(Error::Rpc { code, message, .. }) if code == EXECUTION_ERROR => Err(Error::Rpc {
                method: "Filecoin.StateCall".into(),
                code,
                message,
            }),
            Err(e) => Err(e),
        }
    }

    async fn balance(&self, address: &Address) -> Result<TokenAmount> {
        let s: String = self
            .typed("Filecoin.WalletBalance", json!([self.addr(address)]))
            .await?;
        parse_amount(&s)
    }

    async fn lookup_id(&self, address: &Address) -> Result<Option<ActorID>> {
        match self
            .request("Filecoin.StateLookupID", json!([self.addr(address), null]))
            .await
        {
            Ok(Value::String(s)) => crate::keys::parse_address(&s)?
                .id()
                .map(Some)
                .map_err(|e| Error::InvalidAddress(e.to_string())),
            Ok(v) => Err(Error::Decode {
                what: "StateLookupID".into(),
                reason: format!("not an address: {v}"),
            }),
            // Lotus and the devnet answer an error for an address without an actor.
            Err(Error::Rpc { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn market_deal(&self, id: DealID) -> Result<Option<MarketDeal>> {
        match self
            .typed::<MarketDealJson>("Filecoin.StateMarketStorageDeal", json!([id, null]))
            .await
        {
            Ok(d) => d.to_deal().map(Some),
            Err(Error::Rpc { message, .. }) if message.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn install_code(&self, wasm: &[u8]) -> Result<Cid> {
        let c: CidJson = self
            .typed("filmark_installCode", json!([b64_encode(wasm)]))
            .await?;
        c.to_cid()
    }

    async fn provider_offers(&self, escrow: &Address, order_id: u64) -> Result<Vec<ProviderOffer>> {
        match self
            .typed::<Vec<ProviderRecordJson>>(
                "filmark_providerStatus",
                json!([self.addr(escrow), order_id]),
            )
            .await
        {
            Ok(records) => records
                .into_iter()
                .map(ProviderRecordJson::into_offer)
                .collect(),
            Err(Error::Rpc { code, .. }) if code == METHOD_NOT_FOUND => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn events(&self, root: &Cid) -> Result<Vec<StampedEvent>> {
        let events: Vec<EventJson> = self
            .typed("Filecoin.ChainGetEvents", json!([CidJson::from(root)]))
            .await?;
        events.iter().map(EventJson::to_event).collect()
    }

    async fn actor(&self, address: &Address) -> Result<Option<ActorInfo>> {
        match self
            .typed::<ActorJson>("Filecoin.StateGetActor", json!([self.addr(address), null]))
            .await
        {
            Ok(a) => a.to_actor().map(Some),
            Err(Error::Rpc { message, .. }) if message.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn read_obj(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let c = CidJson::from(cid);
        if !self
            .typed::<bool>("Filecoin.ChainHasObj", json!([c]))
            .await?
        {
            return Ok(None);
        }
        let data: String = self.typed("Filecoin.ChainReadObj", json!([c])).await?;
        b64_decode(Some(&data)).map(Some)
    }

    async fn eth_call(&self, to: &Address, calldata: &[u8]) -> Result<Vec<u8>> {
        let to = crate::client::eth_of(to)?;
        let call = json!({"to": to.to_string(), "data": format!("0x{}", hex_lower(calldata))});
        match self
            .request_with_data("eth_call", json!([call, "latest"]))
            .await
        {
            Ok(v) => hex_bytes(&v, "eth_call"),
            Err((Error::Rpc { code, message, .. }, data)) if code == EXECUTION_ERROR => {
                // A twin's custom error is the native exit code it is named after.
                let twin = data
                    .and_then(|d| hex_bytes(&d, "eth_call").ok())
                    .and_then(|bytes| crate::client::twin_error(&bytes));
                Err(match twin {
                    Some((exit_code, reason)) => Error::ActorFailed {
                        what: "eth_call".into(),
                        exit_code,
                        message: reason.clone(),
                        revert: Some(reason),
                    },
                    None => reverted(&message),
                })
            }
            Err((e, _)) => Err(e),
        }
    }
}

/// `eth_call`'s revert (`execution reverted: exit code N reason`) as the actor's failure.
fn reverted(message: &str) -> Error {
    let rest = message
        .strip_prefix("execution reverted: exit code ")
        .unwrap_or(message);
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    Error::ActorFailed {
        what: "eth_call".into(),
        exit_code: fvm_shared::error::ExitCode::new(code.parse().unwrap_or(0)),
        message: if reason.is_empty() {
            message.to_owned()
        } else {
            reason.to_owned()
        },
        revert: None,
    }
}

fn hex_bytes(v: &Value, what: &str) -> Result<Vec<u8>> {
    let s = v.as_str().unwrap_or_default().trim_start_matches("0x");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).unwrap_or("x"), 16))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::Decode {
            what: what.to_owned(),
            reason: format!("not hex bytes: {v}: {e}"),
        })
}

impl HttpTransport {
    /// The devnet's simulated provider's upload URL of `escrow`'s order `order_id`, next to
    /// this transport's RPC URL (`http://host:port/provider/car/{escrow}/{orderId}`).
    fn upload_url(&self, escrow: &Address, order_id: u64) -> Result<reqwest::Url> {
        let bad = |e: String| Error::Transport {
            method: "provider upload".into(),
            reason: e,
        };
        let base = reqwest::Url::parse(&self.url).map_err(|e| bad(e.to_string()))?;
        base.join(&format!(
            "/provider/car/{}/{order_id}",
            format_address(escrow, self.network)
        ))
        .map_err(|e| bad(e.to_string()))
    }

    async fn control(&self, method: &str, params: Value) -> Result<ChainEpoch> {
        let v = self.request(method, params).await?;
        let height = v.get("Height").unwrap_or(&v);
        height.as_i64().ok_or_else(|| Error::Decode {
            what: method.to_owned(),
            reason: format!("no height in {v}"),
        })
    }
}

impl DevnetControls for HttpTransport {
    async fn mine(&self, tipsets: u64) -> Result<ChainEpoch> {
        self.request("anvil_mine", json!([tipsets])).await?;
        self.head_height().await
    }

    async fn advance_epochs(&self, epochs: u64) -> Result<ChainEpoch> {
        self.control("filmark_advanceEpochs", json!([epochs])).await
    }

    async fn activate_deals(&self, ids: &[DealID]) -> Result<ChainEpoch> {
        self.control("filmark_activateDeals", json!([ids])).await
    }

    async fn terminate_deals(&self, ids: &[DealID]) -> Result<ChainEpoch> {
        self.control("filmark_terminateDeals", json!([ids])).await
    }

    async fn settle_deal_payments(&self, ids: &[DealID]) -> Result<RawBytes> {
        let v = self
            .request("filmark_settleDealPayments", json!([ids]))
            .await?;
        Ok(RawBytes::new(b64_decode(v["Return"].as_str())?))
    }

    async fn upload_car(
        &self,
        escrow: &Address,
        order_id: u64,
        car: Vec<u8>,
    ) -> Result<ProviderOffer> {
        let method = "PUT /provider/car";
        let transport = |e: reqwest::Error| Error::Transport {
            method: method.into(),
            reason: e.to_string(),
        };
        let response = self
            .client
            .put(self.upload_url(escrow, order_id)?)
            .body(car)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body: Value = response.json().await.map_err(transport)?;
        // 200 (a deal) and 422 (rejected) carry the provider's record; others an error.
        if let Some(e) = body.get("error").and_then(Value::as_str) {
            return Err(Error::Rpc {
                method: method.into(),
                code: i64::from(status.as_u16()),
                message: e.to_owned(),
            });
        }
        serde_json::from_value::<ProviderRecordJson>(body)
            .map_err(|e| Error::Decode {
                what: "provider record".into(),
                reason: e.to_string(),
            })?
            .into_offer()
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
