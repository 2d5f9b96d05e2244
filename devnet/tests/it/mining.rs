//! Mining modes: manual batches, background block time, stop on drop.

use crate::transfer_message;
use std::time::{Duration, Instant};

use filmark_devnet::{Devnet, DevnetConfig, KeyKind, Mining, TipsetRef};

#[test]
fn manual_mining_batches_pending_messages_into_one_tipset() {
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual)).unwrap();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let template = transfer_message(&net, 0, 1, 7);
    let batch: Vec<_> = (0..5)
        .map(|n| {
            from.key
                .sign(
                    fvm_shared::message::Message {
                        sequence: n,
                        ..template.clone()
                    },
                    net.chain_id(),
                )
                .unwrap()
        })
        .collect();
    let cids: Vec<_> = net
        .push_many(batch)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(net.pending(), 5);
    assert_eq!(net.next_nonce(&from.address()).unwrap(), 5);
    assert_eq!(net.sequence(&from.address(), TipsetRef::Head).unwrap(), 0);
    assert!(net.lookup(&cids[0]).is_err());
    let head = net.mine(1).unwrap();
    assert_eq!(head.messages, cids);
    assert_eq!(net.pending(), 0);
    for cid in &cids {
        let l = net.lookup(cid).unwrap();
        assert_eq!(l.record.height, 1);
        assert!(l.record.receipt.exit_code.is_success());
    }
    assert_eq!(net.sequence(&from.address(), TipsetRef::Head).unwrap(), 5);
}

#[test]
fn a_block_time_mines_in_the_background_until_the_handle_drops() {
    let handle =
        Devnet::spawn(DevnetConfig::test().with_block_time(Duration::from_millis(20))).unwrap();
    let net = handle.devnet();
    let deadline = Instant::now() + Duration::from_secs(30);
    while net.head().height() < 2 {
        assert!(
            Instant::now() < deadline,
            "no tipsets mined in the background"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(handle);
    let stopped_at = net.head().height();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        net.head().height(),
        stopped_at,
        "mining goes on after the handle dropped"
    );
}
