//! The registry's lifecycle with native (CBOR) messages from f1 accounts.

use anyhow::ensure;
use filmark_actor_shared::events::cid_topic;
use filmark_registry::Method;
use filmark_registry::types::{
    AddSignerParams, AddSignerReturn, CountsReturn, GetParams, ListByOwnerParams,
    ListByOwnerReturn, MetadataEntry, Record, RegisterParams, RevokeSignerParams, Status,
    TombstoneParams, TransferParams, UpdateMetadataParams, scope,
};
use fvm_shared::error::ExitCode;

use super::{address_topic, check_invariants, deploy_filmark, id_of, ref_hash, sample_content};
use crate::chain::{Chain, serialize};

/// Register, delegate to an app signer, update through it, revoke, transfer to an f410
/// account, tombstone; counts, listing and events checked on the way.
///
/// # Errors
/// When any step does not behave as the registry promises.
pub fn registry_lifecycle<C: Chain>(chain: &C) -> anyhow::Result<()> {
    let owner = chain.f1(0)?;
    let app = chain.f1(1)?;
    let fan = chain.eth(0)?;
    let fm = deploy_filmark(chain, &owner)?;
    let reg = fm.registry.id_address;
    let owner_id = id_of(chain, &owner.address())?;
    let zero = fvm_shared::econ::TokenAmount::default;

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
    let get = |cid| -> anyhow::Result<Record> {
        Ok(chain.view(
            &owner.address(),
            &reg,
            Method::Get.number(),
            &GetParams { cid },
            "get",
        )?)
    };

    // Register: a record and an event filterable by owner and CID.
    let out = chain.invoke(
        &owner,
        &reg,
        Method::Register.number(),
        &register(post.root, None),
        "register",
    )?;
    let logs = chain.eth_logs(&out)?;
    ensure!(logs.len() == 1, "one Registered event, got {logs:?}");
    let owner_eth = filmark_actor_shared::abi::masked_id_address(owner_id);
    ensure!(logs[0].topics[1] == address_topic(owner_eth), "owner topic");
    ensure!(logs[0].topics[2] == cid_topic(&post.root).0, "cid topic");
    let record = get(post.root)?;
    ensure!(
        record.owner == owner_id && record.status == Status::Active,
        "record {record:?}"
    );
    ensure!(record.piece == Some(post.piece.cid_v1()), "piece CID kept");

    // Registering the same CID again is refused.
    let again = chain.send(
        &owner,
        &reg,
        zero(),
        Method::Register.number(),
        serialize(&register(post.root, None))?,
    )?;
    ensure!(!again.exit_code.is_success(), "duplicate register refused");

    // An app signer registers and updates for the owner, within scope.
    let expiry = chain.epoch()? + 1_000;
    let add_app = |scope| AddSignerParams {
        signer: app.address(),
        scope,
        expiry,
    };
    let grant: AddSignerReturn = chain
        .invoke(
            &owner,
            &reg,
            Method::AddSigner.number(),
            &add_app(scope::REGISTER | scope::UPDATE_METADATA),
            "add signer",
        )?
        .decode()?;
    chain.invoke(
        &app,
        &reg,
        Method::Register.number(),
        &register(media.root, Some(owner.address())),
        "register through the app signer",
    )?;
    let update = UpdateMetadataParams {
        cid: post.root,
        set: vec![MetadataEntry {
            key: "caption".into(),
            value: "at the beach".into(),
        }],
        remove: vec!["title".into()],
    };
    chain.invoke(
        &app,
        &reg,
        Method::UpdateMetadata.number(),
        &update,
        "update through the app",
    )?;

    // Out of scope: forbidden.
    let transfer = TransferParams {
        cid: post.root,
        new_owner: fan.address(),
    };
    let out = chain.send(
        &app,
        &reg,
        zero(),
        Method::Transfer.number(),
        serialize(&transfer)?,
    )?;
    ensure!(
        out.exit_code == ExitCode::USR_FORBIDDEN,
        "out-of-scope transfer: {:?}",
        out.exit_code
    );

    // Revoked: forbidden, and a re-grant is a new grant.
    let revoke = RevokeSignerParams {
        owner: None,
        signer: app.address(),
    };
    chain.invoke(
        &owner,
        &reg,
        Method::RevokeSigner.number(),
        &revoke,
        "revoke",
    )?;
    let out = chain.send(
        &app,
        &reg,
        zero(),
        Method::UpdateMetadata.number(),
        serialize(&update)?,
    )?;
    ensure!(
        out.exit_code == ExitCode::USR_FORBIDDEN,
        "revoked signer: {:?}",
        out.exit_code
    );
    let regrant: AddSignerReturn = chain
        .invoke(
            &owner,
            &reg,
            Method::AddSigner.number(),
            &add_app(scope::REGISTER),
            "re-grant",
        )?
        .decode()?;
    ensure!(
        regrant.grant_id != grant.grant_id,
        "a re-grant is a new grant"
    );

    // Transfer to an f410 account; tombstone the other record, which then cannot change.
    chain.invoke(
        &owner,
        &reg,
        Method::Transfer.number(),
        &transfer,
        "transfer",
    )?;
    ensure!(
        get(post.root)?.owner == id_of(chain, &fan.address())?,
        "the f410 account owns it"
    );
    let tombstone = TombstoneParams { cid: media.root };
    chain.invoke(
        &owner,
        &reg,
        Method::Tombstone.number(),
        &tombstone,
        "tombstone",
    )?;
    let touch = UpdateMetadataParams {
        cid: media.root,
        set: vec![],
        remove: vec!["title".into()],
    };
    let out = chain.send(
        &owner,
        &reg,
        zero(),
        Method::UpdateMetadata.number(),
        serialize(&touch)?,
    )?;
    ensure!(
        !out.exit_code.is_success(),
        "a tombstoned record cannot change"
    );

    let counts: CountsReturn = chain
        .call(
            &owner.address(),
            &reg,
            Method::Counts.number(),
            Default::default(),
        )?
        .ok("counts")?
        .decode()?;
    ensure!(
        counts.records == 2 && counts.active == 1 && counts.tombstoned == 1,
        "counts {counts:?}"
    );
    let list = ListByOwnerParams {
        owner: owner.address(),
        cursor: 0,
        limit: 10,
    };
    let listed: ListByOwnerReturn = chain.view(
        &owner.address(),
        &reg,
        Method::ListByOwner.number(),
        &list,
        "list",
    )?;
    ensure!(
        listed.records.len() == 1 && listed.records[0].cid == media.root,
        "listing {listed:?}"
    );

    check_invariants(chain, &fm)
}
