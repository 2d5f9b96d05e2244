//! Keys, signatures and messages, Lotus-compatible.
//!
//! - [`SecpKey`]: a secp256k1 key with its f1 address (native messages) and its f410 / `0x`
//!   address (Ethereum transactions); deterministic derivation for devnet accounts.
//! - Imports: [`SecpKey::from_hex`], [`SecpKey::from_key_info`] (Lotus exports, see
//!   [`KeyInfo`]), [`SecpKey::parse`], [`SecpKey::from_env`], and BIP-39 mnemonics
//!   ([`SecpKey::from_mnemonic`], `m/44'/461'/0'/0/i` for f1 and `m/44'/60'/0'/0/i` for eth).
//! - [`SignedMessage`], [`Signature`], [`message_cid`]: Filecoin messages, their CIDs and
//!   signatures (secp256k1 over blake2b-256 of the message CID; delegated for Ethereum).
//! - [`SignedEthTx`]: raw Ethereum transactions (EIP-1559, legacy homestead and EIP-155) ⇄
//!   Filecoin messages, exactly as Lotus maps them.
//! - [`verify_signed_message`]: the one check a message pool needs.
//! - [`json`]: Lotus JSON forms of messages and signatures (`MpoolPush`, `StateWaitMsg`).
//!
//! [`SecpKey`]: crate::keys::SecpKey
//! [`SecpKey::from_hex`]: crate::keys::SecpKey::from_hex
//! [`SecpKey::from_key_info`]: crate::keys::SecpKey::from_key_info
//! [`SecpKey::parse`]: crate::keys::SecpKey::parse
//! [`SecpKey::from_env`]: crate::keys::SecpKey::from_env
//! [`SecpKey::from_mnemonic`]: crate::keys::SecpKey::from_mnemonic
//! [`KeyInfo`]: crate::keys::KeyInfo
//! [`SignedMessage`]: crate::keys::SignedMessage
//! [`Signature`]: crate::keys::Signature
//! [`message_cid`]: crate::keys::message_cid
//! [`SignedEthTx`]: crate::keys::SignedEthTx
//! [`verify_signed_message`]: crate::keys::verify_signed_message
//! [`json`]: crate::keys::json
//!
//! ```
//! use filmark_sdk::keys::{DEVNET_CHAIN_ID, SecpKey, SignedMessage, calldata_params, ext};
//! use fvm_shared::{address::Address, econ::TokenAmount, message::Message};
//!
//! let key = SecpKey::from_seed(b"devnet", 0);
//! let message = Message {
//!     version: 0,
//!     from: key.f410_address(),
//!     to: Address::new_id(1001),
//!     sequence: 0,
//!     value: TokenAmount::from_whole(1),
//!     method_num: ext::evm::INVOKE_CONTRACT,
//!     params: calldata_params(&[0xa9, 0x05, 0x9c, 0xbb]),
//!     gas_limit: 10_000_000,
//!     gas_fee_cap: TokenAmount::from_atto(200),
//!     gas_premium: TokenAmount::from_atto(100),
//! };
//! // An EIP-1559 transaction, as MetaMask would send it…
//! let tx = key.sign_eip1559(&message, DEVNET_CHAIN_ID)?;
//! let raw = tx.encode();
//! // …is, for the node, exactly this Filecoin message with a delegated signature.
//! let signed = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID)?;
//! assert_eq!(signed.message, message);
//! signed.verify(DEVNET_CHAIN_ID)?;
//! # Ok::<(), filmark_sdk::Error>(())
//! ```

mod eth;
mod import;
pub mod json;
mod message;
mod secp;

pub use alloy_primitives::Address as EthAddress;
use fvm_shared::address::Address;
pub use fvm_shared::address::Network;

pub use self::eth::{EthTx, MAX_RAW_TX_LEN, SignedEthTx, TxEip1559, TxLegacy, calldata_params};
pub use self::import::{
    ETHEREUM_COIN_TYPE, FILECOIN_COIN_TYPE, HdAccount, KeyInfo, KeyType, mnemonic_seed,
};
pub use self::message::{
    SigType, Signature, SignedMessage, cid_digest, cid_from_eth_hash, message_cid,
    secp_signing_digest, sign_secp, verify_signature_for, verify_signed_message,
};
pub use self::secp::{
    PUBLIC_KEY_LEN, RECOVERABLE_SIG_LEN, SecpKey, as_masked_id, eth_from_public_key,
    eth_to_filecoin, f1_from_public_key, f410_from_eth, filecoin_to_eth, format_address, masked_id,
    parse_address, recover_public_key,
};

/// The error for a signature made by `recovered` on a message from `from`.
pub(crate) fn signer_mismatch(from: Address, recovered: Address) -> crate::Error {
    crate::Error::SignerMismatch {
        from: Box::new(from),
        recovered: Box::new(recovered),
    }
}

/// EIP-155 chain id of the Filmark devnet (the same as Lotus's 2k devnet builds).
pub const DEVNET_CHAIN_ID: u64 = 31_415_926;
/// EIP-155 chain id of Filecoin mainnet.
pub const MAINNET_CHAIN_ID: u64 = 314;
/// EIP-155 chain id of the calibration network.
pub const CALIBNET_CHAIN_ID: u64 = 314_159;

/// Actor id of the Ethereum Address Manager (f010), whose namespace f410 addresses live in.
pub use filmark_actor_shared::builtin::EAM_ACTOR_ID;

/// Methods of builtin actors that Ethereum transactions map to.
pub mod ext {
    /// The EVM actor (and every actor that accepts Ethereum calls).
    pub mod evm {
        /// `InvokeEVM` / `InvokeContract`: FRC-42 hash of `"InvokeEVM"` (3844450837). Params:
        /// the calldata as one CBOR byte string (empty calldata: empty params).
        pub const INVOKE_CONTRACT: u64 = frc42_dispatch::method_hash!("InvokeEVM");
    }
    /// The Ethereum Address Manager (f010).
    pub mod eam {
        /// `CreateExternal`: deploys initcode on behalf of an Ethereum account.
        pub const CREATE_EXTERNAL: u64 = 4;
    }
}

#[cfg(test)]
mod tests;
