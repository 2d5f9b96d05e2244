//! Keys from text: published BIP-39 / BIP-32 vectors, every accepted form, the errors, and
//! round trips (the cross-check against ethers and iso-filecoin is in `tests/it/mnemonic.rs`).

use alloy_primitives::hex;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use proptest::prelude::*;

use super::key;
use crate::Error;
use crate::keys::import::derive_xprv;
use crate::keys::{HdAccount, KeyInfo, KeyType, SecpKey, mnemonic_seed};

/// BIP-39 English vectors of the Trezor reference implementation (python-mnemonic
/// `vectors.json`), all with passphrase "TREZOR": mnemonic → seed.
const BIP39_TREZOR: &[(&str, &str)] = &[
    (
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
    ),
    (
        "legal winner thank year wave sausage worth useful legal winner thank yellow",
        "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607",
    ),
    (
        "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
        "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8",
    ),
    (
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
        "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069",
    ),
    (
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
        "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8",
    ),
];

/// BIP-32 test vector 1 (seed `000102…0f`): path → extended private key, as published in
/// BIP-32.
const BIP32_VECTOR_1: &[(&str, &str)] = &[
    (
        "m",
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
    ),
    (
        "m/0'",
        "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7",
    ),
    (
        "m/0'/1",
        "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs",
    ),
    (
        "m/0'/1/2'",
        "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM",
    ),
    (
        "m/0'/1/2'/2/1000000000",
        "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76",
    ),
];

const ABANDON: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

#[test]
fn it_matches_the_trezor_bip39_vectors() {
    for (phrase, seed) in BIP39_TREZOR {
        assert_eq!(
            hex::encode(mnemonic_seed(phrase, "TREZOR").unwrap()),
            *seed,
            "{phrase}"
        );
    }
    // Case and spacing are not part of the mnemonic (NFKD + split on whitespace).
    let (phrase, seed) = BIP39_TREZOR[1];
    let spaced = format!("  {}\n", phrase.replace(' ', "   "));
    assert_eq!(hex::encode(mnemonic_seed(&spaced, "TREZOR").unwrap()), seed);
}

#[test]
fn it_matches_bip32_test_vector_1() {
    let seed = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
    for (path, xprv) in BIP32_VECTOR_1 {
        let derived = derive_xprv(&seed, path).unwrap();
        assert_eq!(
            derived.to_string(bip32::Prefix::XPRV).as_str(),
            *xprv,
            "{path}"
        );
        let key = SecpKey::from_bip32_seed(&seed, path).unwrap();
        assert_eq!(
            key.secret_bytes(),
            derived.private_key().to_bytes().as_slice()
        );
    }
}

#[test]
fn it_uses_the_bip44_paths_of_filecoin_and_ethereum() {
    assert_eq!(HdAccount::F1.path(3), "m/44'/461'/0'/0/3");
    assert_eq!(HdAccount::Eth.path(0), "m/44'/60'/0'/0/0");
    let f1 = SecpKey::from_mnemonic(ABANDON, "", HdAccount::F1, 3).unwrap();
    let by_path = SecpKey::from_mnemonic_path(ABANDON, "", "m/44'/461'/0'/0/3").unwrap();
    assert_eq!(f1.secret_bytes(), by_path.secret_bytes());
    let eth = SecpKey::from_mnemonic(ABANDON, "", HdAccount::Eth, 3).unwrap();
    assert_ne!(f1.secret_bytes(), eth.secret_bytes());
    // The passphrase changes the seed, so every key.
    let other = SecpKey::from_mnemonic(ABANDON, "x", HdAccount::F1, 3).unwrap();
    assert_ne!(f1.secret_bytes(), other.secret_bytes());
}

#[test]
fn it_explains_a_wrong_mnemonic() {
    let unknown = ABANDON.replacen("abandon", "abandonn", 1);
    let err = SecpKey::from_mnemonic(&unknown, "", HdAccount::F1, 0).unwrap_err();
    assert!(matches!(err, Error::InvalidMnemonic(_)));
    assert_eq!(
        err.to_string(),
        r#"invalid mnemonic: word 1 ("abandonn") is not in the BIP-39 English word list"#
    );
    // Twelve valid words whose checksum does not match.
    let checksum = ABANDON.replace("about", "abandon");
    assert_eq!(
        mnemonic_seed(&checksum, "").unwrap_err().to_string(),
        "invalid mnemonic: wrong checksum (a word is mistyped, missing or out of order)"
    );
    let short = ABANDON.replacen("abandon ", "", 1);
    assert_eq!(
        mnemonic_seed(&short, "").unwrap_err().to_string(),
        "invalid mnemonic: 11 words; a mnemonic has 12, 15, 18, 21 or 24"
    );
}

#[test]
fn it_refuses_bad_paths_and_indexes() {
    for path in ["44'/60'", "m/x", "m/44''/1", ""] {
        assert!(
            matches!(
                SecpKey::from_mnemonic_path(ABANDON, "", path),
                Err(Error::InvalidDerivationPath(_))
            ),
            "{path:?}"
        );
    }
    assert!(matches!(
        SecpKey::from_mnemonic(ABANDON, "", HdAccount::Eth, 1 << 31),
        Err(Error::InvalidDerivationPath(_))
    ));
    let max = SecpKey::from_mnemonic(ABANDON, "", HdAccount::Eth, (1 << 31) - 1).unwrap();
    assert_ne!(max.secret_bytes(), [0; 32]);
}

/// A Lotus export (`lotus wallet export`) of `key`, written out by hand.
fn lotus_export(key_type: &str, secret: &[u8]) -> String {
    let json = format!(
        r#"{{"Type":"{key_type}","PrivateKey":"{}"}}"#,
        BASE64.encode(secret)
    );
    hex::encode(json)
}

#[test]
fn it_reads_lotus_key_info_exports() {
    let k = key(1);
    let exported = lotus_export("secp256k1", &k.secret_bytes());
    let info = KeyInfo::parse(&exported).unwrap();
    assert_eq!(info.key_type, KeyType::Secp256k1);
    assert_eq!(info.key.secret_bytes(), k.secret_bytes());
    assert_eq!(info.address(), k.f1_address());
    assert_eq!(info.to_lotus_hex(), exported);
    // The plain JSON, a 0x prefix, a trailing newline (as a file holds it) and spacing.
    let json = String::from_utf8(hex::decode(&exported).unwrap()).unwrap();
    for text in [
        json.clone(),
        format!("0x{exported}\n"),
        json.replace(',', " ,\n "),
    ] {
        assert_eq!(
            SecpKey::from_key_info(&text).unwrap().secret_bytes(),
            k.secret_bytes()
        );
    }
    let delegated = KeyInfo::parse(&lotus_export("delegated", &k.secret_bytes())).unwrap();
    assert_eq!(delegated.key_type, KeyType::Delegated);
    assert_eq!(delegated.address(), k.f410_address());
}

#[test]
fn it_refuses_bls_and_malformed_exports() {
    let bls = lotus_export("bls", &[7; 32]);
    let err = SecpKey::from_key_info(&bls).unwrap_err();
    assert!(matches!(&err, Error::UnsupportedKeyType(t) if t == "bls"));
    assert_eq!(
        err.to_string(),
        r#"unsupported key type "bls": only secp256k1 and delegated keys are supported"#
    );
    for bad in [
        "not hex at all".to_owned(),
        hex::encode(r#"{"Type":"secp256k1"}"#),
        hex::encode("[1,2]"),
        lotus_export("secp256k1", &[1; 31]),
        r#"{"Type":"secp256k1","PrivateKey":"***"}"#.to_owned(),
    ] {
        assert!(
            matches!(
                SecpKey::from_key_info(&bad),
                Err(Error::InvalidKeyFormat(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        SecpKey::from_key_info(&lotus_export("secp256k1", &[0; 32])),
        Err(Error::InvalidSecretKey)
    ));
}

#[test]
fn it_parses_every_text_form() {
    let k = key(2);
    let digits = hex::encode(k.secret_bytes());
    for text in [
        digits.clone(),
        format!("0x{digits}"),
        format!("0X{}\n", digits.to_uppercase()),
        lotus_export("secp256k1", &k.secret_bytes()),
        String::from_utf8(hex::decode(lotus_export("secp256k1", &k.secret_bytes())).unwrap())
            .unwrap(),
    ] {
        assert_eq!(
            SecpKey::parse(&text).unwrap().secret_bytes(),
            k.secret_bytes()
        );
    }
    let err = SecpKey::parse("0x1234").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid key format: expected 64 hex digits or a Lotus key-info export, got 6 characters"
    );
    // A mnemonic is not a key: it needs an account and an index.
    assert!(matches!(
        SecpKey::parse(ABANDON),
        Err(Error::InvalidKeyFormat(_))
    ));
}

#[test]
fn it_reads_a_key_from_the_environment() {
    // Variable names unique to this test: tests run in parallel in one process.
    let k = key(3);
    let name = "FILMARK_SDK_TEST_KEY_H15K";
    // SAFETY: no other thread reads or writes these variables.
    unsafe { std::env::set_var(name, format!("0x{}\n", hex::encode(k.secret_bytes()))) };
    assert_eq!(
        SecpKey::from_env(name).unwrap().secret_bytes(),
        k.secret_bytes()
    );
    let unset = "FILMARK_SDK_TEST_KEY_H15K_UNSET";
    let err = SecpKey::from_env(unset).unwrap_err();
    assert!(matches!(&err, Error::KeyFromEnv { name, .. } if name == unset));
    assert_eq!(
        err.to_string(),
        "environment variable FILMARK_SDK_TEST_KEY_H15K_UNSET: not set"
    );
    let bad = "FILMARK_SDK_TEST_KEY_H15K_BAD";
    // SAFETY: as above.
    unsafe { std::env::set_var(bad, lotus_export("bls", &[7; 32])) };
    assert_eq!(
        SecpKey::from_env(bad).unwrap_err().to_string(),
        "environment variable FILMARK_SDK_TEST_KEY_H15K_BAD: unsupported key type \"bls\": \
         only secp256k1 and delegated keys are supported"
    );
}

fn any_key() -> impl Strategy<Value = SecpKey> {
    any::<[u8; 32]>().prop_filter_map("a valid scalar", |b| SecpKey::from_bytes(&b).ok())
}

proptest! {
    #[test]
    fn hex_round_trips(k in any_key(), prefix in any::<bool>()) {
        let digits = hex::encode(k.secret_bytes());
        let text = if prefix { format!("0x{digits}") } else { digits };
        prop_assert_eq!(SecpKey::from_hex(&text)?.secret_bytes(), k.secret_bytes());
        prop_assert_eq!(SecpKey::parse(&text)?.secret_bytes(), k.secret_bytes());
    }

    #[test]
    fn key_info_round_trips(k in any_key(), delegated in any::<bool>()) {
        let key_type = if delegated { KeyType::Delegated } else { KeyType::Secp256k1 };
        let info = KeyInfo { key_type, key: k.clone() };
        for text in [info.to_lotus_hex(), info.to_json()] {
            let back = KeyInfo::parse(&text)?;
            prop_assert_eq!(back.key_type, key_type);
            prop_assert_eq!(back.key.secret_bytes(), k.secret_bytes());
        }
        prop_assert_eq!(
            info.to_json(),
            format!(r#"{{"Type":"{}","PrivateKey":"{}"}}"#, key_type.as_str(),
                BASE64.encode(k.secret_bytes()))
        );
    }

    #[test]
    fn random_text_is_an_error_not_a_panic(text in ".{0,200}") {
        let _ = SecpKey::parse(&text);
        let _ = KeyInfo::parse(&text);
        let _ = mnemonic_seed(&text, "");
    }
}
