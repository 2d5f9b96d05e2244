//! Deploying actors through init, and calling them.

use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::{Error, KeyKind, TipsetRef};
use filmark_devnet_bundle::ACCOUNT_WASM;
use filmark_registry::Method;
use filmark_registry::types::{ConstructorParams, CountsReturn, GetParams, Record, RegisterParams};
use fvm_ipld_amt::Amt;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;

use crate::devnet;

fn content_cid(n: u8) -> cid::Cid {
    filmark_devnet::code_cid(&[n; 8])
}

fn deploy_registry(
    net: &filmark_devnet::Devnet,
    key: &filmark_devnet::DevnetKey,
) -> filmark_devnet::Deployed {
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
    let deployed = net.deploy(key, REGISTRY_WASM, ctor).unwrap();
    assert_eq!(deployed.code_cid, filmark_devnet::code_cid(REGISTRY_WASM));
    assert_eq!(
        deployed.robust_address.protocol(),
        fvm_shared::address::Protocol::Actor
    );
    let id = deployed.id_address.id().unwrap();
    assert_eq!(
        net.lookup_id(&deployed.robust_address, TipsetRef::Head)
            .unwrap(),
        Some(id)
    );
    let (_, actor) = net
        .actor(&deployed.id_address, TipsetRef::Head)
        .unwrap()
        .unwrap();
    assert_eq!(actor.code, deployed.code_cid);
    deployed
}

#[test]
fn the_registry_deploys_and_answers_a_read_only_call() {
    let net = devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let deployed = deploy_registry(&net, &owner.key);
    let counts = net
        .call_method(
            owner.address(),
            deployed.robust_address,
            Method::Counts as u64,
            RawBytes::default(),
        )
        .unwrap();
    assert!(
        counts.receipt.exit_code.is_success(),
        "{:?}",
        counts.failure
    );
    let counts: CountsReturn = counts.receipt.return_data.deserialize().unwrap();
    assert_eq!((counts.records, counts.owners), (0, 0));
    // An unknown method fails with an exit code.
    let r = net
        .send(
            &owner.key,
            deployed.id_address,
            TokenAmount::default(),
            0x0eee_eeee,
            RawBytes::default(),
        )
        .unwrap();
    assert_eq!(r.record.receipt.exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
    let store = net.store();
    let root = net
        .state_root(&deployed.id_address, TipsetRef::Head)
        .unwrap();
    let state: filmark_registry::State = store.get_cbor(&root).unwrap().unwrap();
    let (_, acc) = filmark_registry::testing::check_state_invariants(&store, &state);
    assert!(acc.is_empty(), "{:?}", acc.messages());
}

#[test]
fn the_registry_registers_and_reads_back() {
    let net = devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let deployed = deploy_registry(&net, &owner.key);
    let id = deployed.id_address.id().unwrap();

    let params = RegisterParams {
        cid: content_cid(1),
        owner: None,
        kind: "text/plain".into(),
        size: 12,
        piece: None,
        platform: "devnet".into(),
        ref_hash: [3; 32],
        metadata: vec![],
    };
    let lookup = net
        .send(
            &owner.key,
            deployed.id_address,
            TokenAmount::default(),
            Method::Register as u64,
            RawBytes::serialize(&params).unwrap(),
        )
        .unwrap();
    let r = &lookup.record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    // The event is kept, and its AMT is in the store under the receipt's events root.
    assert!(!r.events.is_empty());
    assert!(r.events.iter().all(|e| e.emitter == id));
    let root = r.receipt.events_root.expect("an events root");
    let amt: Amt<StampedEvent, _> = Amt::load(&root, net.store()).unwrap();
    assert_eq!(amt.count(), r.events.len() as u64);
    assert_eq!(amt.get(0).unwrap().unwrap(), &r.events[0]);

    // Read back with a read-only call.
    let got = net
        .call_method(
            owner.address(),
            deployed.id_address,
            Method::Get as u64,
            RawBytes::serialize(GetParams { cid: params.cid }).unwrap(),
        )
        .unwrap();
    assert!(got.receipt.exit_code.is_success(), "{:?}", got.failure);
    let record: Record = got.receipt.return_data.deserialize().unwrap();
    assert_eq!(
        (record.owner, record.size, record.kind.as_str()),
        (owner.id, 12, "text/plain")
    );

    // Registering the same CID again fails on chain; the devnet goes on.
    let again = net
        .send(
            &owner.key,
            deployed.id_address,
            TokenAmount::default(),
            Method::Register as u64,
            RawBytes::serialize(&params).unwrap(),
        )
        .unwrap();
    assert_eq!(again.record.receipt.exit_code, ExitCode::USR_ILLEGAL_STATE);
    // Malformed params.
    let bad = net
        .send(
            &owner.key,
            deployed.id_address,
            TokenAmount::default(),
            Method::Register as u64,
            RawBytes::new(vec![0x82, 0x01]),
        )
        .unwrap();
    assert_eq!(
        bad.record.receipt.exit_code,
        ExitCode::USR_SERIALIZATION,
        "{:?}",
        bad.record.failure
    );

    // The registry's invariants hold on the real state.
    let store = net.store();
    let state: filmark_registry::State = store
        .get_cbor(
            &net.state_root(&deployed.id_address, TipsetRef::Head)
                .unwrap(),
        )
        .unwrap()
        .unwrap();
    let (summary, acc) = filmark_registry::testing::check_state_invariants(&store, &state);
    assert!(acc.is_empty(), "{:?}", acc.messages());
    assert_eq!(summary.records.len(), 1);
}

#[test]
fn builtin_code_cannot_be_exec_ed() {
    let net = devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let err = net
        .deploy(&owner.key, ACCOUNT_WASM, RawBytes::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ImplicitFailed {
                exit_code: ExitCode::USR_FORBIDDEN,
                ..
            }
        ),
        "{err}"
    );
}

/// Malformed params fail in the real FVM with `USR_SERIALIZATION`, a message that names the
/// method and keeps the decoder's reason.
#[test]
fn malformed_params_name_the_method_and_keep_the_decoders_reason() {
    let net = devnet();
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let deployed = deploy_registry(&net, &owner.key);
    // A CBOR array of two with one element: the decoder runs out of input.
    let params = vec![0x82, 0x01];
    let reason = fvm_ipld_encoding::from_slice::<RegisterParams>(&params)
        .unwrap_err()
        .description;
    assert!(!reason.is_empty());
    let lookup = net
        .send(
            &owner.key,
            deployed.robust_address,
            TokenAmount::default(),
            Method::Register as u64,
            RawBytes::new(params),
        )
        .unwrap();
    assert_eq!(lookup.record.receipt.exit_code, ExitCode::USR_SERIALIZATION);
    let failure = lookup.record.failure.unwrap_or_default();
    let expected =
        format!("Register: malformed parameters: Serialization error for Cbor protocol: {reason}");
    assert!(failure.contains(&expected), "{failure}");
}
