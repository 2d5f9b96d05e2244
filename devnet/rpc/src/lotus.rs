//! Lotus' `Filecoin.*` namespace, in Lotus' JSON shapes ([`crate::lotus_json`]).

use std::time::Instant;

use cid::Cid;
use filmark_devnet::{BLOCK_DELAY_SECS, CallAt, MARKET_ACTOR_ID, NETWORK_NAME, TipsetRef};
use filmark_devnet_actors::account;
use filmark_devnet_actors::market::{Label, State as MarketState};
use filmark_sdk::keys::json::{CidJson, MessageJson, SignedMessageJson};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;
use serde_json::{Value, json};

use crate::RpcError;
use crate::lotus_json::{
    self as lj, NETWORK, address, amount, bytes, cid, parse_address, parse_cid, parse_tipset_key,
};
use crate::params::Params;
use crate::subscribe::{Framing, HeadChange, Subscriber};
use crate::table::{Context, Method};

/// Lotus' v1 full-node API version (2.3.0), what `Version` answers as `APIVersion`.
const API_VERSION: u32 = 0x0002_0300;

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[
    Method {
        name: "Filecoin.Version",
        params: "[]",
        handler: version,
    },
    Method {
        name: "Filecoin.ChainHead",
        params: "[]",
        handler: chain_head,
    },
    Method {
        name: "Filecoin.ChainGetTipSetByHeight",
        params: "[height, tipsetKey?]",
        handler: chain_get_tipset_by_height,
    },
    Method {
        name: "Filecoin.ChainGetTipSet",
        params: "[tipsetKey]",
        handler: chain_get_tipset,
    },
    Method {
        name: "Filecoin.ChainGetBlock",
        params: "[blockCid]",
        handler: chain_get_block,
    },
    Method {
        name: "Filecoin.ChainGetMessage",
        params: "[messageCid]",
        handler: chain_get_message,
    },
    Method {
        name: "Filecoin.ChainGetParentReceipts",
        params: "[blockCid]",
        handler: chain_get_parent_receipts,
    },
    Method {
        name: "Filecoin.ChainReadObj",
        params: "[cid]",
        handler: chain_read_obj,
    },
    Method {
        name: "Filecoin.ChainGetEvents",
        params: "[eventsRoot]",
        handler: chain_get_events,
    },
    Method {
        name: "Filecoin.ChainHasObj",
        params: "[cid]",
        handler: chain_has_obj,
    },
    Method {
        name: "Filecoin.ChainNotify",
        params: "[] (WebSocket)",
        handler: chain_notify,
    },
    Method {
        name: "Filecoin.MpoolGetNonce",
        params: "[address]",
        handler: mpool_get_nonce,
    },
    Method {
        name: "Filecoin.MpoolPush",
        params: "[signedMessage]",
        handler: mpool_push,
    },
    Method {
        name: "Filecoin.MpoolPending",
        params: "[tipsetKey?]",
        handler: mpool_pending,
    },
    Method {
        name: "Filecoin.GasEstimateMessageGas",
        params: "[message, sendSpec?, tipsetKey?]",
        handler: gas_estimate_message_gas,
    },
    Method {
        name: "Filecoin.StateWaitMsg",
        params: "[messageCid, confidence?, limit?, allowReplaced?]",
        handler: state_wait_msg,
    },
    Method {
        name: "Filecoin.StateSearchMsg",
        params: "[tipsetKey, messageCid, limit?, allowReplaced?]",
        handler: state_search_msg,
    },
    Method {
        name: "Filecoin.StateGetReceipt",
        params: "[messageCid, tipsetKey?]",
        handler: state_get_receipt,
    },
    Method {
        name: "Filecoin.StateCall",
        params: "[message, tipsetKey?]",
        handler: state_call,
    },
    Method {
        name: "Filecoin.StateLookupID",
        params: "[address, tipsetKey?]",
        handler: state_lookup_id,
    },
    Method {
        name: "Filecoin.StateAccountKey",
        params: "[address, tipsetKey?]",
        handler: state_account_key,
    },
    Method {
        name: "Filecoin.StateGetActor",
        params: "[address, tipsetKey?]",
        handler: state_get_actor,
    },
    Method {
        name: "Filecoin.StateNetworkName",
        params: "[]",
        handler: state_network_name,
    },
    Method {
        name: "Filecoin.StateNetworkVersion",
        params: "[tipsetKey?]",
        handler: state_network_version,
    },
    Method {
        name: "Filecoin.StateMarketStorageDeal",
        params: "[dealId, tipsetKey?]",
        handler: state_market_storage_deal,
    },
    Method {
        name: "Filecoin.StateMarketBalance",
        params: "[address, tipsetKey?]",
        handler: state_market_balance,
    },
    Method {
        name: "Filecoin.WalletBalance",
        params: "[address]",
        handler: wallet_balance,
    },
];

fn address_param(p: &Params<'_>, index: usize, name: &str) -> Result<Address, RpcError> {
    parse_address(&p.get::<String>(index, name)?, name)
}

fn cid_param(p: &Params<'_>, index: usize, name: &str) -> Result<Cid, RpcError> {
    parse_cid(&p.get::<CidJson>(index, name)?, name)
}

fn tipset_param(p: &Params<'_>, index: usize) -> Result<TipsetRef, RpcError> {
    parse_tipset_key(p.opt::<Vec<CidJson>>(index, "tipsetKey")?)
}

fn version(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    let _ = ctx;
    Ok(json!({
        "Version": concat!("filmark-devnet/", env!("CARGO_PKG_VERSION")),
        "APIVersion": API_VERSION,
        "BlockDelay": BLOCK_DELAY_SECS,
        "Agent": "filmark",
    }))
}

fn chain_head(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    Ok(lj::tipset(&ctx.devnet.head()))
}

fn chain_get_tipset_by_height(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let height = p.get::<i64>(0, "height")?;
    let start = ctx.devnet.tipset(tipset_param(p, 1)?)?;
    if height > start.height() {
        return Err(RpcError::server(format!(
            "looking for tipset with height greater than start point ({height} > {})",
            start.height()
        )));
    }
    Ok(lj::tipset(&ctx.devnet.tipset(TipsetRef::Height(height))?))
}

fn chain_get_tipset(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    Ok(lj::tipset(&ctx.devnet.tipset(tipset_param(p, 0)?)?))
}

fn chain_get_block(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let block = cid_param(p, 0, "blockCid")?;
    Ok(lj::block(&ctx.devnet.tipset(TipsetRef::Key(block))?.header))
}

fn chain_get_message(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let c = cid_param(p, 0, "messageCid")?;
    if let Ok(found) = ctx.devnet.lookup(&c) {
        return Ok(lj::message(&found.record.message));
    }
    ctx.devnet
        .pending_signed()
        .into_iter()
        .find(|s| s.cid() == c)
        .map(|s| lj::message(&s.message))
        .ok_or_else(|| RpcError::server(format!("message {c} not found")))
}

fn chain_get_parent_receipts(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let block = cid_param(p, 0, "blockCid")?;
    let t = ctx.devnet.tipset(TipsetRef::Key(block))?;
    let Some(parent) = t.header.parents.first() else {
        return Ok(json!([]));
    };
    let parent = ctx.devnet.tipset(TipsetRef::Key(*parent))?;
    let receipts = parent
        .messages
        .iter()
        .map(|m| Ok(lj::receipt(&ctx.devnet.lookup(m)?.record.receipt)))
        .collect::<Result<Vec<_>, RpcError>>()?;
    Ok(Value::Array(receipts))
}

fn chain_read_obj(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let c = cid_param(p, 0, "cid")?;
    match ctx.devnet.store().get(&c) {
        Ok(Some(data)) => Ok(bytes(&data)),
        Ok(None) => Err(RpcError::server(format!(
            "blockstore: block not found: {c}"
        ))),
        Err(e) => Err(RpcError::internal(format!("blockstore: {e}"))),
    }
}

fn chain_has_obj(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let c = cid_param(p, 0, "cid")?;
    ctx.devnet
        .store()
        .has(&c)
        .map(Value::Bool)
        .map_err(|e| RpcError::internal(format!("blockstore: {e}")))
}

fn chain_get_events(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let root = cid_param(p, 0, "eventsRoot")?;
    let store = ctx.devnet.store();
    if !store
        .has(&root)
        .map_err(|e| RpcError::internal(format!("blockstore: {e}")))?
    {
        return Err(RpcError::server(format!("events root {root} not found")));
    }
    let amt = fvm_ipld_amt::Amt::<fvm_shared::event::StampedEvent, _>::load(&root, &store)
        .map_err(|e| RpcError::server(format!("events root {root}: {e}")))?;
    let mut events = Vec::new();
    amt.for_each(|_, e| {
        let entries: Vec<Value> = e
            .event
            .entries
            .iter()
            .map(|en| {
                json!({"Flags": en.flags.bits(), "Key": en.key, "Codec": en.codec, "Value": bytes(&en.value)})
            })
            .collect();
        events.push(json!({"Emitter": e.emitter, "Entries": entries}));
        Ok(())
    })
    .map_err(|e| RpcError::server(format!("events root {root}: {e}")))?;
    Ok(Value::Array(events))
}

/// `ChainNotify`'s values: `[{Type, Val}]`.
fn head_change(kind: &str, t: &filmark_devnet::Tipset) -> Value {
    json!([{ "Type": kind, "Val": lj::tipset(t) }])
}

struct ChainNotify;

impl Subscriber for ChainNotify {
    fn on_head(&mut self, _: &Context, change: &HeadChange) -> Result<Vec<Value>, RpcError> {
        Ok(vec![match change {
            HeadChange::Apply(t) => head_change("apply", t),
            HeadChange::Revert(t) => head_change("revert", t),
        }])
    }
}

fn chain_notify(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    let subs = ctx.subscriptions("Filecoin.ChainNotify")?;
    let current = head_change("current", &ctx.devnet.head());
    let id = subs.add(Framing::LotusChannel, vec![current], Box::new(ChainNotify));
    Ok(id.to_json(Framing::LotusChannel))
}

fn mpool_get_nonce(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let a = address_param(p, 0, "address")?;
    Ok(json!(ctx.devnet.next_nonce(&a)?))
}

fn mpool_push(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let signed = p
        .get::<SignedMessageJson>(0, "signedMessage")?
        .to_signed_message()
        .map_err(|e| RpcError::invalid_params(format!("signedMessage: {e}")))?;
    Ok(cid(&ctx.devnet.push(signed)?))
}

fn mpool_pending(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    tipset_param(p, 0)?;
    let pending: Vec<Value> = ctx
        .devnet
        .pending_signed()
        .iter()
        .map(|s| serde_json::to_value(SignedMessageJson::new(s, NETWORK)).unwrap_or(Value::Null))
        .collect();
    Ok(Value::Array(pending))
}

fn message_param(p: &Params<'_>, index: usize) -> Result<fvm_shared::message::Message, RpcError> {
    p.get::<MessageJson>(index, "message")?
        .to_message()
        .map_err(|e| RpcError::invalid_params(format!("message: {e}")))
}

fn gas_estimate_message_gas(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(3)?;
    let mut m = message_param(p, 0)?;
    let _spec = p.opt::<Value>(1, "sendSpec")?;
    tipset_param(p, 2)?;
    fill_gas(&ctx.devnet, &mut m)?;
    Ok(lj::message(&m))
}

/// `GasEstimateMessageGas`'s rule, for the RPC and the in-process transport: fills the gas
/// limit, premium and fee cap where they are zero from the devnet's estimate; keeps the nonce.
pub(crate) fn fill_gas(
    devnet: &filmark_devnet::Devnet,
    m: &mut fvm_shared::message::Message,
) -> filmark_devnet::Result<()> {
    let estimate = devnet.prepare(
        m.from,
        m.to,
        m.value.clone(),
        m.method_num,
        m.params.clone(),
    )?;
    if m.gas_limit == 0 {
        m.gas_limit = estimate.gas_limit;
    }
    if m.gas_premium.is_zero() {
        m.gas_premium = estimate.gas_premium;
    }
    if m.gas_fee_cap.is_zero() {
        m.gas_fee_cap = estimate.gas_fee_cap;
    }
    Ok(())
}

fn lookup_json(ctx: &Context, l: &filmark_devnet::MessageLookup) -> Value {
    lj::msg_lookup(l, |c| {
        ctx.devnet
            .tipset(TipsetRef::Key(*c))
            .ok()
            .map(|t| t.height())
    })
}

fn state_wait_msg(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(4)?;
    let c = cid_param(p, 0, "messageCid")?;
    let _confidence = p.opt::<u64>(1, "confidence")?;
    let _limit = p.opt::<i64>(2, "limit")?;
    let _allow_replaced = p.opt::<bool>(3, "allowReplaced")?;
    let found = ctx.devnet.wait(&c)?;
    Ok(lookup_json(ctx, &found))
}

fn state_search_msg(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(4)?;
    // v1: [tipsetKey, cid, limit, allowReplaced]; v0: [cid].
    let c = match p.get::<CidJson>(0, "messageCid") {
        Ok(c) => parse_cid(&c, "messageCid")?,
        Err(_) => {
            tipset_param(p, 0)?;
            cid_param(p, 1, "messageCid")?
        }
    };
    match ctx.devnet.lookup(&c) {
        Ok(found) => Ok(lookup_json(ctx, &found)),
        Err(filmark_devnet::Error::UnknownMessage(_)) => Ok(Value::Null),
        Err(e) => Err(e.into()),
    }
}

fn state_get_receipt(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let c = cid_param(p, 0, "messageCid")?;
    tipset_param(p, 1)?;
    Ok(lj::receipt(&ctx.devnet.lookup(&c)?.record.receipt))
}

/// `Filecoin.StateCall`: with a tipset key, on that tipset's parent state at its epoch (as
/// Lotus); with `null`, on the newest state (the head's, at the next epoch). The
/// `ExecutionTrace` holds every send the message led to, nested.
fn state_call(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let m = message_param(p, 0)?;
    let at = match tipset_param(p, 1)? {
        TipsetRef::Head => CallAt::After(TipsetRef::Head),
        key => CallAt::Within(key),
    };
    let started = Instant::now();
    let r = ctx.devnet.call_with(m.clone(), at, true)?;
    let duration = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let zero = amount(&TokenAmount::default());
    let msg_cid = filmark_sdk::keys::message_cid(&m);
    Ok(json!({
        "MsgCid": cid(&msg_cid),
        "Msg": lj::message(&m),
        "MsgRct": lj::receipt(&r.receipt),
        "GasCost": {
            "Message": cid(&msg_cid),
            "GasUsed": r.receipt.gas_used.to_string(),
            "BaseFeeBurn": zero, "OverEstimationBurn": zero, "MinerPenalty": zero,
            "MinerTip": zero, "Refund": zero, "TotalCost": zero,
        },
        "ExecutionTrace": r.trace.as_ref().map_or(Value::Null, lj::execution_trace),
        "Error": r.failure.unwrap_or_default(),
        "Duration": duration,
    }))
}

fn actor_at(
    ctx: &Context,
    a: &Address,
    at: TipsetRef,
) -> Result<(fvm_shared::ActorID, ActorState), RpcError> {
    ctx.devnet
        .actor(a, at)?
        .ok_or_else(|| RpcError::server(format!("actor not found: {}", format_addr(a))))
}

fn format_addr(a: &Address) -> String {
    filmark_sdk::keys::format_address(a, NETWORK)
}

fn state_lookup_id(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let a = address_param(p, 0, "address")?;
    let id = ctx
        .devnet
        .lookup_id(&a, tipset_param(p, 1)?)?
        .ok_or_else(|| RpcError::server(format!("actor not found: {}", format_addr(&a))))?;
    Ok(address(&Address::new_id(id)))
}

fn state_account_key(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let a = address_param(p, 0, "address")?;
    if matches!(
        a.protocol(),
        Protocol::Secp256k1 | Protocol::BLS | Protocol::Delegated
    ) {
        return Ok(address(&a));
    }
    let (_, actor) = actor_at(ctx, &a, tipset_param(p, 1)?)?;
    if let Some(delegated) = actor.delegated_address {
        return Ok(address(&delegated));
    }
    let state: Option<account::State> =
        ctx.devnet.store().get_cbor(&actor.state).map_err(|_| {
            RpcError::server(format!("{} is not an account actor", format_addr(&a)))
        })?;
    let state = state.ok_or_else(|| {
        RpcError::internal(format!("the state of {} is missing", format_addr(&a)))
    })?;
    Ok(address(&state.address))
}

fn state_get_actor(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let a = address_param(p, 0, "address")?;
    Ok(lj::actor(&actor_at(ctx, &a, tipset_param(p, 1)?)?.1))
}

fn state_network_name(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    let _ = ctx;
    Ok(json!(NETWORK_NAME))
}

fn state_network_version(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    ctx.devnet.tipset(tipset_param(p, 0)?)?;
    Ok(json!(u32::from(ctx.devnet.config().network_version)))
}

fn market_state(ctx: &Context, at: TipsetRef) -> Result<MarketState, RpcError> {
    actor_at(ctx, &Address::new_id(MARKET_ACTOR_ID), at)?;
    crate::in_process::market_state(&ctx.devnet, at).map_err(RpcError::internal)
}

fn state_market_storage_deal(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let id = p.get::<u64>(0, "dealId")?;
    let state = market_state(ctx, tipset_param(p, 1)?)?;
    let deal = state
        .deal(&ctx.devnet.store(), id)
        .map_err(|e| RpcError::server(format!("deal {id} not found: {}", e.msg())))?;
    let pr = &deal.proposal;
    let label = match &pr.label {
        Label::String(s) => json!(s),
        Label::Bytes(b) => bytes(b),
    };
    Ok(json!({
        "Proposal": {
            "PieceCID": cid(&pr.piece_cid),
            "PieceSize": pr.piece_size.0,
            "VerifiedDeal": pr.verified_deal,
            "Client": address(&pr.client),
            "Provider": address(&pr.provider),
            "Label": label,
            "StartEpoch": pr.start_epoch,
            "EndEpoch": pr.end_epoch,
            "StoragePricePerEpoch": amount(&pr.storage_price_per_epoch),
            "ProviderCollateral": amount(&pr.provider_collateral),
            "ClientCollateral": amount(&pr.client_collateral),
        },
        "State": {
            "SectorNumber": deal.state.sector_number,
            "SectorStartEpoch": deal.state.sector_start_epoch,
            "LastUpdatedEpoch": deal.state.last_updated_epoch,
            "SlashEpoch": deal.state.slash_epoch,
        },
    }))
}

fn state_market_balance(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let a = address_param(p, 0, "address")?;
    let at = tipset_param(p, 1)?;
    let zero = || json!({"Escrow": "0", "Locked": "0"});
    let Some(id) = ctx.devnet.lookup_id(&a, at)? else {
        return Ok(zero());
    };
    let entry = market_state(ctx, at)?
        .balance(&ctx.devnet.store(), id)
        .map_err(|e| RpcError::internal(format!("market balance: {}", e.msg())))?;
    Ok(json!({"Escrow": amount(&entry.balance), "Locked": amount(&entry.locked)}))
}

fn wallet_balance(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let a = address_param(p, 0, "address")?;
    Ok(amount(&ctx.devnet.balance(&a, TipsetRef::Head)?))
}
