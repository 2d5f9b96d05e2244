//! JSON-RPC 2.0 framing, shared by HTTP and WebSocket: one body in, one reply out (or none, when
//! it held only notifications). Limits are checked before anything else: the body's size (by the
//! transport), its nesting depth (a scan of the bytes, before parsing), the batch's length.

use serde_json::{Map, Value, json};

use crate::RpcError;
use crate::eth::{SEND_RAW_TRANSACTION, send_raw_transaction_async};
use crate::server::RpcConfig;
use crate::table::{Context, dispatch};

/// One parsed call.
struct Call {
    /// `None` for a notification (no `id` member): it gets no reply.
    id: Option<Value>,
    method: String,
    params: Value,
}

/// A reply object.
pub(crate) fn reply(id: Value, outcome: Result<Value, RpcError>) -> Value {
    match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
    }
}

/// The reply to a body that was refused as a whole (parse error, depth, size, batch).
pub(crate) fn refusal(error: RpcError) -> Value {
    reply(Value::Null, Err(error))
}

/// How deep `body` nests arrays and objects, counted without parsing (brackets inside strings
/// are skipped); stops counting past `limit`.
fn depth_exceeds(body: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn invalid_request(message: impl Into<String>) -> RpcError {
    RpcError::new(RpcError::INVALID_REQUEST, message)
}

/// Reads one request object; on failure, the id to answer with (the request's if readable) and
/// the error.
fn parse_call(value: Value) -> Result<Call, (Value, RpcError)> {
    let Value::Object(mut object) = value else {
        return Err((
            Value::Null,
            invalid_request("a request must be a JSON object"),
        ));
    };
    let id = object.remove("id");
    let reply_id = match &id {
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Null)) => v.clone(),
        Some(_) => {
            return Err((
                Value::Null,
                invalid_request("id must be a string, a number or null"),
            ));
        }
        None => Value::Null,
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((reply_id, invalid_request(r#"jsonrpc must be "2.0""#)));
    }
    let method = match object.remove("method") {
        Some(Value::String(m)) => m,
        _ => return Err((reply_id, invalid_request("method must be a string"))),
    };
    let params = object.remove("params").unwrap_or(Value::Null);
    Ok(Call { id, method, params })
}

/// Runs the calls of one body on a blocking thread (the devnet's API blocks), in order; returns
/// their replies (none for notifications).
async fn run(ctx: &Context, calls: Vec<Result<Call, (Value, RpcError)>>) -> Vec<Value> {
    let ctx = ctx.clone();
    let task = tokio::task::spawn_blocking(move || {
        calls
            .into_iter()
            .filter_map(|call| match call {
                Err((id, error)) => Some(reply(id, Err(error))),
                Ok(Call { id, method, params }) => {
                    let outcome = dispatch(&ctx, &method, &params);
                    if let Err(e) = &outcome {
                        tracing::debug!(%method, error = %e, "call refused");
                    }
                    id.map(|id| reply(id, outcome))
                }
            })
            .collect::<Vec<_>>()
    });
    match task.await {
        Ok(replies) => replies,
        Err(e) => {
            tracing::error!(error = %e, "a handler panicked");
            vec![refusal(RpcError::internal(
                "the handler failed (a panic); nothing was changed by this call's refusal",
            ))]
        }
    }
}

/// Handles one body (already within the size limit): the reply to send, or `None` when the body
/// held only notifications.
pub(crate) async fn handle(ctx: &Context, config: &RpcConfig, body: &[u8]) -> Option<Value> {
    if depth_exceeds(body, config.max_depth) {
        return Some(refusal(invalid_request(format!(
            "the request nests deeper than {} levels (the limit)",
            config.max_depth
        ))));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(refusal(RpcError::new(
                RpcError::PARSE_ERROR,
                format!("parse error: {e}"),
            )));
        }
    };
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Some(refusal(invalid_request("empty batch")));
            }
            if items.len() > config.max_batch {
                return Some(refusal(invalid_request(format!(
                    "a batch of {} requests, the limit is {}",
                    items.len(),
                    config.max_batch
                ))));
            }
            let replies = run(ctx, items.into_iter().map(parse_call).collect()).await;
            (!replies.is_empty()).then_some(Value::Array(replies))
        }
        single => match parse_call(single) {
            // The send waits for its batch (a thread's work) without holding a blocking thread.
            Ok(Call { id, method, params }) if method == SEND_RAW_TRANSACTION => {
                let outcome = send_raw_transaction_async(ctx, &params).await;
                if let Err(e) = &outcome {
                    tracing::debug!(%method, error = %e, "call refused");
                }
                id.map(|id| reply(id, outcome))
            }
            call => run(ctx, vec![call]).await.pop(),
        },
    }
}

/// A notification object (a server-to-client message with no id).
pub(crate) fn notification(method: &str, params: Value) -> Value {
    let mut m = Map::new();
    m.insert("jsonrpc".into(), "2.0".into());
    m.insert("method".into(), method.into());
    m.insert("params".into(), params);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_counts_depth_outside_strings() {
        assert!(!depth_exceeds(br#"{"a":[1,[2]]}"#, 3));
        assert!(depth_exceeds(br#"{"a":[1,[2]]}"#, 2));
        assert!(!depth_exceeds(br#"{"a":"[[[[[[\"[[["}"#, 1));
        assert!(depth_exceeds(&[b'['; 100], 64));
    }

    #[test]
    fn it_reads_request_objects() {
        let c = parse_call(json!({"jsonrpc":"2.0","id":7,"method":"m","params":[1]})).unwrap();
        assert_eq!(
            (c.id, c.method.as_str(), c.params),
            (Some(json!(7)), "m", json!([1]))
        );
        let n = parse_call(json!({"jsonrpc":"2.0","method":"m"})).unwrap();
        assert_eq!((n.id, n.params), (None, Value::Null));
        let (id, e) = parse_call(json!({"jsonrpc":"1.0","id":"x","method":"m"}))
            .err()
            .unwrap();
        assert_eq!((id, e.code), (json!("x"), RpcError::INVALID_REQUEST));
        let (_, e) = parse_call(json!({"jsonrpc":"2.0","id":[1],"method":"m"}))
            .err()
            .unwrap();
        assert!(e.message.contains("id must be"), "{}", e.message);
        let (_, e) = parse_call(json!({"jsonrpc":"2.0","id":1,"method":5}))
            .err()
            .unwrap();
        assert!(e.message.contains("method"), "{}", e.message);
        assert!(parse_call(json!(3)).is_err());
    }
}
