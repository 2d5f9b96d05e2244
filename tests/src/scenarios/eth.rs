//! An f410 (Ethereum) account calls the registry with Solidity-ABI calldata through method
//! 3844450837, as MetaMask, viem or alloy would, reads the event back as an Ethereum log and
//! the record with `eth_call`.

use alloy_primitives::{Address as EthAddress, B256, Bytes, LogData};
use alloy_sol_types::{SolCall, SolEvent};
use anyhow::{Context, ensure};
use filmark_actor_shared::abi::{INVOKE_EVM_METHOD, eth_address_from_f4, masked_id_address};
use filmark_actor_shared::events::cid_topic;
use filmark_registry::abi::IFilmarkRegistry::{
    MetadataEntry, RegisterRequest, Registered, getCall, registerCall,
};
use filmark_sdk::keys::calldata_params;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::{address_topic, check_invariants, id_of, ref_hash, sample_content};
use crate::chain::{Backend, Chain, ChainStore, Error};

/// Registers a post from an f410 account with ABI calldata, checks the `Registered` log an
/// indexer would see, reads the record back with an ABI `get`, and checks that a refused call
/// reverts with a readable reason.
///
/// # Errors
/// When any step does not behave as the ABI entry point promises.
pub fn eth_account_calls_registry_with_abi<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let user = chain.eth(0)?;
    let other = chain.eth(1)?;
    let fm = chain.filmark()?;
    let reg = fm.registry;
    // The emitter's Ethereum address: the actor's masked ID, the twin's own.
    let registry_eth = match chain.delegated_address(fm.registry_id)? {
        Some(f410) => eth_address_from_f4(&f410).context("an f410 address")?,
        None => masked_id_address(fm.registry_id),
    };
    let user_eth = chain.eth_key(0)?.eth_address();

    let post = sample_content(7, 5_000)?;
    let call = registerCall {
        request: RegisterRequest {
            cid: Bytes::from(post.root.to_bytes()),
            owner: EthAddress::ZERO,
            kind: "text/plain".into(),
            size: 5_000,
            pieceCid: Bytes::from(post.piece.cid_v1().to_bytes()),
            platform: "bsky.app".into(),
            refHash: B256::from(ref_hash("at://did:plc:abc/app.bsky.feed.post/1")),
            metadata: vec![MetadataEntry {
                key: "lang".into(),
                value: "en".into(),
            }],
        },
    };
    let out = chain.send(
        &user,
        reg,
        TokenAmount::default(),
        INVOKE_EVM_METHOD,
        calldata_params(&call.abi_encode()),
        "ABI register",
    )?;

    // The event, as eth_getLogs shows it.
    let logs = chain.eth_logs(&out)?;
    ensure!(logs.len() == 1, "one log, got {logs:?}");
    let log = &logs[0];
    ensure!(
        log.address == registry_eth,
        "log address is the registry's masked ID address"
    );
    ensure!(
        log.topics[0] == Registered::SIGNATURE_HASH.0,
        "topic0 is Registered"
    );
    ensure!(
        log.topics[1] == address_topic(user_eth.0.0),
        "owner topic is the f410 account"
    );
    ensure!(log.topics[2] == cid_topic(&post.root).0, "cid topic");
    let data = LogData::new_unchecked(
        log.topics.iter().map(|t| B256::from(*t)).collect(),
        log.data.clone().into(),
    );
    let decoded = Registered::decode_log_data(&data)?;
    ensure!(
        decoded.cid.as_ref() == post.root.to_bytes().as_slice() && decoded.size == 5_000,
        "event data"
    );

    // Read it back through the ABI: eth_call over HTTP, the same InvokeEVM call in process.
    let get = getCall {
        cid: Bytes::from(post.root.to_bytes()),
    };
    let record = chain.run(chain.client().eth_call(reg, &get, "ABI get"))?;
    ensure!(
        record.owner == user_eth && record.kind == "text/plain",
        "ABI record {record:?}"
    );
    // The owner the registry stored is the actor the init actor created for the f410 address:
    // the id resolves from the address and back to it, and it is a new (non-singleton) actor.
    let user_id = id_of(chain, &user.address())?;
    ensure!(
        user_id >= filmark_devnet::FIRST_NON_SINGLETON_ID,
        "f410 account id {user_id} is not a new actor's"
    );
    ensure!(
        chain.delegated_address(user_id)? == Some(user.address()),
        "f0{user_id} is not bound to {}",
        user.address()
    );
    // The native registry's own state agrees (a contract given instead has other state).
    if fm.native() {
        let state: filmark_registry::State = chain.actor_state(&reg)?;
        let stored = state
            .get_record(&ChainStore(chain), &post.root)?
            .context("the record is in the registry's state")?;
        ensure!(
            stored.owner == user_id,
            "stored owner f0{} is not the f410 account f0{user_id}",
            stored.owner
        );
    }

    // Someone else may not transfer it: the call reverts with a decodable reason.
    let steal = chain.run(
        chain
            .registry(reg)
            .transfer(&other, post.root, other.address()),
    );
    match steal.map_err(Error::from) {
        Err(Error::Sdk(filmark_sdk::Error::ActorFailed {
            exit_code, revert, ..
        })) => {
            ensure!(exit_code == ExitCode::USR_FORBIDDEN, "steal: {exit_code:?}");
            // The actor's `Error(string)` names its exit code; the twin's `Forbidden(reason)`
            // is the error the SDK maps to it.
            let reason = revert.unwrap_or_default();
            ensure!(
                !fm.native() || reason.contains("exit code 18"),
                "revert reason {reason:?}"
            );
        }
        other => anyhow::bail!("a stolen transfer must revert: {other:?}"),
    }
    // An ABI read of a CID not registered reverts too (eth_call's error).
    let missing = getCall {
        cid: Bytes::from(sample_content(8, 10)?.root.to_bytes()),
    };
    let out = chain.run(chain.client().eth_call(reg, &missing, "ABI get"));
    ensure!(
        matches!(&out, Err(filmark_sdk::Error::ActorFailed { exit_code, .. }) if *exit_code == ExitCode::USR_NOT_FOUND),
        "get of a missing CID: {out:?}"
    );

    check_invariants(chain, &fm)
}
