//! Snapshot and revert (Anvil's `evm_snapshot` / `evm_revert`), usable many times.

use crate::send_transfer;
use filmark_devnet::{Devnet, Error, KeyKind, TipsetRef};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::devnet;

fn send(net: &Devnet, atto: u64) -> cid::Cid {
    send_transfer(net, 0, 1, atto).record.cid
}

fn balance(net: &Devnet, a: &Address) -> TokenAmount {
    net.balance(a, TipsetRef::Head).unwrap()
}

#[test]
fn revert_restores_head_records_and_nonces_and_snapshots_are_reusable() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap().address();
    let to = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let genesis = net.head();
    let s0 = net.snapshot();
    let first = send(&net, 1);
    let after_first = (net.head(), balance(&net, &to), net.base_fee());
    let s1 = net.snapshot();
    let second = send(&net, 2);
    assert_eq!(net.head().height(), 2);

    net.revert(s1).unwrap();
    assert_eq!(
        (net.head(), balance(&net, &to), net.base_fee()),
        after_first
    );
    assert!(net.lookup(&first).is_ok());
    assert!(matches!(net.lookup(&second), Err(Error::UnknownMessage(_))));
    assert_eq!(net.sequence(&from, TipsetRef::Head).unwrap(), 1);
    assert!(net.tipset(TipsetRef::Height(2)).is_err());
    // The chain goes on from there: the same nonce again, in a new tipset 2.
    let again = send(&net, 3);
    assert_eq!(net.lookup(&again).unwrap().record.height, 2);
    assert!(matches!(net.revert(s1), Err(Error::NotFound(_))), "used up");

    // Many times over: snapshot, change, revert.
    net.revert(s0).unwrap();
    assert_eq!(net.head(), genesis);
    for round in 0..3 {
        let s = net.snapshot();
        let cid = send(&net, 10 + round);
        assert_eq!(net.lookup(&cid).unwrap().record.height, 1);
        net.revert(s).unwrap();
        assert_eq!(net.head(), genesis);
        assert!(net.lookup(&cid).is_err());
        assert_eq!(net.sequence(&from, TipsetRef::Head).unwrap(), 0);
    }
}

#[test]
fn an_actor_created_after_a_snapshot_is_unknown_after_the_revert() {
    let net = devnet();
    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let create = |to: Address| {
        net.send(
            &key,
            to,
            TokenAmount::from_atto(5),
            fvm_shared::METHOD_SEND,
            fvm_ipld_encoding::RawBytes::default(),
        )
        .unwrap();
        net.actor(&to, TipsetRef::Head).unwrap().map(|(id, _)| id)
    };
    let fresh = Address::new_delegated(10, &[0xab; 20]).unwrap();
    let other = Address::new_delegated(10, &[0xcd; 20]).unwrap();
    let s = net.snapshot();
    // Resolved at the head (the pool's path), so remembered.
    let id = create(fresh).expect("created");
    send(&net, 1);
    assert_eq!(net.lookup_id(&fresh, TipsetRef::Head).unwrap(), Some(id));
    net.revert(s).unwrap();
    assert!(net.actor(&fresh, TipsetRef::Head).unwrap().is_none());
    // Another new actor takes the same ID on the new chain: `fresh` is still unknown.
    assert_eq!(create(other), Some(id));
    assert!(net.actor(&fresh, TipsetRef::Head).unwrap().is_none());
}
