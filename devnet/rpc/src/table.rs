//! The one table of methods and the one dispatch.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use filmark_devnet::Devnet;
use serde_json::Value;

use crate::RpcError;
use crate::params::Params;
use crate::subscribe::Subscriptions;

/// What a handler sees: the devnet and the server's shared state.
#[derive(Debug, Clone)]
pub struct Context {
    /// The devnet served.
    pub devnet: Devnet,
    /// Accept Ethereum transactions without a chain id (pre-EIP-155), as geth's
    /// `--rpc.allow-unprotected-txs`; refused by default.
    pub allow_unprotected_txs: bool,
    /// The WebSocket connection the call came on (`None` over HTTP).
    pub(crate) subscriptions: Option<Subscriptions>,
    /// The installed `eth_newFilter` / `eth_newBlockFilter` filters.
    pub(crate) filters: Arc<crate::eth::Filters>,
    /// `eth_sendRawTransaction`'s group commit.
    pub(crate) sends: Arc<crate::eth::SendQueue>,
}

impl Context {
    /// A context serving `devnet` (unprotected transactions refused, no connection).
    pub fn new(devnet: Devnet) -> Self {
        let instant = devnet.config().mining == filmark_devnet::Mining::Instant;
        Self {
            sends: Arc::new(crate::eth::SendQueue::new(devnet.clone(), instant)),
            devnet,
            allow_unprotected_txs: false,
            subscriptions: None,
            filters: Arc::default(),
        }
    }

    /// The same context with unprotected (pre-EIP-155) transactions accepted or not.
    #[must_use]
    pub fn with_unprotected_txs(mut self, allow: bool) -> Self {
        self.allow_unprotected_txs = allow;
        self
    }

    /// The subscriptions of the WebSocket connection this call came on.
    ///
    /// # Errors
    /// `-32000` over HTTP, naming `method`: subscriptions need a WebSocket.
    pub fn subscriptions(&self, method: &str) -> Result<&Subscriptions, RpcError> {
        self.subscriptions.as_ref().ok_or_else(|| {
            RpcError::server(format!(
                "{method} needs a WebSocket connection (ws://…/rpc/v1), not HTTP"
            ))
        })
    }
}

/// A handler: reads its params, answers a JSON value. Handlers run on a blocking thread.
pub(crate) type Handler = fn(&Context, &Params<'_>) -> Result<Value, RpcError>;

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Method {
    /// The JSON-RPC method name.
    pub(crate) name: &'static str,
    /// The positional params, for `rpc.discover` (e.g. `"[address, blockTag?]"`).
    pub(crate) params: &'static str,
    /// The handler.
    pub(crate) handler: Handler,
}

/// A method as `rpc.discover` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MethodInfo {
    /// The JSON-RPC method name.
    pub name: &'static str,
    /// Its positional params.
    pub params: &'static str,
}

fn table() -> &'static HashMap<&'static str, Method> {
    static TABLE: OnceLock<HashMap<&'static str, Method>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for m in crate::lotus::METHODS
            .iter()
            .chain(crate::eth::METHODS)
            .chain(crate::control::METHODS)
            .chain(crate::provider::METHODS)
            .chain(DISCOVER)
        {
            let prev = map.insert(m.name, *m);
            assert!(prev.is_none(), "method {} is in the table twice", m.name);
        }
        map
    })
}

const DISCOVER: &[Method] = &[Method {
    name: "rpc.discover",
    params: "[]",
    handler: |_, p| {
        p.at_most(0)?;
        serde_json::to_value(methods()).map_err(|e| RpcError::internal(e.to_string()))
    },
}];

/// Every method served, sorted by name.
pub fn methods() -> Vec<MethodInfo> {
    let mut all: Vec<MethodInfo> = table()
        .values()
        .map(|m| MethodInfo {
            name: m.name,
            params: m.params,
        })
        .collect();
    all.sort_by_key(|m| m.name);
    all
}

/// Runs one call: looks `method` up in the table and runs its handler on `params`. Blocking: call
/// it from a blocking thread.
///
/// # Errors
/// `-32601` for an unknown method, `-32602` for bad params, and whatever the handler answers.
pub fn dispatch(ctx: &Context, method: &str, params: &Value) -> Result<Value, RpcError> {
    let Some(m) = table().get(method) else {
        return Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            format!("method {method} not found"),
        ));
    };
    let params = Params::new(m.name, params)?;
    (m.handler)(ctx, &params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_discover_and_has_no_duplicates() {
        let all = methods();
        assert!(all.iter().any(|m| m.name == "rpc.discover"));
        let mut names: Vec<_> = all.iter().map(|m| m.name).collect();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
