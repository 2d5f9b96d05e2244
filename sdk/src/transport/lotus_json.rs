//! Lotus' JSON answers the transport reads (receipts, lookups, `StateCall` results, market
//! deals), as typed serde shapes. Messages and signatures are [`crate::keys::json`]'s.
//!
//! Only `HttpTransport` reads the shapes; without the `http` feature
//! the public base64/amount helpers are what is left.
#![cfg_attr(not(feature = "http"), allow(dead_code))]

use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::{ActorEvent, Entry, Flags, StampedEvent};
use fvm_shared::piece::PaddedPieceSize;
use serde::Deserialize;

use super::{ActorInfo, CallOutcome, Lookup, MarketDeal, OfferState, ProviderOffer, Receipt};
use crate::keys::json::CidJson;
use crate::keys::parse_address;
use crate::{Error, Result};

fn bad(what: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidJson(format!("{what}: {e}"))
}

/// Bytes as Lotus writes them: base64 (`null` or `""` for none).
///
/// # Errors
/// [`Error::InvalidJson`] for text that is not base64.
pub fn b64_decode(text: Option<&str>) -> Result<Vec<u8>> {
    text.map_or(Ok(Vec::new()), |t| {
        BASE64.decode(t).map_err(|e| bad("base64", e))
    })
}

/// Bytes in Lotus' base64 form.
pub fn b64_encode(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// An attoFIL amount from Lotus' decimal string.
///
/// # Errors
/// [`Error::InvalidJson`] if it is not a decimal integer.
pub fn parse_amount(text: &str) -> Result<TokenAmount> {
    BigInt::from_str(text)
        .map(TokenAmount::from_atto)
        .map_err(|e| bad("amount", e))
}

/// `api.MessageReceipt`: `{ExitCode, Return, GasUsed, EventsRoot}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReceiptJson {
    exit_code: u32,
    #[serde(rename = "Return")]
    ret: Option<String>,
    gas_used: u64,
    #[serde(default)]
    events_root: Option<CidJson>,
}

impl ReceiptJson {
    pub(crate) fn to_receipt(&self) -> Result<Receipt> {
        Ok(Receipt {
            exit_code: ExitCode::new(self.exit_code),
            return_data: RawBytes::new(b64_decode(self.ret.as_deref())?),
            gas_used: self.gas_used,
            events_root: self.events_root.as_ref().map(CidJson::to_cid).transpose()?,
        })
    }
}

/// `types.ActorV5` (`StateGetActor`): `{Code, Head, Nonce, Balance, DelegatedAddress}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ActorJson {
    code: CidJson,
    head: CidJson,
    nonce: u64,
    balance: String,
    #[serde(default)]
    delegated_address: Option<String>,
}

impl ActorJson {
    pub(crate) fn to_actor(&self) -> Result<ActorInfo> {
        Ok(ActorInfo {
            code: self.code.to_cid()?,
            head: self.head.to_cid()?,
            nonce: self.nonce,
            balance: parse_amount(&self.balance)?,
            delegated_address: self
                .delegated_address
                .as_deref()
                .map(parse_address)
                .transpose()?,
        })
    }
}

/// One entry of an event in `ChainGetEvents`: `{Flags, Key, Codec, Value}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntryJson {
    flags: u64,
    key: String,
    codec: u64,
    value: Option<String>,
}

/// An event of `ChainGetEvents`: `{Emitter, Entries}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct EventJson {
    emitter: u64,
    entries: Vec<EntryJson>,
}

impl EventJson {
    pub(crate) fn to_event(&self) -> Result<StampedEvent> {
        let entries = self
            .entries
            .iter()
            .map(|e| {
                Ok(Entry {
                    flags: Flags::from_bits_truncate(e.flags),
                    key: e.key.clone(),
                    codec: e.codec,
                    value: b64_decode(e.value.as_deref())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StampedEvent::new(self.emitter, ActorEvent::from(entries)))
    }
}

/// `api.MsgLookup`: `{Message, Receipt, TipSet, Height}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LookupJson {
    message: CidJson,
    receipt: ReceiptJson,
    height: i64,
}

impl LookupJson {
    pub(crate) fn to_lookup(&self) -> Result<Lookup> {
        Ok(Lookup {
            message: self.message.to_cid()?,
            height: self.height,
            receipt: self.receipt.to_receipt()?,
            failure: None,
        })
    }
}

/// `api.InvocResult` (`StateCall`): `{MsgRct, Error, ...}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InvocResultJson {
    msg_rct: ReceiptJson,
    #[serde(default)]
    error: Option<String>,
}

impl InvocResultJson {
    pub(crate) fn to_outcome(&self) -> Result<CallOutcome> {
        Ok(CallOutcome {
            receipt: self.msg_rct.to_receipt()?,
            failure: self.error.clone().filter(|e| !e.is_empty()),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProposalJson {
    #[serde(rename = "PieceCID")]
    piece_cid: CidJson,
    piece_size: u64,
    client: String,
    provider: String,
    start_epoch: i64,
    end_epoch: i64,
    storage_price_per_epoch: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DealStateJson {
    sector_start_epoch: i64,
    last_updated_epoch: i64,
    slash_epoch: i64,
}

/// `api.MarketDeal`: `{Proposal, State}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MarketDealJson {
    proposal: ProposalJson,
    state: DealStateJson,
}

impl MarketDealJson {
    pub(crate) fn to_deal(&self) -> Result<MarketDeal> {
        let p = &self.proposal;
        Ok(MarketDeal {
            piece_cid: p.piece_cid.to_cid()?,
            piece_size: PaddedPieceSize(p.piece_size),
            client: parse_address(&p.client)?,
            provider: parse_address(&p.provider)?,
            start_epoch: p.start_epoch,
            end_epoch: p.end_epoch,
            price_per_epoch: parse_amount(&p.storage_price_per_epoch)?,
            sector_start_epoch: self.state.sector_start_epoch,
            last_updated_epoch: self.state.last_updated_epoch,
            slash_epoch: self.state.slash_epoch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_lookup_and_a_state_call() {
        let l: LookupJson = serde_json::from_str(
            r#"{"Message":{"/":"bafy2bzaceaa4xsm6ubkbhxmtzvhyiyd6q2hi5ajhzbsqggiirtnt6yzwvxb3k"},
                "Receipt":{"ExitCode":16,"Return":"AQI=","GasUsed":7,"EventsRoot":null},
                "TipSet":[],"Height":12}"#,
        )
        .unwrap();
        let l = l.to_lookup().unwrap();
        assert_eq!(l.height, 12);
        assert_eq!(l.receipt.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
        assert_eq!(l.receipt.return_data.bytes(), &[1, 2]);
        assert_eq!(l.receipt.events_root, None);
        let c: InvocResultJson = serde_json::from_str(
            r#"{"MsgRct":{"ExitCode":0,"Return":null,"GasUsed":1},"Error":""}"#,
        )
        .unwrap();
        assert_eq!(c.to_outcome().unwrap().failure, None);
        assert!(parse_amount("12x").is_err());
        let e: EventJson = serde_json::from_str(
            r#"{"Emitter":1001,"Entries":[{"Flags":3,"Key":"t1","Codec":85,"Value":"AQI="}]}"#,
        )
        .unwrap();
        let e = e.to_event().unwrap();
        assert_eq!(e.emitter, 1001);
        assert_eq!(e.event.entries[0].key, "t1");
        assert_eq!(e.event.entries[0].value, vec![1, 2]);
        assert_eq!(e.event.entries[0].flags, Flags::FLAG_INDEXED_ALL);
        assert_eq!(parse_amount("1000").unwrap(), TokenAmount::from_atto(1000));
    }
}

/// A rejection in `filmark_providerStatus`: `{kind, message}`.
#[derive(Debug, Deserialize)]
pub(crate) struct RejectionJson {
    kind: String,
    message: String,
}

/// A record of `filmark_providerStatus` (the fields the SDK reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProviderRecordJson {
    provider: String,
    state: String,
    deal_id: Option<u64>,
    active_since: Option<i64>,
    rejection: Option<RejectionJson>,
    piece_cid: Option<CidJson>,
    note: Option<String>,
    #[serde(default)]
    ended_at: Option<i64>,
}

impl ProviderRecordJson {
    pub(crate) fn into_offer(self) -> Result<ProviderOffer> {
        let deal = || {
            self.deal_id
                .ok_or_else(|| bad("provider record", "no dealId"))
        };
        let state = match self.state.as_str() {
            "received" => OfferState::Received,
            "rejected" => {
                let r = self
                    .rejection
                    .ok_or_else(|| bad("provider record", "no rejection"))?;
                OfferState::Rejected {
                    kind: r.kind,
                    message: r.message,
                }
            }
            "published" => OfferState::Published { deal_id: deal()? },
            "active" => OfferState::Active {
                deal_id: deal()?,
                since: self
                    .active_since
                    .ok_or_else(|| bad("provider record", "no activeSince"))?,
            },
            "ended" => OfferState::Ended {
                deal_id: deal()?,
                at: self.ended_at,
            },
            other => return Err(bad("provider record", format!("unknown state {other}"))),
        };
        Ok(ProviderOffer {
            provider: parse_address(&self.provider)?,
            state,
            piece: self.piece_cid.map(|c| c.to_cid()).transpose()?,
            note: self.note,
        })
    }
}
