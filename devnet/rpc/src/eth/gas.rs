//! Fees: `eth_gasPrice`, `eth_maxPriorityFeePerGas`, `eth_feeHistory` (Lotus' `node/impl/eth/gas.go`).

use alloy_primitives::{U64, U256};
use filmark_devnet::{BLOCK_GAS_LIMIT, TipsetRef};
use fvm_shared::econ::TokenAmount;
use serde::Deserialize;
use serde_json::{Value, json};

use super::blocks::records_of;
use super::types::{BlockTag, resolve_state, token_to_u256};
use crate::RpcError;
use crate::params::Params;
use crate::table::Context;

/// The priority fee suggested, in attoFIL: Lotus' `MinGasPremium` (what its premium estimate
/// gives on a quiet chain).
pub(crate) const MIN_GAS_PREMIUM_ATTO: u64 = 100_000;
/// The most blocks one `eth_feeHistory` covers (Lotus' limit).
const MAX_FEE_HISTORY_BLOCKS: u64 = 1024;
/// The most reward percentiles one `eth_feeHistory` takes (Lotus' limit).
const MAX_REWARD_PERCENTILES: usize = 100;

/// `eth_maxPriorityFeePerGas`.
pub(crate) fn max_priority_fee(_: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    Ok(json!(U256::from(MIN_GAS_PREMIUM_ATTO)))
}

/// `eth_gasPrice`: the head's base fee plus the priority fee, as geth and Lotus answer.
pub(crate) fn gas_price(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(0)?;
    let base = token_to_u256(&ctx.devnet.head().header.parent_base_fee);
    Ok(json!(base + U256::from(MIN_GAS_PREMIUM_ATTO)))
}

/// A count given as a hex quantity or a JSON number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Count {
    Hex(U64),
    Number(u64),
}

/// `eth_feeHistory(blockCount, newestBlock, rewardPercentiles?)`, in Lotus' shape: `baseFeePerGas`
/// has one more entry than blocks (the newest repeated: execution is deferred), gas-weighted
/// reward percentiles of the effective premiums, `oldestBlock`; genesis is never included.
pub(crate) fn fee_history(ctx: &Context, p: &Params<'_>) -> Result<Value, RpcError> {
    p.at_most(3)?;
    let count = match p.get::<Count>(0, "blockCount")? {
        Count::Hex(n) => n.to::<u64>(),
        Count::Number(n) => n,
    };
    if count > MAX_FEE_HISTORY_BLOCKS {
        return Err(RpcError::invalid_params(format!(
            "block count {count}: at most {MAX_FEE_HISTORY_BLOCKS}"
        )));
    }
    let newest: BlockTag = p.get(1, "newestBlock")?;
    let percentiles: Option<Vec<f64>> = p.opt(2, "rewardPercentiles")?;
    if let Some(ps) = &percentiles {
        if ps.len() > MAX_REWARD_PERCENTILES {
            return Err(RpcError::invalid_params(format!(
                "{} reward percentiles: at most {MAX_REWARD_PERCENTILES}",
                ps.len()
            )));
        }
        for (i, rp) in ps.iter().enumerate() {
            if !(0.0..=100.0).contains(rp) || (i > 0 && *rp < ps[i - 1]) {
                return Err(RpcError::invalid_params(format!(
                    "invalid reward percentile {rp}: each within 0..=100, in increasing order"
                )));
            }
        }
    }
    let devnet = &ctx.devnet;
    let mut ts = resolve_state(devnet, newest)?;
    let mut base_fees = vec![token_to_u256(&ts.header.parent_base_fee)];
    let mut ratios = Vec::new();
    let mut rewards = Vec::new();
    let mut oldest = 1i64;
    let mut included = 0;
    while included < count && ts.height() > 0 {
        let base_fee = ts.header.parent_base_fee.clone();
        let mut txs: Vec<(TokenAmount, u64)> = records_of(devnet, &ts)?
            .into_iter()
            .map(|l| {
                let m = &l.record.message;
                let room = &m.gas_fee_cap - &base_fee;
                let premium = if room < m.gas_premium {
                    room
                } else {
                    m.gas_premium.clone()
                };
                (
                    premium.max(TokenAmount::default()),
                    l.record.receipt.gas_used,
                )
            })
            .collect();
        let used: u64 = txs.iter().map(|(_, g)| g).sum();
        base_fees.push(token_to_u256(&base_fee));
        ratios.push(used as f64 / BLOCK_GAS_LIMIT as f64);
        rewards.push(rewards_at(
            percentiles.as_deref().unwrap_or(&[]),
            &mut txs,
            used,
        ));
        oldest = ts.height();
        included += 1;
        let Some(parent) = ts.header.parents.first() else {
            break;
        };
        ts = devnet.tipset(TipsetRef::Key(*parent))?;
    }
    base_fees.reverse();
    ratios.reverse();
    rewards.reverse();
    let mut out = json!({
        "oldestBlock": U64::from(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": ratios,
    });
    if percentiles.is_some() {
        out["reward"] = json!(rewards);
    }
    Ok(out)
}

/// The gas-weighted premium at each percentile (`calculateRewardsAndGasUsed`): the minimum
/// premium when the block is empty.
fn rewards_at(percentiles: &[f64], txs: &mut [(TokenAmount, u64)], total: u64) -> Vec<U256> {
    if txs.is_empty() {
        return vec![U256::from(MIN_GAS_PREMIUM_ATTO); percentiles.len()];
    }
    txs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(percentiles.len());
    let (mut idx, mut sum) = (0usize, 0u64);
    for rp in percentiles {
        let threshold = (total as f64 * rp / 100.0) as u64;
        while sum < threshold && idx < txs.len() - 1 {
            sum += txs[idx].1;
            idx += 1;
        }
        out.push(token_to_u256(&txs[idx].0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewards_are_gas_weighted_percentiles() {
        let t = TokenAmount::from_atto;
        let mut txs = vec![(t(300), 10), (t(100), 80), (t(200), 10)];
        let r = rewards_at(&[0.0, 50.0, 95.0], &mut txs, 100);
        assert_eq!(r, vec![U256::from(100), U256::from(200), U256::from(300)]);
        assert_eq!(
            rewards_at(&[50.0], &mut [], 0),
            vec![U256::from(MIN_GAS_PREMIUM_ATTO)]
        );
    }
}
