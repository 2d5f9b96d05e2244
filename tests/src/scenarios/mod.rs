//! Scenarios, each written once against [`Chain`] (the SDK over any transport) and ending with
//! the actors' `check_state_invariants` on the real state.

mod escrow;
mod eth;
mod registry;

use std::io::Cursor;

use anyhow::{Context, ensure};
use filmark_sdk::client::Deployment;
use filmark_sdk::content::{NoProgress, Options, Packed, pack};
use fvm_shared::address::Address;

pub use self::escrow::{
    escrow_early_termination, escrow_late_settle, escrow_lifecycle,
    escrow_market_settlement_after_completion, sponsored_order,
};
pub use self::eth::eth_account_calls_registry_with_abi;
pub use self::registry::registry_lifecycle;
use crate::chain::{Backend, Chain, ChainStore};

/// Filmark's two actors, deployed (or given: [`Chain::with_deployment`]).
pub type Filmark = Deployment;

/// Packs `size` deterministic bytes (seeded) like a dapp would a post's media.
///
/// # Errors
/// When packing fails.
pub fn sample_content(seed: u8, size: usize) -> anyhow::Result<Packed> {
    let bytes: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    let mut car = Cursor::new(Vec::new());
    Ok(pack(
        bytes.as_slice(),
        Some(size as u64),
        &mut car,
        &Options::default(),
        NoProgress,
    )?)
}

/// Runs both actors' and the storage market's `check_state_invariants` on the chain's real state.
///
/// # Errors
/// When the state cannot be read or an invariant is broken.
pub fn check_invariants<T: Backend>(chain: &Chain<T>, fm: &Filmark) -> anyhow::Result<()> {
    let store = ChainStore(chain);
    let registry: filmark_registry::State = chain.actor_state(&fm.registry.id_address)?;
    let (_, acc) = filmark_registry::testing::check_state_invariants(&store, &registry);
    ensure!(acc.is_empty(), "registry invariants: {:?}", acc.messages());
    let escrow: filmark_escrow::state::State = chain.actor_state(&fm.escrow.id_address)?;
    let balance = chain.balance(&fm.escrow.id_address)?;
    let (_, acc) = filmark_escrow::testing::check_state_invariants(&store, &escrow, &balance);
    ensure!(acc.is_empty(), "escrow invariants: {:?}", acc.messages());
    let market_addr = Address::new_id(filmark_devnet::MARKET_ACTOR_ID);
    let market: filmark_devnet_actors::market::State = chain.actor_state(&market_addr)?;
    let balance = chain.balance(&market_addr)?;
    let (_, violations) =
        filmark_devnet_actors::market::testing::check_state_invariants(&market, &store, &balance);
    ensure!(violations.is_empty(), "market invariants: {violations:?}");
    Ok(())
}

/// A 32-byte reference hash of an external post URL (what a dapp stores as `ref_hash`).
pub fn ref_hash(url: &str) -> [u8; 32] {
    use multihash_codetable::{Code, MultihashDigest};
    let mh = Code::Sha2_256.digest(url.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(mh.digest());
    out
}

/// The 32-byte topic of an address (its Ethereum form, left-padded).
pub fn address_topic(eth: [u8; 20]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(&eth);
    out
}

/// The ID address a key's account has on chain.
///
/// # Errors
/// When the account does not exist.
pub fn id_of<T: Backend>(chain: &Chain<T>, addr: &Address) -> anyhow::Result<u64> {
    chain
        .lookup_id(addr)?
        .with_context(|| format!("{addr} has no actor"))
}
