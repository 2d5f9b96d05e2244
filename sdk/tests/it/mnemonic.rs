//! Mnemonic keys against another implementation: `sdk/tests/vectors/mnemonic.json`, made by
//! ethers (eth, `m/44'/60'/0'/0/i`) and iso-filecoin's wallet (f1, `m/44'/461'/0'/0/i`, and
//! its Lotus export); provenance in that folder's README.

use std::path::PathBuf;

use filmark_sdk::keys::{
    EthAddress, HdAccount, KeyInfo, KeyType, Network, SecpKey, format_address,
};
use serde_json::Value;

fn load() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/mnemonic.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).unwrap()
}

fn derive(entry: &Value, account: HdAccount) -> SecpKey {
    let index = u32::try_from(entry["index"].as_u64().unwrap()).unwrap();
    assert_eq!(account.path(index), entry["path"].as_str().unwrap());
    SecpKey::from_mnemonic(
        entry["mnemonic"].as_str().unwrap(),
        entry["passphrase"].as_str().unwrap(),
        account,
        index,
    )
    .unwrap()
}

#[test]
fn eth_keys_match_ethers() {
    let vectors = load();
    let entries = vectors["eth"].as_array().unwrap();
    assert!(entries.len() >= 20);
    for entry in entries {
        let key = derive(entry, HdAccount::Eth);
        let expected = entry["address"].as_str().unwrap();
        assert_eq!(
            alloy_primitives::hex::encode(key.secret_bytes()),
            entry["private_key"].as_str().unwrap()
        );
        // ethers prints the EIP-55 checksummed form.
        assert_eq!(key.eth_address().to_checksum(None), expected);
        assert_eq!(key.eth_address(), expected.parse::<EthAddress>().unwrap());
    }
}

#[test]
fn f1_keys_and_exports_match_iso_filecoin() {
    let vectors = load();
    let entries = vectors["f1"].as_array().unwrap();
    assert!(entries.len() >= 20);
    for entry in entries {
        let key = derive(entry, HdAccount::F1);
        assert_eq!(
            alloy_primitives::hex::encode(key.secret_bytes()),
            entry["private_key"].as_str().unwrap()
        );
        assert_eq!(
            format_address(&key.f1_address(), Network::Mainnet),
            entry["address"].as_str().unwrap()
        );
        let export = entry["lotus_export"].as_str().unwrap();
        let info = KeyInfo::parse(export).unwrap();
        assert_eq!(info.key_type, KeyType::Secp256k1);
        assert_eq!(info.key.secret_bytes(), key.secret_bytes());
        // Byte for byte the export iso-filecoin writes.
        let ours = KeyInfo {
            key_type: KeyType::Secp256k1,
            key,
        };
        assert_eq!(ours.to_lotus_hex(), export);
    }
}
