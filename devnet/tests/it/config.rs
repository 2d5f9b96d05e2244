//! Each `DevnetConfig` setting changes what a running devnet does.

use std::time::Duration;

use filmark_devnet::{
    CHAIN_ID, Devnet, DevnetConfig, Error, GENESIS_TIMESTAMP, KeyKind, Mining, TipsetRef,
};
use filmark_devnet_actors::INVOKE_EVM_METHOD;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::econ::TokenAmount;

/// A one-atto transfer from the first account of `kind` to the second: `METHOD_SEND` from an
/// f1, `InvokeEVM` (what an Ethereum value transfer becomes) from an f410.
fn transfer(net: &Devnet, kind: KeyKind) -> fvm_shared::message::Message {
    let from = net.account(kind, 0).unwrap().address();
    let to = net.account(kind, 1).unwrap().address();
    let method = match kind {
        KeyKind::Eth => INVOKE_EVM_METHOD,
        _ => METHOD_SEND,
    };
    net.prepare(
        from,
        to,
        TokenAmount::from_atto(1),
        method,
        RawBytes::default(),
    )
    .unwrap()
}

#[test]
fn the_chain_id_is_what_eth_signatures_are_checked_against() {
    let net = Devnet::spawn(DevnetConfig::test().with_chain_id(7)).unwrap();
    assert_eq!(net.chain_id(), 7);
    let eth = net.account(KeyKind::Eth, 0).unwrap();
    let message = transfer(&net, KeyKind::Eth);
    // Signed for the default chain id: the EIP-155 signature recovers another sender.
    let wrong = eth.key.sign(message.clone(), CHAIN_ID).unwrap();
    let refused = net.push(wrong).unwrap_err();
    assert!(matches!(refused, Error::BadSignature { .. }), "{refused}");
    assert_eq!(net.pending(), 0);
    // Signed for chain 7: accepted and mined.
    let cid = net.push(eth.key.sign(message, 7).unwrap()).unwrap();
    let lookup = net.wait(&cid).unwrap();
    assert!(lookup.record.receipt.exit_code.is_success());
}

#[test]
fn accounts_balance_and_seed_shape_genesis() {
    let balance = TokenAmount::from_whole(42);
    let net = Devnet::spawn(
        DevnetConfig::test()
            .with_accounts(2, 3)
            .with_balance(balance.clone())
            .with_seed([9; 32]),
    )
    .unwrap();
    let accounts = net.accounts();
    let f1 = accounts
        .iter()
        .filter(|a| a.key.kind() == KeyKind::Secp256k1)
        .count();
    let eth = accounts
        .iter()
        .filter(|a| a.key.kind() == KeyKind::Eth)
        .count();
    assert_eq!((f1, eth), (2, 3));
    assert!(net.account(KeyKind::Secp256k1, 2).is_err());
    assert!(net.account(KeyKind::Eth, 3).is_err());
    for a in &accounts {
        assert_eq!(net.balance(&a.address(), TipsetRef::Head).unwrap(), balance);
    }
    // Another seed, other keys; the same seed, the same keys.
    let default = Devnet::spawn(DevnetConfig::test().with_accounts(1, 0)).unwrap();
    let same_seed =
        Devnet::spawn(DevnetConfig::test().with_accounts(1, 0).with_seed([9; 32])).unwrap();
    let first = |net: &Devnet| net.account(KeyKind::Secp256k1, 0).unwrap().address();
    assert_ne!(first(&net), first(&default));
    assert_eq!(first(&net), first(&same_seed));
}

#[test]
fn the_genesis_timestamp_starts_the_clock() {
    let net = Devnet::spawn(DevnetConfig::test().with_genesis_timestamp(1_000_000)).unwrap();
    assert_eq!(net.head().height(), 0);
    assert_eq!(net.head().header.timestamp, 1_000_000);
    let default = Devnet::spawn(DevnetConfig::test()).unwrap();
    assert_eq!(default.head().header.timestamp, GENESIS_TIMESTAMP);
}

#[test]
fn manual_mining_waits_for_mine_and_instant_mining_does_not() {
    let manual = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let from = manual.account(KeyKind::Secp256k1, 0).unwrap();
    let cid = manual
        .sign_and_push(&from.key, transfer(&manual, KeyKind::Secp256k1))
        .unwrap();
    assert_eq!((manual.pending(), manual.head().height()), (1, 0));
    let tipset = manual.mine(1).unwrap();
    assert_eq!((manual.pending(), tipset.height()), (0, 1));
    assert_eq!(tipset.messages, vec![cid]);

    let instant = Devnet::spawn(DevnetConfig::test()).unwrap();
    let from = instant.account(KeyKind::Secp256k1, 0).unwrap();
    let cid = instant
        .sign_and_push(&from.key, transfer(&instant, KeyKind::Secp256k1))
        .unwrap();
    assert_eq!((instant.pending(), instant.head().height()), (0, 1));
    assert_eq!(instant.head().messages, vec![cid]);
}

#[test]
fn interval_mining_mines_empty_tipsets_in_the_background() {
    let net =
        Devnet::spawn(DevnetConfig::test().with_block_time(Duration::from_millis(20))).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while net.head().height() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "no tipsets mined in 20 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
