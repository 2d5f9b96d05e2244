//! What can go wrong: [`RpcError`] for a client, [`Error`] for the crate's own API.

use serde::Serialize;

/// A JSON-RPC error object: what a client receives in `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// The JSON-RPC error code.
    pub code: i64,
    /// One clear line.
    pub message: String,
    /// Extra data (e.g. a revert's return bytes as 0x-hex), when there is some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl RpcError {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// A server error: the call was understood and refused (bad signature, nonce, funds, ...).
    pub const SERVER_ERROR: i64 = -32000;
    /// An execution error: the message ran and its actor failed or reverted (Lotus and geth use 3).
    pub const EXECUTION_ERROR: i64 = 3;

    /// An error with `code` and `message`, no data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// `-32602`: invalid params.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(Self::INVALID_PARAMS, message)
    }

    /// `-32000`: the devnet refused the call.
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(Self::SERVER_ERROR, message)
    }

    /// `-32603`: something that should not happen.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Self::INTERNAL_ERROR, message)
    }

    /// The same error with `data` attached.
    #[must_use]
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

impl From<filmark_devnet::Error> for RpcError {
    fn from(e: filmark_devnet::Error) -> Self {
        Self::server(e.to_string())
    }
}

/// Everything that can go wrong in this crate's API (starting and running a server).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The devnet failed.
    #[error(transparent)]
    Devnet(#[from] filmark_devnet::Error),
    /// Binding or serving the socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
}
