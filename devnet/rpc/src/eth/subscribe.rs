//! `eth_subscribe` (`newHeads`, `logs`) and `eth_unsubscribe`, over the server's WebSocket hook.
//!
//! As Lotus: each new head notifies its parent's block (the tipset whose messages just got
//! receipts), with full transactions, once; `logs` notifies the matching logs of that tipset.

use filmark_devnet::{Tipset, TipsetRef};
use serde_json::{Value, json};

use super::blocks::block_json;
use super::filters::{LogSpec, logs_between};
use crate::RpcError;
use crate::params::Params;
use crate::subscribe::{Framing, HeadChange, Subscriber, SubscriptionId};
use crate::table::Context;

/// The tipset a new head makes "latest": its parent (none for genesis).
fn executed(ctx: &Context, change: &HeadChange) -> Option<Tipset> {
    let HeadChange::Apply(head) = change else {
        return None;
    };
    let parent = head.header.parents.first()?;
    ctx.devnet.tipset(TipsetRef::Key(*parent)).ok()
}

/// `newHeads`.
struct Heads {
    last: Option<cid::Cid>,
}

impl Subscriber for Heads {
    fn on_head(&mut self, ctx: &Context, change: &HeadChange) -> Result<Vec<Value>, RpcError> {
        let Some(ts) = executed(ctx, change) else {
            return Ok(Vec::new());
        };
        if self.last == Some(ts.cid) {
            return Ok(Vec::new());
        }
        self.last = Some(ts.cid);
        Ok(vec![block_json(&ctx.devnet, &ts, true)?])
    }
}

/// `logs`, with a filter object's address and topics.
struct Logs {
    spec: LogSpec,
    last: Option<i64>,
}

impl Subscriber for Logs {
    fn on_head(&mut self, ctx: &Context, change: &HeadChange) -> Result<Vec<Value>, RpcError> {
        let Some(ts) = executed(ctx, change) else {
            return Ok(Vec::new());
        };
        let height = ts.height();
        if self.last.is_some_and(|l| l >= height) {
            return Ok(Vec::new());
        }
        let from = self.last.map_or(height, |l| l + 1);
        self.last = Some(height);
        logs_between(&ctx.devnet, &self.spec, from, height)
    }
}

/// `eth_subscribe(kind, filter?)`: the subscription's id.
pub(crate) fn subscribe(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let kind: String = p.get(0, "kind")?;
    let subscriber: Box<dyn Subscriber> = match kind.as_str() {
        "newHeads" => {
            p.at_most(1)?;
            Box::new(Heads { last: None })
        }
        "logs" => {
            let spec: LogSpec = p.opt(1, "filter")?.unwrap_or_default();
            spec.check()?;
            Box::new(Logs {
                spec,
                last: Some(super::types::latest(&ctx.devnet).height()),
            })
        }
        other => {
            return Err(RpcError::invalid_params(format!(
                "eth_subscribe: unsupported subscription {other:?} (newHeads, logs)"
            )));
        }
    };
    let subs = ctx.subscriptions("eth_subscribe")?;
    let id = subs.add(Framing::Eth, Vec::new(), subscriber);
    Ok(id.to_json(Framing::Eth))
}

/// `eth_unsubscribe(id)`: whether it existed.
pub(crate) fn unsubscribe(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let raw: Value = p.get(0, "subscription")?;
    let id = SubscriptionId::from_json(&raw, Framing::Eth).ok_or_else(|| {
        RpcError::invalid_params(format!("eth_unsubscribe: invalid subscription id {raw}"))
    })?;
    let subs = ctx.subscriptions("eth_unsubscribe")?;
    Ok(json!(subs.remove(id)))
}
