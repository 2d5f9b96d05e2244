//! Review finding 1: a message that cannot pay for its inclusion is refused, never mined for
//! free nor replayed, and a message already on chain cannot be pushed again.

use filmark_devnet::{Devnet, DevnetConfig, Error, KeyKind, Mining, TipsetRef};
use fvm_shared::message::Message;

use crate::devnet;
use crate::transfer_message;

fn transfer(net: &Devnet, from: usize) -> Message {
    transfer_message(net, from, 9, 1)
}

#[test]
fn a_gas_limit_below_the_inclusion_cost_is_refused_and_never_mined() {
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let mut cheap = transfer(&net, 0);
    cheap.gas_limit = 1;
    let e = net.sign_and_push(&from.key, cheap.clone()).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidMessage(m) if m.contains("inclusion")),
        "{e}"
    );
    assert!(e.is_refusal());
    // Just below the inclusion cost of this message (a send with empty params costs more than
    // 1,000 gas to include at nv28's price list), still refused.
    cheap.gas_limit = 1_000;
    assert!(matches!(
        net.sign_and_push(&from.key, cheap).unwrap_err(),
        Error::InvalidMessage(_)
    ));
    // The next valid message takes nonce 0 and is mined once.
    let good = transfer(&net, 0);
    assert_eq!(good.sequence, 0);
    let cid = net.sign_and_push(&from.key, good).unwrap();
    for _ in 0..3 {
        net.mine(1).unwrap();
    }
    let l = net.lookup(&cid).unwrap();
    assert_eq!(l.record.height, 1);
    assert!(l.record.receipt.exit_code.is_success());
    let included: Vec<_> = (1..=3)
        .flat_map(|h| net.tipset(TipsetRef::Height(h)).unwrap().messages)
        .collect();
    assert_eq!(included, vec![cid]);
    assert_eq!(net.sequence(&from.address(), TipsetRef::Head).unwrap(), 1);
}

#[test]
fn a_message_already_on_chain_is_refused_by_its_cid() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let signed = from.key.sign(transfer(&net, 0), net.chain_id()).unwrap();
    let cid = net.push(signed.clone()).unwrap();
    let e = net.push(signed).unwrap_err();
    assert!(matches!(e, Error::AlreadyKnown(c) if c == cid), "{e}");
    assert!(e.is_refusal());
    assert_eq!(net.head().height(), 1);
}
