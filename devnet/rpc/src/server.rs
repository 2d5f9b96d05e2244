//! The server: HTTP `POST /rpc/v1` and a WebSocket on the same path (axum), the simulated
//! provider's CAR upload (`PUT /provider/car/{escrow}/{orderId}`), CORS open to any origin, on
//! its own thread and tokio runtime; [`RpcServer`] stops it on drop.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use filmark_devnet::Devnet;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{broadcast, mpsc, watch};
use tower_http::cors::{Any, CorsLayer};

use crate::error::{Error, RpcError};
use crate::jsonrpc::{handle, refusal};
use crate::subscribe::{Connection, HeadChange, Subscriptions, watch_heads};
use crate::table::Context;

/// The path both transports serve (Lotus' v1 API path; Ethereum clients use it too).
pub const RPC_PATH: &str = "/rpc/v1";
/// The default port (Lotus').
pub const DEFAULT_PORT: u16 = 1234;
/// The largest request body (or WebSocket message), 5 MiB (geth's HTTP limit); refused before
/// it is parsed or any signature is checked.
pub const MAX_BODY_BYTES: usize = 5 << 20;
/// Most requests in one batch (geth's default `BatchRequestLimit`).
pub const MAX_BATCH: usize = 1_000;
/// Deepest nesting of arrays and objects a request may have (checked before parsing).
pub const MAX_DEPTH: usize = 64;
/// How long a stopping server waits for calls in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How the server listens and what it accepts. Build with [`RpcConfig::default`] or
/// [`RpcConfig::test`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcConfig {
    /// Address to bind (loopback by default: the devnet's keys are public).
    pub host: IpAddr,
    /// Port to bind (0: any free port; see [`RpcServer::addr`]).
    pub port: u16,
    /// Largest body or WebSocket message, in bytes ([`MAX_BODY_BYTES`]).
    pub max_body_bytes: usize,
    /// Most requests in a batch ([`MAX_BATCH`]).
    pub max_batch: usize,
    /// Deepest JSON nesting ([`MAX_DEPTH`]).
    pub max_depth: usize,
    /// Accept pre-EIP-155 Ethereum transactions (no chain id); refused by default.
    pub allow_unprotected_txs: bool,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            max_body_bytes: MAX_BODY_BYTES,
            max_batch: MAX_BATCH,
            max_depth: MAX_DEPTH,
            allow_unprotected_txs: false,
        }
    }
}

impl RpcConfig {
    /// The preset for tests: loopback, any free port.
    pub fn test() -> Self {
        Self {
            port: 0,
            ..Self::default()
        }
    }

    /// Sets the address to bind.
    pub const fn with_host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Sets the port (0: any free one).
    pub const fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the limits: body bytes, batch length, nesting depth.
    pub const fn with_limits(
        mut self,
        max_body_bytes: usize,
        max_batch: usize,
        max_depth: usize,
    ) -> Self {
        self.max_body_bytes = max_body_bytes;
        self.max_batch = max_batch;
        self.max_depth = max_depth;
        self
    }

    /// Accepts (or refuses) pre-EIP-155 transactions.
    pub const fn with_allow_unprotected_txs(mut self, allow: bool) -> Self {
        self.allow_unprotected_txs = allow;
        self
    }
}

/// What every connection shares.
#[derive(Debug, Clone)]
struct Shared {
    ctx: Context,
    config: Arc<RpcConfig>,
    heads: broadcast::Sender<HeadChange>,
    next_subscription: Arc<AtomicU64>,
    stop: watch::Receiver<bool>,
}

/// A running server. Stops (and waits, up to 5 s, for the calls in flight) on drop or
/// [`RpcServer::stop`].
#[derive(Debug)]
pub struct RpcServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    stop_heads: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    heads: Option<JoinHandle<()>>,
}

impl RpcServer {
    /// Binds `config.host:config.port` and serves `devnet` on a thread of its own.
    ///
    /// # Errors
    /// [`Error::Io`] if the address cannot be bound or the threads cannot start.
    pub fn spawn(devnet: Devnet, config: RpcConfig) -> Result<Self, Error> {
        let io = |context: &str| {
            let context = context.to_owned();
            move |source| Error::Io { context, source }
        };
        let bind = SocketAddr::new(config.host, config.port);
        let listener = std::net::TcpListener::bind(bind).map_err(io(&format!("binding {bind}")))?;
        listener
            .set_nonblocking(true)
            .map_err(io("setting the socket non-blocking"))?;
        let addr = listener
            .local_addr()
            .map_err(io("reading the bound address"))?;
        let (heads, _) = broadcast::channel(1_024);
        let stop_heads = Arc::new(AtomicBool::new(false));
        let watcher = watch_heads(devnet.clone(), heads.clone(), stop_heads.clone())
            .map_err(io("starting the head watcher"))?;
        let (stop, stop_rx) = watch::channel(false);
        let mut ctx = Context::new(devnet);
        ctx.allow_unprotected_txs = config.allow_unprotected_txs;
        let shared = Shared {
            ctx,
            config: Arc::new(config),
            heads,
            next_subscription: Arc::default(),
            stop: stop_rx,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("filmark-rpc")
            .enable_all()
            .build()
            .map_err(io("starting the runtime"))?;
        let thread = std::thread::Builder::new()
            .name("filmark-rpc-server".into())
            .spawn(move || {
                runtime.block_on(serve(listener, shared));
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })
            .map_err(io("starting the server thread"))?;
        tracing::info!(%addr, "JSON-RPC server listening on http://{addr}{RPC_PATH}");
        Ok(Self {
            addr,
            stop,
            stop_heads,
            thread: Some(thread),
            heads: Some(watcher),
        })
    }

    /// The address bound (with the actual port when the config asked for 0).
    pub const fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The HTTP URL of the RPC: `http://<addr>/rpc/v1`.
    pub fn url(&self) -> String {
        format!("http://{}{RPC_PATH}", self.addr)
    }

    /// The URL to `PUT` a CAR to for `order_id` of `escrow` (the devnet's simulated provider):
    /// `http://<addr>/provider/car/<escrow>/<order_id>`.
    pub fn provider_car_url(&self, escrow: &fvm_shared::address::Address, order_id: u64) -> String {
        format!("http://{}/provider/car/{escrow}/{order_id}", self.addr)
    }

    /// The WebSocket URL of the RPC: `ws://<addr>/rpc/v1`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}{RPC_PATH}", self.addr)
    }

    /// Stops serving: refuses new connections, closes WebSockets, waits for calls in flight (at
    /// most 5 s).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        self.stop_heads.store(true, Ordering::SeqCst);
        if let Some(t) = self.heads.take() {
            t.thread().unpark();
            let _ = t.join();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RpcServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn serve(listener: std::net::TcpListener, shared: Shared) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "cannot serve the bound socket");
            return;
        }
    };
    let mut stop = shared.stop.clone();
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any);
    let app = Router::new()
        .route(RPC_PATH, post(http).get(websocket))
        .route(
            crate::provider::PROVIDER_CAR_PATH,
            put(car_upload)
                .post(car_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .layer(cors)
        .with_state(shared);
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(stopped)
        .await
    {
        tracing::error!(error = %e, "the JSON-RPC server failed");
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn http(State(shared): State<Shared>, body: Body) -> Response {
    let limit = shared.config.max_body_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        let error = refusal(RpcError::new(
            RpcError::INVALID_REQUEST,
            format!("the request body is over {limit} bytes (the limit)"),
        ));
        return json_response(StatusCode::PAYLOAD_TOO_LARGE, error.to_string());
    };
    match handle(&shared.ctx, &shared.config, &bytes).await {
        Some(reply) => json_response(StatusCode::OK, reply.to_string()),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// The simulated provider's upload endpoint (its own limit: [`crate::MAX_UPLOAD_BYTES`]).
async fn car_upload(
    State(shared): State<Shared>,
    Path(path): Path<(String, String)>,
    body: Body,
) -> Response {
    crate::provider::upload(&shared.ctx, path, body).await
}

async fn websocket(State(shared): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    let limit = shared.config.max_body_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| connection(socket, shared))
}

async fn connection(socket: WebSocket, shared: Shared) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut outgoing) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(text) = outgoing.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let conn = Arc::new(Connection::new(
        out.clone(),
        shared.heads.clone(),
        shared.next_subscription.clone(),
    ));
    let mut stop = shared.stop.clone();
    loop {
        let message = tokio::select! {
            m = stream.next() => m,
            _ = stop.wait_for(|s| *s) => break,
        };
        let body = match message {
            Some(Ok(Message::Text(t))) => t.as_str().as_bytes().to_vec(),
            Some(Ok(Message::Binary(b))) => b.to_vec(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
        };
        let mut ctx = shared.ctx.clone();
        let subs = Subscriptions::new(conn.clone());
        ctx.subscriptions = Some(subs.clone());
        let config = shared.config.clone();
        let out = out.clone();
        tokio::spawn(async move {
            if let Some(reply) = handle(&ctx, &config, &body).await {
                let _ = out.send(reply.to_string());
            }
            subs.start(&ctx);
        });
    }
    drop(conn);
    drop(out);
    // The writer ends once every sender (calls in flight, subscriptions) is gone.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, writer).await;
}
