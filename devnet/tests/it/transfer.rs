//! Genesis and value transfers.

use filmark_devnet::{
    BURNT_FUNDS_ACTOR_ID, DevnetConfig, DevnetKey, FIRST_NON_SINGLETON_ID, KeyKind,
    MARKET_ACTOR_ID, TipsetRef,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::devnet;

#[test]
fn genesis_boots_with_prefunded_accounts() {
    let net = devnet();
    let config = DevnetConfig::test();
    let head = net.head();
    assert_eq!(head.height(), 0);
    let accounts = net.accounts();
    assert_eq!(accounts.len(), config.accounts + config.eth_accounts);
    for (i, a) in accounts.iter().enumerate() {
        assert_eq!(a.id, FIRST_NON_SINGLETON_ID + i as u64);
        assert_eq!(
            net.lookup_id(&a.address(), TipsetRef::Head).unwrap(),
            Some(a.id)
        );
        assert_eq!(
            net.balance(&a.address(), TipsetRef::Head).unwrap(),
            config.balance
        );
    }
    assert!(
        net.actor(&Address::new_id(MARKET_ACTOR_ID), TipsetRef::Head)
            .unwrap()
            .is_some()
    );
    // Same seed, same keys.
    let again = devnet();
    assert_eq!(again.accounts()[0].address(), accounts[0].address());
    // Mining empty tipsets advances the chain and links parents.
    let tip = net.mine(3).unwrap();
    assert_eq!(tip.height(), 3);
    let parent = net.tipset(TipsetRef::Height(2)).unwrap();
    assert_eq!(tip.header.parents, vec![parent.cid]);
    assert_eq!(tip.header.parent_state_root, parent.state_root);
    assert_eq!(net.tipset(TipsetRef::Key(parent.cid)).unwrap(), parent);
}

#[test]
fn value_transfer_between_f1_accounts_pays_gas() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap();
    let before_from = net.balance(&from.address(), TipsetRef::Head).unwrap();
    let before_to = net.balance(&to.address(), TipsetRef::Head).unwrap();
    let value = TokenAmount::from_whole(3);
    let lookup = net
        .send(
            &from.key,
            to.address(),
            value.clone(),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();
    let r = &lookup.record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    assert!(r.receipt.gas_used > 0);
    assert_eq!(r.height, 1);
    assert_eq!(
        net.balance(&to.address(), TipsetRef::Head).unwrap(),
        &before_to + &value
    );
    let after_from = net.balance(&from.address(), TipsetRef::Head).unwrap();
    assert_eq!(after_from, before_from - &value - &r.gas_cost);
    assert!(r.gas_cost.is_positive());
    assert_eq!(net.sequence(&from.address(), TipsetRef::Head).unwrap(), 1);
    // Base fees are burnt.
    assert!(
        net.balance(&Address::new_id(BURNT_FUNDS_ACTOR_ID), TipsetRef::Head)
            .unwrap()
            .is_positive()
    );
    // The message is indexed, included in tipset 1 and executed in tipset 2 once mined.
    assert_eq!(
        lookup.inclusion,
        net.tipset(TipsetRef::Height(1)).unwrap().cid
    );
    assert!(lookup.execution.is_none());
    net.mine(1).unwrap();
    let again = net.lookup(&r.cid).unwrap();
    assert_eq!(again.execution, Some(net.head().cid));
    assert_eq!(
        net.head().header.parent_message_receipts,
        net.tipset(TipsetRef::Height(1)).unwrap().receipts_root
    );
    // State reads at an older tipset see the old balance.
    assert_eq!(
        net.balance(&to.address(), TipsetRef::Height(0)).unwrap(),
        before_to
    );
}

#[test]
fn value_to_a_new_f1_creates_its_account() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let fresh = DevnetKey::derive(&[9; 32], KeyKind::Secp256k1, 0);
    assert!(
        net.actor(&fresh.address(), TipsetRef::Head)
            .unwrap()
            .is_none()
    );
    let value = TokenAmount::from_whole(1);
    let r = net
        .send(
            &from.key,
            fresh.address(),
            value.clone(),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    let (id, actor) = net
        .actor(&fresh.address(), TipsetRef::Head)
        .unwrap()
        .unwrap();
    assert!(id >= FIRST_NON_SINGLETON_ID);
    assert_eq!(actor.balance, value);
    // The new account can spend.
    let back = net
        .send(
            &fresh,
            from.address(),
            TokenAmount::from_nano(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();
    assert!(
        back.record.receipt.exit_code.is_success(),
        "{:?}",
        back.record.failure
    );
}

#[test]
fn value_to_an_f410_reaches_the_eth_account() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let eth = net.account(KeyKind::Eth, 0).unwrap();
    let before = net.balance(&eth.address(), TipsetRef::Head).unwrap();
    let value = TokenAmount::from_whole(2);
    let r = net
        .send(
            &from.key,
            eth.address(),
            value.clone(),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    assert_eq!(
        net.balance(&eth.address(), TipsetRef::Head).unwrap(),
        before + value
    );
    // And to a fresh f410: a placeholder is created.
    let fresh = DevnetKey::derive(&[9; 32], KeyKind::Eth, 0);
    let r = net
        .send(
            &from.key,
            fresh.address(),
            TokenAmount::from_whole(1),
            METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap()
        .record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    assert_eq!(
        net.balance(&fresh.address(), TipsetRef::Head).unwrap(),
        TokenAmount::from_whole(1)
    );
}

#[test]
fn an_eth_transaction_from_an_f410_transfers_value() {
    let net = devnet();
    let eth = net.account(KeyKind::Eth, 0).unwrap();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap();
    let before = net.balance(&to.address(), TipsetRef::Head).unwrap();
    let value = TokenAmount::from_whole(4);
    // An eth transaction can only name an f410 or a masked ID address: send to the f0.
    let lookup = net
        .send(
            &eth.key,
            to.id_address(),
            value.clone(),
            filmark_devnet_actors::INVOKE_EVM_METHOD,
            RawBytes::default(),
        )
        .unwrap();
    let signed = lookup.record.signed.as_ref().unwrap();
    assert_eq!(
        signed.signature.sig_type,
        filmark_devnet::SigType::Delegated
    );
    assert!(
        lookup.record.receipt.exit_code.is_success(),
        "{:?}",
        lookup.record.failure
    );
    assert_eq!(
        net.balance(&to.address(), TipsetRef::Head).unwrap(),
        before + value
    );
    assert_eq!(net.sequence(&eth.address(), TipsetRef::Head).unwrap(), 1);

    // The same transaction with a tampered value does not verify.
    let mut forged = signed.clone();
    forged.message.sequence = 1;
    forged.message.value = TokenAmount::from_whole(5);
    assert!(matches!(
        net.push(forged).unwrap_err(),
        filmark_devnet::Error::BadSignature { .. }
    ));
}

#[test]
fn a_raw_eth_transaction_is_pushed_as_lotus_maps_it() {
    let net = devnet();
    let eth = net.account(KeyKind::Eth, 1).unwrap();
    let to = net.account(KeyKind::Eth, 2).unwrap();
    let before = net.balance(&to.address(), TipsetRef::Head).unwrap();
    let value = TokenAmount::from_whole(1);
    let message = net
        .prepare(
            eth.address(),
            to.address(),
            value.clone(),
            filmark_devnet_actors::INVOKE_EVM_METHOD,
            RawBytes::default(),
        )
        .unwrap();
    // What a wallet sends to eth_sendRawTransaction…
    let raw = eth
        .key
        .secp_key()
        .sign_eip1559(&message, net.chain_id())
        .unwrap()
        .encode();
    // …and what the node turns it into.
    let signed = filmark_devnet::SignedMessage::from_eth_raw_tx(&raw, net.chain_id()).unwrap();
    assert_eq!(signed.message, message);
    let cid = net.push(signed).unwrap();
    let r = net.lookup(&cid).unwrap().record;
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
    assert_eq!(
        net.balance(&to.address(), TipsetRef::Head).unwrap(),
        before + value
    );
    // A transaction signed for another chain id is refused.
    let other = net
        .prepare(
            eth.address(),
            to.address(),
            TokenAmount::from_atto(1),
            filmark_devnet_actors::INVOKE_EVM_METHOD,
            RawBytes::default(),
        )
        .unwrap();
    let raw = eth
        .key
        .secp_key()
        .sign_eip1559(&other, 314)
        .unwrap()
        .encode();
    let wrong_chain = filmark_devnet::SignedMessage::from_eth_raw_tx(&raw, 314).unwrap();
    assert!(net.push(wrong_chain).unwrap_err().is_refusal());
}
