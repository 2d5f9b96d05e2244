//! Scenarios, each written once against [`Chain`] (the SDK over any transport) and ending with
//! the actors' `check_state_invariants` on the real state.

mod app_keys;
mod escrow;
mod eth;
mod registry;

use std::io::Cursor;

use alloy_sol_types::SolCall;
use anyhow::{Context, ensure};
use filmark_actor_shared::abi::INVOKE_EVM_METHOD;
use filmark_sdk::client::{Path, Signer, is_abi_address};
use filmark_sdk::content::{NoProgress, Options, Packed, pack};
use filmark_sdk::keys::calldata_params;
use filmark_sdk::transport::Lookup;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

pub use self::app_keys::escrow_app_keys_and_replicas;
pub(crate) use self::escrow::{deal_id, publish_storage_deal};
pub use self::escrow::{
    escrow_early_termination, escrow_late_settle, escrow_lifecycle,
    escrow_market_settlement_after_completion, sponsored_order,
};
pub use self::eth::eth_account_calls_registry_with_abi;
pub use self::registry::registry_lifecycle;
pub use crate::chain::Filmark;
use crate::chain::{Backend, Chain, ChainStore};

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

/// Runs both actors' and the storage market's `check_state_invariants` on the chain's real
/// state; for the twins (no such state), the market's only.
///
/// # Errors
/// When the state cannot be read or an invariant is broken.
pub fn check_invariants<T: Backend>(chain: &Chain<T>, fm: &Filmark) -> anyhow::Result<()> {
    let store = ChainStore(chain);
    if fm.native() {
        check_actor_invariants(chain, fm)?;
    }
    let market_addr = Address::new_id(filmark_devnet::MARKET_ACTOR_ID);
    let market: filmark_devnet_actors::market::State = chain.actor_state(&market_addr)?;
    let balance = chain.balance(&market_addr)?;
    let (_, violations) =
        filmark_devnet_actors::market::testing::check_state_invariants(&market, &store, &balance);
    ensure!(violations.is_empty(), "market invariants: {violations:?}");
    Ok(())
}

fn check_actor_invariants<T: Backend>(chain: &Chain<T>, fm: &Filmark) -> anyhow::Result<()> {
    let store = ChainStore(chain);
    let registry: filmark_registry::State = chain.actor_state(&fm.registry)?;
    let (_, acc) = filmark_registry::testing::check_state_invariants(&store, &registry);
    ensure!(acc.is_empty(), "registry invariants: {:?}", acc.messages());
    let escrow: filmark_escrow::state::State = chain.actor_state(&fm.escrow)?;
    let balance = chain.balance(&fm.escrow)?;
    let (_, acc) = filmark_escrow::testing::check_state_invariants(&store, &escrow, &balance);
    ensure!(acc.is_empty(), "escrow invariants: {:?}", acc.messages());
    Ok(())
}

/// How an argument names a signer's account on both paths: its f410 address for an f410
/// account, its f0 address for an f1 account (an f1 address has no Ethereum form).
///
/// # Errors
/// When the account does not exist.
pub fn arg_address<T: Backend>(chain: &Chain<T>, signer: &Signer) -> anyhow::Result<Address> {
    Ok(match signer.path() {
        Path::Eth => signer.address(),
        Path::Native => Address::new_id(id_of(chain, &signer.address())?),
    })
}

/// Sends one Filmark call and waits for it: CBOR `native` to `method` from an f1 signer to a
/// native actor; ABI `abi` to `InvokeEVM` otherwise (an eth signer, or a twin at its f410
/// address), as the SDK's typed clients choose.
///
/// # Errors
/// The SDK's ([`filmark_sdk::Error::ActorFailed`] when the call fails).
#[allow(clippy::too_many_arguments)]
pub fn call<T: Backend, P: fvm_ipld_encoding::ser::Serialize, C: SolCall>(
    chain: &Chain<T>,
    signer: &Signer,
    to: Address,
    method: fvm_shared::MethodNum,
    native: &P,
    abi: &C,
    what: &str,
) -> crate::Result<Lookup> {
    if signer.path() == Path::Native && !is_abi_address(&to) {
        return chain.invoke(signer, to, method, native, what);
    }
    chain.send(
        signer,
        to,
        TokenAmount::default(),
        INVOKE_EVM_METHOD,
        calldata_params(&abi.abi_encode()),
        what,
    )
}

/// The return of a [`call`]: CBOR `R` from a native call, `C`'s ABI return made an `R` by
/// `from_abi` otherwise.
///
/// # Errors
/// When it does not decode.
pub fn call_return<R: fvm_ipld_encoding::de::DeserializeOwned, C: SolCall>(
    lookup: &Lookup,
    abi: bool,
    from_abi: impl FnOnce(C::Return) -> R,
    what: &str,
) -> anyhow::Result<R> {
    let data = &lookup.receipt.return_data;
    if !abi {
        return Ok(crate::chain::decode(data, what)?);
    }
    let fvm_ipld_encoding::BytesDe(bytes) = crate::chain::decode(data, what)?;
    Ok(from_abi(C::abi_decode_returns(&bytes)?))
}

/// The Ethereum address a signer's calls come from, as events show it: an f410 account's
/// own, an f1 account's masked ID address.
///
/// # Errors
/// When the account does not exist.
pub fn eth_of_signer<T: Backend>(chain: &Chain<T>, signer: &Signer) -> anyhow::Result<[u8; 20]> {
    Ok(match signer.path() {
        Path::Eth => signer.key().eth_address().0.0,
        Path::Native => {
            filmark_actor_shared::abi::masked_id_address(id_of(chain, &signer.address())?)
        }
    })
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
