//! Ethereum-side values (block tags, quantities, addresses) and how tipsets map to blocks.

use alloy_primitives::{Address as EthAddress, B256, U256};
use filmark_devnet::{Devnet, Tipset, TipsetRef};
use filmark_sdk::keys::{eth_to_filecoin, filecoin_to_eth, masked_id};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::econ::TokenAmount;
use serde::Deserialize;

use crate::RpcError;

/// The address Lotus shows as `to` when a message's recipient does not exist (only a reverted
/// message can have one): `0xff0000000000000000000000ffffffffffffffff`.
pub(crate) const REVERTED_ETH_ADDRESS: EthAddress = EthAddress::new([
    0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
]);

/// How far behind the head Lotus' `safe` tag is (`SafeEpochDelay`), in epochs.
pub(crate) const SAFE_EPOCH_DELAY: i64 = 30;
/// How far behind the head Lotus' `finalized` tag is when F3 is off (`policy.ChainFinality`).
pub(crate) const FINALITY_EPOCHS: i64 = 900;

/// A block parameter: a tag, a number, or (EIP-1898) a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockTag {
    /// The head's parent: the newest tipset whose messages have executed (as Lotus answers).
    Latest,
    /// The head.
    Pending,
    /// [`SAFE_EPOCH_DELAY`] epochs before the head (Lotus' `safe`).
    Safe,
    /// [`FINALITY_EPOCHS`] epochs before the head (Lotus' `finalized` without F3).
    Finalized,
    /// Genesis.
    Earliest,
    /// A height.
    Number(u64),
    /// A block hash.
    Hash(B256),
}

impl<'de> Deserialize<'de> for BlockTag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Object {
                #[serde(rename = "blockNumber")]
                block_number: Option<alloy_primitives::U64>,
                #[serde(rename = "blockHash")]
                block_hash: Option<B256>,
            },
        }
        use serde::de::Error;
        match Raw::deserialize(d)? {
            Raw::Text(t) => match t.as_str() {
                "latest" => Ok(Self::Latest),
                "safe" => Ok(Self::Safe),
                "finalized" => Ok(Self::Finalized),
                "pending" => Ok(Self::Pending),
                "earliest" => Ok(Self::Earliest),
                // A 32-byte hash as a plain string, as geth accepts and alloy sends.
                hex if hex.len() == 66 && hex.starts_with("0x") => hex
                    .parse::<B256>()
                    .map(Self::Hash)
                    .map_err(|_| D::Error::custom(format!("invalid block hash {hex}"))),
                hex if hex.starts_with("0x") => u64::from_str_radix(&hex[2..], 16)
                    .map(Self::Number)
                    .map_err(|_| D::Error::custom(format!("invalid block number {hex}"))),
                other => Err(D::Error::custom(format!(
                    "invalid block tag {other:?} (latest, pending, earliest, safe, finalized \
                     or a 0x number)"
                ))),
            },
            Raw::Object {
                block_hash: Some(h),
                ..
            } => Ok(Self::Hash(h)),
            Raw::Object {
                block_number: Some(n),
                ..
            } => Ok(Self::Number(n.to())),
            Raw::Object { .. } => Err(D::Error::custom("blockNumber or blockHash required")),
        }
    }
}

/// The Ethereum block hash of a tipset ([`Tipset::eth_block_hash`], the one derivation).
pub(crate) fn eth_block_hash(tipset: &Tipset) -> B256 {
    B256::from(tipset.eth_block_hash())
}

/// The Ethereum hash of the parent tipset (zero for genesis).
pub(crate) fn eth_parent_hash(devnet: &Devnet, tipset: &Tipset) -> B256 {
    tipset
        .header
        .parents
        .first()
        .and_then(|p| devnet.tipset(TipsetRef::Key(*p)).ok())
        .map_or(B256::ZERO, |p| eth_block_hash(&p))
}

/// The tipset whose [`eth_block_hash`] is `hash`, from the devnet's index (no scan).
pub(crate) fn tipset_by_eth_hash(devnet: &Devnet, hash: &B256) -> Option<Tipset> {
    devnet.tipset_by_eth_hash(&hash.0).ok()
}

/// "latest": the head's parent (the newest tipset whose messages' receipts exist in Lotus'
/// model), or genesis when the head is genesis.
pub(crate) fn latest(devnet: &Devnet) -> Tipset {
    let head = devnet.head();
    head.header
        .parents
        .first()
        .and_then(|p| devnet.tipset(TipsetRef::Key(*p)).ok())
        .unwrap_or(head)
}

/// The tipset a block parameter names; `None` for a null round (a height with no tipset).
///
/// # Errors
/// `-32000` for a future height or an unknown hash.
pub(crate) fn resolve(devnet: &Devnet, tag: BlockTag) -> Result<Option<Tipset>, RpcError> {
    match tag {
        BlockTag::Latest => Ok(Some(latest(devnet))),
        BlockTag::Pending => Ok(Some(devnet.head())),
        BlockTag::Earliest => Ok(Some(devnet.tipset(TipsetRef::Height(0))?)),
        // A null round at that height gives the tipset before it, as Lotus walks back.
        BlockTag::Safe | BlockTag::Finalized => {
            let delay = if tag == BlockTag::Safe {
                SAFE_EPOCH_DELAY
            } else {
                FINALITY_EPOCHS
            };
            let height = (devnet.head().height() - delay).max(0);
            Ok(Some(devnet.tipset(TipsetRef::Height(height))?))
        }
        BlockTag::Number(n) => {
            let head = devnet.head();
            let height = i64::try_from(n).unwrap_or(i64::MAX);
            if height > head.height() {
                return Err(RpcError::server(format!(
                    "block {n} is beyond the head ({})",
                    head.height()
                )));
            }
            // The devnet answers a null round's height with the tipset before it: not this block.
            Ok(devnet
                .tipset(TipsetRef::Height(height))
                .ok()
                .filter(|t| t.height() == height))
        }
        BlockTag::Hash(h) => tipset_by_eth_hash(devnet, &h)
            .map(Some)
            .ok_or_else(|| RpcError::server(format!("block {h} not found"))),
    }
}

/// [`resolve`] for reads of state: a null round is an error.
///
/// # Errors
/// As [`resolve`], and `-32000` for a null round.
pub(crate) fn resolve_state(devnet: &Devnet, tag: BlockTag) -> Result<Tipset, RpcError> {
    resolve(devnet, tag)?
        .ok_or_else(|| RpcError::server(format!("{tag:?} is a null round (no tipset)")))
}

/// A token amount as a 256-bit quantity (negative amounts do not occur on chain: zero).
pub(crate) fn token_to_u256(amount: &TokenAmount) -> U256 {
    let (sign, bytes) = amount.atto().to_bytes_be();
    if sign == fvm_shared::bigint::Sign::Minus {
        return U256::ZERO;
    }
    U256::try_from_be_slice(&bytes).unwrap_or(U256::MAX)
}

/// A 256-bit quantity as a token amount.
pub(crate) fn u256_to_token(value: U256) -> TokenAmount {
    TokenAmount::from_atto(fvm_shared::bigint::BigInt::from_bytes_be(
        fvm_shared::bigint::Sign::Plus,
        &value.to_be_bytes::<32>(),
    ))
}

/// The Filecoin address an Ethereum address stands for (masked ID → f0, else f410).
pub(crate) fn filecoin_address(eth: &EthAddress) -> Address {
    eth_to_filecoin(eth)
}

/// The Ethereum address Lotus shows for `addr` in the state after `at` (`lookupEthAddress`): an
/// f410 address as is; otherwise the actor's f410 delegated address if it has one, else its
/// masked ID address; `None` when no actor has `addr`.
pub(crate) fn eth_address_of(devnet: &Devnet, addr: &Address, at: &Tipset) -> Option<EthAddress> {
    if addr.protocol() == Protocol::Delegated
        && let Some(eth) = filecoin_to_eth(addr)
    {
        return Some(eth);
    }
    let (id, actor) = devnet.actor(addr, TipsetRef::Key(at.cid)).ok().flatten()?;
    Some(
        actor
            .delegated_address
            .as_ref()
            .and_then(filecoin_to_eth)
            .unwrap_or_else(|| masked_id(id)),
    )
}

/// The Ethereum address of an actor id (its f410 address if it has one, else its masked ID).
pub(crate) fn eth_address_of_id(devnet: &Devnet, id: u64, at: &Tipset) -> EthAddress {
    eth_address_of(devnet, &Address::new_id(id), at).unwrap_or_else(|| masked_id(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_tags_parse_as_lotus_accepts_them() {
        let tag = |v| serde_json::from_value::<BlockTag>(v).unwrap();
        assert_eq!(tag(json!("latest")), BlockTag::Latest);
        assert_eq!(tag(json!("safe")), BlockTag::Safe);
        assert_eq!(tag(json!("finalized")), BlockTag::Finalized);
        assert_eq!(tag(json!("pending")), BlockTag::Pending);
        assert_eq!(tag(json!("0x1f")), BlockTag::Number(31));
        let hash = format!("0x{}", "22".repeat(32));
        assert_eq!(tag(json!(hash)), BlockTag::Hash(B256::repeat_byte(0x22)));
        assert_eq!(tag(json!({"blockNumber": "0x2"})), BlockTag::Number(2));
        assert_eq!(
            tag(json!({"blockHash": format!("0x{}", "11".repeat(32))})),
            BlockTag::Hash(B256::repeat_byte(0x11))
        );
        assert!(serde_json::from_value::<BlockTag>(json!("newest")).is_err());
        assert!(serde_json::from_value::<BlockTag>(json!("0xzz")).is_err());
    }

    #[test]
    fn amounts_convert_both_ways() {
        let a = TokenAmount::from_whole(10_000);
        assert_eq!(u256_to_token(token_to_u256(&a)), a);
        assert_eq!(token_to_u256(&TokenAmount::from_atto(255)), U256::from(255));
    }
}
