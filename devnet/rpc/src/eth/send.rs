//! Sending and simulating: `eth_sendRawTransaction`, `eth_call`, `eth_estimateGas` (at any
//! block).

use alloy_primitives::{Address as EthAddress, B256, Bytes, U64, U256};
use filmark_devnet::{CallAt, MAX_MESSAGE_SIZE, SYSTEM_ACTOR_ID, TipsetRef, VerifiedMessage};
use filmark_sdk::Error as SdkError;
use filmark_sdk::keys::{SignedEthTx, calldata_params, ext};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::message::Message;
use serde::Deserialize;
use serde_json::{Value, json};

use super::blocks::calldata_of;
use super::types::{BlockTag, filecoin_address, resolve_state, u256_to_token};
use crate::RpcError;
use crate::params::Params;
use crate::table::Context;

/// The largest raw transaction accepted, in bytes: a message the pool would refuse as larger
/// than [`MAX_MESSAGE_SIZE`] is refused here, before any decoding or signature work.
pub const MAX_RAW_TX_BYTES: usize = MAX_MESSAGE_SIZE;

/// `eth_sendRawTransaction`: decodes the transaction once (the SDK's Lotus-exact decoder, on
/// alloy's RLP), checks the chain id and replay protection, recovers the sender once and maps the
/// transaction to its Filecoin message (the sender's f410 address, `InvokeEVM` or the EAM's
/// `CreateExternal`): a [`VerifiedMessage`] with its CID and hash, which the pool takes without
/// verifying again. With instant mining the tipset holding it (with whatever arrived meanwhile,
/// [`super::batch`]) is mined, then one more, so that "latest" (the head's parent) holds it and
/// its receipt exists, as on Lotus.
pub(crate) fn send_raw_transaction(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    let verified = verify(ctx, p)?;
    let hash = B256::from(verified.eth_hash());
    ctx.sends.push(verified)?;
    Ok(json!(hash))
}

/// [`send_raw_transaction`] on the request's own task (a single call over HTTP or WebSocket):
/// decoded and verified there, then it waits for its batch without holding a thread.
pub(crate) async fn send_raw_transaction_async(
    ctx: &Context,
    params: &Value,
) -> Result<Value, RpcError> {
    let verified = verify(ctx, &Params::new(SEND_RAW_TRANSACTION, params)?)?;
    let hash = B256::from(verified.eth_hash());
    ctx.sends.send(verified).await?;
    Ok(json!(hash))
}

/// The method name of [`send_raw_transaction`].
pub(crate) const SEND_RAW_TRANSACTION: &str = "eth_sendRawTransaction";

/// The checks and the mapping of [`send_raw_transaction`]: the message to push.
fn verify(ctx: &Context, p: &Params<'_>) -> Result<VerifiedMessage, RpcError> {
    p.at_most(1)?;
    let text: String = p.get(0, "rawTransaction")?;
    let digits = text.strip_prefix("0x").unwrap_or(&text);
    if digits.len() / 2 > MAX_RAW_TX_BYTES {
        return Err(RpcError::invalid_params(format!(
            "raw transaction of {} bytes: the limit is {MAX_RAW_TX_BYTES}",
            digits.len() / 2
        )));
    }
    let raw = hex::decode(digits)
        .map_err(|e| RpcError::invalid_params(format!("rawTransaction: {e}")))?;
    let tx = decode(ctx, &raw)?;
    Ok(VerifiedMessage::from_eth_tx(&tx, ctx.devnet.chain_id())?)
}

/// Decodes `raw` and refuses what Filecoin does not carry: types other than legacy and
/// EIP-1559, another chain's id, and (unless allowed) unprotected pre-EIP-155 transactions.
fn decode(ctx: &Context, raw: &[u8]) -> Result<SignedEthTx, RpcError> {
    let tx = SignedEthTx::decode(raw).map_err(|e| match e {
        SdkError::UnsupportedTxType(ty) => RpcError::server(format!(
            "transaction type {ty} is not supported: Filecoin takes legacy and EIP-1559 (type 2) \
             transactions"
        )),
        SdkError::InvalidTx(_) => RpcError::server(format!("invalid transaction: {e}")),
        e => RpcError::invalid_params(format!("cannot decode the transaction: {e}")),
    })?;
    let chain_id = ctx.devnet.chain_id();
    match tx.tx.chain_id() {
        None if !ctx.allow_unprotected_txs => Err(RpcError::server(
            "only replay-protected (EIP-155) transactions allowed over RPC: this transaction has \
             no chain id, so it is valid on every network (start the devnet with unprotected \
             transactions allowed to accept it)",
        )),
        Some(got) if got != chain_id => Err(RpcError::server(format!(
            "invalid chain id {got}: this devnet's is {chain_id}"
        ))),
        _ => Ok(tx),
    }
}

/// An `eth_call` / `eth_estimateGas` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallObject {
    from: Option<EthAddress>,
    to: Option<EthAddress>,
    value: Option<U256>,
    data: Option<Bytes>,
    input: Option<Bytes>,
}

impl CallObject {
    /// The Filecoin message Lotus makes of it (`EthCall.ToFilecoinMessage`): `to` → `InvokeEVM`
    /// with the calldata, no `to` → the EAM's `CreateExternal`; no sender → the system actor.
    fn to_message(&self) -> Result<Message, RpcError> {
        let from = match self.from {
            None => Address::new_id(SYSTEM_ACTOR_ID),
            Some(a) if a.is_zero() => Address::new_id(SYSTEM_ACTOR_ID),
            Some(a) => {
                let from = filecoin_address(&a);
                if from.protocol() != Protocol::Delegated {
                    return Err(RpcError::invalid_params(format!(
                        "from {a}: expected an f410 (Ethereum account) address"
                    )));
                }
                from
            }
        };
        let data = self.input.as_ref().or(self.data.as_ref());
        let params = data.map_or_else(RawBytes::default, |d| calldata_params(d));
        let (to, method_num) = match self.to {
            Some(to) => (filecoin_address(&to), ext::evm::INVOKE_CONTRACT),
            None => (
                Address::new_id(filmark_devnet::EAM_ACTOR_ID),
                ext::eam::CREATE_EXTERNAL,
            ),
        };
        Ok(Message {
            version: 0,
            from,
            to,
            sequence: 0,
            value: u256_to_token(self.value.unwrap_or_default()),
            method_num,
            params,
            gas_limit: 0,
            gas_fee_cap: Default::default(),
            gas_premium: Default::default(),
        })
    }

    /// The message of an `eth_call` / `eth_estimateGas`: [`CallObject::to_message`] with the
    /// sender's nonce in the state the call runs on, as Lotus' `StateCall` sets it, so that the addresses of
    /// contracts created during the call (`CreateExternal`, a contract's CREATE) are those a
    /// transaction sent now would get, not those of the sender's first message.
    fn to_call_message(&self, ctx: &Context, at: &CallAt) -> Result<Message, RpcError> {
        let mut message = self.to_message()?;
        let state = match at {
            CallAt::After(state) | CallAt::Within(state) => *state,
            _ => TipsetRef::Head,
        };
        message.sequence = ctx.devnet.sequence(&message.from, state)?;
        Ok(message)
    }
}

/// The state an `eth_call` / `eth_estimateGas` block parameter names: the state after that
/// block's messages (Lotus runs them on `TipSetState`), at the next epoch. "latest" (and an
/// absent block) and "pending" run on the newest state, the head's, as the devnet always has (a
/// message sent with `Devnet::send` is visible to the next call at once); a null round, a future
/// block or an unknown hash is an error.
fn call_state(ctx: &Context, tag: Option<BlockTag>) -> Result<CallAt, RpcError> {
    let tag = tag.unwrap_or(BlockTag::Latest);
    if matches!(tag, BlockTag::Latest | BlockTag::Pending) {
        return Ok(CallAt::After(TipsetRef::Head));
    }
    let at = resolve_state(&ctx.devnet, tag)?;
    Ok(CallAt::After(TipsetRef::Key(at.cid)))
}

/// The error of a failed call: code 3 ("execution reverted", as geth and Lotus), the return
/// bytes as `data`.
fn reverted(result: &filmark_devnet::CallResult) -> RpcError {
    let ret = result.receipt.return_data.bytes();
    let data = calldata_of(ret).unwrap_or_else(|| ret.to_vec());
    let reason = result
        .failure
        .as_deref()
        .and_then(|f| f.lines().next())
        .unwrap_or("");
    RpcError::new(
        RpcError::EXECUTION_ERROR,
        format!(
            "execution reverted: exit code {} {reason}",
            result.receipt.exit_code.value()
        )
        .trim_end()
        .to_owned(),
    )
    .with_data(json!(Bytes::from(data)))
}

/// `eth_call`: the return bytes (the CBOR byte string of `InvokeEVM`'s return).
pub(crate) fn call(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(3)?;
    let object: CallObject = p.get(0, "transaction")?;
    let at = call_state(ctx, p.opt(1, "block")?)?;
    let message = object.to_call_message(ctx, &at)?;
    let is_create = object.to.is_none();
    let result = ctx.devnet.call_with(message, at, false)?;
    if !result.receipt.exit_code.is_success() {
        return Err(reverted(&result));
    }
    let ret = result.receipt.return_data.bytes();
    let out = if is_create || ret.is_empty() {
        Vec::new()
    } else {
        calldata_of(ret).unwrap_or_else(|| ret.to_vec())
    };
    Ok(json!(Bytes::from(out)))
}

/// `eth_estimateGas`: a reverting call is an error (code 3); otherwise the gas limit the devnet
/// would set for the message (its execution, inclusion cost and a 25 % margin).
pub(crate) fn estimate_gas(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let object: CallObject = p.get(0, "transaction")?;
    let at = call_state(ctx, p.opt(1, "block")?)?;
    let message = object.to_call_message(ctx, &at)?;
    let (result, gas_limit) = ctx.devnet.estimate_gas(&message, at)?;
    if !result.receipt.exit_code.is_success() {
        return Err(reverted(&result));
    }
    Ok(json!(U64::from(gas_limit)))
}
