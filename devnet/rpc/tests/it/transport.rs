//! JSON-RPC framing over HTTP and WebSocket: batches, notifications, limits, bad input.

use filmark_devnet::DevnetConfig;
use filmark_devnet_rpc::{MAX_BATCH, MAX_BODY_BYTES, RpcConfig, RpcError};
use serde_json::{Value, json};

use crate::common::Served;

#[test]
fn single_and_batch_requests_are_answered_in_order_and_notifications_are_not() {
    let s = Served::new();
    let one = s.post(&json!({"jsonrpc":"2.0","id":"a","method":"rpc.discover","params":[]}));
    assert!(
        one["result"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["name"] == "rpc.discover"))
    );
    let batch = s.post(&json!([
        {"jsonrpc":"2.0","id":1,"method":"rpc.discover"},
        {"jsonrpc":"2.0","method":"rpc.discover"},
        {"jsonrpc":"2.0","id":2,"method":"no_such_method"},
        5,
    ]));
    let replies = batch.as_array().expect("an array");
    assert_eq!(replies.len(), 3, "the notification gets no reply: {batch}");
    assert_eq!(replies[0]["id"], json!(1));
    assert_eq!(
        replies[1]["error"]["code"],
        json!(RpcError::METHOD_NOT_FOUND)
    );
    assert_eq!(
        replies[2]["error"]["code"],
        json!(RpcError::INVALID_REQUEST)
    );
    // Only notifications: no content at all.
    let (status, body) = s.post_raw(json!({"jsonrpc":"2.0","method":"rpc.discover"}).to_string());
    assert_eq!((status, body.as_str()), (204, ""));
    let (status, body) = s.post_raw(json!([{"jsonrpc":"2.0","method":"rpc.discover"}]).to_string());
    assert_eq!((status, body.as_str()), (204, ""));
}

fn refusal(s: &Served, body: impl AsRef<[u8]>) -> (u16, i64, String) {
    let (status, text) = s.post_raw(body);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["id"], Value::Null, "{v}");
    (
        status,
        v["error"]["code"].as_i64().expect("a code"),
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn bad_bodies_get_errors_with_codes_and_change_nothing() {
    let s = Served::new();
    let head = s.devnet().head();
    let (_, code, msg) = refusal(&s, "{\"jsonrpc\":");
    assert_eq!(code, RpcError::PARSE_ERROR, "{msg}");
    let (_, code, msg) = refusal(&s, "[]");
    assert_eq!(
        (code, msg.as_str()),
        (RpcError::INVALID_REQUEST, "empty batch")
    );
    let over: Vec<Value> = (0..=MAX_BATCH)
        .map(|i| json!({"jsonrpc":"2.0","id":i,"method":"rpc.discover"}))
        .collect();
    let (_, code, msg) = refusal(&s, Value::Array(over).to_string());
    assert_eq!(code, RpcError::INVALID_REQUEST);
    assert!(msg.contains("limit is 1000"), "{msg}");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let (_, code, msg) = refusal(&s, deep);
    assert_eq!(code, RpcError::INVALID_REQUEST);
    assert!(msg.contains("deeper than 64"), "{msg}");
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"rpc.discover","params":["{}"]}}"#,
        "a".repeat(MAX_BODY_BYTES)
    );
    let (status, code, msg) = refusal(&s, big);
    assert_eq!((status, code), (413, RpcError::INVALID_REQUEST));
    assert!(msg.contains("5242880 bytes"), "{msg}");
    let e = s.err("no_such_method", json!([]), RpcError::METHOD_NOT_FOUND);
    assert_eq!(e, "method no_such_method not found");
    let e = s.err("rpc.discover", json!([1]), RpcError::INVALID_PARAMS);
    assert!(e.contains("at most 0"), "{e}");
    let e = s.err("rpc.discover", json!({"a": 1}), RpcError::INVALID_PARAMS);
    assert!(e.contains("must be an array"), "{e}");
    assert_eq!(s.devnet().head(), head);
    assert_eq!(s.devnet().pending(), 0);
}

#[test]
fn configured_limits_apply_and_cors_allows_any_origin() {
    let s = Served::with(
        DevnetConfig::test(),
        RpcConfig::test().with_limits(200, 2, 3),
    );
    let (status, code, _) = refusal(&s, format!("[{}]", " ".repeat(300)));
    assert_eq!((status, code), (413, RpcError::INVALID_REQUEST));
    let (_, code, msg) = refusal(&s, "[[[[1]]]]");
    assert_eq!(code, RpcError::INVALID_REQUEST, "{msg}");
    let three = json!([{"jsonrpc":"2.0","id":1,"method":"rpc.discover"},{"jsonrpc":"2.0","id":2,"method":"rpc.discover"},{"jsonrpc":"2.0","id":3,"method":"rpc.discover"}]);
    let (_, code, msg) = refusal(&s, three.to_string());
    assert!(
        code == RpcError::INVALID_REQUEST && msg.contains("limit is 2"),
        "{msg}"
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let resp = agent
        .options(s.server.url())
        .header("Origin", "http://example.test")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .call()
        .expect("preflight");
    assert_eq!(
        resp.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some("*")
    );
}

#[test]
fn the_server_binds_port_zero_and_stops_on_drop() {
    let s = Served::new();
    let addr = s.server.addr();
    assert_ne!(addr.port(), 0);
    assert!(addr.ip().is_loopback());
    drop(s);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_serves_the_same_framing() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let s = tokio::task::spawn_blocking(Served::new).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(s.server.ws_url())
        .await
        .expect("ws");
    let send = |v: String| Message::Text(v.into());
    // A notification (no reply), then a batch (one reply, an array), then a parse error.
    ws.send(send(
        json!({"jsonrpc":"2.0","method":"rpc.discover"}).to_string(),
    ))
    .await
    .unwrap();
    ws.send(send(
        json!([{"jsonrpc":"2.0","id":1,"method":"Filecoin.ChainHead"},{"jsonrpc":"2.0","id":2,"method":"nope"}])
            .to_string(),
    ))
    .await
    .unwrap();
    let mut next = async || -> Value {
        loop {
            let m = tokio::time::timeout(std::time::Duration::from_secs(20), ws.next())
                .await
                .expect("in time")
                .expect("open")
                .expect("ok");
            if let Message::Text(t) = m {
                return serde_json::from_str(&t).unwrap();
            }
        }
    };
    let batch = next().await;
    assert_eq!(batch[0]["result"]["Height"], 0, "{batch}");
    assert_eq!(batch[1]["error"]["code"], RpcError::METHOD_NOT_FOUND);
    ws.send(send("{oops".into())).await.unwrap();
    let reply = loop {
        if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
            break serde_json::from_str::<Value>(&t).unwrap();
        }
    };
    assert_eq!(reply["error"]["code"], RpcError::PARSE_ERROR);
    // A message over the size limit closes the connection (nothing is parsed).
    let _ = ws.send(send("x".repeat(MAX_BODY_BYTES + 1))).await;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true));
    // The server still answers.
    let head = tokio::task::spawn_blocking(move || {
        let h = s.ok("Filecoin.ChainHead", json!([]));
        drop(s);
        h
    })
    .await
    .unwrap();
    assert_eq!(head["Height"], 0);
}
