//! Integration tests of the devnet: the real FVM with the devnet's builtin actors.

mod atomic;
mod bad_input;
mod builtins;
mod calls;
mod config;
mod controls;
mod deploy;
mod gas_trace;
mod inclusion;
mod indexes;
mod install;
mod market;
mod miners;
mod mining;
mod persist;
mod pool;
mod provider;
mod roles;
mod sigkill;
mod snapshot;
mod time;
mod transfer;
mod waiting;

use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle};

/// A quiet, instantly mining devnet.
pub(crate) fn devnet() -> DevnetHandle {
    Devnet::spawn(DevnetConfig::test()).expect("devnet starts")
}

/// A transfer of `atto` attoFIL from f1 account `from` to f1 account `to`, prepared (nonce and
/// gas estimate), not signed.
pub(crate) fn transfer_message(
    net: &filmark_devnet::Devnet,
    from: usize,
    to: usize,
    atto: u64,
) -> fvm_shared::message::Message {
    let account = |i| net.account(filmark_devnet::KeyKind::Secp256k1, i).unwrap();
    net.prepare(
        account(from).address(),
        account(to).address(),
        fvm_shared::econ::TokenAmount::from_atto(atto),
        fvm_shared::METHOD_SEND,
        fvm_ipld_encoding::RawBytes::default(),
    )
    .unwrap()
}

/// Sends a transfer of `atto` attoFIL from f1 account `from` to f1 account `to` with
/// [`filmark_devnet::Devnet::send`] (which mines it on a manual devnet too).
pub(crate) fn send_transfer(
    net: &filmark_devnet::Devnet,
    from: usize,
    to: usize,
    atto: u64,
) -> filmark_devnet::MessageLookup {
    let account = |i| net.account(filmark_devnet::KeyKind::Secp256k1, i).unwrap();
    net.send(
        &account(from).key,
        account(to).address(),
        fvm_shared::econ::TokenAmount::from_atto(atto),
        fvm_shared::METHOD_SEND,
        fvm_ipld_encoding::RawBytes::default(),
    )
    .unwrap()
}

/// Registers `name`'s code CID (a stand-in content CID) in the registry at `registry`, from
/// `owner`, and checks it succeeded; its message record.
pub(crate) fn register(
    net: &filmark_devnet::Devnet,
    owner: &filmark_devnet::DevnetKey,
    registry: fvm_shared::address::Address,
    name: &[u8],
) -> filmark_devnet::MessageRecord {
    let params = fvm_ipld_encoding::RawBytes::serialize(filmark_registry::types::RegisterParams {
        cid: filmark_devnet::code_cid(name),
        owner: None,
        kind: "text/plain".into(),
        size: name.len() as u64,
        piece: None,
        platform: "test".into(),
        ref_hash: [7; 32],
        metadata: vec![],
    })
    .unwrap();
    let r = net
        .send(
            owner,
            registry,
            fvm_shared::econ::TokenAmount::default(),
            filmark_registry::Method::Register as u64,
            params,
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    r
}

/// Pushes a transfer between f410 accounts `from` and `to`: its CID and transaction hash.
pub(crate) fn eth_transfer(
    net: &filmark_devnet::Devnet,
    from: usize,
    to: usize,
) -> (cid::Cid, [u8; 32]) {
    let eth = net.account(filmark_devnet::KeyKind::Eth, from).unwrap();
    let m = net
        .prepare(
            eth.address(),
            net.account(filmark_devnet::KeyKind::Eth, to)
                .unwrap()
                .address(),
            fvm_shared::econ::TokenAmount::from_atto(5),
            filmark_devnet_actors::INVOKE_EVM_METHOD,
            fvm_ipld_encoding::RawBytes::default(),
        )
        .unwrap();
    let signed = eth.key.sign(m, net.chain_id()).unwrap();
    let hash = signed.eth_tx_hash(net.chain_id()).unwrap().0;
    (net.push(signed).unwrap(), hash)
}
