//! Lotus's JSON forms of messages and signatures (`Filecoin.MpoolPush`, `StateWaitMsg`, ...).
//!
//! - Message: `{Version, To, From, Nonce, Value, GasLimit, GasFeeCap, GasPremium, Method,
//!   Params, CID}`; amounts are decimal strings, `Params` is base64 or `null`, `CID` is added on
//!   output and ignored on input.
//! - Signature: `{Type: 1 | 2 | 3, Data: base64}`.
//! - SignedMessage: `{Message, Signature, CID}`, `CID` being [`SignedMessage::cid`].
//!
//! Addresses are written with the prefix of the [`Network`] given (the devnet, like Lotus's 2k
//! build, uses `t`) and read with either prefix.

use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Network;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde::{Deserialize, Serialize};

use super::message::{SigType, Signature, SignedMessage, message_cid};
use super::secp::{format_address, parse_address};
use crate::{Error, Result};

/// A CID as Lotus writes it: `{"/": "bafy…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidJson {
    /// The CID's string form.
    #[serde(rename = "/")]
    pub root: String,
}

impl From<&Cid> for CidJson {
    fn from(cid: &Cid) -> Self {
        Self {
            root: cid.to_string(),
        }
    }
}

impl CidJson {
    /// Parses the CID.
    ///
    /// # Errors
    /// [`Error::InvalidJson`] if it is not a CID.
    pub fn to_cid(&self) -> Result<Cid> {
        Cid::from_str(&self.root).map_err(|e| Error::InvalidJson(format!("CID {}: {e}", self.root)))
    }
}

/// A message in Lotus JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageJson {
    /// Message version (0).
    pub version: u64,
    /// Recipient address.
    pub to: String,
    /// Sender address.
    pub from: String,
    /// Sender's sequence number.
    pub nonce: u64,
    /// Value, attoFIL as a decimal string.
    pub value: String,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee cap per gas unit, attoFIL as a decimal string.
    pub gas_fee_cap: String,
    /// Tip per gas unit, attoFIL as a decimal string.
    pub gas_premium: String,
    /// Method number.
    pub method: u64,
    /// Params, base64; `null` when empty.
    pub params: Option<String>,
    /// The message CID: written on output, ignored on input.
    #[serde(rename = "CID", default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<CidJson>,
}

impl MessageJson {
    /// The JSON form of `message`, with its CID, addresses formatted for `network`.
    pub fn new(message: &Message, network: Network) -> Self {
        Self {
            version: message.version,
            to: format_address(&message.to, network),
            from: format_address(&message.from, network),
            nonce: message.sequence,
            value: message.value.atto().to_string(),
            gas_limit: message.gas_limit,
            gas_fee_cap: message.gas_fee_cap.atto().to_string(),
            gas_premium: message.gas_premium.atto().to_string(),
            method: message.method_num,
            params: (!message.params.is_empty()).then(|| BASE64.encode(message.params.bytes())),
            cid: Some(CidJson::from(&message_cid(message))),
        }
    }

    /// The message (the `CID` field is ignored, as Lotus does).
    ///
    /// # Errors
    /// [`Error::InvalidAddress`] or [`Error::InvalidJson`] for a malformed field.
    pub fn to_message(&self) -> Result<Message> {
        let params = match self.params.as_deref() {
            None | Some("") => RawBytes::default(),
            Some(b64) => RawBytes::new(
                BASE64
                    .decode(b64)
                    .map_err(|e| Error::InvalidJson(format!("Params: {e}")))?,
            ),
        };
        Ok(Message {
            version: self.version,
            from: parse_address(&self.from)?,
            to: parse_address(&self.to)?,
            sequence: self.nonce,
            value: amount("Value", &self.value)?,
            method_num: self.method,
            params,
            gas_limit: self.gas_limit,
            gas_fee_cap: amount("GasFeeCap", &self.gas_fee_cap)?,
            gas_premium: amount("GasPremium", &self.gas_premium)?,
        })
    }
}

/// A signature in Lotus JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignatureJson {
    /// Signature type: 1 secp256k1, 2 BLS, 3 delegated.
    #[serde(rename = "Type")]
    pub sig_type: u8,
    /// Signature data, base64.
    pub data: String,
}

impl From<&Signature> for SignatureJson {
    fn from(sig: &Signature) -> Self {
        Self {
            sig_type: sig.sig_type as u8,
            data: BASE64.encode(&sig.data),
        }
    }
}

impl SignatureJson {
    /// The signature.
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureType`] for an unknown type, [`Error::InvalidJson`] for
    /// data that is not base64.
    pub fn to_signature(&self) -> Result<Signature> {
        Ok(Signature {
            sig_type: SigType::try_from(self.sig_type)?,
            data: BASE64
                .decode(&self.data)
                .map_err(|e| Error::InvalidJson(format!("Data: {e}")))?,
        })
    }
}

/// A signed message in Lotus JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignedMessageJson {
    /// The message.
    pub message: MessageJson,
    /// Its signature.
    pub signature: SignatureJson,
    /// The signed message's CID: written on output, ignored on input.
    #[serde(rename = "CID", default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<CidJson>,
}

impl SignedMessageJson {
    /// The JSON form of `signed`, with both CIDs, addresses formatted for `network`.
    pub fn new(signed: &SignedMessage, network: Network) -> Self {
        Self {
            message: MessageJson::new(&signed.message, network),
            signature: SignatureJson::from(&signed.signature),
            cid: Some(CidJson::from(&signed.cid())),
        }
    }

    /// The signed message (CIDs are ignored).
    ///
    /// # Errors
    /// As [`MessageJson::to_message`] and [`SignatureJson::to_signature`].
    pub fn to_signed_message(&self) -> Result<SignedMessage> {
        Ok(SignedMessage {
            message: self.message.to_message()?,
            signature: self.signature.to_signature()?,
        })
    }
}

fn amount(field: &str, text: &str) -> Result<TokenAmount> {
    BigInt::from_str(text)
        .map(TokenAmount::from_atto)
        .map_err(|e| Error::InvalidJson(format!("{field} {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use fvm_shared::address::Address;

    use super::*;
    use crate::keys::{DEVNET_CHAIN_ID, SecpKey, calldata_params, ext};

    fn signed(eth: bool) -> SignedMessage {
        let key = SecpKey::from_seed(b"json", 0);
        let from = if eth {
            key.f410_address()
        } else {
            key.f1_address()
        };
        let message = Message {
            version: 0,
            from,
            to: Address::new_id(1001),
            sequence: 3,
            value: TokenAmount::from_atto(10_u64.pow(18)),
            method_num: ext::evm::INVOKE_CONTRACT,
            params: calldata_params(&[1, 2, 3]),
            gas_limit: 1_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(100),
        };
        key.sign(message, DEVNET_CHAIN_ID).unwrap()
    }

    #[test]
    fn it_writes_lotus_shapes() {
        let s = signed(false);
        let json = serde_json::to_value(SignedMessageJson::new(&s, Network::Testnet)).unwrap();
        let m = &json["Message"];
        assert_eq!(m["Version"], 0);
        assert_eq!(m["To"], "t01001");
        assert!(m["From"].as_str().unwrap().starts_with("t1"));
        assert_eq!(m["Nonce"], 3);
        assert_eq!(m["Value"], "1000000000000000000");
        assert_eq!(m["GasLimit"], 1_000_000);
        assert_eq!(
            (m["GasFeeCap"].as_str(), m["GasPremium"].as_str()),
            (Some("200"), Some("100"))
        );
        assert_eq!(m["Method"], 3_844_450_837_u64);
        // CBOR byte string 0x43 01 02 03, base64.
        assert_eq!(m["Params"], "QwECAw==");
        assert_eq!(m["CID"]["/"], message_cid(&s.message).to_string());
        assert_eq!(json["Signature"]["Type"], 1);
        assert_eq!(json["Signature"]["Data"], BASE64.encode(&s.signature.data));
        assert_eq!(json["CID"]["/"], s.cid().to_string());
        let f = serde_json::to_value(MessageJson::new(&s.message, Network::Mainnet)).unwrap();
        assert_eq!(f["To"], "f01001");
    }

    #[test]
    fn it_reads_what_it_writes_and_lotus_variants() {
        for s in [signed(false), signed(true)] {
            let text =
                serde_json::to_string(&SignedMessageJson::new(&s, Network::Testnet)).unwrap();
            let back: SignedMessageJson = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_signed_message().unwrap(), s);
        }
        // No CID, f prefix, null params: what a client may send.
        let text = r#"{"Version":0,"To":"f01001","From":"t01002","Nonce":0,"Value":"0",
            "GasLimit":0,"GasFeeCap":"0","GasPremium":"0","Method":0,"Params":null}"#;
        let m: MessageJson = serde_json::from_str(text).unwrap();
        let m = m.to_message().unwrap();
        assert_eq!(
            (m.to, m.from),
            (Address::new_id(1001), Address::new_id(1002))
        );
        assert!(m.params.is_empty());
    }

    #[test]
    fn it_rejects_malformed_fields() {
        let mut m = MessageJson::new(&signed(false).message, Network::Testnet);
        m.value = "1.5".into();
        assert!(matches!(m.to_message(), Err(Error::InvalidJson(_))));
        let mut m = MessageJson::new(&signed(false).message, Network::Testnet);
        m.params = Some("***".into());
        assert!(matches!(m.to_message(), Err(Error::InvalidJson(_))));
        let mut m = MessageJson::new(&signed(false).message, Network::Testnet);
        m.to = "x01".into();
        assert!(matches!(m.to_message(), Err(Error::InvalidAddress(_))));
        let sig = SignatureJson {
            sig_type: 9,
            data: String::new(),
        };
        assert!(matches!(
            sig.to_signature(),
            Err(Error::UnsupportedSignatureType(9))
        ));
        // A JSON number for an amount is refused, as go-state-types does.
        let text = r#"{"Version":0,"To":"t01","From":"t01","Nonce":0,"Value":0,
            "GasLimit":0,"GasFeeCap":"0","GasPremium":"0","Method":0,"Params":null}"#;
        assert!(serde_json::from_str::<MessageJson>(text).is_err());
    }
}
