//! The simulated provider over the network: `PUT /provider/car/{escrow}/{orderId}` (the CAR as
//! the raw body, streamed to the provider) and `filmark_providerStatus` /
//! `filmark_providerOffer` in the one table.

use std::io::{self, Read};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use filmark_devnet::{OfferState, ProviderRecord};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::RpcError;
use crate::control::{any_address, quantity_u64};
use crate::lotus_json::{address, cid};
use crate::params::Params;
use crate::table::{Context, Method};

/// The upload endpoint's path (axum syntax): `PUT` or `POST` the CAR as the body.
pub const PROVIDER_CAR_PATH: &str = "/provider/car/{escrow}/{order_id}";
/// The largest CAR the upload endpoint takes, 1 GiB (its own limit, not the JSON-RPC body's).
pub const MAX_UPLOAD_BYTES: u64 = 1 << 30;
/// Body chunks in flight between the connection and the provider's hasher.
const UPLOAD_QUEUE: usize = 8;

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[
    Method {
        name: "filmark_providerStatus",
        params: "[escrow, orderId]",
        handler: filmark_provider_status,
    },
    Method {
        name: "filmark_providerOffer",
        params: "[escrow, orderId, carBase64]",
        handler: filmark_provider_offer,
    },
];

/// A record as the RPC answers it (see the README, "The simulated provider").
pub(crate) fn record_json(r: &ProviderRecord) -> Value {
    let (deal_id, active_since, rejection) = match &r.state {
        OfferState::Published { deal_id } => (Some(*deal_id), None, Value::Null),
        OfferState::Active { deal_id, since } => (Some(*deal_id), Some(*since), Value::Null),
        OfferState::Ended { deal_id, .. } => (Some(*deal_id), None, Value::Null),
        OfferState::Rejected(why) => (
            None,
            None,
            json!({ "kind": why.kind(), "message": why.to_string() }),
        ),
        _ => (None, None, Value::Null),
    };
    json!({
        "escrow": address(&r.escrow),
        "orderId": r.order_id,
        "provider": address(&r.provider),
        "state": r.state.name(),
        "dealId": deal_id,
        "activeSince": active_since,
        "rejection": rejection,
        "carBytes": r.car_bytes,
        "root": r.root.as_ref().map(cid),
        "pieceCid": r.piece.as_ref().map(|(c, _)| cid(c)),
        "pieceSize": r.piece.as_ref().map(|(_, s)| *s),
        "receivedAt": r.received_at,
        "updatedAt": r.updated_at,
        "note": r.note,
        "endedAt": match r.state {
            OfferState::Ended { at, .. } => json!(at),
            _ => Value::Null,
        },
    })
}

fn filmark_provider_status(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let escrow = any_address(p, 0, "escrow")?;
    let order_id = quantity_u64(p, 1, "orderId")?;
    let records = ctx.devnet.provider_records(&escrow, order_id);
    Ok(Value::Array(records.iter().map(record_json).collect()))
}

fn filmark_provider_offer(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    use base64::Engine as _;
    p.at_most(3)?;
    let escrow = any_address(p, 0, "escrow")?;
    let order_id = quantity_u64(p, 1, "orderId")?;
    let car = base64::engine::general_purpose::STANDARD
        .decode(p.get::<String>(2, "carBase64")?)
        .map_err(|e| RpcError::invalid_params(format!("carBase64: {e}")))?;
    let record = ctx
        .devnet
        .provider()
        .offer(&escrow, order_id, car.as_slice())?;
    Ok(record_json(&record))
}

/// The upload's body as a blocking reader: chunks arrive from the connection's task.
struct Chunks {
    rx: mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// `answer`, once the body is read (and dropped) up to [`MAX_UPLOAD_BYTES`]: a client still
/// sending would otherwise fail on a closed connection before it reads the answer. Past the
/// limit the connection is closed after the answer.
async fn after_reading(body: Body, mut answer: Response) -> Response {
    let mut stream = body.into_data_stream();
    let mut received = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        received += chunk.len() as u64;
        if received > MAX_UPLOAD_BYTES {
            answer.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            break;
        }
    }
    answer
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

/// `PUT|POST /provider/car/{escrow}/{orderId}`: the body is the CAR, handed to the devnet's
/// provider as it arrives (each chunk once, to its hasher). Answers the provider's record: 200
/// once a deal is made, 422 when the provider rejected the CAR; 400 for a bad path, 413 past
/// [`MAX_UPLOAD_BYTES`], 500 for the devnet's failure.
pub(crate) async fn upload(
    ctx: &Context,
    (escrow, order_id): (String, String),
    body: Body,
) -> Response {
    let escrow = match filmark_sdk::keys::parse_address(&escrow) {
        Ok(a) => a,
        Err(e) => {
            let answer = error(StatusCode::BAD_REQUEST, format!("escrow address: {e}"));
            return after_reading(body, answer).await;
        }
    };
    let Ok(order_id) = order_id.parse::<u64>() else {
        let answer = error(
            StatusCode::BAD_REQUEST,
            format!("order id {order_id:?} is not a decimal integer"),
        );
        return after_reading(body, answer).await;
    };
    let (tx, rx) = mpsc::channel(UPLOAD_QUEUE);
    let devnet = ctx.devnet.clone();
    let offer = tokio::task::spawn_blocking(move || {
        let chunks = Chunks {
            rx,
            current: Bytes::new(),
        };
        devnet.provider().offer(&escrow, order_id, chunks)
    });
    let mut stream = body.into_data_stream();
    let mut received = 0u64;
    let mut over = false;
    while let Some(chunk) = stream.next().await {
        let item = match chunk {
            Ok(bytes) => {
                received += bytes.len() as u64;
                if received > MAX_UPLOAD_BYTES {
                    over = true;
                    Err(format!(
                        "the upload is over {MAX_UPLOAD_BYTES} bytes, the endpoint's limit"
                    ))
                } else {
                    Ok(bytes)
                }
            }
            Err(e) => Err(format!("the upload broke off: {e}")),
        };
        let stop = item.is_err();
        if stop {
            let _ = tx.send(item).await;
            break;
        }
        // A closed channel: the provider has decided without reading the rest. The rest is
        // still read (and dropped), so that the client, which is still sending, gets the
        // answer and its connection stays usable.
        if !tx.is_closed() {
            let _ = tx.send(item).await;
        }
    }
    drop(tx);
    let record = match offer.await {
        Ok(Ok(record)) => record,
        Ok(Err(e)) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let status = if over {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if record.state.deal_id().is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = (status, axum::Json(record_json(&record))).into_response();
    if over {
        // The rest of the body was not read: the connection cannot carry another request.
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    response
}
