//! A miner actor per provider (builtin-actors v18's getters) and the market asking it who may
//! publish and withdraw for it, as v18's market does.

use filmark_devnet::{Devnet, GenesisAccount, MessageRecord, STORAGE_POWER_ACTOR_ID, TipsetRef};
use filmark_devnet_actors::market::{
    self, GetBalanceReturn, PublishStorageDealsReturn, WithdrawBalanceParams,
};
use filmark_devnet_actors::{miner, power};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::{RegisteredPoStProof, SectorSize};

use crate::market::{
    acct, check_market, funded, market, ok, proposal, publish, send as send_market, sign,
};

/// Creates a miner through f04, sent by `owner`, with `worker`; its f0 address.
pub(crate) fn create_miner(net: &Devnet, owner: &GenesisAccount, worker: Address) -> Address {
    let params = RawBytes::serialize(power::CreateMinerParams {
        owner: owner.address(),
        worker,
        window_post_proof_type: RegisteredPoStProof::StackedDRGWindow32GiBV1P1,
        peer: vec![1, 2, 3],
        multiaddrs: vec![],
    })
    .unwrap();
    let sent = net
        .send(
            &owner.key,
            Address::new_id(STORAGE_POWER_ACTOR_ID),
            TokenAmount::default(),
            power::Method::CreateMinerExported.number(),
            params,
        )
        .unwrap();
    ok(&sent.record);
    let ret: power::CreateMinerReturn = sent.record.receipt.return_data.deserialize().unwrap();
    ret.id_address
}

/// Sends `method` of the miner from `who`; the record, whatever its exit code.
fn to_miner(
    net: &Devnet,
    who: &GenesisAccount,
    miner_address: Address,
    method: miner::Method,
    params: RawBytes,
) -> MessageRecord {
    net.send(
        &who.key,
        miner_address,
        TokenAmount::default(),
        method.number(),
        params,
    )
    .unwrap()
    .record
}

/// A read-only call of a miner getter from account 5; its decoded answer.
fn get<T: serde::de::DeserializeOwned>(
    net: &Devnet,
    miner_address: Address,
    method: miner::Method,
    params: RawBytes,
) -> T {
    let from = acct(net, 5).address();
    let r = net
        .call_method(from, miner_address, method.number(), params)
        .unwrap();
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    r.receipt.return_data.deserialize().unwrap()
}

/// Owner account 1, worker account 2, control address account 3 (set by the owner's
/// `ChangeWorkerAddress`).
fn miner_with_control(net: &Devnet) -> Address {
    let (owner, worker, control) = (acct(net, 1), acct(net, 2), acct(net, 3));
    let m = create_miner(net, &owner, worker.address());
    let params = RawBytes::serialize(miner::ChangeWorkerAddressParams {
        new_worker: worker.address(),
        new_control_addresses: vec![control.address()],
    })
    .unwrap();
    // Only the owner changes them.
    let by_worker = to_miner(
        net,
        &worker,
        m,
        miner::Method::ChangeWorkerAddressExported,
        params.clone(),
    );
    assert_eq!(by_worker.receipt.exit_code, ExitCode::USR_FORBIDDEN);
    ok(&to_miner(
        net,
        &owner,
        m,
        miner::Method::ChangeWorkerAddressExported,
        params,
    ));
    m
}

#[test]
fn a_miner_answers_its_owner_worker_controls_and_getters_as_v18() {
    let net = funded(filmark_devnet::DevnetConfig::test());
    let m = miner_with_control(&net);
    let (owner, worker, control, stranger) =
        (acct(&net, 1), acct(&net, 2), acct(&net, 3), acct(&net, 4));
    let controls = |who: Address| -> bool {
        get(
            &net,
            m,
            miner::Method::IsControllingAddressExported,
            RawBytes::serialize(who).unwrap(),
        )
    };
    assert!(controls(owner.address()));
    assert!(controls(worker.address()));
    assert!(controls(worker.id_address()));
    assert!(controls(control.address()));
    assert!(!controls(stranger.address()));
    // An address with no actor controls nothing.
    assert!(!controls(Address::new_id(99_999)));

    let addrs: miner::GetControlAddressesReturn = get(
        &net,
        m,
        miner::Method::ControlAddresses,
        RawBytes::default(),
    );
    assert_eq!(
        addrs,
        miner::GetControlAddressesReturn {
            owner: owner.id_address(),
            worker: worker.id_address(),
            control_addresses: vec![control.id_address()],
        }
    );
    let o: miner::GetOwnerReturn = get(
        &net,
        m,
        miner::Method::GetOwnerExported,
        RawBytes::default(),
    );
    assert_eq!((o.owner, o.proposed), (owner.id_address(), None));
    let b: miner::GetBeneficiaryReturn = get(
        &net,
        m,
        miner::Method::GetBeneficiaryExported,
        RawBytes::default(),
    );
    assert_eq!(b.active.beneficiary, owner.id_address());
    assert_eq!(b.proposed, None);
    let size: SectorSize = get(
        &net,
        m,
        miner::Method::GetSectorSizeExported,
        RawBytes::default(),
    );
    assert_eq!(size, SectorSize::_32GiB);
    let peer: miner::GetPeerIdReturn = get(
        &net,
        m,
        miner::Method::GetPeerIdExported,
        RawBytes::default(),
    );
    assert_eq!(peer.peer_id, [1, 2, 3]);
    let vesting: miner::GetVestingFundsReturn = get(
        &net,
        m,
        miner::Method::GetVestingFundsExported,
        RawBytes::default(),
    );
    assert!(vesting.vesting_funds.is_empty());
    check_market(&net);
}

#[test]
fn only_the_owner_withdraws_a_miners_balance_and_receives_it() {
    let net = funded(filmark_devnet::DevnetConfig::test());
    let m = miner_with_control(&net);
    let (owner, worker) = (acct(&net, 1), acct(&net, 2));
    let available = || -> TokenAmount {
        get(
            &net,
            m,
            miner::Method::GetAvailableBalanceExported,
            RawBytes::default(),
        )
    };
    assert!(available().is_zero());
    let paid = TokenAmount::from_nano(7_000);
    ok(&net
        .send(
            &acct(&net, 4).key,
            m,
            paid.clone(),
            fvm_shared::METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap()
        .record);
    assert_eq!(available(), paid);
    let withdraw = |who: &GenesisAccount, atto: i64| {
        let params = RawBytes::serialize(miner::WithdrawBalanceParams {
            amount_requested: TokenAmount::from_atto(atto),
        })
        .unwrap();
        to_miner(&net, who, m, miner::Method::WithdrawBalanceExported, params)
    };
    assert_eq!(
        withdraw(&owner, -1).receipt.exit_code,
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(
        withdraw(&worker, 1).receipt.exit_code,
        ExitCode::USR_FORBIDDEN
    );
    let before = net.balance(&owner.address(), TipsetRef::Head).unwrap();
    // More than it holds: it gives what it has.
    let r = withdraw(&owner, i64::MAX);
    ok(&r);
    let withdrawn: TokenAmount = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(withdrawn, paid);
    assert!(available().is_zero());
    let after = net.balance(&owner.address(), TipsetRef::Head).unwrap();
    assert_eq!(after - before + &r.gas_cost, paid, "the owner received it");
    check_market(&net);
}

#[test]
fn the_market_asks_the_providers_miner_who_may_publish_and_withdraw() {
    let net = funded(filmark_devnet::DevnetConfig::test());
    let m = miner_with_control(&net);
    let (client, owner, worker, control, stranger) = (
        acct(&net, 0),
        acct(&net, 1),
        acct(&net, 2),
        acct(&net, 3),
        acct(&net, 4),
    );
    // The miner's escrow, for its collateral.
    ok(&send_market(
        &net,
        &stranger,
        market::Method::AddBalanceExported,
        RawBytes::serialize(m).unwrap(),
        TokenAmount::from_whole(1),
    ));
    let start = net.head().height() + 50;
    let deal = |len| sign(&client, proposal(&client, m, start, len));

    // Not a controlling address: 18, nothing published.
    let r = publish(&net, &stranger, vec![deal(10)]);
    assert_eq!(
        r.receipt.exit_code,
        ExitCode::USR_FORBIDDEN,
        "{:?}",
        r.failure
    );
    // The worker, a control address and the owner (IsControllingAddress) may publish.
    let mut ids = Vec::new();
    for (who, len) in [(&worker, 10), (&control, 11), (&owner, 12)] {
        let r = publish(&net, who, vec![deal(len)]);
        ok(&r);
        let ret: PublishStorageDealsReturn = r.receipt.return_data.deserialize().unwrap();
        ids.extend(ret.ids);
    }
    // The deals name the miner.
    for id in &ids {
        let r = net
            .call_method(
                stranger.address(),
                market(),
                market::Method::GetDealProviderExported.number(),
                RawBytes::serialize(id).unwrap(),
            )
            .unwrap();
        let provider: u64 = r.receipt.return_data.deserialize().unwrap();
        assert_eq!(Address::new_id(provider), m);
    }

    // Its escrow: the owner or worker asks (not a control address), the owner receives.
    let withdraw = |who: &GenesisAccount| {
        let params = WithdrawBalanceParams {
            provider_or_client: m,
            amount: TokenAmount::from_atto(1_000),
        };
        send_market(
            &net,
            who,
            market::Method::WithdrawBalanceExported,
            RawBytes::serialize(params).unwrap(),
            TokenAmount::default(),
        )
    };
    assert_eq!(
        withdraw(&control).receipt.exit_code,
        ExitCode::USR_FORBIDDEN
    );
    let before = net.balance(&owner.address(), TipsetRef::Head).unwrap();
    ok(&withdraw(&worker));
    let after = net.balance(&owner.address(), TipsetRef::Head).unwrap();
    assert_eq!(after - before, TokenAmount::from_atto(1_000));
    let r = net
        .call_method(
            stranger.address(),
            market(),
            market::Method::GetBalanceExported.number(),
            RawBytes::serialize(m).unwrap(),
        )
        .unwrap();
    let escrow: GetBalanceReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(
        escrow.balance,
        TokenAmount::from_whole(1) - TokenAmount::from_atto(1_000)
    );
    check_market(&net);
}
