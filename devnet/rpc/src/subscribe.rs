//! WebSocket subscriptions: the hook `ChainNotify` (Lotus) and `eth_subscribe` (Ethereum) use.
//!
//! A handler called over a WebSocket reaches the connection through
//! [`Context::subscriptions`](crate::Context); it registers a [`Subscriber`] with the
//! [`Framing`] its clients expect and answers the subscription's id. The server sends the reply
//! first, then the subscriber's initial values, then what it makes of each [`HeadChange`].
//! Over HTTP there is no connection: the call gets a clear error.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use filmark_devnet::{Devnet, Tipset, TipsetRef};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::RpcError;
use crate::jsonrpc::notification;
use crate::table::Context;

/// How often the head watcher, waiting for the devnet's next head, looks at its stop flag.
const STOP_CHECK: Duration = Duration::from_millis(200);
/// Head changes a slow subscriber may fall behind by before it misses some.
const HEAD_BACKLOG: usize = 1_024;

/// A change of the devnet's head, in chain order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadChange {
    /// The tipset left the chain (a revert to a snapshot).
    Revert(Tipset),
    /// The tipset joined the chain.
    Apply(Tipset),
}

/// How a subscription's notifications are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Ethereum's: `eth_subscription` with `{subscription: "0x<id>", result}`.
    Eth,
    /// Lotus' channels (go-jsonrpc): `xrpc.ch.val` with `[<id>, value]`; the reply's result is
    /// the channel id, a number.
    LotusChannel,
}

/// A subscription's id, unique per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscriptionId(pub u64);

impl SubscriptionId {
    /// The id as `framing`'s clients see it: `"0x<hex>"` for Ethereum, a number for Lotus.
    pub fn to_json(self, framing: Framing) -> Value {
        match framing {
            Framing::Eth => json!(format!("{:#x}", self.0)),
            Framing::LotusChannel => json!(self.0),
        }
    }

    /// Reads an id as `framing`'s clients send it back (e.g. to `eth_unsubscribe`).
    pub fn from_json(value: &Value, framing: Framing) -> Option<Self> {
        match (framing, value) {
            (Framing::Eth, Value::String(s)) => s
                .strip_prefix("0x")
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .map(Self),
            (Framing::LotusChannel, v) => v.as_u64().map(Self),
            _ => None,
        }
    }
}

/// What a subscription does with each head change. It runs on a blocking thread (it may read
/// the devnet) and answers the values to notify (none: nothing this time).
pub trait Subscriber: Send + 'static {
    /// The values to send for `change`.
    ///
    /// # Errors
    /// An error ends the subscription (it is logged).
    fn on_head(&mut self, ctx: &Context, change: &HeadChange) -> Result<Vec<Value>, RpcError>;
}

/// A subscription registered by a call, started once its reply is sent.
struct Starting {
    id: SubscriptionId,
    framing: Framing,
    initial: Vec<Value>,
    subscriber: Box<dyn Subscriber>,
    heads: broadcast::Receiver<HeadChange>,
}

/// One WebSocket connection's subscriptions.
pub(crate) struct Connection {
    pub(crate) out: mpsc::UnboundedSender<String>,
    heads: broadcast::Sender<HeadChange>,
    next_id: Arc<AtomicU64>,
    running: Mutex<HashMap<SubscriptionId, tokio::task::AbortHandle>>,
}

impl Connection {
    pub(crate) fn new(
        out: mpsc::UnboundedSender<String>,
        heads: broadcast::Sender<HeadChange>,
        next_id: Arc<AtomicU64>,
    ) -> Self {
        Self {
            out,
            heads,
            next_id,
            running: Mutex::default(),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        for (_, task) in self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            task.abort();
        }
    }
}

/// The subscriptions of the connection a call came on (see the module docs).
#[derive(Clone)]
pub struct Subscriptions {
    conn: Arc<Connection>,
    starting: Arc<Mutex<Vec<Starting>>>,
}

impl std::fmt::Debug for Subscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscriptions").finish_non_exhaustive()
    }
}

impl Subscriptions {
    pub(crate) fn new(conn: Arc<Connection>) -> Self {
        Self {
            conn,
            starting: Arc::default(),
        }
    }

    /// Registers `subscriber`: after the call's reply, `initial` is sent, then its notifications
    /// for every head change from now on. Returns its id (answer `id.to_json(framing)`).
    pub fn add(
        &self,
        framing: Framing,
        initial: Vec<Value>,
        subscriber: Box<dyn Subscriber>,
    ) -> SubscriptionId {
        let id = SubscriptionId(self.conn.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let heads = self.conn.heads.subscribe();
        self.starting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Starting {
                id,
                framing,
                initial,
                subscriber,
                heads,
            });
        id
    }

    /// Ends subscription `id`; whether it existed on this connection.
    pub fn remove(&self, id: SubscriptionId) -> bool {
        let mut starting = self.starting.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = starting.iter().position(|s| s.id == id) {
            starting.remove(at);
            return true;
        }
        drop(starting);
        let task = self
            .conn
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        task.inspect(tokio::task::AbortHandle::abort).is_some()
    }

    /// Starts what the call registered (after its reply was queued).
    pub(crate) fn start(&self, ctx: &Context) {
        let starting =
            std::mem::take(&mut *self.starting.lock().unwrap_or_else(|e| e.into_inner()));
        let mut running = self.conn.running.lock().unwrap_or_else(|e| e.into_inner());
        // The task's context has no connection: a subscription must not keep its own
        // connection alive.
        let mut task_ctx = ctx.clone();
        task_ctx.subscriptions = None;
        for s in starting {
            let id = s.id;
            let task = tokio::spawn(run(task_ctx.clone(), self.conn.out.clone(), s));
            running.insert(id, task.abort_handle());
        }
    }
}

fn framed(framing: Framing, id: SubscriptionId, value: Value) -> String {
    let msg = match framing {
        Framing::Eth => notification(
            "eth_subscription",
            json!({"subscription": id.to_json(framing), "result": value}),
        ),
        Framing::LotusChannel => notification("xrpc.ch.val", json!([id.0, value])),
    };
    msg.to_string()
}

async fn run(ctx: Context, out: mpsc::UnboundedSender<String>, s: Starting) -> SubscriptionId {
    let Starting {
        id,
        framing,
        initial,
        mut subscriber,
        mut heads,
    } = s;
    for v in initial {
        if out.send(framed(framing, id, v)).is_err() {
            return id;
        }
    }
    loop {
        let change = match heads.recv().await {
            Ok(c) => c,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(subscription = id.0, missed = n, "a subscriber fell behind");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => break,
        };
        let ctx2 = ctx.clone();
        let done = tokio::task::spawn_blocking(move || {
            let r = subscriber.on_head(&ctx2, &change);
            (subscriber, r)
        })
        .await;
        let Ok((back, result)) = done else { break };
        subscriber = back;
        match result {
            Ok(values) => {
                for v in values {
                    if out.send(framed(framing, id, v)).is_err() {
                        return id;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(subscription = id.0, error = %e, "subscription ended");
                break;
            }
        }
    }
    if framing == Framing::LotusChannel {
        let _ = out.send(notification("xrpc.ch.close", json!([id.0])).to_string());
    }
    id
}

/// Listens to the devnet's new heads ([`Devnet::subscribe_heads`]) and broadcasts each change,
/// in order, until `stop`.
pub(crate) fn watch_heads(
    devnet: Devnet,
    heads: broadcast::Sender<HeadChange>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("filmark-rpc-heads".into())
        .spawn(move || {
            // Subscribed before the first head is read: no head is missed in between.
            let new_heads = devnet.subscribe_heads();
            let mut recent = VecDeque::from([devnet.head()]);
            while !stop.load(Ordering::SeqCst) {
                let head = match new_heads.recv_timeout(STOP_CHECK) {
                    Ok(head) => head,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                };
                if recent.back().is_some_and(|t| t.cid == head.cid) {
                    continue;
                }
                for change in changes(&devnet, &mut recent, head) {
                    let _ = heads.send(change);
                }
            }
        })
}

/// The changes from the last tipset in `recent` (the tipsets seen last, oldest first) to `new`:
/// reverts of the seen tipsets no longer on the chain, newest first, then applies of the new
/// ones, oldest first (found through parent links: one step per tipset, none per null round).
fn changes(devnet: &Devnet, recent: &mut VecDeque<Tipset>, new: Tipset) -> Vec<HeadChange> {
    // The usual case, a child of the last head seen: no walk (and no read of the devnet).
    if recent
        .back()
        .is_some_and(|last| new.header.parents.first() == Some(&last.cid))
    {
        return finish(Vec::new(), vec![new], recent);
    }
    let mut applied = Vec::new();
    let mut cursor = Some(new);
    // Walk back from the new head until a tipset already seen (or older than all of them).
    while let Some(t) = cursor.take() {
        if recent.iter().any(|r| r.cid == t.cid) {
            // Revert what was seen above it.
            let mut out = Vec::new();
            while recent.back().is_some_and(|r| r.cid != t.cid) {
                out.extend(recent.pop_back().map(HeadChange::Revert));
            }
            return finish(out, applied, recent);
        }
        if recent.front().is_some_and(|r| t.height() < r.height()) {
            break;
        }
        cursor = t
            .header
            .parents
            .first()
            .and_then(|p| devnet.tipset(TipsetRef::Key(*p)).ok());
        applied.push(t);
    }
    // Nothing seen is an ancestor: everything seen left the chain.
    let out = recent.drain(..).rev().map(HeadChange::Revert).collect();
    finish(out, applied, recent)
}

fn finish(
    mut out: Vec<HeadChange>,
    applied: Vec<Tipset>,
    recent: &mut VecDeque<Tipset>,
) -> Vec<HeadChange> {
    for t in applied.into_iter().rev() {
        recent.push_back(t.clone());
        out.push(HeadChange::Apply(t));
    }
    while recent.len() > HEAD_BACKLOG {
        recent.pop_front();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_as_each_framing_writes_them() {
        let id = SubscriptionId(26);
        assert_eq!(id.to_json(Framing::Eth), json!("0x1a"));
        assert_eq!(id.to_json(Framing::LotusChannel), json!(26));
        for f in [Framing::Eth, Framing::LotusChannel] {
            assert_eq!(SubscriptionId::from_json(&id.to_json(f), f), Some(id));
        }
        assert_eq!(SubscriptionId::from_json(&json!("1a"), Framing::Eth), None);
        assert_eq!(
            SubscriptionId::from_json(&json!("0x1a"), Framing::LotusChannel),
            None
        );
        let n = framed(Framing::Eth, id, json!({"a": 1}));
        assert_eq!(
            serde_json::from_str::<Value>(&n).unwrap(),
            json!({"jsonrpc": "2.0", "method": "eth_subscription", "params": {"subscription": "0x1a", "result": {"a": 1}}})
        );
    }
}
