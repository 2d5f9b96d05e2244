//! Errors of the keys, signatures and transactions layer.

use fvm_shared::address::Address;

/// Everything that can go wrong while deriving keys, signing, verifying or converting
/// Ethereum transactions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The 32 bytes are not a valid secp256k1 secret key (zero, or not below the curve order).
    #[error("invalid secp256k1 secret key")]
    InvalidSecretKey,
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
        /// The message's `From`.
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
}

impl KeyError {
    pub(crate) fn signer_mismatch(from: Address, recovered: Address) -> Self {
        Self::SignerMismatch {
            from: Box::new(from),
            recovered: Box::new(recovered),
        }
    }
}

/// Result with the keys layer's [`KeyError`].
pub type Result<T, E = KeyError> = std::result::Result<T, E>;
