//! The builtin actors a contract can see, as on mainnet (builtin-actors v18): type ids in
//! mainnet's manifest order, the singletons f03, f04, f06, f07 answering their exported getters,
//! miners created through the power actor, the account, ethaccount and placeholder fallbacks,
//! new ids above 1000, and the user-wasm extension's switch.

use filmark_devnet::{
    BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_TOKEN_ACTOR_ID, Devnet, DevnetConfig, Error,
    FIRST_NEW_ACTOR_ID, INIT_ACTOR_ID, KeyKind, STORAGE_POWER_ACTOR_ID, TipsetRef,
    VERIFIED_REGISTRY_ACTOR_ID, code_cid,
};
use filmark_devnet_actors::power::{BigIntRet, MinerRawPowerParams, MinerRawPowerReturn};
use filmark_devnet_actors::{
    FIRST_EXPORTED_METHOD_NUMBER, account, datacap, init, manifest, miner, power, types, verifreg,
};
use filmark_devnet_bundle::{ACCOUNT_WASM, BUILTIN_ACTORS, MINER_WASM, PLACEHOLDER_WASM};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use crate::devnet;

/// A read-only call of `method` on `to` from the first f1 account; its receipt.
fn call(net: &Devnet, to: Address, method: u64, params: RawBytes) -> filmark_devnet::CallResult {
    let from = net.account(KeyKind::Secp256k1, 0).unwrap().address();
    net.call_method(from, to, method, params).unwrap()
}

fn code_of(net: &Devnet, address: &Address) -> cid::Cid {
    net.actor(address, TipsetRef::Head).unwrap().unwrap().1.code
}

#[test]
fn builtin_type_ids_are_mainnets() {
    let net = devnet();
    // fvm numbers builtin types by manifest position: account is 4, placeholder 13, EAM 15,
    // ethaccount 16, reward 10, as on mainnet.
    let position = |name: &str| {
        let i = BUILTIN_ACTORS.iter().position(|(n, _)| *n == name).unwrap();
        i32::try_from(i + 1).unwrap()
    };
    assert_eq!(position(manifest::ACCOUNT), types::ACCOUNT);
    assert_eq!(types::ACCOUNT, 4);
    assert_eq!(position(manifest::PLACEHOLDER), 13);
    assert_eq!(position(manifest::EAM), 15);
    assert_eq!(position(manifest::ETHACCOUNT), 16);
    assert_eq!(position(manifest::REWARD), 10);
    assert_eq!(position(manifest::EVM), 14);
    let f1 = net.account(KeyKind::Secp256k1, 0).unwrap().address();
    assert_eq!(code_of(&net, &f1), code_cid(ACCOUNT_WASM));
}

#[test]
fn mainnet_singletons_exist() {
    let net = devnet();
    for id in [
        CRON_ACTOR_ID,
        STORAGE_POWER_ACTOR_ID,
        VERIFIED_REGISTRY_ACTOR_ID,
        DATACAP_TOKEN_ACTOR_ID,
    ] {
        assert!(
            net.actor(&Address::new_id(id), TipsetRef::Head)
                .unwrap()
                .is_some(),
            "f0{id}"
        );
    }
    // The cron stub: an unknown method, not an unknown receiver.
    let r = call(&net, Address::new_id(CRON_ACTOR_ID), 2, RawBytes::default());
    assert_eq!(r.receipt.exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
}

#[test]
fn f099_is_an_account_holding_its_id_address() {
    let net = devnet();
    let burnt = Address::new_id(BURNT_FUNDS_ACTOR_ID);
    assert_eq!(code_of(&net, &burnt), code_cid(ACCOUNT_WASM));
    let r = call(
        &net,
        burnt,
        account::Method::PubkeyAddress.number(),
        RawBytes::default(),
    );
    assert_eq!(r.receipt.exit_code, ExitCode::OK);
    assert_eq!(
        r.receipt.return_data.deserialize::<Address>().unwrap(),
        burnt
    );
}

#[test]
fn power_answers_network_raw_power_to_a_native_call() {
    let net = devnet();
    let f04 = Address::new_id(STORAGE_POWER_ACTOR_ID);
    let r = call(
        &net,
        f04,
        power::Method::NetworkRawPowerExported.number(),
        RawBytes::default(),
    );
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    let power: BigIntRet = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(power.0, 0.into());
    let r = call(
        &net,
        f04,
        power::Method::MinerCountExported.number(),
        RawBytes::default(),
    );
    assert_eq!(r.receipt.return_data.deserialize::<i64>().unwrap(), 0);
    // An actor that is not a miner has no power entry.
    let params = RawBytes::serialize(MinerRawPowerParams { miner: 100 }).unwrap();
    let r = call(
        &net,
        f04,
        power::Method::MinerRawPowerExported.number(),
        params,
    );
    assert_eq!(r.receipt.exit_code, ExitCode::USR_NOT_FOUND);
}

#[test]
fn verifreg_answers_get_claims() {
    let net = devnet();
    let params = RawBytes::serialize(verifreg::GetClaimsParams {
        provider: 1000,
        claim_ids: vec![1, 7],
    })
    .unwrap();
    let r = call(
        &net,
        Address::new_id(VERIFIED_REGISTRY_ACTOR_ID),
        verifreg::Method::GetClaimsExported.number(),
        params,
    );
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    let ret: verifreg::GetClaimsReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.batch_info.success_count, 0);
    let codes: Vec<_> = ret.batch_info.fail_codes.iter().map(|f| f.code).collect();
    assert_eq!(codes, [ExitCode::USR_NOT_FOUND; 2]);
    assert!(ret.claims.is_empty());
}

#[test]
fn datacap_answers_frc46_balance_and_transfer() {
    let net = devnet();
    let f07 = Address::new_id(DATACAP_TOKEN_ACTOR_ID);
    let f1 = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let r = call(
        &net,
        f07,
        datacap::Method::BalanceExported.number(),
        RawBytes::serialize(f1).unwrap(),
    );
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    let balance: TokenAmount = r.receipt.return_data.deserialize().unwrap();
    assert!(balance.is_zero());
    let r = call(
        &net,
        f07,
        datacap::Method::SymbolExported.number(),
        RawBytes::default(),
    );
    assert_eq!(
        r.receipt.return_data.deserialize::<String>().unwrap(),
        "DCAP"
    );

    let transfer = |to: Address, atto: u64| {
        let params = RawBytes::serialize(datacap::TransferParams {
            to,
            amount: TokenAmount::from_atto(atto),
            operator_data: RawBytes::default(),
        })
        .unwrap();
        call(
            &net,
            f07,
            datacap::Method::TransferExported.number(),
            params,
        )
        .receipt
        .exit_code
    };
    // Only to the registry, as on mainnet; nobody holds DataCap.
    assert_eq!(transfer(f1, 1), ExitCode::USR_FORBIDDEN);
    let f06 = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    assert_eq!(transfer(f06, 1), ExitCode::USR_INSUFFICIENT_FUNDS);
    assert_eq!(transfer(f06, 0), ExitCode::OK);
}

#[test]
fn an_f1_account_accepts_any_exported_method_with_an_empty_return() {
    let net = devnet();
    let f1 = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let r = call(
        &net,
        f1,
        FIRST_EXPORTED_METHOD_NUMBER + 7,
        RawBytes::default(),
    );
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    assert!(r.receipt.return_data.is_empty());
    // Method 3 is not on mainnet's account.
    let r = call(&net, f1, 3, RawBytes::default());
    assert_eq!(r.receipt.exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
}

/// v18's ethaccount has no `AuthenticateMessage`: its exported-method fallback answers exit 0
/// and no value whatever the signature, while an f1 account checks it.
#[test]
fn ethaccount_accepts_a_forged_authenticate_message_with_exit_0() {
    let net = devnet();
    let forged = RawBytes::serialize(account::AuthenticateMessageParams {
        signature: vec![0xde; 65],
        message: b"a deal proposal".to_vec(),
    })
    .unwrap();
    let method = account::Method::AuthenticateMessageExported.number();
    let eth = net.account(KeyKind::Eth, 0).unwrap().address();
    let r = call(&net, eth, method, forged.clone());
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    assert!(r.receipt.return_data.is_empty(), "no `true`, no value");
    let f1 = net.account(KeyKind::Secp256k1, 1).unwrap().address();
    let r = call(&net, f1, method, forged);
    assert_eq!(r.receipt.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Not exported: unhandled.
    let r = call(&net, eth, 2, RawBytes::default());
    assert_eq!(r.receipt.exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
}

#[test]
fn a_placeholder_accepts_any_method_and_new_ids_are_above_1000() {
    let net = devnet();
    let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
    let unknown = Address::new_delegated(10, &[0x42; 20]).unwrap();
    let sent = net
        .send(
            &key,
            unknown,
            TokenAmount::from_atto(5),
            fvm_shared::METHOD_SEND,
            RawBytes::default(),
        )
        .unwrap();
    assert_eq!(sent.record.receipt.exit_code, ExitCode::OK);
    let (id, state) = net.actor(&unknown, TipsetRef::Head).unwrap().unwrap();
    assert_eq!(state.code, code_cid(PLACEHOLDER_WASM));
    assert_eq!(id, FIRST_NEW_ACTOR_ID);
    assert_eq!(FIRST_NEW_ACTOR_ID, 1001);
    for method in [2, 3, FIRST_EXPORTED_METHOD_NUMBER + 1] {
        let r = call(&net, unknown, method, RawBytes::default());
        assert_eq!(r.receipt.exit_code, ExitCode::OK, "method {method}");
    }
}

/// Creates a miner through f04 from account 0 (owner and worker); its f0 address.
fn create_miner(net: &Devnet) -> Address {
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    crate::miners::create_miner(net, &owner, owner.address())
}

#[test]
fn a_miner_created_through_power_answers_who_controls_it() {
    let net = devnet();
    let miner_address = create_miner(&net);
    assert!(miner_address.id().unwrap() >= FIRST_NEW_ACTOR_ID);
    assert_eq!(code_of(&net, &miner_address), code_cid(MINER_WASM));
    let owner = net.account(KeyKind::Secp256k1, 0).unwrap();
    let other = net.account(KeyKind::Secp256k1, 1).unwrap();
    let controls = |who: Address| {
        let r = call(
            &net,
            miner_address,
            miner::Method::IsControllingAddressExported.number(),
            RawBytes::serialize(who).unwrap(),
        );
        assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
        r.receipt.return_data.deserialize::<bool>().unwrap()
    };
    assert!(controls(owner.address()));
    assert!(controls(owner.id_address()));
    assert!(!controls(other.address()));
    let r = call(
        &net,
        miner_address,
        miner::Method::GetOwnerExported.number(),
        RawBytes::default(),
    );
    let ret: miner::GetOwnerReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.owner, owner.id_address());
    assert_eq!(ret.proposed, None);
    let r = call(
        &net,
        miner_address,
        miner::Method::ControlAddresses.number(),
        RawBytes::default(),
    );
    let ret: miner::GetControlAddressesReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.worker, owner.id_address());

    let params = RawBytes::serialize(MinerRawPowerParams {
        miner: miner_address.id().unwrap(),
    })
    .unwrap();
    let r = call(
        &net,
        Address::new_id(STORAGE_POWER_ACTOR_ID),
        power::Method::MinerRawPowerExported.number(),
        params,
    );
    assert_eq!(r.receipt.exit_code, ExitCode::OK, "{:?}", r.failure);
    let ret: MinerRawPowerReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.raw_byte_power, 0.into());
    assert!(!ret.meets_consensus_minimum);
}

#[test]
fn only_power_may_exec_a_miner() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let params = RawBytes::serialize(init::ExecParams {
        code_cid: code_cid(MINER_WASM),
        constructor_params: RawBytes::default(),
    })
    .unwrap();
    let sent = net
        .send(
            &from.key,
            Address::new_id(INIT_ACTOR_ID),
            TokenAmount::default(),
            init::Method::Exec.number(),
            params,
        )
        .unwrap();
    assert_eq!(sent.record.receipt.exit_code, ExitCode::USR_FORBIDDEN);
}

#[test]
fn with_user_wasm_off_install_and_exec_of_user_code_are_refused() {
    let net = Devnet::spawn(DevnetConfig::test().with_user_wasm(false)).unwrap();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let wasm = filmark_actor_bundle::REGISTRY_WASM;
    match net.install_code(wasm) {
        Err(Error::InvalidMessage(m)) => assert!(m.contains("user wasm"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let init_call = |method: u64, params: RawBytes| {
        let sent = net
            .send(
                &from.key,
                Address::new_id(INIT_ACTOR_ID),
                TokenAmount::default(),
                method,
                params,
            )
            .unwrap();
        (sent.record.receipt.exit_code, sent.record.failure)
    };
    let small = vec![0_u8; 64];
    let (code, failure) = init_call(
        init::Method::InstallCode.number(),
        RawBytes::serialize(init::InstallParams { code: small }).unwrap(),
    );
    assert_eq!(code, init::EX_NO_USER_WASM);
    assert!(failure.unwrap_or_default().contains("user wasm"));
    let (code, _) = init_call(
        init::Method::Exec.number(),
        RawBytes::serialize(init::ExecParams {
            code_cid: code_cid(wasm),
            constructor_params: RawBytes::default(),
        })
        .unwrap(),
    );
    assert_eq!(code, init::EX_NO_USER_WASM);
    // Builtin creations still work.
    create_miner(&net);
}
