//! The registry's lifecycle with native (CBOR) messages from f1 accounts.

use anyhow::ensure;
use filmark_registry::Method;
use filmark_registry::types::{
    AddSignerParams, AddSignerReturn, CountsReturn, GetParams, ListByOwnerParams,
    ListByOwnerReturn, MetadataEntry, Record, RegisterParams, RevokeSignerParams, Status,
    TombstoneParams, TransferParams, UpdateMetadataParams, scope,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::{
    address_topic, check_invariants, cid_topic, deploy_filmark, id_of, ref_hash, sample_content,
};
use crate::chain::Chain;

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
    let zero = TokenAmount::default;
    let owner_id = id_of(chain, &owner.address())?;

    let post = sample_content(1, 300_000)?;
    let media = sample_content(2, 1_000)?;
    let register = |cid, owner_addr| RegisterParams {
        cid,
        owner: owner_addr,
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

    // Register: a record and an event filterable by owner and CID.
    let out = chain
        .send(
            &owner,
            &reg,
            zero(),
            Method::Register.number(),
            RawBytes::serialize(register(post.root, None))?,
        )?
        .ok("register")?;
    let logs = chain.eth_logs(&out)?;
    ensure!(logs.len() == 1, "one Registered event, got {logs:?}");
    let owner_eth = filmark_actor_shared::abi::masked_id_address(owner_id);
    ensure!(logs[0].topics[1] == address_topic(owner_eth), "owner topic");
    ensure!(logs[0].topics[2] == cid_topic(&post.root), "cid topic");
    let record: Record = chain
        .call(
            &owner.address(),
            &reg,
            Method::Get.number(),
            RawBytes::serialize(GetParams { cid: post.root })?,
        )?
        .ok("get")?
        .decode()?;
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
        RawBytes::serialize(register(post.root, None))?,
    )?;
    ensure!(!again.exit_code.is_success(), "duplicate register refused");

    // An app signer registers and updates for the owner, within scope.
    let epoch = chain.epoch()?;
    let grant: AddSignerReturn = chain
        .send(
            &owner,
            &reg,
            zero(),
            Method::AddSigner.number(),
            RawBytes::serialize(AddSignerParams {
                signer: app.address(),
                scope: scope::REGISTER | scope::UPDATE_METADATA,
                expiry: epoch + 1_000,
            })?,
        )?
        .ok("add signer")?
        .decode()?;
    chain
        .send(
            &app,
            &reg,
            zero(),
            Method::Register.number(),
            RawBytes::serialize(register(media.root, Some(owner.address())))?,
        )?
        .ok("register through the app signer")?;
    let update = UpdateMetadataParams {
        cid: post.root,
        set: vec![MetadataEntry {
            key: "caption".into(),
            value: "at the beach".into(),
        }],
        remove: vec!["title".into()],
    };
    chain
        .send(
            &app,
            &reg,
            zero(),
            Method::UpdateMetadata.number(),
            RawBytes::serialize(&update)?,
        )?
        .ok("update through the app signer")?;

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
        RawBytes::serialize(&transfer)?,
    )?;
    ensure!(
        out.exit_code == ExitCode::USR_FORBIDDEN,
        "out-of-scope transfer: {:?}",
        out.exit_code
    );

    // Revoked: forbidden, and a re-grant is a new grant.
    chain
        .send(
            &owner,
            &reg,
            zero(),
            Method::RevokeSigner.number(),
            RawBytes::serialize(RevokeSignerParams {
                owner: None,
                signer: app.address(),
            })?,
        )?
        .ok("revoke")?;
    let out = chain.send(
        &app,
        &reg,
        zero(),
        Method::UpdateMetadata.number(),
        RawBytes::serialize(&update)?,
    )?;
    ensure!(
        out.exit_code == ExitCode::USR_FORBIDDEN,
        "revoked signer: {:?}",
        out.exit_code
    );
    let regrant: AddSignerReturn = chain
        .send(
            &owner,
            &reg,
            zero(),
            Method::AddSigner.number(),
            RawBytes::serialize(AddSignerParams {
                signer: app.address(),
                scope: scope::REGISTER,
                expiry: epoch + 1_000,
            })?,
        )?
        .ok("re-grant")?
        .decode()?;
    ensure!(
        regrant.grant_id != grant.grant_id,
        "a re-grant is a new grant"
    );

    // Transfer to an f410 account; tombstone the other record.
    chain
        .send(
            &owner,
            &reg,
            zero(),
            Method::Transfer.number(),
            RawBytes::serialize(&transfer)?,
        )?
        .ok("transfer")?;
    let record: Record = chain
        .call(
            &owner.address(),
            &reg,
            Method::Get.number(),
            RawBytes::serialize(GetParams { cid: post.root })?,
        )?
        .ok("get")?
        .decode()?;
    ensure!(
        record.owner == id_of(chain, &fan.address())?,
        "new owner is the f410 account"
    );
    chain
        .send(
            &owner,
            &reg,
            zero(),
            Method::Tombstone.number(),
            RawBytes::serialize(TombstoneParams { cid: media.root })?,
        )?
        .ok("tombstone")?;
    let out = chain.send(
        &owner,
        &reg,
        zero(),
        Method::UpdateMetadata.number(),
        RawBytes::serialize(UpdateMetadataParams {
            cid: media.root,
            set: vec![],
            remove: vec!["title".into()],
        })?,
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
            RawBytes::default(),
        )?
        .ok("counts")?
        .decode()?;
    ensure!(
        counts.records == 2 && counts.active == 1 && counts.tombstoned == 1,
        "counts {counts:?}"
    );
    let listed: ListByOwnerReturn = chain
        .call(
            &owner.address(),
            &reg,
            Method::ListByOwner.number(),
            RawBytes::serialize(ListByOwnerParams {
                owner: owner.address(),
                cursor: 0,
                limit: 10,
            })?,
        )?
        .ok("list by owner")?
        .decode()?;
    ensure!(
        listed.records.len() == 1 && listed.records[0].cid == media.root,
        "listing {listed:?}"
    );

    check_invariants(chain, &fm)
}
