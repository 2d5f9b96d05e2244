//! Keys and signing: secp256k1 keys with their f1, f410 and Ethereum addresses, Lotus message
//! signatures and EIP-1559 transactions. Messages travel as Lotus JSON strings.

use filmark_sdk::keys::{
    HdAccount, Network, SecpKey, format_address,
    json::{MessageJson, SignedMessageJson},
    message_cid, verify_signed_message,
};
use fvm_shared::message::Message;
use wasm_bindgen::prelude::*;

use crate::error::{arg, sdk};

/// `f` (mainnet) or `t` (test networks, the devnet) → the network.
pub(crate) fn network(prefix: Option<String>) -> Result<Network, JsValue> {
    match prefix.as_deref() {
        None | Some("f") => Ok(Network::Mainnet),
        Some("t") => Ok(Network::Testnet),
        Some(other) => Err(arg(format!(
            "network prefix must be \"f\" or \"t\", got {other:?}"
        ))),
    }
}

/// The network a Lotus JSON message's `From` is written for.
fn network_of(json: &MessageJson) -> Network {
    if json.from.starts_with('t') {
        Network::Testnet
    } else {
        Network::Mainnet
    }
}

fn message(json: &str) -> Result<(Message, Network), JsValue> {
    let parsed: MessageJson = serde_json::from_str(json)
        .map_err(|e| sdk(filmark_sdk::Error::InvalidJson(format!("message: {e}"))))?;
    let message = parsed.to_message().map_err(sdk)?;
    Ok((message, network_of(&parsed)))
}

/// A secp256k1 key: signs Filecoin messages from its f1 address, and Ethereum transactions
/// (Filecoin messages from its f410 address).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Key {
    inner: SecpKey,
}

impl Key {
    /// The SDK's key.
    pub(crate) const fn secp(&self) -> &SecpKey {
        &self.inner
    }
}

#[wasm_bindgen]
impl Key {
    /// A key from text: 64 hex digits (with or without `0x`) or a Lotus key-info export
    /// (`lotus wallet export`, hex or JSON).
    pub fn parse(text: &str) -> Result<Self, JsValue> {
        Ok(Self {
            inner: SecpKey::parse(text).map_err(sdk)?,
        })
    }

    /// The key of BIP-39 `mnemonic` (English) with `passphrase` for account `index`:
    /// `m/44'/461'/0'/0/index` for `"filecoin"`, `m/44'/60'/0'/0/index` for `"eth"`.
    #[wasm_bindgen(js_name = fromMnemonic)]
    pub fn from_mnemonic(
        mnemonic: &str,
        passphrase: &str,
        account: &str,
        index: u32,
    ) -> Result<Self, JsValue> {
        let account = match account {
            "filecoin" => HdAccount::F1,
            "eth" => HdAccount::Eth,
            other => {
                return Err(arg(format!(
                    "account must be \"filecoin\" or \"eth\", got {other:?}"
                )));
            }
        };
        Ok(Self {
            inner: SecpKey::from_mnemonic(mnemonic, passphrase, account, index).map_err(sdk)?,
        })
    }

    /// A fresh key from `crypto.getRandomValues`.
    pub fn random() -> Result<Self, JsValue> {
        Ok(Self {
            inner: SecpKey::random().map_err(sdk)?,
        })
    }

    /// The 32 secret bytes as 64 hex digits. Handle with care.
    #[wasm_bindgen(js_name = secretHex)]
    pub fn secret_hex(&self) -> String {
        hex::encode(self.inner.secret_bytes())
    }

    /// The uncompressed public key (65 bytes, `0x04 ‖ x ‖ y`).
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().to_vec()
    }

    /// The f1 address, with prefix `"f"` (default) or `"t"`.
    #[wasm_bindgen(js_name = f1Address)]
    pub fn f1_address(&self, prefix: Option<String>) -> Result<String, JsValue> {
        Ok(format_address(&self.inner.f1_address(), network(prefix)?))
    }

    /// The f410 address (the Ethereum address in the EAM's namespace), prefix `"f"` or `"t"`.
    #[wasm_bindgen(js_name = f410Address)]
    pub fn f410_address(&self, prefix: Option<String>) -> Result<String, JsValue> {
        Ok(format_address(&self.inner.f410_address(), network(prefix)?))
    }

    /// The Ethereum address, EIP-55 checksummed.
    #[wasm_bindgen(js_name = ethAddress)]
    pub fn eth_address(&self) -> String {
        self.inner.eth_address().to_checksum(None)
    }

    /// Signs a 32-byte digest: `r ‖ s ‖ recovery id` (65 bytes, low `s`, RFC 6979 nonces).
    #[wasm_bindgen(js_name = signPrehash)]
    pub fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, JsValue> {
        let digest: [u8; 32] = digest
            .try_into()
            .map_err(|_| arg(format!("digest must be 32 bytes, got {}", digest.len())))?;
        Ok(self.inner.sign_prehash(&digest.into()).to_vec())
    }

    /// Signs a Lotus JSON message as its `From` calls for (a secp256k1 signature from the f1
    /// address, an EIP-1559 transaction from the f410 address, for `chainId`): the signed
    /// message as Lotus JSON, ready for `MpoolPush`.
    #[wasm_bindgen(js_name = signMessage)]
    pub fn sign_message(&self, message_json: &str, chain_id: u32) -> Result<String, JsValue> {
        let (msg, net) = message(message_json)?;
        let signed = self.inner.sign(msg, chain_id.into()).map_err(sdk)?;
        serde_json::to_string(&SignedMessageJson::new(&signed, net))
            .map_err(|e| arg(format!("JSON: {e}")))
    }

    /// Signs a Lotus JSON message from this key's f410 address as an EIP-1559 transaction for
    /// `chainId`: the raw transaction for `eth_sendRawTransaction`.
    #[wasm_bindgen(js_name = signEthTx)]
    pub fn sign_eth_tx(&self, message_json: &str, chain_id: u32) -> Result<Vec<u8>, JsValue> {
        let (msg, _) = message(message_json)?;
        let tx = self
            .inner
            .sign_eip1559(&msg, chain_id.into())
            .map_err(sdk)?;
        Ok(tx.encode())
    }
}

/// The CID Lotus gives an unsigned message (Lotus JSON).
#[wasm_bindgen(js_name = messageCid)]
pub fn message_cid_of(message_json: &str) -> Result<String, JsValue> {
    Ok(message_cid(&message(message_json)?.0).to_string())
}

/// Checks a signed message (Lotus JSON) as a node would: the signature is valid and was made
/// by the key of `From` (for delegated signatures, over the transaction for `chainId`). Throws
/// `INVALID_SIGNATURE`, `SIGNER_MISMATCH`, … otherwise.
#[wasm_bindgen(js_name = verifySignedMessage)]
pub fn verify_signed(signed_json: &str, chain_id: u32) -> Result<(), JsValue> {
    let parsed: SignedMessageJson = serde_json::from_str(signed_json).map_err(|e| {
        sdk(filmark_sdk::Error::InvalidJson(format!(
            "signed message: {e}"
        )))
    })?;
    let signed = parsed.to_signed_message().map_err(sdk)?;
    verify_signed_message(&signed, chain_id.into()).map_err(sdk)
}
