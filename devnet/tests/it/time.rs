//! Network version and time: nv28 by default, and null rounds that skip many epochs at once.

use crate::send_transfer;
use filmark_devnet::{Devnet, DevnetConfig, Error, KeyKind, NETWORK_VERSION, TipsetRef};
use filmark_devnet_actors::market::EX_DEAL_EXPIRED;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;

use crate::devnet;
use crate::market::{activation, check_market, escrow, funded, publish_one};

/// Epochs in 180 days of 30-second epochs.
const DAYS_180: i64 = 180 * 2_880;

#[test]
fn the_devnet_runs_nv28_by_default_and_the_configured_version_otherwise() {
    assert_eq!(NETWORK_VERSION, NetworkVersion::V28);
    for nv in [None, Some(NetworkVersion::V29)] {
        let config = match nv {
            Some(nv) => DevnetConfig::test().with_network_version(nv),
            None => DevnetConfig::test(),
        };
        let net = Devnet::spawn(config).unwrap();
        assert_eq!(
            net.config().network_version,
            nv.unwrap_or(NetworkVersion::V28)
        );
        let sent = send_transfer(&net, 0, 1, 1);
        assert!(sent.record.receipt.exit_code.is_success());
    }
}

#[test]
fn advancing_epochs_leaves_null_rounds_not_empty_tipsets() {
    let net = devnet();
    let genesis = net.head();
    let head = net.advance_epochs(1_000).unwrap();
    assert_eq!(head.height(), 1_000);
    assert_eq!(head.header.parents, vec![genesis.cid]);
    assert_eq!(
        head.header.timestamp,
        genesis.header.timestamp + 1_000 * 30,
        "the timestamp follows the epoch"
    );
    // A null round's height reads the last tipset before it; above the head is unknown.
    assert_eq!(net.tipset(TipsetRef::Height(999)).unwrap(), genesis);
    assert_eq!(net.tipset(TipsetRef::Height(1_000)).unwrap(), head);
    assert!(net.tipset(TipsetRef::Height(1_001)).is_err());
    assert!(matches!(
        net.advance_epochs(0).unwrap_err(),
        Error::InvalidMessage(_)
    ));
    // Messages still land, in the next tipset, and are found by their epoch.
    let sent = send_transfer(&net, 0, 1, 1);
    assert_eq!(sent.record.height, 1_001);
    assert_eq!(sent.inclusion, net.head().cid);
    net.advance_epochs(5).unwrap();
    assert_eq!(
        net.lookup(&sent.record.cid).unwrap().execution,
        Some(net.head().cid)
    );
}

#[test]
fn a_180_day_deal_term_passes_in_one_tipset() {
    let net = funded(DevnetConfig::test());
    let provider = net.account(KeyKind::Secp256k1, 1).unwrap();
    let start = net.head().height() + 10;
    let deal = publish_one(&net, start, DAYS_180);
    net.activate_deals(&[deal]).unwrap();
    let activated = net.head().height();
    let (before, _) = escrow(&net, &provider);

    let started = std::time::Instant::now();
    let head = net
        .advance_epochs((start + DAYS_180 - activated) as u64)
        .unwrap();
    let took = started.elapsed();
    assert_eq!(head.height(), start + DAYS_180);
    assert_eq!(
        net.tipset(TipsetRef::Height(head.height() - 1))
            .unwrap()
            .height(),
        activated,
        "one tipset covered the term"
    );
    // As on mainnet, the cron pays nothing: the ended deal is still active until settled.
    assert_eq!(activation(&net, deal), Ok((activated, -1)));
    let settled = net.settle_deal_payments(&[deal]).unwrap();
    assert_eq!(settled.results.success_count, 1);
    let paid = TokenAmount::from_nano(10) * DAYS_180;
    assert_eq!(
        (
            settled.settlements[0].payment.clone(),
            settled.settlements[0].completed
        ),
        (paid.clone(), true),
        "the provider is paid for every epoch of the term"
    );
    assert_eq!(activation(&net, deal), Err(EX_DEAL_EXPIRED));
    assert_eq!(escrow(&net, &provider).0, before + paid);
    check_market(&net);
    println!("a 180-day term ({DAYS_180} epochs) passed in one tipset in {took:?}");
}
