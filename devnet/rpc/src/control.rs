//! The devnet's controls: Anvil's names where one exists (`evm_*`, `anvil_*`), `filmark_*` for
//! what only a Filecoin devnet has (epochs, storage deals).
//!
//! Quantities are read as Anvil reads them: a `0x` hex string or a JSON number. Addresses may be
//! Ethereum (`0x…`, an f410 or a masked f0) or Filecoin (`f…`/`t…`).

use std::str::FromStr;

use filmark_devnet::{Devnet, KeyKind, MARKET_ACTOR_ID, TipsetRef};
use filmark_devnet_actors::market::{
    self, ClientDealProposal, DealProposal, Label, PublishStorageDealsParams,
    PublishStorageDealsReturn,
};
use filmark_sdk::keys::json::CidJson;
use filmark_sdk::keys::{EthAddress, eth_to_filecoin};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use multihash_codetable::{Code, MultihashDigest};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::RpcError;
use crate::lotus_json::{cid, parse_address, parse_cid};
use crate::params::Params;
use crate::table::{Context, Method};

/// Most tipsets one `anvil_mine` call mines (a bound on one request's work; use
/// `filmark_advanceEpochs` to skip any number of epochs at once).
pub const MAX_MINE: u64 = 10_000;

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[
    Method {
        name: "evm_mine",
        params: "[timestamp?]",
        handler: evm_mine,
    },
    Method {
        name: "anvil_mine",
        params: "[blocks?, interval?]",
        handler: anvil_mine,
    },
    Method {
        name: "anvil_setBalance",
        params: "[address, balance]",
        handler: anvil_set_balance,
    },
    Method {
        name: "evm_snapshot",
        params: "[]",
        handler: evm_snapshot,
    },
    Method {
        name: "evm_revert",
        params: "[snapshotId]",
        handler: evm_revert,
    },
    Method {
        name: "evm_increaseTime",
        params: "[seconds]",
        handler: evm_increase_time,
    },
    Method {
        name: "evm_setNextBlockTimestamp",
        params: "[timestamp]",
        handler: evm_set_next_block_timestamp,
    },
    Method {
        name: "filmark_advanceEpochs",
        params: "[epochs]",
        handler: filmark_advance_epochs,
    },
    Method {
        name: "filmark_installCode",
        params: "[wasmBase64]",
        handler: filmark_install_code,
    },
    Method {
        name: "filmark_publishDeal",
        params: "[proposal]",
        handler: filmark_publish_deal,
    },
    Method {
        name: "filmark_activateDeals",
        params: "[dealIds, sectorNumber?]",
        handler: filmark_activate_deals,
    },
    Method {
        name: "filmark_settleDealPayments",
        params: "[dealIds]",
        handler: filmark_settle_deal_payments,
    },
    Method {
        name: "filmark_terminateDeals",
        params: "[dealIds]",
        handler: filmark_terminate_deals,
    },
];

/// A quantity: `0x` hex or a JSON number.
fn quantity(p: &Params<'_>, index: usize, name: &str) -> Result<BigInt, RpcError> {
    let bad = || RpcError::invalid_params(format!("{name}: a 0x hex quantity or a number"));
    match p.get::<Value>(index, name)? {
        Value::Number(n) => n.as_u64().map(BigInt::from).ok_or_else(bad),
        Value::String(s) => {
            let hex = s.strip_prefix("0x").ok_or_else(bad)?;
            if hex.is_empty() || hex.len() > 64 {
                return Err(bad());
            }
            BigInt::parse_bytes(hex.as_bytes(), 16).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

pub(crate) fn quantity_u64(p: &Params<'_>, index: usize, name: &str) -> Result<u64, RpcError> {
    u64::try_from(quantity(p, index, name)?)
        .map_err(|_| RpcError::invalid_params(format!("{name}: out of range")))
}

/// An Ethereum or Filecoin address.
pub(crate) fn any_address(p: &Params<'_>, index: usize, name: &str) -> Result<Address, RpcError> {
    let text = p.get::<String>(index, name)?;
    if text.starts_with("0x") {
        let eth = EthAddress::from_str(&text)
            .map_err(|e| RpcError::invalid_params(format!("{name}: {e}")))?;
        return Ok(eth_to_filecoin(&eth));
    }
    parse_address(&text, name)
}

fn evm_mine(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    if p.opt::<Value>(0, "timestamp")?.is_some() {
        ctx.devnet
            .set_next_timestamp(quantity_u64(p, 0, "timestamp")?)?;
    }
    ctx.devnet.mine(1)?;
    Ok(json!("0x0"))
}

fn anvil_mine(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let blocks = match p.opt::<Value>(0, "blocks")? {
        None => 1,
        Some(_) => quantity_u64(p, 0, "blocks")?,
    };
    if blocks > MAX_MINE {
        return Err(RpcError::invalid_params(format!(
            "blocks: at most {MAX_MINE} per call (filmark_advanceEpochs skips any number)"
        )));
    }
    if p.opt::<Value>(1, "interval")?.is_some() {
        let interval = quantity_u64(p, 1, "interval")?;
        if interval != filmark_devnet::BLOCK_DELAY_SECS {
            return Err(RpcError::invalid_params(format!(
                "interval: tipsets are {} s apart on the devnet (use evm_increaseTime)",
                filmark_devnet::BLOCK_DELAY_SECS
            )));
        }
    }
    ctx.devnet.mine(blocks)?;
    Ok(Value::Null)
}

fn anvil_set_balance(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let a = any_address(p, 0, "address")?;
    let balance = TokenAmount::from_atto(quantity(p, 1, "balance")?);
    ctx.devnet.set_balance(&a, balance)?;
    Ok(Value::Null)
}

fn evm_snapshot(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    Ok(json!(format!("{:#x}", ctx.devnet.snapshot())))
}

fn evm_revert(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let id = quantity_u64(p, 0, "snapshotId")?;
    Ok(Value::Bool(ctx.devnet.revert(id).is_ok()))
}

fn evm_increase_time(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    Ok(json!(
        ctx.devnet.increase_time(quantity_u64(p, 0, "seconds")?)?
    ))
}

fn evm_set_next_block_timestamp(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    ctx.devnet
        .set_next_timestamp(quantity_u64(p, 0, "timestamp")?)?;
    Ok(Value::Null)
}

fn filmark_advance_epochs(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let head = ctx.devnet.advance_epochs(quantity_u64(p, 0, "epochs")?)?;
    Ok(json!(head.height()))
}

/// Stores and compiles an actor's wasm without a message (a module is larger than a message may
/// be); answers its code CID for init's `Exec`.
fn filmark_install_code(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    use base64::Engine as _;
    p.at_most(1)?;
    let wasm = base64::engine::general_purpose::STANDARD
        .decode(p.get::<String>(0, "wasmBase64")?)
        .map_err(|e| RpcError::invalid_params(format!("wasmBase64: {e}")))?;
    Ok(cid(&ctx.devnet.install_code(&wasm)?))
}

/// A deal proposal in Lotus' JSON (`market.DealProposal`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ProposalJson {
    #[serde(rename = "PieceCID")]
    piece_cid: CidJson,
    piece_size: u64,
    #[serde(default)]
    verified_deal: bool,
    client: String,
    provider: String,
    #[serde(default)]
    label: String,
    start_epoch: i64,
    end_epoch: i64,
    storage_price_per_epoch: String,
    provider_collateral: String,
    client_collateral: String,
}

fn atto(field: &str, text: &str) -> Result<TokenAmount, RpcError> {
    BigInt::from_str(text)
        .map(TokenAmount::from_atto)
        .map_err(|e| RpcError::invalid_params(format!("proposal.{field}: {e}")))
}

/// The prefunded f1 account at `address` (the devnet signs for it).
fn prefunded(
    devnet: &Devnet,
    address: &Address,
    role: &str,
) -> Result<filmark_devnet::GenesisAccount, RpcError> {
    let id = devnet.lookup_id(address, TipsetRef::Head)?;
    devnet
        .accounts()
        .into_iter()
        .find(|a| {
            a.key.kind() == KeyKind::Secp256k1 && (a.address() == *address || Some(a.id) == id)
        })
        .ok_or_else(|| {
            RpcError::invalid_params(format!(
                "proposal.{role}: not one of the devnet's prefunded f1 accounts (the devnet signs \
                 for them); publish other parties' deals with a signed PublishStorageDeals message"
            ))
        })
}

fn filmark_publish_deal(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let j = p.get::<ProposalJson>(0, "proposal")?;
    let client = prefunded(
        &ctx.devnet,
        &parse_address(&j.client, "proposal.Client")?,
        "Client",
    )?;
    let provider = prefunded(
        &ctx.devnet,
        &parse_address(&j.provider, "proposal.Provider")?,
        "Provider",
    )?;
    let proposal = DealProposal {
        piece_cid: parse_cid(&j.piece_cid, "proposal.PieceCID")?,
        piece_size: PaddedPieceSize(j.piece_size),
        verified_deal: j.verified_deal,
        client: client.address(),
        provider: provider.address(),
        label: Label::String(j.label),
        start_epoch: j.start_epoch,
        end_epoch: j.end_epoch,
        storage_price_per_epoch: atto("StoragePricePerEpoch", &j.storage_price_per_epoch)?,
        provider_collateral: atto("ProviderCollateral", &j.provider_collateral)?,
        client_collateral: atto("ClientCollateral", &j.client_collateral)?,
    };
    let market = Address::new_id(MARKET_ACTOR_ID);
    let add_balance = market::Method::AddBalanceExported.number();
    // Escrow what the deal locks, from each party's own balance.
    let client_lock = proposal.storage_price_per_epoch.clone() * proposal.duration()
        + &proposal.client_collateral;
    for (who, amount) in [
        (&client, client_lock),
        (&provider, proposal.provider_collateral.clone()),
    ] {
        if amount.is_positive() {
            let params = RawBytes::serialize(who.address())
                .map_err(|e| RpcError::internal(e.to_string()))?;
            let r = ctx
                .devnet
                .send(&who.key, market, amount, add_balance, params)?;
            if !r.record.receipt.exit_code.is_success() {
                return Err(RpcError::server(format!(
                    "AddBalance for {} failed: exit code {}",
                    who.address(),
                    r.record.receipt.exit_code
                )));
            }
        }
    }
    // The client signs blake2b-256 of the CBOR proposal, as its account's AuthenticateMessage
    // checks.
    let bytes =
        fvm_ipld_encoding::to_vec(&proposal).map_err(|e| RpcError::internal(e.to_string()))?;
    let digest = Code::Blake2b256.digest(&bytes);
    let digest = alloy_primitives::B256::from_slice(digest.digest());
    let sig = client.key.secp_key().sign_prehash(&digest);
    let params = RawBytes::serialize(PublishStorageDealsParams {
        deals: vec![ClientDealProposal {
            proposal,
            client_signature: Signature::new_secp256k1(sig.to_vec()),
        }],
    })
    .map_err(|e| RpcError::internal(e.to_string()))?;
    let r = ctx.devnet.send(
        &provider.key,
        market,
        TokenAmount::default(),
        market::Method::PublishStorageDealsExported.number(),
        params,
    )?;
    let receipt = &r.record.receipt;
    if !receipt.exit_code.is_success() {
        return Err(RpcError::new(
            RpcError::EXECUTION_ERROR,
            format!(
                "PublishStorageDeals failed: exit code {}: {}",
                receipt.exit_code,
                r.record.failure.clone().unwrap_or_default()
            ),
        ));
    }
    let ret: PublishStorageDealsReturn = receipt
        .return_data
        .deserialize()
        .map_err(|e| RpcError::internal(e.to_string()))?;
    Ok(json!({"DealID": ret.ids.first(), "Message": cid(&r.record.cid)}))
}

fn deal_ids(p: &Params<'_>) -> Result<Vec<u64>, RpcError> {
    let ids = p.get::<Vec<u64>>(0, "dealIds")?;
    if ids.is_empty() {
        return Err(RpcError::invalid_params("dealIds: empty"));
    }
    Ok(ids)
}

fn filmark_activate_deals(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(2)?;
    let ids = deal_ids(p)?;
    let sector = p.opt::<u64>(1, "sectorNumber")?.unwrap_or(0);
    let r = ctx.devnet.activate_deals_in_sector(sector, &ids)?;
    Ok(json!({"Message": cid(&r.cid), "Height": r.height}))
}

fn filmark_terminate_deals(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let r = ctx.devnet.terminate_deals(&deal_ids(p)?)?;
    Ok(json!({"Message": cid(&r.cid), "Height": r.height}))
}

/// The market's `SettleDealPayments`, sent by the system actor in a new tipset (any caller may
/// send it); `{Return}` is the market's answer, CBOR in base64.
fn filmark_settle_deal_payments(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(1)?;
    let ret = ctx.devnet.settle_deal_payments(&deal_ids(p)?)?;
    let cbor = fvm_ipld_encoding::to_vec(&ret).map_err(|e| RpcError::internal(e.to_string()))?;
    Ok(json!({"Return": crate::lotus_json::bytes(&cbor)}))
}
