//! Properties over random messages and random bytes.

use alloy_primitives::{Bytes, U256};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use proptest::prelude::*;

use super::key;
use crate::keys::{
    DEVNET_CHAIN_ID, EthAddress, EthTx, SignedEthTx, SignedMessage, TxEip1559, TxLegacy,
    calldata_params, ext, masked_id, verify_signed_message,
};
use fvm_shared::message::Message;

fn recipient() -> impl Strategy<Value = Address> {
    prop_oneof![
        any::<u64>().prop_map(Address::new_id),
        any::<[u8; 20]>().prop_map(|b| crate::keys::eth_to_filecoin(&EthAddress::from(b))),
    ]
}

prop_compose! {
    fn message(from: Address)(
        to in recipient(),
        create in any::<bool>(),
        nonce in any::<u64>(),
        value in any::<u128>(),
        gas_limit in any::<u64>(),
        fee_cap in any::<u128>(),
        premium in any::<u128>(),
        calldata in proptest::collection::vec(any::<u8>(), 0..300),
    ) -> Message {
        let (to, method_num) = if create {
            (Address::new_id(10), ext::eam::CREATE_EXTERNAL)
        } else {
            (to, ext::evm::INVOKE_CONTRACT)
        };
        Message {
            version: 0,
            from,
            to,
            sequence: nonce,
            value: TokenAmount::from_atto(value),
            method_num,
            params: calldata_params(&calldata),
            gas_limit,
            gas_fee_cap: TokenAmount::from_atto(fee_cap),
            gas_premium: TokenAmount::from_atto(premium),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn secp_messages_round_trip(index in 0u64..4, m in message(key(0).f1_address())) {
        let k = key(index);
        let m = Message { from: k.f1_address(), ..m };
        let signed = k.sign(m, DEVNET_CHAIN_ID).unwrap();
        verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
        let decoded = SignedMessage::from_cbor(&signed.to_cbor()).unwrap();
        prop_assert_eq!(decoded.cid(), signed.cid());
        prop_assert_eq!(decoded, signed);
    }

    #[test]
    fn eth_messages_round_trip(index in 0u64..4, m in message(key(0).f1_address())) {
        let k = key(index);
        let m = Message { from: k.f410_address(), ..m };
        let tx = k.sign_eip1559(&m, DEVNET_CHAIN_ID).unwrap();
        let raw = tx.encode();
        prop_assert_eq!(&SignedEthTx::decode(&raw).unwrap(), &tx);
        let signed = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID).unwrap();
        prop_assert_eq!(&signed.message, &m);
        verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
        let rebuilt = SignedEthTx::from_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
        prop_assert_eq!(rebuilt.encode(), raw);
        prop_assert_eq!(rebuilt.hash(), tx.hash());
    }

    #[test]
    fn legacy_transactions_round_trip(
        index in 0u64..4,
        eip155 in any::<bool>(),
        nonce in any::<u64>(),
        gas_price in any::<u128>(),
        to in proptest::option::of(any::<[u8; 20]>()),
        value in any::<u128>(),
        input in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let k = key(index);
        let tx = EthTx::Legacy(TxLegacy {
            chain_id: eip155.then_some(DEVNET_CHAIN_ID),
            nonce,
            gas_price: U256::from(gas_price),
            gas_limit: 30_000_000,
            to: to.map(EthAddress::from),
            value: U256::from(value),
            input: Bytes::from(input),
        });
        let signed_tx = k.sign_eth_tx(tx);
        let raw = signed_tx.encode();
        prop_assert_eq!(SignedEthTx::decode(&raw).unwrap(), signed_tx);
        let signed = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID).unwrap();
        prop_assert_eq!(signed.message.from, k.f410_address());
        verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
        prop_assert_eq!(SignedEthTx::from_signed_message(&signed, DEVNET_CHAIN_ID).unwrap().encode(), raw);
    }

    #[test]
    fn random_bytes_never_panic(first in any::<u8>(), rest in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut raw = vec![first];
        raw.extend(rest);
        let _ = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID);
        let _ = SignedMessage::from_cbor(&raw);
    }

    #[test]
    fn mutated_transactions_never_panic(pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let k = key(1);
        let tx = EthTx::Eip1559(TxEip1559 {
            chain_id: DEVNET_CHAIN_ID,
            nonce: 5,
            max_priority_fee_per_gas: U256::from(100),
            max_fee_per_gas: U256::from(200),
            gas_limit: 1_000_000,
            to: Some(masked_id(1001)),
            value: U256::from(7),
            input: Bytes::from_static(b"\xa9\x05\x9c\xbb"),
        });
        let mut raw = k.sign_eth_tx(tx).encode();
        let i = pos.index(raw.len());
        raw[i] = byte;
        let _ = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID);
        raw.truncate(cut.index(raw.len()));
        prop_assert!(SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID).is_err());
    }
}
