//! Signatures must not survive any change to what they sign.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use super::{invoke, key};
use crate::Error;
use crate::keys::{
    CALIBNET_CHAIN_ID, DEVNET_CHAIN_ID, EthTx, SigType, Signature, SignedEthTx, SignedMessage,
    TxLegacy, calldata_params, ext, sign_secp, verify_signature_for, verify_signed_message,
};

fn secp_signed() -> SignedMessage {
    let k = key(1);
    sign_secp(
        &k,
        invoke(k.f1_address(), Address::new_id(1001), 7, b"\x01\x02"),
    )
    .unwrap()
}

fn eth_signed() -> SignedMessage {
    let k = key(2);
    let message = invoke(k.f410_address(), Address::new_id(1001), 7, b"\x01\x02");
    k.sign(message, DEVNET_CHAIN_ID).unwrap()
}

fn assert_rejected(signed: &SignedMessage) {
    let err = verify_signed_message(signed, DEVNET_CHAIN_ID).unwrap_err();
    assert!(
        matches!(err, Error::SignerMismatch { .. } | Error::RoundtripMismatch),
        "unexpected error {err:?}"
    );
}

#[test]
fn it_rejects_altered_secp_messages() {
    let good = secp_signed();
    verify_signed_message(&good, DEVNET_CHAIN_ID).unwrap();

    let mut m = good.clone();
    m.message.from = key(3).f1_address();
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { from, recovered }) if *from == key(3).f1_address() && recovered != from
    ));
    let mut m = good.clone();
    m.message.value += TokenAmount::from_atto(1);
    assert_rejected(&m);
    let mut m = good.clone();
    m.message.params = RawBytes::new(vec![0x42, 0x01, 0x03]);
    assert_rejected(&m);
    let mut m = good.clone();
    m.message.sequence += 1;
    assert_rejected(&m);
    let mut m = good.clone();
    m.signature.data[10] ^= 1;
    assert!(verify_signed_message(&m, DEVNET_CHAIN_ID).is_err());
    let mut m = good;
    m.signature.data.pop();
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::InvalidSignature(_))
    ));
}

#[test]
fn it_rejects_altered_eth_messages() {
    let good = eth_signed();
    verify_signed_message(&good, DEVNET_CHAIN_ID).unwrap();

    let mut m = good.clone();
    m.message.from = key(3).f410_address();
    assert_rejected(&m);
    let mut m = good.clone();
    m.message.value += TokenAmount::from_atto(1);
    assert_rejected(&m);
    let mut m = good.clone();
    m.message.params = calldata_params(b"\x01\x03");
    assert_rejected(&m);
    let mut m = good.clone();
    m.message.gas_premium += TokenAmount::from_atto(1);
    assert_rejected(&m);
    // Signed for the devnet; checked as if on calibnet, the preimage differs.
    assert!(matches!(
        verify_signed_message(&good, CALIBNET_CHAIN_ID),
        Err(Error::SignerMismatch { .. })
    ));
    let raw = SignedEthTx::from_signed_message(&good, DEVNET_CHAIN_ID)
        .unwrap()
        .encode();
    assert!(matches!(
        SignedMessage::from_eth_raw_tx(&raw, CALIBNET_CHAIN_ID),
        Err(Error::ChainIdMismatch {
            expected: CALIBNET_CHAIN_ID,
            got: DEVNET_CHAIN_ID
        })
    ));
}

#[test]
fn it_rejects_messages_without_an_eth_form() {
    let good = eth_signed();
    let cases: Vec<(SignedMessage, &str)> = vec![
        (
            {
                let mut m = good.clone();
                m.message.version = 1;
                m
            },
            "version",
        ),
        (
            {
                let mut m = good.clone();
                m.message.method_num = 2;
                m
            },
            "method",
        ),
        (
            {
                let mut m = good.clone();
                m.message.from = key(2).f1_address();
                m
            },
            "f1 sender",
        ),
        (
            {
                let mut m = good.clone();
                m.message.to = key(4).f1_address();
                m
            },
            "f1 recipient",
        ),
        (
            {
                let mut m = good.clone();
                m.message.to = Address::new_id(10);
                m
            },
            "InvokeEVM to EAM",
        ),
        // CBOR empty byte string: Lotus refuses non-empty params holding empty calldata.
        (
            {
                let mut m = good.clone();
                m.message.params = RawBytes::new(vec![0x40]);
                m
            },
            "0x40",
        ),
        // Trailing byte after the byte string.
        (
            {
                let mut m = good.clone();
                m.message.params = RawBytes::new(vec![0x41, 0x01, 0x00]);
                m
            },
            "trailing",
        ),
        // Not a byte string.
        (
            {
                let mut m = good.clone();
                m.message.params = RawBytes::new(vec![0x01]);
                m
            },
            "uint",
        ),
        (
            {
                let mut m = good.clone();
                m.message.value = TokenAmount::from_atto(-1);
                m
            },
            "negative",
        ),
    ];
    for (m, why) in cases {
        let err = verify_signed_message(&m, DEVNET_CHAIN_ID).unwrap_err();
        assert!(matches!(err, Error::NotEthCompatible(_)), "{why}: {err:?}");
    }
    // CreateExternal is only for the EAM, and sends there become creations.
    let mut m = good;
    m.message.method_num = ext::eam::CREATE_EXTERNAL;
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::NotEthCompatible(_))
    ));
    m.message.to = Address::new_id(10);
    assert_rejected(&m);
}

#[test]
fn it_rejects_signature_type_confusion() {
    let mut m = secp_signed();
    m.signature.sig_type = SigType::Delegated;
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::NotEthCompatible(_))
    ));
    let mut m = eth_signed();
    m.signature.sig_type = SigType::Secp256k1;
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::InvalidSignature(_))
    ));
    let mut m = eth_signed();
    m.signature = Signature {
        sig_type: SigType::Bls,
        data: vec![0; 96],
    };
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::UnsupportedSignatureType(2))
    ));
    // Delegated signature layouts: bad v, unknown markers and lengths.
    let good = eth_signed();
    for data in [
        {
            let mut d = good.signature.data.clone();
            d[64] = 2;
            d
        },
        {
            let mut d = vec![0x01];
            d.extend_from_slice(&good.signature.data[..64]);
            d.push(29);
            d
        },
        {
            let mut d = vec![0x03];
            d.extend_from_slice(&good.signature.data);
            d
        },
        {
            let mut d = vec![0x02];
            d.extend_from_slice(&good.signature.data[..64]);
            d.extend_from_slice(&[0, 0, 0, 1]);
            d
        },
        vec![0x02; 70],
        vec![],
    ] {
        let mut m = good.clone();
        m.signature.data = data;
        assert!(matches!(
            verify_signed_message(&m, DEVNET_CHAIN_ID),
            Err(Error::InvalidSignature(_))
        ));
    }
}

#[test]
fn it_requires_legacy_premium_to_equal_the_fee_cap() {
    let k = key(5);
    let tx = EthTx::Legacy(TxLegacy {
        chain_id: Some(DEVNET_CHAIN_ID),
        nonce: 1,
        gas_price: alloy_primitives::U256::from(100),
        gas_limit: 1_000_000,
        to: Some(key(6).eth_address()),
        value: alloy_primitives::U256::from(5),
        input: Default::default(),
    });
    let signed = k
        .sign_eth_tx(tx)
        .to_signed_message(DEVNET_CHAIN_ID)
        .unwrap();
    // 0x02 marker, r, s and the 4-byte v of chain 31415926.
    assert_eq!(signed.signature.data.len(), 69);
    verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
    let mut m = signed;
    m.message.gas_premium = TokenAmount::from_atto(99);
    assert!(matches!(
        verify_signed_message(&m, DEVNET_CHAIN_ID),
        Err(Error::RoundtripMismatch)
    ));
}

#[test]
fn it_refuses_to_sign_for_someone_else() {
    let k = key(1);
    let other = key(2);
    let m = invoke(other.f1_address(), Address::new_id(1001), 0, b"");
    assert!(matches!(
        sign_secp(&k, m.clone()),
        Err(Error::SignerMismatch { .. })
    ));
    assert!(matches!(
        k.sign(m, DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { .. })
    ));
    let m = invoke(other.f410_address(), Address::new_id(1001), 0, b"");
    assert!(matches!(
        k.sign_eip1559(&m, DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { .. })
    ));
}

#[test]
fn it_verifies_id_senders_against_their_key_address() {
    let k = key(7);
    let mut message = invoke(Address::new_id(1042), Address::new_id(1001), 0, b"");
    message.from = Address::new_id(1042);
    let sig = k.sign_prehash(&crate::keys::secp_signing_digest(&message));
    let signed = SignedMessage {
        message,
        signature: Signature::secp256k1(sig.to_vec()),
    };
    verify_signature_for(&signed, &k.f1_address(), DEVNET_CHAIN_ID).unwrap();
    // The f0 address itself is no key address.
    assert!(matches!(
        verify_signed_message(&signed, DEVNET_CHAIN_ID),
        Err(Error::InvalidSignature(_))
    ));
    let other = key(8).f1_address();
    assert!(matches!(
        verify_signature_for(&signed, &other, DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { from, .. }) if *from == other
    ));
    // A delegated message is checked against the resolved signer too.
    let eth = eth_signed();
    let signer = eth.message.from;
    verify_signature_for(&eth, &signer, DEVNET_CHAIN_ID).unwrap();
    assert!(matches!(
        verify_signature_for(&eth, &key(8).f410_address(), DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { .. })
    ));
}

#[test]
fn it_converts_signatures_to_and_from_fvm_shared() {
    use fvm_shared::crypto::signature::Signature as FvmSignature;
    let secp = secp_signed().signature;
    let fvm = FvmSignature::try_from(secp.clone()).unwrap();
    assert_eq!(fvm.bytes, secp.data);
    assert_eq!(Signature::from(fvm.clone()), secp);
    // Same wire form both ways.
    assert_eq!(
        fvm_ipld_encoding::to_vec(&fvm).unwrap(),
        fvm_ipld_encoding::to_vec(&secp).unwrap()
    );
    assert!(matches!(
        FvmSignature::try_from(eth_signed().signature),
        Err(Error::UnsupportedSignatureType(3))
    ));
}

#[test]
fn it_encodes_signatures_as_type_byte_and_data() {
    let signed = eth_signed();
    let cbor = fvm_ipld_encoding::to_vec(&signed.signature).unwrap();
    // Byte string of 66 bytes (0x58 0x42), type 3 first, then r ‖ s ‖ v.
    assert_eq!(&cbor[..3], &[0x58, 0x42, 0x03]);
    assert_eq!(&cbor[3..], signed.signature.data.as_slice());
    let decoded = SignedMessage::from_cbor(&signed.to_cbor()).unwrap();
    assert_eq!(decoded, signed);
    // Unknown type bytes and empty signatures do not decode.
    assert!(fvm_ipld_encoding::from_slice::<Signature>(&[0x42, 0x04, 0x00]).is_err());
    assert!(fvm_ipld_encoding::from_slice::<Signature>(&[0x40]).is_err());
}

#[test]
fn it_verifies_delegated_messages_from_an_id_sender_against_the_f410_signer() {
    // Lotus rebuilds the transaction from any `From` with an Ethereum form, so an eth account
    // may send as its f0 ID; the node checks the signer it resolved the ID to.
    let k = key(10);
    let mut message = invoke(k.f410_address(), Address::new_id(1001), 2, b"\x05");
    let tx = k.sign_eip1559(&message, DEVNET_CHAIN_ID).unwrap();
    message.from = Address::new_id(1050);
    let signed = SignedMessage {
        message,
        signature: tx.filecoin_signature(),
    };
    verify_signature_for(&signed, &k.f410_address(), DEVNET_CHAIN_ID).unwrap();
    assert!(matches!(
        verify_signed_message(&signed, DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { .. })
    ));
    assert!(matches!(
        verify_signature_for(&signed, &key(11).f410_address(), DEVNET_CHAIN_ID),
        Err(Error::SignerMismatch { .. })
    ));
}
