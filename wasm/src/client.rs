//! The network client: a node over JSON-RPC (the browser's `fetch`) through the SDK's
//! [`Client`](filmark_sdk::Client) and [`HttpTransport`] — nonces, gas, signing, receipts and
//! `status(cid)` all run in the SDK; this module only converts arguments and answers.
//!
//! Async methods return Promises; SDK errors reject them with a `FilmarkError` (see
//! [`crate::error`]).

use std::future::Future;
use std::rc::Rc;
use std::str::FromStr;
use std::time::Duration;

use cid::Cid;
use filmark_sdk::client::{Path, SendOptions};
use filmark_sdk::keys::json::MessageJson;
use filmark_sdk::keys::{EthAddress, eth_to_filecoin, format_address, parse_address};
use filmark_sdk::transport::{Transport, parse_amount};
use filmark_sdk::{HttpTransport, Signer as SdkSigner};
use fvm_shared::address::{Address, Network as AddressNetwork};
use fvm_shared::econ::TokenAmount;
use js_sys::Promise;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::actors::{Escrow, Registry};
use crate::error::{arg, sdk};
use crate::keys::{Key, network};
use crate::view;

/// The SDK's client over HTTP, shared by the client object and the actor clients it made.
pub(crate) type Sdk = filmark_sdk::Client<HttpTransport>;

/// Runs `f` as a Promise.
pub(crate) fn promise<T, F>(f: F) -> Promise
where
    T: Into<JsValue>,
    F: Future<Output = Result<T, JsValue>> + 'static,
{
    future_to_promise(async move { f.await.map(Into::into) })
}

/// A JSON value as a plain JavaScript value.
pub(crate) fn js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap_or(JsValue::NULL)
}

/// A JavaScript value (an options or record object) read as `T` through its JSON text.
pub(crate) fn from_js<T: for<'de> Deserialize<'de>>(v: &JsValue, what: &str) -> Result<T, JsValue> {
    let text: String = js_sys::JSON::stringify(v)
        .map_err(|_| arg(format!("{what}: not JSON-serializable")))?
        .into();
    serde_json::from_str(&text).map_err(|e| arg(format!("{what}: {e}")))
}

/// An address: `f…`/`t…`, or a `0x` Ethereum address (its f410 or, masked-ID, f0 address).
pub(crate) fn address(text: &str) -> Result<Address, JsValue> {
    let t = text.trim();
    if t.starts_with("0x") || t.starts_with("0X") {
        let eth = EthAddress::from_str(t)
            .map_err(|e| sdk(filmark_sdk::Error::InvalidAddress(format!("{t}: {e}"))))?;
        return Ok(eth_to_filecoin(&eth));
    }
    parse_address(t).map_err(sdk)
}

/// An amount in attoFIL, a decimal string.
pub(crate) fn amount(text: &str) -> Result<TokenAmount, JsValue> {
    parse_amount(text.trim()).map_err(sdk)
}

/// A CID.
pub(crate) fn cid(text: &str) -> Result<Cid, JsValue> {
    Cid::try_from(text.trim()).map_err(|e| arg(format!("{text:?} is not a CID: {e}")))
}

/// A JavaScript number from a u64 id or amount of gas (exact below 2^53).
pub(crate) const fn num(n: u64) -> f64 {
    n as f64
}

/// A signing key and the path its messages take: native messages from the key's f1 address
/// (`Signer.f1`), or EIP-1559 transactions with Solidity-ABI calldata from its f410 address
/// (`Signer.eth`).
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Signer {
    inner: SdkSigner,
}

#[wasm_bindgen]
impl Signer {
    /// Sends native messages (CBOR params) from `key`'s f1 address.
    pub fn f1(key: &Key) -> Self {
        Self {
            inner: SdkSigner::f1(key.secp().clone()),
        }
    }

    /// Sends Ethereum transactions (ABI calldata) from `key`'s f410 (`0x`) address.
    pub fn eth(key: &Key) -> Self {
        Self {
            inner: SdkSigner::eth(key.secp().clone()),
        }
    }

    /// The address its messages come from (f1 or f410), prefix `"f"` (default) or `"t"`.
    pub fn address(&self, prefix: Option<String>) -> Result<String, JsValue> {
        Ok(format_address(&self.inner.address(), network(prefix)?))
    }

    /// `"f1"` or `"eth"`.
    #[wasm_bindgen(getter)]
    pub fn path(&self) -> String {
        match self.inner.path() {
            Path::Native => "f1",
            Path::Eth => "eth",
        }
        .to_owned()
    }
}

impl Signer {
    pub(crate) fn sdk(&self) -> SdkSigner {
        self.inner.clone()
    }
}

#[wasm_bindgen]
extern "C" {
    /// The JavaScript `ConnectOptions` object (typed in the `.d.ts`).
    #[wasm_bindgen(typescript_type = "ConnectOptions")]
    pub type ConnectOptionsJs;
}

/// `Client.connect` options; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConnectOptions {
    timeout_ms: Option<u64>,
    poll_interval_ms: Option<u64>,
    gas_margin_percent: Option<u64>,
    confirmations: Option<u64>,
}

impl ConnectOptions {
    fn send_options(&self) -> SendOptions {
        let mut o = SendOptions::default();
        if let Some(ms) = self.timeout_ms {
            o.timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = self.poll_interval_ms {
            o.poll_interval = Duration::from_millis(ms);
        }
        if let Some(p) = self.gas_margin_percent {
            o.gas_margin_percent = p;
        }
        if let Some(c) = self.confirmations {
            o.confirmations = c;
        }
        o
    }
}

/// A node (Lotus, or a Filmark devnet) reached over JSON-RPC with `fetch`.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Client {
    inner: Rc<Sdk>,
}

#[wasm_bindgen]
impl Client {
    /// Connects to the JSON-RPC endpoint `url` (`http://127.0.0.1:1234/rpc/v1`): reads its
    /// chain id and network name. Options: `timeoutMs` (waiting for a message, default
    /// 120,000), `pollIntervalMs` (100), `gasMarginPercent` (25), `confirmations` (0).
    #[wasm_bindgen(unchecked_return_type = "Promise<Client>")]
    pub fn connect(url: String, options: Option<ConnectOptionsJs>) -> Promise {
        promise(async move {
            let opts: ConnectOptions = match options {
                None => ConnectOptions::default(),
                Some(o) => from_js(&o, "options")?,
            };
            let mut client = Sdk::connect(HttpTransport::new(url.clone()).map_err(sdk)?)
                .await
                .map_err(sdk)?;
            if client.network().addresses == AddressNetwork::Mainnet {
                // Mainnet writes `f` addresses to the node.
                let t = HttpTransport::new(url)
                    .map_err(sdk)?
                    .with_address_network(AddressNetwork::Mainnet);
                client = Sdk::connect(t).await.map_err(sdk)?;
            }
            Ok(Self {
                inner: Rc::new(client.with_options(opts.send_options())),
            })
        })
    }

    /// The EIP-155 chain id the node serves.
    #[wasm_bindgen(getter, js_name = chainId)]
    pub fn chain_id(&self) -> f64 {
        num(self.inner.network().chain_id)
    }

    /// The network's short name: `devnet`, `calibration`, `mainnet` or `custom`.
    #[wasm_bindgen(getter)]
    pub fn network(&self) -> String {
        self.inner.network().name.to_owned()
    }

    /// The endpoint's URL.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.inner.transport().url().to_owned()
    }

    /// `address` written with this network's prefix (`t` on test networks).
    #[wasm_bindgen(js_name = formatAddress)]
    pub fn format_address(&self, address: &str) -> Result<String, JsValue> {
        Ok(self.fmt(&crate::client::address(address)?))
    }

    /// The head's height.
    #[wasm_bindgen(js_name = headHeight, unchecked_return_type = "Promise<number>")]
    pub fn head_height(&self) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let h = c.transport().head_height().await.map_err(sdk)?;
            Ok(JsValue::from(h as f64))
        })
    }

    /// The balance of `address` in attoFIL (a decimal string; `"0"` without an actor).
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn balance(&self, address: String) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let a = crate::client::address(&address)?;
            let b = c.transport().balance(&a).await.map_err(sdk)?;
            Ok(JsValue::from(b.atto().to_string()))
        })
    }

    /// The next nonce of `address` (the pool's, or higher after this client's own pushes).
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn nonce(&self, address: String) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let a = crate::client::address(&address)?;
            let n = c.next_nonce(&a).await.map_err(sdk)?;
            Ok(JsValue::from(num(n)))
        })
    }

    /// The f0 address `address` resolves to, `null` when no actor has it.
    #[wasm_bindgen(js_name = lookupId, unchecked_return_type = "Promise<string | null>")]
    pub fn lookup_id(&self, address: String) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let a = crate::client::address(&address)?;
            let id = c.transport().lookup_id(&a).await.map_err(sdk)?;
            let net = c.network().addresses;
            Ok(id.map_or(JsValue::NULL, |id| {
                format_address(&Address::new_id(id), net).into()
            }))
        })
    }

    /// An unsigned message from `from` to `to` with its nonce and the node's gas estimate
    /// (plus the gas margin): Lotus JSON, for `push`. `value` in attoFIL; `params` the raw
    /// params bytes.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn prepare(
        &self,
        from: String,
        to: String,
        value: String,
        method: u32,
        params: Option<Vec<u8>>,
    ) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let (from, to, value) = (
                crate::client::address(&from)?,
                crate::client::address(&to)?,
                amount(&value)?,
            );
            let params = filmark_sdk::reexports::fvm_ipld_encoding::RawBytes::new(
                params.unwrap_or_default(),
            );
            let m = c
                .prepare(from, to, value, method.into(), params)
                .await
                .map_err(sdk)?;
            let json = MessageJson::new(&m, c.network().addresses);
            serde_json::to_string(&json)
                .map(JsValue::from)
                .map_err(|e| arg(format!("JSON: {e}")))
        })
    }

    /// Signs a Lotus JSON message (from `prepare`) with `signer` and pushes it: its CID.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn push(&self, signer: &Signer, message_json: String) -> Promise {
        let (c, s) = (self.inner.clone(), signer.sdk());
        promise(async move {
            let parsed: MessageJson = serde_json::from_str(&message_json)
                .map_err(|e| sdk(filmark_sdk::Error::InvalidJson(format!("message: {e}"))))?;
            let m = parsed.to_message().map_err(sdk)?;
            let cid = c.push(&s, m).await.map_err(sdk)?;
            Ok(JsValue::from(cid.to_string()))
        })
    }

    /// Waits until message `cid` is executed: where it landed and its receipt.
    #[wasm_bindgen(unchecked_return_type = "Promise<Lookup>")]
    pub fn wait(&self, cid: String) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let l = c.wait(&crate::client::cid(&cid)?).await.map_err(sdk)?;
            Ok(js(&view::lookup(&l)))
        })
    }

    /// Sends `value` attoFIL to `to` from `signer`; the executed message.
    #[wasm_bindgen(unchecked_return_type = "Promise<Lookup>")]
    pub fn transfer(&self, signer: &Signer, to: String, value: String) -> Promise {
        let (c, s) = (self.inner.clone(), signer.sdk());
        promise(async move {
            let (to, value) = (crate::client::address(&to)?, amount(&value)?);
            let l = c.transfer(&s, to, value).await.map_err(sdk)?;
            Ok(js(&view::lookup(&l)))
        })
    }

    /// The registry actor at `address`.
    pub fn registry(&self, address: &str) -> Result<Registry, JsValue> {
        Ok(Registry::new(
            self.inner.clone(),
            crate::client::address(address)?,
        ))
    }

    /// The escrow actor at `address`.
    pub fn escrow(&self, address: &str) -> Result<Escrow, JsValue> {
        Ok(Escrow::new(
            self.inner.clone(),
            crate::client::address(address)?,
        ))
    }

    /// Where content `cid` is: its record in `registry`, the order linked to it in `escrow`,
    /// each bound deal with its market state, and each provider's offer. Rejects with
    /// `ACTOR_FAILED`, `exitCode` 17, when the CID is not registered.
    #[wasm_bindgen(unchecked_return_type = "Promise<ContentStatus>")]
    pub fn status(&self, registry: String, escrow: String, cid: String) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let (r, e, cid) = (
                crate::client::address(&registry)?,
                crate::client::address(&escrow)?,
                crate::client::cid(&cid)?,
            );
            let s = c.status(r, e, cid).await.map_err(sdk)?;
            Ok(js(&view::status(c.network().addresses, &s)))
        })
    }
}

impl Client {
    fn fmt(&self, a: &Address) -> String {
        format_address(a, self.inner.network().addresses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eth_addresses_map_to_f410_or_masked_f0() {
        let f410 = address("0x56409C11d2CC0b82Da13121f5185d9dCe6d5810f").unwrap();
        assert_eq!(
            format_address(&f410, AddressNetwork::Testnet),
            "t410fkzajyeoszqfyfwqtcipvdboz3ttnlaipmvfmi4q"
        );
        let masked = address("0xff000000000000000000000000000000000003ea").unwrap();
        assert_eq!(masked, Address::new_id(1002));
        assert_eq!(address("t01002").unwrap(), Address::new_id(1002));
    }

    #[test]
    fn amounts_are_atto_decimal() {
        assert_eq!(amount("1000").unwrap(), TokenAmount::from_atto(1000));
    }
}
