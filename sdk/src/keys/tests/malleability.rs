//! High-s signatures: `(r, n − s)` with the recovery id flipped recovers the same key, so
//! accepting it would give one message a second CID (or Ethereum hash). Refused for delegated
//! signatures, as Ethereum does since EIP-2, and for f1 signatures too (see
//! [`crate::keys::recover_public_key`]).

use k256::ecdsa::Signature as EcdsaSignature;

use super::{invoke, key};
use crate::Error;
use crate::keys::{
    DEVNET_CHAIN_ID, SignedMessage, recover_public_key, sign_secp, verify_signed_message,
};
use fvm_shared::address::Address;

/// The high-s twin of an `r ‖ s ‖ y` signature: `r ‖ n − s ‖ y ^ 1`.
fn twin(sig: &[u8]) -> Vec<u8> {
    let low = EcdsaSignature::from_slice(&sig[..64]).unwrap();
    let high = EcdsaSignature::from_scalars(low.r().to_bytes(), (-*low.s()).to_bytes()).unwrap();
    assert!(high.normalize_s().is_some(), "the twin has a high s");
    let mut out = high.to_bytes().to_vec();
    out.push(sig[64] ^ 1);
    out
}

fn assert_high_s_refused(signed: &SignedMessage) {
    verify_signed_message(signed, DEVNET_CHAIN_ID).unwrap();
    let mut twin_msg = signed.clone();
    twin_msg.signature.data = twin(&signed.signature.data);
    assert_ne!(
        twin_msg.cid(),
        signed.cid(),
        "the twin would be another message"
    );
    let e = verify_signed_message(&twin_msg, DEVNET_CHAIN_ID).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSignature(why) if why.contains("high s")),
        "{e:?}"
    );
}

#[test]
fn it_refuses_the_high_s_twin_of_a_delegated_signature() {
    let k = key(2);
    let message = invoke(k.f410_address(), Address::new_id(1001), 7, b"\x01\x02");
    assert_high_s_refused(&k.sign(message, DEVNET_CHAIN_ID).unwrap());
}

#[test]
fn it_refuses_the_high_s_twin_of_an_f1_signature() {
    let k = key(1);
    let message = invoke(k.f1_address(), Address::new_id(1001), 7, b"\x01\x02");
    assert_high_s_refused(&sign_secp(&k, message).unwrap());
}

#[test]
fn recovery_refuses_high_s_and_accepts_its_low_s_form() {
    let k = key(3);
    let digest = alloy_primitives::keccak256(b"one message, one signature");
    let sig = k.sign_prehash(&digest);
    assert_eq!(recover_public_key(&digest, &sig).unwrap(), k.public_key());
    let high: [u8; 65] = twin(&sig).try_into().unwrap();
    assert!(matches!(
        recover_public_key(&digest, &high),
        Err(Error::InvalidSignature(_))
    ));
}
