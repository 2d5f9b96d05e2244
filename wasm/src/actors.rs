//! The typed actor clients: `Registry` and `Escrow`, one method per actor method, each a call
//! of the SDK's [`RegistryClient`](filmark_sdk::RegistryClient) or
//! [`EscrowClient`](filmark_sdk::EscrowClient) (f1 signers send CBOR params, eth signers ABI
//! calldata). Writes resolve when the message is executed; failures reject with
//! `ACTOR_FAILED` and the actor's `exitCode` and message.

use std::collections::BTreeMap;
use std::rc::Rc;

use filmark_sdk::client::{OrderBuilder, Register};
use filmark_sdk::keys::format_address;
use fvm_shared::address::Address;
use js_sys::Promise;
use serde::Deserialize;
use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::client::{Sdk, Signer, address, amount, cid, from_js, js, num, promise};
use crate::error::{arg, sdk};
use crate::view;

/// `Registry.register`'s record: `{cid, kind?, size?, piece?, platform?, refHash?, owner?,
/// metadata?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RecordIn {
    cid: String,
    kind: Option<String>,
    size: Option<u64>,
    piece: Option<String>,
    platform: Option<String>,
    ref_hash: Option<String>,
    owner: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl RecordIn {
    fn register(self) -> Result<Register, JsValue> {
        let mut r = Register::new(cid(&self.cid)?);
        if let Some(k) = self.kind {
            r = r.kind(k);
        }
        if let Some(s) = self.size {
            r = r.size(s);
        }
        if let Some(p) = self.piece {
            r = r.piece(cid(&p)?);
        }
        if let Some(p) = self.platform {
            r = r.platform(p);
        }
        if let Some(h) = self.ref_hash {
            let bytes = hex::decode(h.trim_start_matches("0x"))
                .map_err(|e| arg(format!("refHash: {e}")))?;
            let hash: [u8; 32] = bytes
                .try_into()
                .map_err(|_| arg("refHash must be 32 bytes"))?;
            r = r.ref_hash(hash);
        }
        if let Some(o) = self.owner {
            r = r.owner(address(&o)?);
        }
        for (k, v) in self.metadata {
            r = r.meta(k, v);
        }
        Ok(r)
    }
}

/// The registry actor at one address.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Registry {
    client: Rc<Sdk>,
    address: Address,
}

impl Registry {
    pub(crate) const fn new(client: Rc<Sdk>, address: Address) -> Self {
        Self { client, address }
    }
}

#[wasm_bindgen]
impl Registry {
    /// Its address.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        format_address(&self.address, self.client.network().addresses)
    }

    /// `Register`: registers `record` (`{cid, kind?, size?, piece?, platform?, refHash?,
    /// owner?, metadata?}`) for the signer (or for `owner`, with its grant).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn register(
        &self,
        signer: &Signer,
        #[wasm_bindgen(unchecked_param_type = "RegisterRecord")] record: JsValue,
    ) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let r = from_js::<RecordIn>(&record, "record")?.register()?;
            c.registry(a).register(&s, r).await.map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `Transfer`: gives record `cid` to `newOwner`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn transfer(&self, signer: &Signer, cid_text: String, new_owner: String) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let (k, o) = (cid(&cid_text)?, address(&new_owner)?);
            c.registry(a).transfer(&s, k, o).await.map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `Tombstone`: freezes record `cid` for ever.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn tombstone(&self, signer: &Signer, cid_text: String) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            c.registry(a)
                .tombstone(&s, cid(&cid_text)?)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `AddSigner`: grants `appSigner` the `scope` bits until epoch `expiry`; the grant id.
    #[wasm_bindgen(js_name = addSigner, unchecked_return_type = "Promise<number>")]
    pub fn add_signer(
        &self,
        signer: &Signer,
        app_signer: String,
        scope: u32,
        expiry: f64,
    ) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let g = c
                .registry(a)
                .add_signer(&s, address(&app_signer)?, scope, expiry as i64)
                .await
                .map_err(sdk)?;
            Ok(JsValue::from(num(g)))
        })
    }

    /// `RevokeSigner`: revokes `appSigner`'s grant from `owner` (the signer if omitted); the
    /// revoked grant's id.
    #[wasm_bindgen(js_name = revokeSigner, unchecked_return_type = "Promise<number>")]
    pub fn revoke_signer(
        &self,
        signer: &Signer,
        app_signer: String,
        owner: Option<String>,
    ) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let owner = owner.as_deref().map(address).transpose()?;
            let g = c
                .registry(a)
                .revoke_signer(&s, owner, address(&app_signer)?)
                .await
                .map_err(sdk)?;
            Ok(JsValue::from(num(g)))
        })
    }

    /// `LinkOrder`: links record `cid` to escrow order `orderId`.
    #[wasm_bindgen(js_name = linkOrder, unchecked_return_type = "Promise<void>")]
    pub fn link_order(&self, signer: &Signer, cid_text: String, order_id: f64) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            c.registry(a)
                .link_order(&s, cid(&cid_text)?, order_id as u64)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `Get`: the record of `cid`. Rejects with `ACTOR_FAILED`, `exitCode` 17, when none.
    #[wasm_bindgen(unchecked_return_type = "Promise<RegistryRecord>")]
    pub fn get(&self, cid_text: String) -> Promise {
        let (c, a) = (self.client.clone(), self.address);
        promise(async move {
            let r = c.registry(a).get(cid(&cid_text)?).await.map_err(sdk)?;
            Ok(js(&view::record(c.network().addresses, &r)))
        })
    }

    /// `Counts`: `{records, active, tombstoned, owners, signers, revoked}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<RegistryCounts>")]
    pub fn counts(&self) -> Promise {
        let (c, a) = (self.client.clone(), self.address);
        promise(async move {
            let n = c.registry(a).counts().await.map_err(sdk)?;
            Ok(js(&json!({
                "records": n.records, "active": n.active, "tombstoned": n.tombstoned,
                "owners": n.owners, "signers": n.signers, "revoked": n.revoked,
            })))
        })
    }
}

/// `Escrow.createOrder`'s order: `{pieceCid, pieceSize, pricePerEpoch, minDuration,
/// replicas?, allowedProviders?, activationDeadline?, content?, client?, allowSameProvider?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderIn {
    piece_cid: String,
    piece_size: u64,
    price_per_epoch: String,
    min_duration: i64,
    replicas: Option<u64>,
    #[serde(default)]
    allowed_providers: Vec<String>,
    activation_deadline: Option<i64>,
    content: Option<String>,
    client: Option<String>,
    #[serde(default)]
    allow_same_provider: bool,
}

impl OrderIn {
    fn builder(self) -> Result<OrderBuilder, JsValue> {
        let mut o = OrderBuilder::new(
            cid(&self.piece_cid)?,
            self.piece_size,
            amount(&self.price_per_epoch)?,
            self.min_duration,
        )
        .allow_same_provider(self.allow_same_provider);
        if let Some(n) = self.replicas {
            o = o.replicas(n);
        }
        if !self.allowed_providers.is_empty() {
            let p = self
                .allowed_providers
                .iter()
                .map(|p| address(p))
                .collect::<Result<_, _>>()?;
            o = o.allowed_providers(p);
        }
        if let Some(d) = self.activation_deadline {
            o = o.activation_deadline(d);
        }
        if let Some(c) = self.content {
            o = o.content(cid(&c)?);
        }
        if let Some(c) = self.client {
            o = o.client(address(&c)?);
        }
        Ok(o)
    }
}

/// The escrow actor at one address. Amounts are attoFIL decimal strings.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Escrow {
    client: Rc<Sdk>,
    address: Address,
}

impl Escrow {
    pub(crate) const fn new(client: Rc<Sdk>, address: Address) -> Self {
        Self { client, address }
    }
}

#[wasm_bindgen]
impl Escrow {
    /// Its address.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        format_address(&self.address, self.client.network().addresses)
    }

    /// `Deposit`: adds `amount` to the signer's available balance.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn deposit(&self, signer: &Signer, value: String) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            c.escrow(a)
                .deposit(&s, amount(&value)?)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `Withdraw`: sends `amount` of the signer's available balance to `to` (the signer if
    /// omitted).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn withdraw(&self, signer: &Signer, value: String, to: Option<String>) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let to = to.as_deref().map(address).transpose()?;
            c.escrow(a)
                .withdraw(&s, amount(&value)?, to)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `CreateOrder`: creates `order`, sending `value` (plus what the signer has available
    /// locks its full price); the order id.
    #[wasm_bindgen(js_name = createOrder, unchecked_return_type = "Promise<number>")]
    pub fn create_order(
        &self,
        signer: &Signer,
        #[wasm_bindgen(unchecked_param_type = "OrderRequest")] order: JsValue,
        value: String,
    ) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let o = from_js::<OrderIn>(&order, "order")?.builder()?;
            let id = c
                .escrow(a)
                .create_order(&s, o, amount(&value)?)
                .await
                .map_err(sdk)?;
            Ok(JsValue::from(num(id)))
        })
    }

    /// `FundOrder`: sponsors order `orderId` with `value` (sent) plus `fromAvailable` of the
    /// signer's available balance.
    #[wasm_bindgen(js_name = fundOrder, unchecked_return_type = "Promise<void>")]
    pub fn fund_order(
        &self,
        signer: &Signer,
        order_id: f64,
        from_available: String,
        value: String,
    ) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let (f, v) = (amount(&from_available)?, amount(&value)?);
            c.escrow(a)
                .fund_order(&s, order_id as u64, f, v)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `Settle`: pays the order's providers and unlocks what is due: `{paid, unlocked}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<{ paid: string; unlocked: string }>")]
    pub fn settle(&self, signer: &Signer, order_id: f64) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let r = c.escrow(a).settle(&s, order_id as u64).await.map_err(sdk)?;
            Ok(js(&json!({
                "paid": r.paid.atto().to_string(),
                "unlocked": r.unlocked.atto().to_string(),
            })))
        })
    }

    /// `CloseOrder`: closes order `orderId`.
    #[wasm_bindgen(js_name = closeOrder, unchecked_return_type = "Promise<void>")]
    pub fn close_order(&self, signer: &Signer, order_id: f64) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            c.escrow(a)
                .close_order(&s, order_id as u64)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `AuthorizeKey`: lets app key `key` lock up to `cap` of the signer's funds until epoch
    /// `expiry`.
    #[wasm_bindgen(js_name = authorizeKey, unchecked_return_type = "Promise<void>")]
    pub fn authorize_key(&self, signer: &Signer, key: String, cap: String, expiry: f64) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            let (k, cap) = (address(&key)?, amount(&cap)?);
            c.escrow(a)
                .authorize_key(&s, k, cap, expiry as i64)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `RevokeKey`: revokes app key `key`.
    #[wasm_bindgen(js_name = revokeKey, unchecked_return_type = "Promise<void>")]
    pub fn revoke_key(&self, signer: &Signer, key: String) -> Promise {
        let (c, a, s) = (self.client.clone(), self.address, signer.sdk());
        promise(async move {
            c.escrow(a)
                .revoke_key(&s, address(&key)?)
                .await
                .map_err(sdk)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `GetAppKey`: app key `key`'s grant from `client`: `{cap, spent, expiry}`, or `null`.
    #[wasm_bindgen(
        js_name = getAppKey,
        unchecked_return_type = "Promise<{ cap: string; spent: string; expiry: number } | null>"
    )]
    pub fn get_app_key(&self, client: String, key: String) -> Promise {
        let (c, a) = (self.client.clone(), self.address);
        promise(async move {
            let r = c
                .escrow(a)
                .get_app_key(address(&client)?, address(&key)?)
                .await
                .map_err(sdk)?;
            Ok(r.grant.map_or(JsValue::NULL, |g| {
                js(&json!({
                    "cap": g.cap.atto().to_string(),
                    "spent": g.spent.atto().to_string(),
                    "expiry": g.expiry,
                }))
            }))
        })
    }

    /// `GetOrder`: the order as the escrow holds it.
    #[wasm_bindgen(js_name = getOrder, unchecked_return_type = "Promise<EscrowOrder>")]
    pub fn get_order(&self, order_id: f64) -> Promise {
        let (c, a) = (self.client.clone(), self.address);
        promise(async move {
            let o = c.escrow(a).get_order(order_id as u64).await.map_err(sdk)?;
            Ok(js(&view::order(c.network().addresses, &o)))
        })
    }

    /// `GetAccount`: `{available, locked}` of `account`.
    #[wasm_bindgen(js_name = getAccount, unchecked_return_type = "Promise<{ available: string; locked: string }>")]
    pub fn get_account(&self, account: String) -> Promise {
        let (c, a) = (self.client.clone(), self.address);
        promise(async move {
            let r = c
                .escrow(a)
                .get_account(address(&account)?)
                .await
                .map_err(sdk)?;
            Ok(js(&json!({
                "available": r.available.atto().to_string(),
                "locked": r.locked.atto().to_string(),
            })))
        })
    }
}
