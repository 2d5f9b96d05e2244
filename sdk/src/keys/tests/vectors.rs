//! Published vectors: filecoin-project/serialization-vectors and Lotus's ethtypes tests.

use alloy_primitives::{B256, Bytes, U256};
use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use super::hex;
use crate::Error;
use crate::keys::{
    DEVNET_CHAIN_ID, EthAddress, EthTx, MAINNET_CHAIN_ID, SecpKey, SigType, SignedEthTx, TxEip1559,
    cid_digest, cid_from_eth_hash, eth_from_public_key, ext, f410_from_eth, masked_id, message_cid,
    parse_address, recover_public_key, secp_signing_digest, verify_signed_message,
};

#[test]
fn it_has_the_frc42_invoke_evm_number() {
    assert_eq!(ext::evm::INVOKE_CONTRACT, 3_844_450_837);
}

/// `message_signing.json` of filecoin-project/serialization-vectors (current format): the CID
/// Lotus computes for an unsigned message.
#[test]
fn it_computes_lotus_message_cids() {
    let cases = [
        (
            "t3sogjuub37grt2tuvvlxbiamthwxenf2dwgq6sn7gpj72c5omg7gojjplsdsovgq6g3aagwerkght3e7boqfq",
            "bafy2bzacedhl5cowfmp7hq2ke3irf7indry55px44cbbjthazwvpm7ktf676w",
            "0171a0e40220cebe89d62b1ff3c34a26d112fd0d1c71debefce08214cce0cdaaf67d532fbfeb",
        ),
        (
            "t3unbjghaftrz676njfgakmfwvirbu5kxpafb57ex2s4sd7p2e5un2mru5fn3l2hnahcqsxtvwxy5j2cdtlaaa",
            "bafy2bzacecc7ctbgv5h65b7xltqr7m7zr5n2wiaqtexkuurbdqcm4z3talhua",
            "0171a0e4022085f14c26af4fee87f75ce11fb3f98f5bab2010992eaa52211c04ce677302cf40",
        ),
    ];
    for (from, cid, cid_hex) in cases {
        let message = Message {
            version: 0,
            from: parse_address(from).unwrap(),
            to: parse_address("t099999").unwrap(),
            sequence: 55,
            value: TokenAmount::from_atto(1),
            method_num: 0,
            params: RawBytes::default(),
            gas_limit: 1_000_000,
            gas_fee_cap: TokenAmount::from_atto(100),
            gas_premium: TokenAmount::from_atto(1),
        };
        let got = message_cid(&message);
        assert_eq!(got, cid.parse::<Cid>().unwrap());
        assert_eq!(got.to_bytes(), hex(cid_hex));
    }
}

/// `unsigned_messages.json` of serialization-vectors: the CBOR of unsigned messages (params
/// hex-decoded from the file's base64).
#[test]
fn it_encodes_messages_as_lotus() {
    let cases = [
        (
            "t01865627127944795144",
            "t2ch7krq7l35i74rebqbjdsp3ucl47t24e3juxjfa",
            8_761_748_149_847_665_013_u64,
            14_660_210_602_831_582_403_u64,
            520_359_252_439_502_252_u64,
            3_793_669_768_932_905_166_u64,
            17_474_946_865_727_176_983_u64,
            18_281_837_776_054_215_652_u64,
            "56ad4b6cd73eb4206c5fbb6078ccb848a6ad9654a530980ff4fb20785cc44324",
            "8a004a0088a8eda3d0bf82f219550211fea8c3ebdf51fe44818052393f7412f9f9eb841b7997fb85431b29754900cb7387dec23114c31b0738affbad3e8dac490034a5d28e1c6250ce4900f2837b96907e81171bfdb62298930763e4582056ad4b6cd73eb4206c5fbb6078ccb848a6ad9654a530980ff4fb20785cc44324",
        ),
        (
            "t02767081830715411965",
            "t1pyfq7dg6sq65acyomqvzvbgwni4zllglqffw5dy",
            1_905_999_562_043_058_982,
            16_446_360_749_673_446_081,
            5_871_145_716_760_494_295,
            4_537_733_124_645_649_088,
            18_287_583_619_016_045_788,
            2_773_335_425_237_725_362,
            "75a7da8890f7843f8400f546f9455dc2f0f949b43c5542a7d7d056923b106cab",
            "8a004a00fd9beb81bbc8a9b32655017e0b0f8cde943dd00b0e642b9a84d66a3995accb1b1a737880d5a06b264900e43d35f71c367ac11b517a7fec3810c0d749003ef9443c2406fac04900fdca8c68e3b434dc1b267cdde0204d30b2582075a7da8890f7843f8400f546f9455dc2f0f949b43c5542a7d7d056923b106cab",
        ),
    ];
    for (to, from, nonce, value, gas_limit, fee_cap, premium, method, params, cbor) in cases {
        let message = Message {
            version: 0,
            from: parse_address(from).unwrap(),
            to: parse_address(to).unwrap(),
            sequence: nonce,
            value: TokenAmount::from_atto(value),
            method_num: method,
            params: RawBytes::new(hex(params)),
            gas_limit,
            gas_fee_cap: TokenAmount::from_atto(fee_cap),
            gas_premium: TokenAmount::from_atto(premium),
        };
        assert_eq!(fvm_ipld_encoding::to_vec(&message).unwrap(), hex(cbor));
    }
}

/// The secp256k1 vector of serialization-vectors (commit 7f4dc7f): key, f1 address, and the
/// signature Lotus made over blake2b-256 of the given message CID bytes. RFC 6979 nonces make
/// the signature reproducible byte for byte.
#[test]
fn it_signs_like_lotus() {
    let key = SecpKey::from_bytes(
        &hex("b02db7b361adc065eaff80db0684ea4e8214080e0448e2638da31ab3a58bb193")
            .try_into()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        key.f1_address(),
        parse_address("t1slxh2kv3vwz3japfiyyd7rkw6p7tm4pt4wo5wyq").unwrap()
    );
    let cid = hex("0171a0e402207054c0b2879607a1537c2976567f028112c208b61daf96d5b06b8e37e8d2773b");
    let digest = crate::keys::message::blake2b_256(&cid);
    let expected = hex(
        "deba8475eb0f95876b115ccd01b85f4d0a177fc42c79e1397b81c1468f8f89034f6584ebf209008a0ba4bb649916c0b4a7a401a5ea6b9c47106a46529cd0795e00",
    );
    assert_eq!(key.sign_prehash(&digest).to_vec(), expected);
    let recovered = recover_public_key(&digest, &expected.try_into().unwrap()).unwrap();
    assert_eq!(recovered, key.public_key());
}

#[test]
fn it_signs_over_the_message_cid_digest() {
    let key = super::key(0);
    let message = super::invoke(key.f1_address(), Address::new_id(1000), 3, b"");
    let signed = crate::keys::sign_secp(&key, message.clone()).unwrap();
    assert_eq!(signed.signature.sig_type, SigType::Secp256k1);
    let digest = crate::keys::message::blake2b_256(&message_cid(&message).to_bytes());
    assert_eq!(secp_signing_digest(&message), digest);
    assert_eq!(signed.signature.data, key.sign_prehash(&digest).to_vec());
    verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
}

/// Lotus `TestEIP155Tx`: a mainnet (chain 314) EIP-155 transaction and its known sender.
#[test]
fn it_parses_lotus_eip155_vector() {
    let raw = hex(
        "f86680843b9aca00835dc1ba94c2dca9a18d4a4057921d1bcb22da05e68e46b1d06480820297a0f91ee69c4603c4f21131467ee9e06ad4a96d0a29fa8064db61f3adaea0eb6e92a07181e306bb8f773d94cc3b75e9835de00c004e072e6630c0c46971d38706bb01",
    );
    let tx = SignedEthTx::decode(&raw).unwrap();
    let EthTx::Legacy(legacy) = &tx.tx else {
        panic!("legacy expected")
    };
    assert_eq!(legacy.chain_id, Some(MAINNET_CHAIN_ID));
    assert_eq!((legacy.nonce, legacy.gas_limit), (0, 6_144_442));
    assert_eq!(legacy.gas_price, U256::from(1_000_000_000_u64));
    assert_eq!(legacy.value, U256::from(100));
    assert_eq!(tx.v(), U256::from(0x297));
    let sender: EthAddress = "0xA2BBB73aC59b256415e91A820b224dbAF2C268FA"
        .parse()
        .unwrap();
    assert_eq!(tx.recover_sender().unwrap(), sender);

    let signed = tx.to_signed_message(MAINNET_CHAIN_ID).unwrap();
    assert_eq!(signed.message.from, f410_from_eth(&sender));
    assert_eq!(signed.message.to, f410_from_eth(&legacy.to.unwrap()));
    assert_eq!(
        signed.message.gas_fee_cap,
        TokenAmount::from_atto(1_000_000_000)
    );
    assert_eq!(signed.message.gas_premium, signed.message.gas_fee_cap);
    assert!(signed.message.params.is_empty());
    assert_eq!(signed.message.method_num, ext::evm::INVOKE_CONTRACT);
    // 0x02 marker, r, s and v = 0x0297 in two bytes: 67 bytes on mainnet.
    assert_eq!(signed.signature.data.len(), 67);
    assert_eq!(signed.signature.data[0], 0x02);
    verify_signed_message(&signed, MAINNET_CHAIN_ID).unwrap();
    let back = SignedEthTx::from_signed_message(&signed, MAINNET_CHAIN_ID).unwrap();
    assert_eq!(back, tx);
    assert_eq!(back.encode(), raw);
    assert!(matches!(
        tx.to_signed_message(DEVNET_CHAIN_ID),
        Err(Error::ChainIdMismatch {
            expected: DEVNET_CHAIN_ID,
            got: MAINNET_CHAIN_ID
        })
    ));
}

/// Lotus `TestEthLegacyHomesteadTxArgs`: homestead transactions (v = 27).
#[test]
fn it_parses_lotus_homestead_vectors() {
    for (raw, nonce, input) in [
        (
            "f882800182540894095e7baea6a6c7c4c2dfeb977efac326af552d8780a3deadbeef0000000101010010101010101010101010101aaabbbbbbcccccccddddddddd1ba048b55bfa915ac795c431978d8a6a992b628d557da5ff759b307d495a36649353a01fffd310ac743f371de3b9f7f9cb56c0b28ad43601b4ab949f53faa07bd2c804",
            0,
            "deadbeef0000000101010010101010101010101010101aaabbbbbbcccccccddddddddd",
        ),
        (
            "f85f030182520794b94f5374fce5edbc8e2a8697c15331677e6ebf0b0a801ba098ff921201554726367d2be8c804a7ff89ccf285ebc57dff8ae4c44b9c19ac4aa07778cde41a8a37f6a087622b38bc201bd3e7df06dce067569d4def1b53dba98c",
            3,
            "",
        ),
    ] {
        let raw = hex(raw);
        let tx = SignedEthTx::decode(&raw).unwrap();
        let EthTx::Legacy(legacy) = &tx.tx else {
            panic!("legacy expected")
        };
        assert_eq!(legacy.chain_id, None);
        assert_eq!(legacy.nonce, nonce);
        assert_eq!(legacy.input, Bytes::from(hex(input)));
        assert_eq!(tx.v(), U256::from(27));
        // Homestead transactions carry no chain id: any network accepts them.
        let signed = tx.to_signed_message(DEVNET_CHAIN_ID).unwrap();
        assert_eq!(signed.signature.data.len(), 66);
        assert_eq!(
            (signed.signature.data[0], signed.signature.data[65]),
            (0x01, 27)
        );
        verify_signed_message(&signed, DEVNET_CHAIN_ID).unwrap();
        assert_eq!(
            SignedEthTx::from_signed_message(&signed, DEVNET_CHAIN_ID)
                .unwrap()
                .encode(),
            raw
        );
    }
}

/// Lotus `prepareTxTestcases`: EIP-1559 transactions and their signing preimages.
#[test]
fn it_parses_lotus_eip1559_vectors() {
    for (raw, preimage, nonce, input) in [
        (
            "02f86282013a8080808094ff000000000000000000000000000000000003ec8080c080a0f411a73e33523b40c1a916e79e67746bd01a4a4fb4ecfa87b441375a215ddfb4a0551692c1553574fab4c227ca70cb1c121dc3a2ef82179a9c984bd7acc0880a38",
            "02df82013a8080808094ff000000000000000000000000000000000003ec8080c0",
            0,
            "",
        ),
        (
            "02f88782013a81c880808094ff000000000000000000000000000000000003ec80a4f8b2cb4f000000000000000000000000ff00000000000000000000000000000000000064c080a0df137d0a6733354b2f2419a4ea5fe77d333deca28b2fe091d76190b51c2bae73a0232cbf9c29b8840cbf104ff77360fbf3ca4acda29b5e230636e19ac253ad92de",
            "02f84482013a81c880808094ff000000000000000000000000000000000003ec80a4f8b2cb4f000000000000000000000000ff00000000000000000000000000000000000064c0",
            200,
            "f8b2cb4f000000000000000000000000ff00000000000000000000000000000000000064",
        ),
    ] {
        let raw = hex(raw);
        let tx = SignedEthTx::decode(&raw).unwrap();
        assert_eq!(tx.tx.signing_preimage(), hex(preimage));
        let EthTx::Eip1559(inner) = &tx.tx else {
            panic!("EIP-1559 expected")
        };
        assert_eq!((inner.chain_id, inner.nonce), (MAINNET_CHAIN_ID, nonce));
        assert_eq!(inner.to, Some(masked_id(0x3ec)));
        let signed = tx.to_signed_message(MAINNET_CHAIN_ID).unwrap();
        // A masked-ID recipient becomes the f0 address.
        assert_eq!(signed.message.to, Address::new_id(0x3ec));
        assert_eq!(signed.signature.data.len(), 65);
        let expected_params = crate::keys::calldata_params(&hex(input));
        assert_eq!(signed.message.params, expected_params);
        verify_signed_message(&signed, MAINNET_CHAIN_ID).unwrap();
        assert_eq!(
            SignedEthTx::from_signed_message(&signed, MAINNET_CHAIN_ID)
                .unwrap()
                .encode(),
            raw
        );
    }
}

/// Lotus `TestEcRecover` (chain 3) and `TestDelegatedSigner` (the devnet chain id): signing
/// preimages built field by field, with known signatures and signers.
#[test]
fn it_recovers_lotus_delegated_signers() {
    let tx = TxEip1559 {
        chain_id: 3,
        nonce: 1,
        max_priority_fee_per_gas: U256::from(5_000_000_000_u64),
        max_fee_per_gas: U256::from(20_000_000_000_u64),
        gas_limit: 21_000,
        to: Some(
            "0x2b87d1cb599bc2a606db9a0169fcec96af04ad3a"
                .parse()
                .unwrap(),
        ),
        value: U256::from(1_000_000_000_000_000_000_u64),
        input: Bytes::new(),
    };
    assert_eq!(
        EthTx::Eip1559(tx.clone()).signing_preimage(),
        hex(
            "02f1030185012a05f2008504a817c800825208942b87d1cb599bc2a606db9a0169fcec96af04ad3a880de0b6b3a764000080c0"
        )
    );
    let signed = SignedEthTx {
        tx: EthTx::Eip1559(tx),
        r: B256::from_slice(&hex(
            "479ff7fa64cf8bf641eb81635d1e8a698530d2f219951d234539e6d074819529",
        ))
        .into(),
        s: B256::from_slice(&hex(
            "4b6146d27be50cdbb2853ba9a42f207af8d730272f1ebe9c9a78aeef1d6aa924",
        ))
        .into(),
        y_parity: false,
    };
    assert_eq!(
        signed.recover_sender().unwrap(),
        "0x3947D223fc5415f43ea099866AB62B1d4D33814D"
            .parse::<EthAddress>()
            .unwrap()
    );

    let tx = TxEip1559 {
        chain_id: DEVNET_CHAIN_ID,
        nonce: 3,
        max_priority_fee_per_gas: U256::from(10_000_000_000_u64),
        max_fee_per_gas: U256::from(1_000_000_000_u64),
        gas_limit: 10_000_000,
        to: Some(masked_id(1010)),
        value: U256::from(3_000_000),
        input: Bytes::new(),
    };
    assert_eq!(
        EthTx::Eip1559(tx.clone()).signing_preimage(),
        hex(
            "02f08401df5e76038502540be400843b9aca008398968094ff000000000000000000000000000000000003f2832dc6c080c0"
        )
    );
    let signed = SignedEthTx {
        tx: EthTx::Eip1559(tx),
        r: B256::from_slice(&hex(
            "cf1fa52fae9154ba21d67aeca9b42adfe186eb9e426c441051a8473efd190848",
        ))
        .into(),
        s: B256::from_slice(&hex(
            "0e6c8c79ffaf35fb8f136c8cf6c5656f1f3befad21f2644321aa6dba58d68737",
        ))
        .into(),
        y_parity: false,
    };
    let pubkey = hex(
        "04cfecc0520d906cbfea387759246e89d85e2998843e56ad1c41de247ce10b3e4c453aa73c8de13c178d94461b6fa3f8b6f74406ce43d2fbab6992d0b283394242",
    );
    let sender = eth_from_public_key(&pubkey.try_into().unwrap());
    assert_eq!(signed.recover_sender().unwrap(), sender);
    let message = signed.to_signed_message(DEVNET_CHAIN_ID).unwrap();
    assert_eq!(message.message.from, f410_from_eth(&sender));
    assert_eq!(message.message.to, Address::new_id(1010));
    verify_signed_message(&message, DEVNET_CHAIN_ID).unwrap();
}

/// LOTUS-WIRE A3: the eth hash of a delegated message is its transaction's hash; of a native
/// message, the digest inside its CID, from which the CID can be rebuilt.
#[test]
fn it_maps_eth_hashes_to_cids() {
    let k = super::key(9);
    let eth = k
        .sign(
            super::invoke(k.f410_address(), Address::new_id(1001), 0, b"\x01"),
            DEVNET_CHAIN_ID,
        )
        .unwrap();
    let raw = SignedEthTx::from_signed_message(&eth, DEVNET_CHAIN_ID)
        .unwrap()
        .encode();
    assert_eq!(
        eth.eth_tx_hash(DEVNET_CHAIN_ID).unwrap(),
        alloy_primitives::keccak256(&raw)
    );

    let native = k
        .sign(
            super::invoke(k.f1_address(), Address::new_id(1001), 0, b"\x01"),
            DEVNET_CHAIN_ID,
        )
        .unwrap();
    let hash = native.eth_tx_hash(DEVNET_CHAIN_ID).unwrap();
    assert_eq!(cid_from_eth_hash(&hash), native.cid());
    assert_eq!(cid_digest(&native.cid()), Some(hash));
    assert_eq!(native.cid().hash().digest(), hash.as_slice());
    // Not a blake2b-256 DAG-CBOR CID.
    let raw_cid = Cid::new_v1(0x55, *native.cid().hash());
    assert_eq!(cid_digest(&raw_cid), None);
}
