//! A devnet served on a free loopback port, and a small client.

use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle};
use filmark_devnet_rpc::{RpcConfig, RpcServer};
use serde_json::{Value, json};

/// A devnet and its server (dropped in order: the server first).
pub(crate) struct Served {
    pub(crate) server: RpcServer,
    pub(crate) handle: DevnetHandle,
    agent: ureq::Agent,
}

impl Served {
    pub(crate) fn new() -> Self {
        Self::with(DevnetConfig::test(), RpcConfig::test())
    }

    pub(crate) fn with(devnet: DevnetConfig, rpc: RpcConfig) -> Self {
        let handle = Devnet::spawn(devnet).expect("devnet");
        let server = RpcServer::spawn(handle.devnet(), rpc).expect("server");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            server,
            handle,
            agent,
        }
    }

    pub(crate) fn devnet(&self) -> Devnet {
        self.handle.devnet()
    }

    /// Posts `body` as is: the status and the body (empty for no content).
    pub(crate) fn post_raw(&self, body: impl AsRef<[u8]>) -> (u16, String) {
        let mut resp = self
            .agent
            .post(self.server.url())
            .header("Content-Type", "application/json")
            .send(body.as_ref())
            .expect("http");
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap_or_default();
        (status, text)
    }

    /// `PUT`s `body` to `url`: the status and the reply parsed as JSON.
    pub(crate) fn put(&self, url: &str, body: &[u8]) -> (u16, Value) {
        let mut resp = self.agent.put(url).send(body).expect("http");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, value)
    }

    /// Posts a JSON value; the reply parsed.
    pub(crate) fn post(&self, body: &Value) -> Value {
        let (status, text) = self.post_raw(body.to_string());
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).expect("a JSON reply")
    }

    /// Calls `method`: its result, or the error object.
    pub(crate) fn call(&self, method: &str, params: Value) -> Result<Value, Value> {
        let reply =
            self.post(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}));
        assert_eq!(reply["id"], json!(1), "{reply}");
        match reply.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(reply["result"].clone()),
        }
    }

    /// Calls `method`, which must succeed.
    pub(crate) fn ok(&self, method: &str, params: Value) -> Value {
        self.call(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// Calls `method`, which must fail with `code`; the error's message.
    pub(crate) fn err(&self, method: &str, params: Value, code: i64) -> String {
        let e = self
            .call(method, params)
            .err()
            .unwrap_or_else(|| panic!("{method} succeeded"));
        assert_eq!(e["code"], json!(code), "{e}");
        e["message"].as_str().unwrap_or_default().to_owned()
    }
}
