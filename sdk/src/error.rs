//! The SDK's error type.

use std::{io, path::PathBuf};

use fvm_shared::address::Address;
use fvm_shared::error::ExitCode;

/// Everything that can go wrong in the SDK.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path could not be opened, inspected or read. The message names the path; the
    /// operating system's reason is the [`source`](std::error::Error::source).
    #[error("cannot read {}", path.display())]
    Unreadable {
        /// The path that was given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// A path names a directory where a file is expected (the `*_dir` functions of
    /// `content::file` take directories).
    #[error("{} is a directory: a file is expected here", path.display())]
    IsDirectory {
        /// The path that was given.
        path: PathBuf,
    },
    /// A path inside a directory import is malformed or clashes with another entry.
    #[error("invalid path {path:?} in a directory: {why}")]
    InvalidPath {
        /// The path that was given.
        path: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An output path could not be created or written. The message names the path; the
    /// operating system's reason is the [`source`](std::error::Error::source).
    #[error("cannot write {}", path.display())]
    Unwritable {
        /// The path that was given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The payload does not fit in a 64 GiB sector (68,182,605,824 unpadded bytes).
    #[error("input of {size} bytes is too large for a 64 GiB sector (at most {max} bytes)")]
    TooLarge {
        /// Size of the payload in bytes (as far as it was read).
        size: u64,
        /// The largest payload a 64 GiB sector holds.
        max: u64,
    },
    /// Parameters out of range (for example a zero chunk size or fewer than two links a node).
    #[error("invalid parameters: {0}")]
    InvalidParams(&'static str),
    /// Reading the input or writing the output failed (an input or output given by path fails
    /// with [`Error::Unreadable`] or [`Error::Unwritable`] instead).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The input of a two-pass operation gave other bytes the second time it was read.
    #[error("the input changed between the two reads")]
    InputChanged,
    // ---- keys: keys, signatures, Ethereum transactions ----
    /// The 32 bytes are not a valid secp256k1 secret key (zero, or not below the curve order).
    #[error("invalid secp256k1 secret key")]
    InvalidSecretKey,
    /// Key text in none of the accepted forms (64 hex digits, optionally `0x`-prefixed; a Lotus
    /// key-info export, hex or JSON). The message says what was expected; never the secret.
    #[error("invalid key format: {0}")]
    InvalidKeyFormat(String),
    /// A Lotus key-info export of a type this SDK cannot sign with (`bls`, or unknown).
    #[error("unsupported key type {0:?}: only secp256k1 and delegated keys are supported")]
    UnsupportedKeyType(String),
    /// A BIP-39 mnemonic with a word outside the English list, a wrong word count or a wrong
    /// checksum.
    #[error("invalid mnemonic: {0}")]
    InvalidMnemonic(String),
    /// A BIP-32 derivation path that does not parse (or an account index of 2^31 or more).
    #[error("invalid derivation path: {0}")]
    InvalidDerivationPath(String),
    /// A key read from an environment variable: the variable is unset, not Unicode, or does
    /// not hold a key.
    #[error("environment variable {name}: {reason}")]
    KeyFromEnv {
        /// The variable's name.
        name: String,
        /// Why no key came from it.
        reason: String,
    },
    /// The operating system's random source failed.
    #[error("random source failed: {0}")]
    Random(String),
    /// An address string or payload could not be parsed or built.
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    /// The signature bytes are malformed (wrong length, bad recovery id, not a curve point).
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    /// The signature type is not one this layer can verify (BLS, or an unknown type byte).
    #[error("unsupported signature type {0}")]
    UnsupportedSignatureType(u8),
    /// The signature is valid but was made by another key than the message's `From`.
    #[error("signature was made by {recovered}, but the message is from {from}")]
    SignerMismatch {
        /// The address that had to sign: the message's `From` (or the key address the node
        /// resolved it to).
        from: Box<Address>,
        /// The address derived from the recovered public key.
        recovered: Box<Address>,
    },
    /// A message or signature could not be CBOR-encoded or decoded.
    #[error("CBOR: {0}")]
    Cbor(String),
    /// The first byte of a raw Ethereum transaction names a type Filecoin does not accept
    /// (only EIP-1559 `0x02` and legacy transactions are supported; EIP-2930 `0x01` is refused).
    #[error("unsupported transaction type {0:#04x}")]
    UnsupportedTxType(u8),
    /// The raw transaction is not the canonical RLP Lotus accepts.
    #[error("malformed transaction RLP: {0}")]
    Rlp(String),
    /// The transaction decodes but breaks one of Lotus's rules (non-empty access list, bad `v`,
    /// a `to` that is not 20 bytes, a value that does not fit).
    #[error("invalid transaction: {0}")]
    InvalidTx(String),
    /// The transaction is for another chain.
    #[error("invalid chain id: expected {expected}, got {got}")]
    ChainIdMismatch {
        /// The chain id of this network.
        expected: u64,
        /// The chain id the transaction was signed for.
        got: u64,
    },
    /// The Filecoin message cannot be expressed as an Ethereum transaction (version, sender,
    /// method, recipient or params out of the shapes Lotus maps).
    #[error("message is not an Ethereum transaction: {0}")]
    NotEthCompatible(String),
    /// The message rebuilt from the Ethereum transaction differs from the one supplied.
    #[error("Ethereum transaction roundtrip mismatch")]
    RoundtripMismatch,
    /// A Lotus JSON value (message, signature) has a field of the wrong form.
    #[error("invalid Lotus JSON: {0}")]
    InvalidJson(String),
    // ---- transport and clients ----
    /// The node could not be reached, or answered something that is not JSON-RPC.
    #[error("{method}: node unreachable or answer unreadable: {reason}")]
    Transport {
        /// The JSON-RPC method (or in-process operation) attempted.
        method: String,
        /// What went wrong.
        reason: String,
    },
    /// The node answered with a JSON-RPC error (a refusal: bad nonce, unknown actor, ...).
    #[error("{method}: the node refused ({code}): {message}")]
    Rpc {
        /// The JSON-RPC method.
        method: String,
        /// The JSON-RPC error code.
        code: i64,
        /// The node's message.
        message: String,
    },
    /// A message (or read-only call) ran and the actor exited non-zero. `message` is the
    /// actor's own error message when the node gives it; `revert` the decoded Solidity
    /// `Error(string)` of an ABI call.
    #[error("{what} failed with exit code {exit_code}: {message}{}", revert.as_ref().map(|r| format!(" (revert: {r})")).unwrap_or_default())]
    ActorFailed {
        /// What was attempted (`registry.register`, ...).
        what: String,
        /// The actor's exit code.
        exit_code: ExitCode,
        /// The actor's error message (or the FVM's backtrace).
        message: String,
        /// The decoded Solidity revert reason, for ABI calls.
        revert: Option<String>,
    },
    /// A return value, state object or node answer did not decode into the expected type.
    #[error("decoding {what}: {reason}")]
    Decode {
        /// What was decoded.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// A message was not executed (with the confirmations asked for) in time.
    #[error("message {message} not executed within {seconds} s")]
    Timeout {
        /// The message's CID.
        message: cid::Cid,
        /// The time waited.
        seconds: u64,
    },
    /// Something asked for does not exist on chain (a CID not registered, an order, a deal).
    #[error("not found: {0}")]
    NotFound(String),
    /// The network does not accept user-deployed wasm (native) actors.
    #[error("cannot deploy a native actor to {network}: {why}")]
    DeployRefused {
        /// The network's name.
        network: &'static str,
        /// Why.
        why: &'static str,
    },
}

impl Error {
    /// An [`Error`] carried inside an [`io::Error`] (through a `Read` or `Write` that can only
    /// return `io::Error`s) taken out again; any other error unchanged.
    pub(crate) fn unwrap_io(self) -> Self {
        match self {
            Self::Io(io) if io.get_ref().is_some_and(|r| r.is::<Self>()) => *io
                .into_inner()
                .expect("checked")
                .downcast::<Self>()
                .expect("checked"),
            e => e,
        }
    }
}

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
