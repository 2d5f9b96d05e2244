//! The crate's error type.

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

/// Everything that can go wrong in the devnet.
///
/// Refusals of a message by the pool ([`Error::BadSignature`], [`Error::NonceMismatch`], ...) leave
/// the devnet running: nothing is mined and the caller may retry with a fixed message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The message's signature does not verify against its sender.
    #[error("bad signature from {from}: {reason}")]
    BadSignature {
        /// The claimed sender.
        from: Address,
        /// Why verification failed.
        reason: String,
    },
    /// A signed Ethereum transaction the devnet cannot take: another chain's, or a signature that
    /// recovers no key.
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// The signature type is not accepted for this sender (e.g. BLS, or delegated from an f1).
    #[error("unsupported signature for {from}: {reason}")]
    UnsupportedSignature {
        /// The claimed sender.
        from: Address,
        /// Why the signature is refused.
        reason: String,
    },
    /// The sender's next nonce is not the message's.
    #[error("nonce mismatch for {from}: expected {expected}, got {got}")]
    NonceMismatch {
        /// The sender.
        from: Address,
        /// The nonce the pool expects next (actor sequence + pending messages).
        expected: u64,
        /// The nonce in the message.
        got: u64,
    },
    /// The message's nonce is further ahead of the sender's next than the pool queues.
    #[error(
        "nonce {got} for {from} is {} ahead of its next nonce {expected}: the pool queues future \
         nonces at most {max_gap} ahead (Lotus' MaxNonceGap)", got - expected
    )]
    NonceGap {
        /// The sender.
        from: Address,
        /// The sender's next nonce (actor sequence + pending messages).
        expected: u64,
        /// The nonce in the message.
        got: u64,
        /// How far ahead the pool queues ([`crate::POOL_MAX_NONCE_GAP`]).
        max_gap: u64,
    },
    /// The sender cannot pay `value + gas_limit × gas_fee_cap` (on top of its pending messages).
    #[error("insufficient balance for {}: needs {}, has {}", .0.from, .0.required, .0.available)]
    InsufficientBalance(Box<Shortfall>),
    /// A message with this CID is already on chain or pending (a replay).
    #[error("message {0} is already on chain or pending")]
    AlreadyKnown(Cid),
    /// The pool holds its limit of messages, for this sender or in all (mine, or wait).
    #[error("pool full: {0}")]
    PoolFull(String),
    /// The sender has no actor in the head state.
    #[error("unknown sender {0}")]
    UnknownSender(Address),
    /// An address, actor or state object was not found.
    #[error("not found: {0}")]
    NotFound(String),
    /// The message breaks a pool limit (gas limit, fee cap, size, ...).
    #[error("invalid message: {0}")]
    InvalidMessage(String),
    /// A tipset height or key that the chain does not have.
    #[error("unknown tipset {0}")]
    UnknownTipset(String),
    /// A message CID the chain has not seen.
    #[error("unknown message {0}")]
    UnknownMessage(Cid),
    /// A devnet-controlled implicit message (deal control, cron, deploy) failed on chain.
    #[error("{what} failed with exit code {exit_code}: {info}")]
    ImplicitFailed {
        /// What the devnet tried to do.
        what: String,
        /// The exit code of the implicit message.
        exit_code: fvm_shared::error::ExitCode,
        /// The FVM's failure info (backtrace), if any.
        info: String,
    },
    /// A read-only call ran past the devnet's wall-clock limit for calls
    /// ([`crate::DevnetConfig::call_timeout`]).
    #[error(
        "read-only call stopped after {0:?}, the devnet's wall-clock limit for calls (its gas is \
         capped at the block gas limit; it may loop)"
    )]
    CallTimeout(std::time::Duration),
    /// The data directory cannot hold this devnet: not a redb file (corrupt or foreign), a redb
    /// file without the devnet's schema marker or with another schema version, another
    /// devnet's chain (a different genesis or chain id than the configuration), in use by
    /// another process, or unreadable. The devnet never starts a new chain over it.
    #[error("data directory {}: {reason}", path.display())]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An invalid configuration or genesis.
    #[error("config: {0}")]
    Config(String),
    /// A key could not be derived or a signature could not be made.
    #[error("key: {0}")]
    Key(String),
    /// CBOR encoding or decoding failed.
    #[error(transparent)]
    Encoding(#[from] fvm_ipld_encoding::Error),
    /// A fatal error from the FVM or the store (the state may be inconsistent).
    #[error("fvm: {0:#}")]
    Fvm(#[from] anyhow::Error),
}

/// What a sender lacks to pay for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The sender.
    pub from: Address,
    /// What its pending messages plus this one may cost.
    pub required: TokenAmount,
    /// Its balance.
    pub available: TokenAmount,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether the message pool refused the message (the devnet state is unchanged).
    pub const fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::BadSignature { .. }
                | Self::InvalidTransaction(_)
                | Self::UnsupportedSignature { .. }
                | Self::NonceMismatch { .. }
                | Self::NonceGap { .. }
                | Self::InsufficientBalance(_)
                | Self::UnknownSender(_)
                | Self::AlreadyKnown(_)
                | Self::PoolFull(_)
                | Self::InvalidMessage(_)
        )
    }
}
