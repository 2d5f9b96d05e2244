//! Ethereum transactions as Lotus maps them to Filecoin messages (EIP-1559, legacy homestead
//! and legacy EIP-155), in both directions, with their delegated signatures.
//!
//! Rules follow Lotus's `chain/types/ethtypes` exactly: the RLP must be canonical, EIP-2930
//! (`0x01`) and newer typed transactions are refused, an EIP-1559 access list must be empty,
//! and a message rebuilt from a transaction must have the same CID as the one it came with.

mod rlp;

use alloy_primitives::{B256, Bytes, U256, keccak256};
use alloy_rlp::Encodable;
use fvm_ipld_encoding::{BytesDe, BytesSer, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::{BigInt, Sign};
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use self::rlp::{decode_eip1559, decode_legacy, encode_to, list};
use super::message::{SigType, Signature, SignedMessage, message_cid};
use super::secp::{
    RECOVERABLE_SIG_LEN, SecpKey, eth_from_public_key, eth_to_filecoin, f410_from_eth,
    filecoin_to_eth, recover_public_key,
};
use super::{EAM_ACTOR_ID, EthAddress, ext};
use crate::{Error, Result};

/// Largest raw transaction accepted, as Lotus's RLP decoder caps its input (2 MiB).
pub const MAX_RAW_TX_LEN: usize = 2 << 20;

/// Type byte of an EIP-1559 transaction.
const EIP1559_TX_TYPE: u8 = 0x02;
/// Marker byte of a homestead signature in a delegated signature's data.
const HOMESTEAD_MARKER: u8 = 0x01;
/// Marker byte of an EIP-155 signature in a delegated signature's data.
const EIP155_MARKER: u8 = 0x02;

/// An EIP-1559 (type 2) transaction, without its signature. Its access list is always empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEip1559 {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The sender's nonce (the Filecoin message's sequence).
    pub nonce: u64,
    /// Tip per gas (the message's `GasPremium`), attoFIL.
    pub max_priority_fee_per_gas: U256,
    /// Fee cap per gas (the message's `GasFeeCap`), attoFIL.
    pub max_fee_per_gas: U256,
    /// Gas limit, in Filecoin gas units.
    pub gas_limit: u64,
    /// Recipient; `None` creates a contract through the EAM.
    pub to: Option<EthAddress>,
    /// Value sent, attoFIL.
    pub value: U256,
    /// Calldata (or initcode for a creation).
    pub input: Bytes,
}

/// A legacy transaction, without its signature: homestead when `chain_id` is `None`, EIP-155
/// otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxLegacy {
    /// EIP-155 chain id; `None` for a homestead transaction (`v` = 27/28).
    pub chain_id: Option<u64>,
    /// The sender's nonce.
    pub nonce: u64,
    /// Gas price: both `GasFeeCap` and `GasPremium` of the Filecoin message, attoFIL.
    pub gas_price: U256,
    /// Gas limit.
    pub gas_limit: u64,
    /// Recipient; `None` creates a contract.
    pub to: Option<EthAddress>,
    /// Value sent, attoFIL.
    pub value: U256,
    /// Calldata (or initcode).
    pub input: Bytes,
}

/// An unsigned Ethereum transaction of a kind Filecoin accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EthTx {
    /// EIP-1559 (type 2).
    Eip1559(TxEip1559),
    /// Legacy (homestead or EIP-155).
    Legacy(TxLegacy),
}

/// A signed Ethereum transaction: the transaction and its `(r, s, y-parity)` signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedEthTx {
    /// The transaction.
    pub tx: EthTx,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
    /// Recovery id (y parity) of the signature point, 0 or 1.
    pub y_parity: bool,
}

/// Fields shared by both kinds, in Filecoin terms.
struct Common<'a> {
    nonce: u64,
    gas_limit: u64,
    fee_cap: &'a U256,
    premium: &'a U256,
    to: Option<&'a EthAddress>,
    value: &'a U256,
    input: &'a Bytes,
}

impl EthTx {
    fn common(&self) -> Common<'_> {
        match self {
            Self::Eip1559(tx) => Common {
                nonce: tx.nonce,
                gas_limit: tx.gas_limit,
                fee_cap: &tx.max_fee_per_gas,
                premium: &tx.max_priority_fee_per_gas,
                to: tx.to.as_ref(),
                value: &tx.value,
                input: &tx.input,
            },
            Self::Legacy(tx) => Common {
                nonce: tx.nonce,
                gas_limit: tx.gas_limit,
                fee_cap: &tx.gas_price,
                premium: &tx.gas_price,
                to: tx.to.as_ref(),
                value: &tx.value,
                input: &tx.input,
            },
        }
    }

    /// The chain id the transaction is bound to (`None` for homestead).
    pub fn chain_id(&self) -> Option<u64> {
        match self {
            Self::Eip1559(tx) => Some(tx.chain_id),
            Self::Legacy(tx) => tx.chain_id,
        }
    }

    /// The bytes whose keccak256 is signed: `0x02 ‖ rlp([chainId, nonce, tip, feeCap, gas,
    /// to, value, input, []])` for EIP-1559, `rlp([nonce, gasPrice, gas, to, value, input])`
    /// for homestead and `rlp([…, chainId, 0, 0])` for EIP-155.
    pub fn signing_preimage(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        match self {
            Self::Eip1559(tx) => {
                tx.encode_fields(&mut payload);
                let mut out = vec![EIP1559_TX_TYPE];
                list(&mut out, &payload);
                out
            }
            Self::Legacy(tx) => {
                tx.encode_fields(&mut payload);
                if let Some(chain_id) = tx.chain_id {
                    chain_id.encode(&mut payload);
                    0u8.encode(&mut payload);
                    0u8.encode(&mut payload);
                }
                let mut out = Vec::new();
                list(&mut out, &payload);
                out
            }
        }
    }

    /// keccak256 of [`signing_preimage`](Self::signing_preimage).
    pub fn signing_hash(&self) -> B256 {
        keccak256(self.signing_preimage())
    }

    /// The unsigned Filecoin message this transaction becomes when sent by `from` (Lotus's
    /// `ToUnsignedFilecoinMessage`): version 0; `to` present → that address (`f0<id>` for a
    /// masked ID, else f410) with method `InvokeEVM` (3844450837); `to` absent → the EAM
    /// (f010), `CreateExternal` (4); params = the input as one CBOR byte string, or empty when
    /// the input is empty; legacy gas price → both fee cap and premium.
    pub fn to_unsigned_message(&self, from: Address) -> Message {
        let c = self.common();
        let (to, method_num) = match c.to {
            Some(eth) => (eth_to_filecoin(eth), ext::evm::INVOKE_CONTRACT),
            None => (Address::new_id(EAM_ACTOR_ID), ext::eam::CREATE_EXTERNAL),
        };
        Message {
            version: 0,
            from,
            to,
            sequence: c.nonce,
            value: u256_to_token(c.value),
            method_num,
            params: calldata_params(c.input),
            gas_limit: c.gas_limit,
            gas_fee_cap: u256_to_token(c.fee_cap),
            gas_premium: u256_to_token(c.premium),
        }
    }
}

impl TxEip1559 {
    fn encode_fields(&self, out: &mut Vec<u8>) {
        self.chain_id.encode(out);
        self.nonce.encode(out);
        self.max_priority_fee_per_gas.encode(out);
        self.max_fee_per_gas.encode(out);
        self.gas_limit.encode(out);
        encode_to(self.to.as_ref(), out);
        self.value.encode(out);
        self.input.encode(out);
        // Empty access list.
        list(out, &[]);
    }

    /// The EIP-1559 transaction that carries `message` on a network with `chain_id`: the
    /// inverse of [`EthTx::to_unsigned_message`]. Use it to send any `InvokeEVM` or
    /// `CreateExternal` message from an f410 account.
    ///
    /// # Errors
    /// [`Error::NotEthCompatible`] if the message has no Ethereum form (see
    /// [`SignedEthTx::from_signed_message`]).
    pub fn from_message(message: &Message, chain_id: u64) -> Result<Self> {
        let (to, input) = eth_target(message)?;
        Ok(Self {
            chain_id,
            nonce: message.sequence,
            max_priority_fee_per_gas: token_to_u256(&message.gas_premium)?,
            max_fee_per_gas: token_to_u256(&message.gas_fee_cap)?,
            gas_limit: message.gas_limit,
            to,
            value: token_to_u256(&message.value)?,
            input,
        })
    }
}

impl TxLegacy {
    fn encode_fields(&self, out: &mut Vec<u8>) {
        self.nonce.encode(out);
        self.gas_price.encode(out);
        self.gas_limit.encode(out);
        encode_to(self.to.as_ref(), out);
        self.value.encode(out);
        self.input.encode(out);
    }
}

impl SignedEthTx {
    /// Parses a raw signed transaction, strictly as Lotus does (`ParseEthTransaction`): first
    /// byte `0x02` → EIP-1559 (12 items, empty access list, `v` ∈ {0, 1}); `0x01` (EIP-2930)
    /// and other type bytes → refused; a byte above `0x7f` → legacy (9 items; `v` 27/28 is
    /// homestead, otherwise EIP-155 with chain id `(v − 35) / 2`). The chain id is checked
    /// later, by [`to_signed_message`](Self::to_signed_message).
    ///
    /// # Errors
    /// [`Error::UnsupportedTxType`], [`Error::Rlp`] for non-canonical or truncated RLP,
    /// trailing bytes or a wrong item count, [`Error::InvalidTx`] for field-level rule
    /// breaks.
    pub fn decode(raw: &[u8]) -> Result<Self> {
        if raw.len() > MAX_RAW_TX_LEN {
            return Err(Error::Rlp(format!(
                "{} bytes exceed the 2 MiB limit",
                raw.len()
            )));
        }
        match raw.first() {
            None => Err(Error::Rlp("empty transaction".into())),
            Some(&EIP1559_TX_TYPE) => decode_eip1559(&raw[1..]),
            Some(&b) if b > 0x7f => decode_legacy(raw),
            Some(&b) => Err(Error::UnsupportedTxType(b)),
        }
    }

    /// The signed raw bytes (what `eth_sendRawTransaction` takes).
    pub fn encode(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        match &self.tx {
            EthTx::Eip1559(tx) => {
                tx.encode_fields(&mut payload);
                u8::from(self.y_parity).encode(&mut payload);
                self.r.encode(&mut payload);
                self.s.encode(&mut payload);
                let mut out = vec![EIP1559_TX_TYPE];
                list(&mut out, &payload);
                out
            }
            EthTx::Legacy(tx) => {
                tx.encode_fields(&mut payload);
                self.v().encode(&mut payload);
                self.r.encode(&mut payload);
                self.s.encode(&mut payload);
                let mut out = Vec::new();
                list(&mut out, &payload);
                out
            }
        }
    }

    /// The Ethereum transaction hash: keccak256 of the signed raw bytes.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The signature's `v` as it appears in the transaction: the y parity for EIP-1559,
    /// 27/28 for homestead, `chainId·2 + 35 + y` for EIP-155.
    pub fn v(&self) -> U256 {
        let y = u64::from(self.y_parity);
        match &self.tx {
            EthTx::Eip1559(_) => U256::from(y),
            EthTx::Legacy(TxLegacy { chain_id: None, .. }) => U256::from(27 + y),
            EthTx::Legacy(TxLegacy {
                chain_id: Some(id), ..
            }) => U256::from(*id) * U256::from(2) + U256::from(35 + y),
        }
    }

    /// Recovers the sender's Ethereum address from the signature over
    /// [`EthTx::signing_hash`].
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if `r`/`s` are not valid or no key recovers.
    pub fn recover_sender(&self) -> Result<EthAddress> {
        let mut sig = [0u8; RECOVERABLE_SIG_LEN];
        sig[..32].copy_from_slice(&self.r.to_be_bytes::<32>());
        sig[32..64].copy_from_slice(&self.s.to_be_bytes::<32>());
        sig[64] = u8::from(self.y_parity);
        let key = recover_public_key(&self.tx.signing_hash(), &sig)?;
        Ok(eth_from_public_key(&key))
    }

    /// The delegated Filecoin signature of this transaction. Data: EIP-1559 `r ‖ s ‖ y` (65
    /// bytes); homestead `0x01 ‖ r ‖ s ‖ v` (66 bytes, v 27/28); EIP-155 `0x02 ‖ r ‖ s ‖ v` with
    /// `v` in minimal big-endian bytes (69 bytes for the devnet's chain id).
    pub fn filecoin_signature(&self) -> Signature {
        let mut data = Vec::with_capacity(70);
        let marker = match &self.tx {
            EthTx::Eip1559(_) => None,
            EthTx::Legacy(TxLegacy { chain_id: None, .. }) => Some(HOMESTEAD_MARKER),
            EthTx::Legacy(TxLegacy {
                chain_id: Some(_), ..
            }) => Some(EIP155_MARKER),
        };
        data.extend(marker);
        data.extend_from_slice(&self.r.to_be_bytes::<32>());
        data.extend_from_slice(&self.s.to_be_bytes::<32>());
        match &self.tx {
            EthTx::Eip1559(_) => data.push(u8::from(self.y_parity)),
            EthTx::Legacy(_) => data.extend_from_slice(&self.v().to_be_bytes_trimmed_vec()),
        }
        Signature::delegated(data)
    }

    /// The signed Filecoin message Lotus builds from this transaction
    /// (`ToSignedFilecoinMessage`) on a network with `chain_id`: `From` is the f410 address
    /// of the recovered sender, the message is [`EthTx::to_unsigned_message`], the signature
    /// [`filecoin_signature`](Self::filecoin_signature).
    ///
    /// # Errors
    /// [`Error::ChainIdMismatch`] if an EIP-1559 or EIP-155 transaction is for another
    /// chain (homestead transactions have none), [`Error::InvalidSignature`] if no sender
    /// recovers.
    pub fn to_signed_message(&self, chain_id: u64) -> Result<SignedMessage> {
        if let Some(got) = self.tx.chain_id()
            && got != chain_id
        {
            return Err(Error::ChainIdMismatch {
                expected: chain_id,
                got,
            });
        }
        let from = f410_from_eth(&self.recover_sender()?);
        Ok(SignedMessage {
            message: self.tx.to_unsigned_message(from),
            signature: self.filecoin_signature(),
        })
    }

    /// Rebuilds the transaction from a signed message with a delegated signature (Lotus's
    /// `EthTransactionFromSignedFilecoinMessage`). The kind comes from the signature length:
    /// 65 → EIP-1559 (with `chain_id`); otherwise the first byte: `0x01` with 66 bytes →
    /// homestead, `0x02` with `65 + len(v)` bytes → EIP-155 for `chain_id`. The message must
    /// be version 0 from an address with an Ethereum form (f410, or the f0 ID of an eth
    /// account), and either `CreateExternal` to the EAM or
    /// `InvokeEVM` to an f0/f410 address, with params empty or exactly one non-empty CBOR byte
    /// string.
    ///
    /// # Errors
    /// [`Error::NotEthCompatible`] for a message outside those shapes,
    /// [`Error::InvalidSignature`] for a signature of no known layout.
    pub fn from_signed_message(signed: &SignedMessage, chain_id: u64) -> Result<Self> {
        let msg = &signed.message;
        if signed.signature.sig_type != SigType::Delegated {
            return Err(Error::InvalidSignature("not a delegated signature".into()));
        }
        if msg.version != 0 {
            return Err(Error::NotEthCompatible(format!("version {}", msg.version)));
        }
        if filecoin_to_eth(&msg.from).is_none() {
            return Err(Error::NotEthCompatible(format!(
                "sender {} is not an eth account",
                msg.from
            )));
        }
        let (to, input) = eth_target(msg)?;
        let (nonce, gas_limit) = (msg.sequence, msg.gas_limit);
        let value = token_to_u256(&msg.value)?;
        let fee_cap = token_to_u256(&msg.gas_fee_cap)?;
        let data = signed.signature.data.as_slice();
        let bad = |why: &str| Error::InvalidSignature(format!("delegated signature: {why}"));
        if data.len() == RECOVERABLE_SIG_LEN {
            let y_parity = match data[64] {
                0 => false,
                1 => true,
                v => return Err(bad(&format!("EIP-1559 v is {v}, must be 0 or 1"))),
            };
            let tx = TxEip1559 {
                chain_id,
                nonce,
                max_priority_fee_per_gas: token_to_u256(&msg.gas_premium)?,
                max_fee_per_gas: fee_cap,
                gas_limit,
                to,
                value,
                input,
            };
            let (r, s) = r_s(&data[..64]);
            return Ok(Self {
                tx: EthTx::Eip1559(tx),
                r,
                s,
                y_parity,
            });
        }
        let legacy = |chain_id| TxLegacy {
            chain_id,
            nonce,
            gas_price: fee_cap,
            gas_limit,
            to,
            value,
            input,
        };
        match data.first() {
            Some(&HOMESTEAD_MARKER) if data.len() == 66 => {
                let y_parity = match data[65] {
                    27 => false,
                    28 => true,
                    v => return Err(bad(&format!("homestead v is {v}, must be 27 or 28"))),
                };
                let (r, s) = r_s(&data[1..65]);
                Ok(Self {
                    tx: EthTx::Legacy(legacy(None)),
                    r,
                    s,
                    y_parity,
                })
            }
            Some(&EIP155_MARKER)
                if data.len() == eip155_signature_len(chain_id, 35)
                    || data.len() == eip155_signature_len(chain_id, 36) =>
            {
                let v_bytes = &data[65..];
                if v_bytes[0] == 0 {
                    return Err(bad("EIP-155 v has a leading zero"));
                }
                let v = U256::from_be_slice(v_bytes);
                let base = U256::from(chain_id) * U256::from(2) + U256::from(35);
                let y_parity = if v == base {
                    false
                } else if v == base + U256::from(1) {
                    true
                } else {
                    return Err(bad(&format!("EIP-155 v {v} is not for chain {chain_id}")));
                };
                let (r, s) = r_s(&data[1..65]);
                Ok(Self {
                    tx: EthTx::Legacy(legacy(Some(chain_id))),
                    r,
                    s,
                    y_parity,
                })
            }
            _ => Err(bad(&format!("unknown layout of {} bytes", data.len()))),
        }
    }

    /// Lotus's delegated check for `message`, which this transaction was rebuilt from: the
    /// message rebuilt from the transaction must have the same CID, and the recovered sender's
    /// f410 address must be `signer`.
    pub(crate) fn verify_for(&self, message: &Message, signer: &Address) -> Result<()> {
        let rebuilt = self.tx.to_unsigned_message(message.from);
        if message_cid(&rebuilt) != message_cid(message) {
            return Err(Error::RoundtripMismatch);
        }
        let recovered = f410_from_eth(&self.recover_sender()?);
        if recovered == *signer {
            Ok(())
        } else {
            Err(super::signer_mismatch(*signer, recovered))
        }
    }
}

impl SecpKey {
    /// Signs an Ethereum transaction (of any kind) with this key.
    pub fn sign_eth_tx(&self, tx: EthTx) -> SignedEthTx {
        let sig = self.sign_prehash(&tx.signing_hash());
        let (r, s) = r_s(&sig[..64]);
        SignedEthTx {
            tx,
            r,
            s,
            y_parity: sig[64] == 1,
        }
    }

    /// Signs `message` (from this key's f410 address) as an EIP-1559 transaction for
    /// `chain_id`. `encode()` of the result is the raw transaction for
    /// `eth_sendRawTransaction`; `to_signed_message(chain_id)` the matching Filecoin message
    /// (equal to `message`, with a delegated signature) for `MpoolPush`.
    ///
    /// # Errors
    /// [`Error::SignerMismatch`] if `message.from` is not this key's f410 address,
    /// [`Error::NotEthCompatible`] if the message has no Ethereum form.
    pub fn sign_eip1559(&self, message: &Message, chain_id: u64) -> Result<SignedEthTx> {
        let own = self.f410_address();
        if message.from != own {
            return Err(super::signer_mismatch(message.from, own));
        }
        Ok(self.sign_eth_tx(EthTx::Eip1559(TxEip1559::from_message(message, chain_id)?)))
    }

    /// Signs `message` the way its sender's address calls for: a secp256k1 signature when
    /// `From` is this key's f1 address, an EIP-1559 transaction (delegated signature) when it
    /// is this key's f410 address.
    ///
    /// # Errors
    /// [`Error::SignerMismatch`] if `From` is neither, and the errors of
    /// [`sign_eip1559`](Self::sign_eip1559).
    pub fn sign(&self, message: Message, chain_id: u64) -> Result<SignedMessage> {
        if message.from == self.f1_address() {
            super::message::sign_secp(self, message)
        } else {
            self.sign_eip1559(&message, chain_id)?
                .to_signed_message(chain_id)
        }
    }
}

/// The params of an `InvokeEVM` call or `CreateExternal`: the calldata as one CBOR byte
/// string, or empty params for empty calldata (Lotus's rule).
pub fn calldata_params(calldata: &[u8]) -> RawBytes {
    if calldata.is_empty() {
        RawBytes::default()
    } else {
        RawBytes::new(fvm_ipld_encoding::to_vec(&BytesSer(calldata)).expect("bytes encode"))
    }
}

/// The Ethereum `to` and input of a message, as Lotus's `getEthParamsAndRecipient`.
fn eth_target(msg: &Message) -> Result<(Option<EthAddress>, Bytes)> {
    let eam = Address::new_id(EAM_ACTOR_ID);
    let to = if msg.to == eam {
        if msg.method_num != ext::eam::CREATE_EXTERNAL {
            return Err(Error::NotEthCompatible(format!(
                "method {} of the EAM; only CreateExternal",
                msg.method_num
            )));
        }
        None
    } else if msg.method_num == ext::evm::INVOKE_CONTRACT {
        Some(filecoin_to_eth(&msg.to).ok_or_else(|| {
            Error::NotEthCompatible(format!("recipient {} has no Ethereum address", msg.to))
        })?)
    } else {
        return Err(Error::NotEthCompatible(format!(
            "method {}; only InvokeEVM or CreateExternal",
            msg.method_num
        )));
    };
    let input = if msg.params.is_empty() {
        Bytes::new()
    } else {
        let BytesDe(bytes) = fvm_ipld_encoding::from_slice(msg.params.bytes())
            .map_err(|e| Error::NotEthCompatible(format!("params: {e}")))?;
        if bytes.is_empty() {
            return Err(Error::NotEthCompatible(
                "params hold an empty byte string".into(),
            ));
        }
        Bytes::from(bytes)
    };
    Ok((to, input))
}

/// Length of an EIP-155 delegated signature for `chain_id` and `v = chainId·2 + v_offset`
/// (Lotus's `calcEIP155TxSignatureLen`, for offsets 35 and 36): marker, r, s and the minimal
/// big-endian bytes of `v`.
fn eip155_signature_len(chain_id: u64, v_offset: u128) -> usize {
    let v = u128::from(chain_id) * 2 + v_offset;
    1 + 64 + (16 - v.leading_zeros() as usize / 8)
}

fn r_s(bytes: &[u8]) -> (U256, U256) {
    (
        U256::from_be_slice(&bytes[..32]),
        U256::from_be_slice(&bytes[32..64]),
    )
}

fn u256_to_token(v: &U256) -> TokenAmount {
    TokenAmount::from_atto(BigInt::from_bytes_be(Sign::Plus, &v.to_be_bytes::<32>()))
}

fn token_to_u256(t: &TokenAmount) -> Result<U256> {
    let (sign, bytes) = t.atto().to_bytes_be();
    if sign == Sign::Minus || bytes.len() > 32 {
        return Err(Error::NotEthCompatible(format!(
            "amount {t} is not a uint256"
        )));
    }
    Ok(U256::from_be_slice(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{
        CALIBNET_CHAIN_ID, DEVNET_CHAIN_ID, MAINNET_CHAIN_ID, verify_signed_message,
    };

    #[test]
    fn it_sizes_eip155_signatures_as_lotus() {
        assert_eq!(eip155_signature_len(1, 36), 66);
        assert_eq!(eip155_signature_len(0x100, 36), 67);
        assert_eq!(eip155_signature_len(MAINNET_CHAIN_ID, 36), 67);
        assert_eq!(eip155_signature_len(CALIBNET_CHAIN_ID, 36), 68);
        assert_eq!(eip155_signature_len(DEVNET_CHAIN_ID, 36), 69);
        // chainId·2 + 35 = 255 fits one byte, + 36 = 256 needs two.
        assert_eq!(
            (eip155_signature_len(110, 35), eip155_signature_len(110, 36)),
            (66, 67)
        );
    }

    #[test]
    fn it_rebuilds_eip155_transactions_across_a_v_byte_boundary() {
        let mut lengths = std::collections::BTreeSet::new();
        for index in 0..16 {
            let key = SecpKey::from_seed(b"v boundary", index);
            let tx = EthTx::Legacy(TxLegacy {
                chain_id: Some(110),
                nonce: index,
                gas_price: U256::from(10),
                gas_limit: 100_000,
                to: Some(EthAddress::repeat_byte(0x11)),
                value: U256::from(1),
                input: Bytes::new(),
            });
            let signed_tx = key.sign_eth_tx(tx);
            let signed = signed_tx.to_signed_message(110).unwrap();
            let expected = if signed_tx.y_parity { 67 } else { 66 };
            assert_eq!(signed.signature.data.len(), expected);
            verify_signed_message(&signed, 110).unwrap();
            assert_eq!(
                SignedEthTx::from_signed_message(&signed, 110).unwrap(),
                signed_tx
            );
            lengths.insert(expected);
        }
        assert_eq!(lengths.len(), 2, "both parities seen");
    }
}
