//! The registry's lifecycle through the SDK's [`RegistryClient`](filmark_sdk::RegistryClient):
//! native (CBOR) messages from f1 users to the actor, ABI calls from f410 users or to the twin.

use anyhow::ensure;
use filmark_actor_shared::events::cid_topic;
use filmark_registry::Method;
use filmark_registry::types::{MetadataEntry, RegisterParams, Status, scope};
use filmark_sdk::client::{FilmarkEvent, Register, register_request};
use filmark_sdk::reexports::filmark_abi::IFilmarkRegistry::IFilmarkRegistryEvents;
use fvm_shared::error::ExitCode;

use super::{
    address_topic, arg_address, call, check_invariants, eth_of_signer, id_of, ref_hash,
    sample_content,
};
use crate::chain::{Backend, Chain, exit_code};

/// Register, delegate to an app signer, update through it, revoke, transfer to an f410
/// account, tombstone; counts, listing and events (as logs and typed) checked on the way.
///
/// # Errors
/// When any step does not behave as the registry promises.
pub fn registry_lifecycle<T: Backend>(chain: &Chain<T>) -> anyhow::Result<()> {
    let owner = chain.user(0)?;
    let app = chain.user(1)?;
    let fan = chain.eth(0)?;
    let fm = chain.filmark()?;
    let reg_addr = fm.registry;
    let reg = chain.registry(reg_addr);
    let owner_id = id_of(chain, &owner.address())?;
    // How arguments name them on both paths (an f1 address has no Ethereum form).
    let (owner_addr, app_addr) = (arg_address(chain, &owner)?, arg_address(chain, &app)?);

    let post = sample_content(1, 300_000)?;
    let media = sample_content(2, 1_000)?;
    let register = |cid, owner| RegisterParams {
        cid,
        owner,
        kind: "image/jpeg".into(),
        size: 300_000,
        piece: Some(post.piece.cid_v1()),
        platform: "x.com".into(),
        ref_hash: ref_hash("https://x.com/alice/status/1"),
        metadata: vec![MetadataEntry {
            key: "title".into(),
            value: "hello".into(),
        }],
    };

    // Register: a record and an event filterable by owner and CID, as a log and typed.
    let params = register(post.root, None);
    let abi = filmark_sdk::reexports::filmark_abi::IFilmarkRegistry::registerCall {
        request: register_request(&params)?,
    };
    let out = call(
        chain,
        &owner,
        reg_addr,
        Method::Register.number(),
        &params,
        &abi,
        "register",
    )?;
    let logs = chain.eth_logs(&out)?;
    ensure!(logs.len() == 1, "one Registered event, got {logs:?}");
    let owner_eth = eth_of_signer(chain, &owner)?;
    ensure!(logs[0].topics[1] == address_topic(owner_eth), "owner topic");
    ensure!(logs[0].topics[2] == cid_topic(&post.root).0, "cid topic");
    let events = chain.events(&out)?;
    ensure!(
        matches!(
            &events[..],
            [e] if e.emitter == fm.registry_id
                && matches!(&e.event, FilmarkEvent::Registry(IFilmarkRegistryEvents::Registered(r))
                    if r.owner.0.0 == owner_eth && r.size == 300_000
                        && r.cid.as_ref() == post.root.to_bytes().as_slice())
        ),
        "typed Registered event: {events:?}"
    );
    let record = chain.run(reg.get(post.root))?;
    ensure!(
        record.owner == owner_id && record.status == Status::Active,
        "record {record:?}"
    );
    ensure!(record.piece == Some(post.piece.cid_v1()), "piece CID kept");

    // Registering the same CID again is refused.
    let again = chain.run(reg.register(&owner, Register::from(register(post.root, None))));
    ensure!(
        exit_code(again)? != ExitCode::OK,
        "duplicate register refused"
    );

    // An app signer registers and updates for the owner, within scope.
    let expiry = chain.epoch()? + 1_000;
    let grant = chain.run(reg.add_signer(
        &owner,
        app_addr,
        scope::REGISTER | scope::UPDATE_METADATA,
        expiry,
    ))?;
    chain.run(reg.register(&app, Register::from(register(media.root, Some(owner_addr)))))?;
    let caption = || {
        vec![MetadataEntry {
            key: "caption".into(),
            value: "at the beach".into(),
        }]
    };
    chain.run(reg.update_metadata(&app, post.root, caption(), vec!["title".into()]))?;

    // Out of scope: forbidden.
    let out = chain.run(reg.transfer(&app, post.root, fan.address()));
    let code = exit_code(out)?;
    ensure!(
        code == ExitCode::USR_FORBIDDEN,
        "out-of-scope transfer: {code:?}"
    );

    // Revoked: forbidden, and a re-grant is a new grant.
    chain.run(reg.revoke_signer(&owner, None, app_addr))?;
    let out = chain.run(reg.update_metadata(&app, post.root, caption(), vec!["title".into()]));
    let code = exit_code(out)?;
    ensure!(code == ExitCode::USR_FORBIDDEN, "revoked signer: {code:?}");
    let regrant = chain.run(reg.add_signer(&owner, app_addr, scope::REGISTER, expiry))?;
    ensure!(regrant != grant, "a re-grant is a new grant");

    // Transfer to an f410 account; tombstone the other record, which then cannot change.
    chain.run(reg.transfer(&owner, post.root, fan.address()))?;
    ensure!(
        chain.run(reg.get(post.root))?.owner == id_of(chain, &fan.address())?,
        "the f410 account owns it"
    );
    chain.run(reg.tombstone(&owner, media.root))?;
    let out = chain.run(reg.update_metadata(&owner, media.root, vec![], vec!["title".into()]));
    ensure!(
        exit_code(out)? != ExitCode::OK,
        "a tombstoned record cannot change"
    );

    let counts = chain.run(reg.counts())?;
    ensure!(
        counts.records == 2 && counts.active == 1 && counts.tombstoned == 1,
        "counts {counts:?}"
    );
    let listed = chain.run(reg.list_by_owner(owner.address(), 0, 10))?;
    ensure!(
        listed.records.len() == 1 && listed.records[0].cid == media.root,
        "listing {listed:?}"
    );

    check_invariants(chain, &fm)
}
