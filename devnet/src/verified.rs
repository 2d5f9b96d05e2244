//! Messages whose signature verified: what the pool takes. Verification computes a message's CID,
//! its CBOR length and its Ethereum transaction hash on the way; a [`VerifiedMessage`] carries
//! them, so the pool, the miner and the indexes never decode, recover or hash it again.

use cid::Cid;
use filmark_sdk::keys::{SigType, SignedEthTx, SignedMessage, cid_digest, verify_signed_message};

use crate::{Error, Result};

/// A signed message whose signature verified against its `From`, with what checking it
/// computed. Made only by [`VerifiedMessage::verify`] (Lotus' check of any signed message) or
/// [`VerifiedMessage::from_eth_tx`] (an Ethereum transaction, its sender recovered from its
/// signature once); [`crate::Devnet::push_verified`] takes it without verifying again.
#[derive(Debug, Clone)]
pub struct VerifiedMessage {
    signed: SignedMessage,
    cid: Cid,
    length: usize,
    eth_hash: [u8; 32],
}

impl VerifiedMessage {
    /// Verifies `signed` as a message pool does: secp256k1 over the message CID for f1 senders;
    /// for f410 senders the Ethereum transaction is rebuilt from the message, as Lotus does, and
    /// its signer recovered (the SDK's [`verify_signed_message`]). `chain_id` is the network's.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedSignature`] for a BLS signature, [`Error::BadSignature`] when the
    /// signature does not verify against `From`.
    pub fn verify(signed: SignedMessage, chain_id: u64) -> Result<Self> {
        let from = signed.message.from;
        if signed.signature.sig_type == SigType::Bls {
            return Err(Error::UnsupportedSignature {
                from,
                reason: "BLS senders are not supported by the devnet".into(),
            });
        }
        verify_signed_message(&signed, chain_id).map_err(|e| Error::BadSignature {
            from,
            reason: e.to_string(),
        })?;
        let eth_hash = match signed.signature.sig_type {
            SigType::Delegated => {
                SignedEthTx::from_signed_message(&signed, chain_id)
                    .map_err(|e| Error::BadSignature {
                        from,
                        reason: e.to_string(),
                    })?
                    .hash()
                    .0
            }
            _ => [0; 32],
        };
        Ok(Self::new(signed, eth_hash))
    }

    /// The message Lotus makes of a signed Ethereum transaction (`ToSignedFilecoinMessage`):
    /// `From` is the f410 address of the key recovered from the transaction's signature, so the
    /// signature is verified by that one recovery (a forged or altered transaction recovers
    /// another key, whose address has no funds or nonce here). Also checks the chain id.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransaction`] for another chain's transaction or a signature that recovers
    /// no key (high `s`, `r` or `s` out of range).
    pub fn from_eth_tx(tx: &SignedEthTx, chain_id: u64) -> Result<Self> {
        let signed = tx
            .to_signed_message(chain_id)
            .map_err(|e| Error::InvalidTransaction(e.to_string()))?;
        Ok(Self::new(signed, tx.hash().0))
    }

    fn new(signed: SignedMessage, eth_hash: [u8; 32]) -> Self {
        let cbor = signed.to_cbor();
        let cid = signed.cid();
        let eth_hash = if signed.signature.sig_type == SigType::Delegated {
            eth_hash
        } else {
            cid_digest(&cid).map_or([0; 32], |d| d.0)
        };
        Self {
            length: cbor.len(),
            signed,
            cid,
            eth_hash,
        }
    }

    /// Skips verification (tests of the checks that come after it).
    #[cfg(test)]
    pub(crate) fn unchecked(signed: SignedMessage) -> Self {
        Self::new(signed, [0; 32])
    }

    /// The message's CID, as Lotus reports it (`MpoolPush`).
    pub const fn cid(&self) -> Cid {
        self.cid
    }

    /// Its Ethereum transaction hash (what `eth_sendRawTransaction` returns and `eth_*` lookups
    /// take): the keccak256 hash of the signed transaction for an f410 sender, the digest inside
    /// the CID for an f1 sender (Lotus' `ethTxHashFromSignedMessage`).
    pub const fn eth_hash(&self) -> [u8; 32] {
        self.eth_hash
    }

    /// The signed message.
    pub const fn signed(&self) -> &SignedMessage {
        &self.signed
    }

    /// The length of its CBOR encoding, in bytes (what its inclusion gas is charged on).
    pub(crate) const fn length(&self) -> usize {
        self.length
    }

    pub(crate) const fn message(&self) -> &fvm_shared::message::Message {
        &self.signed.message
    }

    /// The signed message, giving up what verification computed.
    pub fn into_signed(self) -> SignedMessage {
        self.signed
    }
}

#[cfg(test)]
mod tests {
    use filmark_sdk::keys::{DEVNET_CHAIN_ID, EthAddress, EthTx, SecpKey, TxEip1559};
    use filmark_sdk::reexports::alloy_primitives::{self, Bytes, U256};

    use super::*;

    fn transfer(key: &SecpKey, nonce: u64) -> SignedEthTx {
        key.sign_eth_tx(EthTx::Eip1559(TxEip1559 {
            chain_id: DEVNET_CHAIN_ID,
            nonce,
            max_priority_fee_per_gas: U256::from(100),
            max_fee_per_gas: U256::from(1_000),
            gas_limit: 2_000_000,
            to: Some(EthAddress::repeat_byte(0x11)),
            value: U256::from(7),
            input: Bytes::new(),
        }))
    }

    #[test]
    fn an_eth_transaction_is_recovered_once_and_carries_its_cid_and_hash() {
        let key = SecpKey::from_seed(b"verified", 0);
        let tx = transfer(&key, 3);
        let v = VerifiedMessage::from_eth_tx(&tx, DEVNET_CHAIN_ID).unwrap();
        assert_eq!(v.signed().message.from, key.f410_address());
        assert_eq!(v.cid(), v.signed().cid());
        assert_eq!(v.length(), v.signed().to_cbor().len());
        assert_eq!(v.eth_hash(), keccak(&tx.encode()));
        assert_eq!(
            v.eth_hash(),
            v.signed().eth_tx_hash(DEVNET_CHAIN_ID).unwrap().0
        );
        // The pool's full check of the same message computes the same.
        let checked = VerifiedMessage::verify(v.signed().clone(), DEVNET_CHAIN_ID).unwrap();
        assert_eq!(
            (checked.cid(), checked.eth_hash(), checked.length()),
            (v.cid(), v.eth_hash(), v.length())
        );
    }

    #[test]
    fn a_forged_or_foreign_eth_transaction_does_not_verify_as_its_signer() {
        let key = SecpKey::from_seed(b"verified", 1);
        let mut forged = transfer(&key, 0);
        forged.s -= U256::from(1);
        match VerifiedMessage::from_eth_tx(&forged, DEVNET_CHAIN_ID) {
            Ok(v) => assert_ne!(v.signed().message.from, key.f410_address()),
            Err(e) => assert!(matches!(e, Error::InvalidTransaction(_)), "{e}"),
        }
        // A signed message whose value was changed after signing.
        let v = VerifiedMessage::from_eth_tx(&transfer(&key, 0), DEVNET_CHAIN_ID).unwrap();
        let mut altered = v.into_signed();
        altered.message.value = fvm_shared::econ::TokenAmount::from_atto(8);
        let e = VerifiedMessage::verify(altered, DEVNET_CHAIN_ID).unwrap_err();
        assert!(matches!(e, Error::BadSignature { .. }), "{e}");
        let e = VerifiedMessage::from_eth_tx(&transfer(&key, 0), 314).unwrap_err();
        assert!(matches!(e, Error::InvalidTransaction(_)), "{e}");
    }

    fn keccak(bytes: &[u8]) -> [u8; 32] {
        alloy_primitives::keccak256(bytes).0
    }
}
