//! Lotus' JSON shapes (checked against Lotus' `api-methods-v1-stable.md` and `chain/types`):
//! CIDs as `{"/": "bafy…"}`, big integers as decimal strings, bytes as base64, PascalCase
//! fields, addresses with the test-network prefix `t` (as Lotus' devnet builds). Messages and
//! signatures use the SDK's [`filmark_sdk::keys::json`] types; the rest is written here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cid::Cid;
use filmark_devnet::{
    BlockHeader, CallTrace, MessageLookup, Receipt, Tipset, TipsetRef, TraceBlock,
};
use filmark_sdk::keys::json::{CidJson, MessageJson};
use filmark_sdk::keys::{Network, format_address};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::state::ActorState;
use serde_json::{Value, json};

use crate::RpcError;

/// The network whose prefix addresses are written with (`t`, as Lotus' devnet and test builds).
pub(crate) const NETWORK: Network = Network::Testnet;

/// `{"/": "<cid>"}`.
pub(crate) fn cid(c: &Cid) -> Value {
    json!({ "/": c.to_string() })
}

/// An address with the devnet's prefix.
pub(crate) fn address(a: &Address) -> Value {
    Value::String(format_address(a, NETWORK))
}

/// A token amount: attoFIL as a decimal string.
pub(crate) fn amount(t: &TokenAmount) -> Value {
    Value::String(t.atto().to_string())
}

/// Bytes as base64 (Lotus' `[]byte`).
pub(crate) fn bytes(b: &[u8]) -> Value {
    Value::String(BASE64.encode(b))
}

/// A message, with its `CID`.
pub(crate) fn message(m: &Message) -> Value {
    serde_json::to_value(MessageJson::new(m, NETWORK)).unwrap_or(Value::Null)
}

/// A block header (`types.BlockHeader`). The devnet has no tickets, election proofs, beacon
/// entries or block signatures: those fields are present and empty; `ParentWeight` is the
/// height.
pub(crate) fn block(h: &BlockHeader) -> Value {
    json!({
        "Miner": address(&h.miner),
        "Ticket": {"VRFProof": ""},
        "ElectionProof": {"WinCount": 1, "VRFProof": ""},
        "BeaconEntries": [],
        "WinPoStProof": [],
        "Parents": h.parents.iter().map(cid).collect::<Vec<_>>(),
        "ParentWeight": h.height.to_string(),
        "Height": h.height,
        "ParentStateRoot": cid(&h.parent_state_root),
        "ParentMessageReceipts": cid(&h.parent_message_receipts),
        "Messages": cid(&h.messages),
        "BLSAggregate": {"Type": 2, "Data": ""},
        "Timestamp": h.timestamp,
        "BlockSig": {"Type": 2, "Data": ""},
        "ForkSignaling": 0,
        "ParentBaseFee": amount(&h.parent_base_fee),
    })
}

/// A tipset (`types.TipSet`): `{Cids, Blocks, Height}`; the devnet's have one block.
pub(crate) fn tipset(t: &Tipset) -> Value {
    json!({
        "Cids": [cid(&t.cid)],
        "Blocks": [block(&t.header)],
        "Height": t.height(),
    })
}

/// A tipset key (`types.TipSetKey`): the array of its block CIDs.
pub(crate) fn tipset_key(t: &Cid) -> Value {
    json!([cid(t)])
}

/// A receipt (`types.MessageReceipt`).
pub(crate) fn receipt(r: &Receipt) -> Value {
    json!({
        "ExitCode": r.exit_code.value(),
        "Return": bytes(r.return_data.bytes()),
        "GasUsed": r.gas_used,
        "EventsRoot": r.events_root.as_ref().map(cid),
    })
}

/// A message lookup (`api.MsgLookup`). `TipSet` is the tipset that executed the message (the
/// one after its inclusion, whose parent state holds its effects) as in Lotus; while that one
/// is not mined yet (the message is in the head), the including tipset.
pub(crate) fn msg_lookup(l: &MessageLookup, height_of: impl Fn(&Cid) -> Option<i64>) -> Value {
    let at = l.execution.unwrap_or(l.inclusion);
    json!({
        "Message": cid(&l.record.cid),
        "Receipt": receipt(&l.record.receipt),
        "ReturnDec": null,
        "TipSet": tipset_key(&at),
        "Height": height_of(&at).unwrap_or(l.record.height),
    })
}

/// An actor (`types.Actor`): `{Code, Head, Nonce, Balance, DelegatedAddress}`.
pub(crate) fn actor(a: &ActorState) -> Value {
    json!({
        "Code": cid(&a.code),
        "Head": cid(&a.state),
        "Nonce": a.sequence,
        "Balance": amount(&a.balance),
        "DelegatedAddress": a.delegated_address.as_ref().map(address),
    })
}

/// A call tree as Lotus' `ExecutionTrace`: `{Msg, MsgRct, InvokedActor, GasCharges, Subcalls,
/// Logs, IpldOps}`, each send's `From` its sender's ID address, codecs 0 when there are no
/// params / no return value, `Subcalls` `null` when empty (a Go nil slice).
pub(crate) fn execution_trace(t: &CallTrace) -> Value {
    let codec = |b: &Option<TraceBlock>| b.as_ref().map_or(0, |b| b.codec);
    let data = |b: &Option<TraceBlock>| bytes(b.as_ref().map_or(&[][..], |b| b.data.as_slice()));
    let subcalls: Vec<Value> = t.subcalls.iter().map(execution_trace).collect();
    let subcalls = if subcalls.is_empty() {
        Value::Null
    } else {
        Value::Array(subcalls)
    };
    let invoked = t
        .invoked
        .as_ref()
        .map(|(id, state)| json!({"Id": id, "State": actor(state)}));
    json!({
        "Msg": {
            "From": address(&Address::new_id(t.from)), "To": address(&t.to),
            "Value": amount(&t.value), "Method": t.method,
            "Params": data(&t.params), "ParamsCodec": codec(&t.params),
            "GasLimit": t.gas_limit, "ReadOnly": t.read_only,
        },
        "MsgRct": {
            "ExitCode": t.exit_code.value(),
            "Return": data(&t.return_data), "ReturnCodec": codec(&t.return_data),
        },
        "InvokedActor": invoked,
        "GasCharges": [],
        "Subcalls": subcalls,
        "Logs": [],
        "IpldOps": [],
    })
}

/// Reads a Lotus address string (`f` or `t` prefix).
///
/// # Errors
/// `-32602` naming `what`.
pub(crate) fn parse_address(text: &str, what: &str) -> Result<Address, RpcError> {
    filmark_sdk::keys::parse_address(text)
        .map_err(|e| RpcError::invalid_params(format!("{what}: {e}")))
}

/// Reads a CID param.
///
/// # Errors
/// `-32602` naming `what`.
pub(crate) fn parse_cid(c: &CidJson, what: &str) -> Result<Cid, RpcError> {
    c.to_cid()
        .map_err(|e| RpcError::invalid_params(format!("{what}: {e}")))
}

/// Reads a tipset key param: `null` or `[]` is the head, `[cid]` the tipset with that block.
///
/// # Errors
/// `-32602` for a malformed CID; `-32000` for a key of several blocks (the devnet's tipsets
/// have one).
pub(crate) fn parse_tipset_key(key: Option<Vec<CidJson>>) -> Result<TipsetRef, RpcError> {
    match key.as_deref() {
        None | Some([]) => Ok(TipsetRef::Head),
        Some([one]) => Ok(TipsetRef::Key(parse_cid(one, "tipset key")?)),
        Some(many) => Err(RpcError::server(format!(
            "tipset key of {} blocks: the devnet's tipsets have one block",
            many.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::EMPTY_ARR_CID;
    use fvm_shared::error::ExitCode;

    #[test]
    fn it_writes_receipts_and_actors_as_lotus() {
        let r = Receipt {
            exit_code: ExitCode::USR_NOT_FOUND,
            return_data: RawBytes::new(vec![1, 2, 3]),
            gas_used: 9,
            events_root: None,
        };
        assert_eq!(
            receipt(&r),
            json!({"ExitCode": 17, "Return": "AQID", "GasUsed": 9, "EventsRoot": null})
        );
        let a = ActorState::new(
            EMPTY_ARR_CID,
            EMPTY_ARR_CID,
            TokenAmount::from_atto(10u64.pow(18)),
            4,
            Some(Address::new_id(7)),
        );
        let v = actor(&a);
        assert_eq!(v["Balance"], "1000000000000000000");
        assert_eq!(v["Nonce"], 4);
        assert_eq!(v["DelegatedAddress"], "t07");
        assert_eq!(v["Code"]["/"], EMPTY_ARR_CID.to_string());
    }

    #[test]
    fn it_reads_tipset_keys_and_addresses() {
        assert_eq!(parse_tipset_key(None).unwrap(), TipsetRef::Head);
        assert_eq!(parse_tipset_key(Some(vec![])).unwrap(), TipsetRef::Head);
        let c = CidJson::from(&EMPTY_ARR_CID);
        assert_eq!(
            parse_tipset_key(Some(vec![c.clone()])).unwrap(),
            TipsetRef::Key(EMPTY_ARR_CID)
        );
        assert!(parse_tipset_key(Some(vec![c.clone(), c])).is_err());
        assert_eq!(parse_address("f01234", "a").unwrap(), Address::new_id(1234));
        assert_eq!(parse_address("t01234", "a").unwrap(), Address::new_id(1234));
        let e = parse_address("x0", "to").unwrap_err();
        assert_eq!(e.code, RpcError::INVALID_PARAMS);
        assert!(e.message.starts_with("to: "), "{}", e.message);
    }
}
