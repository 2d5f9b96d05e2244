//! The keys layer against alloy: transactions signed by alloy parse to the expected Filecoin
//! messages and verify; transactions signed here decode and recover in alloy; both sides agree
//! on signing hashes, signatures and transaction hashes.

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use filmark_sdk::Error;
use filmark_sdk::keys::{
    self, CALIBNET_CHAIN_ID, DEVNET_CHAIN_ID, EthTx, SecpKey, SignedEthTx, SignedMessage,
    calldata_params, ext, masked_id, verify_signed_message,
};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

const CALLDATA: &[u8] = &[0xa9, 0x05, 0x9c, 0xbb, 0, 0, 0, 0, 1, 2, 3];

fn pair(index: u64) -> (SecpKey, PrivateKeySigner) {
    let key = SecpKey::from_seed(b"filmark alloy cross-check", index);
    let signer = PrivateKeySigner::from_slice(&key.secret_bytes()).unwrap();
    assert_eq!(signer.address(), key.eth_address());
    (key, signer)
}

fn alloy_raw<T: SignableTransaction<alloy_primitives::Signature>>(
    signer: &PrivateKeySigner,
    tx: T,
) -> (Vec<u8>, B256)
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let envelope = TxEnvelope::from(tx.into_signed(sig));
    (envelope.encoded_2718(), *envelope.tx_hash())
}

fn eip1559(to: TxKind, input: &[u8]) -> TxEip1559 {
    TxEip1559 {
        chain_id: DEVNET_CHAIN_ID,
        nonce: 4,
        gas_limit: 5_000_000,
        max_fee_per_gas: 2_000_000,
        max_priority_fee_per_gas: 1_000,
        to,
        value: U256::from(123_456_789_u64),
        access_list: AccessList::default(),
        input: Bytes::copy_from_slice(input),
    }
}

#[test]
fn alloy_eip1559_transactions_become_the_expected_messages() {
    let (key, signer) = pair(0);
    let target = pair(1).0.eth_address();
    let cases = [
        (
            TxKind::Call(masked_id(1234)),
            CALLDATA,
            Address::new_id(1234),
            ext::evm::INVOKE_CONTRACT,
        ),
        (
            TxKind::Call(target),
            &[][..],
            keys::f410_from_eth(&target),
            ext::evm::INVOKE_CONTRACT,
        ),
        (
            TxKind::Create,
            CALLDATA,
            Address::new_id(10),
            ext::eam::CREATE_EXTERNAL,
        ),
    ];
    for (to, input, fil_to, method) in cases {
        let tx = eip1559(to, input);
        let (raw, hash) = alloy_raw(&signer, tx.clone());
        let signed = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID).unwrap();
        let expected = Message {
            version: 0,
            from: key.f410_address(),
            to: fil_to,
            sequence: 4,
            value: TokenAmount::from_atto(123_456_789),
            method_num: method,
            params: calldata_params(input),
            gas_limit: 5_000_000,
            gas_fee_cap: TokenAmount::from_atto(2_000_000),
            gas_premium: TokenAmount::from_atto(1_000),
        };
        assert_eq!(signed.message, expected);
        if input.is_empty() {
            assert!(signed.message.params.is_empty());
        } else {
            // One CBOR byte string: major type 2 header, then the bytes.
            assert_eq!(signed.message.params.bytes()[0], 0x40 | input.len() as u8);
            assert_eq!(&signed.message.params.bytes()[1..], input);
        }
        verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
        assert_eq!(signed.eth_tx_hash(DEVNET_CHAIN_ID).unwrap(), hash);

        let parsed = SignedEthTx::decode(&raw).unwrap();
        assert_eq!(parsed.hash(), hash);
        assert_eq!(parsed.tx.signing_hash(), tx.signature_hash());
        // The same key signs the same digest identically (RFC 6979 on both sides).
        let ours = key.sign_eip1559(&expected, DEVNET_CHAIN_ID).unwrap();
        assert_eq!(ours.encode(), raw);
        assert_eq!(signed.signature.data.len(), 65);
    }
}

#[test]
fn our_eip1559_transactions_decode_and_recover_in_alloy() {
    let (key, _) = pair(2);
    let message = Message {
        version: 0,
        from: key.f410_address(),
        to: Address::new_id(1001),
        sequence: 17,
        value: TokenAmount::from_whole(3),
        method_num: ext::evm::INVOKE_CONTRACT,
        params: calldata_params(CALLDATA),
        gas_limit: 30_000_000,
        gas_fee_cap: TokenAmount::from_atto(100_000_000_000_u64),
        gas_premium: TokenAmount::from_atto(1_500_000_000),
    };
    let ours = key.sign_eip1559(&message, DEVNET_CHAIN_ID).unwrap();
    let raw = ours.encode();
    let envelope = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap();
    assert_eq!(envelope.recover_signer().unwrap(), key.eth_address());
    assert_eq!(*envelope.tx_hash(), ours.hash());
    let TxEnvelope::Eip1559(signed) = &envelope else {
        panic!("EIP-1559 expected")
    };
    let tx = signed.tx();
    assert_eq!(tx.chain_id, DEVNET_CHAIN_ID);
    assert_eq!((tx.nonce, tx.gas_limit), (17, 30_000_000));
    assert_eq!(tx.to, TxKind::Call(masked_id(1001)));
    assert_eq!(tx.value, U256::from(3_000_000_000_000_000_000_u128));
    assert_eq!(
        (tx.max_fee_per_gas, tx.max_priority_fee_per_gas),
        (100_000_000_000, 1_500_000_000)
    );
    assert_eq!(tx.input.as_ref(), CALLDATA);
    // And the Filecoin side of the same transaction is the message we started from.
    let signed = ours.to_signed_message(DEVNET_CHAIN_ID).unwrap();
    assert_eq!(signed.message, message);
    assert_eq!(signed, key.sign(message, DEVNET_CHAIN_ID).unwrap());
}

#[test]
fn legacy_transactions_agree_with_alloy() {
    let (key, signer) = pair(3);
    for (chain_id, sig_len) in [(Some(DEVNET_CHAIN_ID), 69), (None, 66)] {
        let tx = TxLegacy {
            chain_id,
            nonce: 9,
            gas_price: 7_000,
            gas_limit: 2_000_000,
            to: TxKind::Call(pair(4).0.eth_address()),
            value: U256::from(1),
            input: Bytes::from_static(CALLDATA),
        };
        let (raw, hash) = alloy_raw(&signer, tx.clone());
        let parsed = SignedEthTx::decode(&raw).unwrap();
        assert_eq!(parsed.hash(), hash);
        assert_eq!(parsed.tx.signing_hash(), tx.signature_hash());
        let signed = SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID).unwrap();
        assert_eq!(signed.message.from, key.f410_address());
        assert_eq!(signed.message.gas_fee_cap, TokenAmount::from_atto(7_000));
        assert_eq!(signed.message.gas_premium, TokenAmount::from_atto(7_000));
        assert_eq!(signed.signature.data.len(), sig_len);
        verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();

        // Ours, decoded by alloy.
        let EthTx::Legacy(ours) = parsed.tx.clone() else {
            panic!("legacy expected")
        };
        let ours = key.sign_eth_tx(EthTx::Legacy(ours)).encode();
        assert_eq!(ours, raw);
        let envelope = TxEnvelope::decode_2718(&mut ours.as_slice()).unwrap();
        assert_eq!(envelope.recover_signer().unwrap(), key.eth_address());
    }
}

#[test]
fn unsupported_alloy_transactions_are_refused() {
    let (_, signer) = pair(5);
    let to = TxKind::Call(masked_id(1001));
    let eip2930 = TxEip2930 {
        chain_id: DEVNET_CHAIN_ID,
        nonce: 0,
        gas_price: 1,
        gas_limit: 100_000,
        to,
        value: U256::ZERO,
        access_list: AccessList::default(),
        input: Bytes::new(),
    };
    let (raw, _) = alloy_raw(&signer, eip2930);
    assert!(matches!(
        SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID),
        Err(Error::UnsupportedTxType(0x01))
    ));

    let mut with_access_list = eip1559(to, CALLDATA);
    with_access_list.access_list = AccessList(vec![AccessListItem {
        address: masked_id(7),
        storage_keys: vec![B256::ZERO],
    }]);
    let (raw, _) = alloy_raw(&signer, with_access_list);
    assert!(matches!(
        SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID),
        Err(Error::InvalidTx(_))
    ));

    let mut other_chain = eip1559(to, CALLDATA);
    other_chain.chain_id = CALIBNET_CHAIN_ID;
    let (raw, _) = alloy_raw(&signer, other_chain);
    assert!(matches!(
        SignedMessage::from_eth_raw_tx(&raw, DEVNET_CHAIN_ID),
        Err(Error::ChainIdMismatch {
            expected: DEVNET_CHAIN_ID,
            got: CALIBNET_CHAIN_ID
        })
    ));
    assert!(SignedMessage::from_eth_raw_tx(&raw, CALIBNET_CHAIN_ID).is_ok());

    let mut trailing = alloy_raw(&signer, eip1559(to, CALLDATA)).0;
    trailing.push(0);
    assert!(matches!(
        SignedMessage::from_eth_raw_tx(&trailing, DEVNET_CHAIN_ID),
        Err(Error::Rlp(_))
    ));
}
