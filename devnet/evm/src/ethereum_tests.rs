//! Known vectors from the EIPs (EIP-152, 196, 197, 198) and BN254's generators.

use alloy_primitives::hex;

use super::*;

/// BN254's G1 generator (1, 2).
const G1_GEN: [u8; 64] = hex!(
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
);

/// -G1: (1, p - 2).
const G1_NEG: [u8; 64] = hex!(
    "0000000000000000000000000000000000000000000000000000000000000001"
    "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
);

/// 2·G1.
const G1_DOUBLE: [u8; 64] = hex!(
    "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
    "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
);

/// BN254's G2 generator (EIP-197: x imaginary, x real, y imaginary, y real).
const G2_GEN: [u8; 128] = hex!(
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
);

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn one_word() -> Vec<u8> {
    let mut w = vec![0; 32];
    w[31] = 1;
    w
}

#[test]
fn ec_add_doubles_the_generator_and_adds_infinity() {
    assert_eq!(ec_add(&cat(&[&G1_GEN, &G1_GEN])).unwrap(), G1_DOUBLE);
    assert_eq!(ec_add(&G1_GEN).unwrap(), G1_GEN, "missing words are zeros");
    assert_eq!(ec_add(&[]).unwrap(), vec![0; 64]);
    assert_eq!(ec_add(&cat(&[&G1_GEN, &G1_NEG])).unwrap(), vec![0; 64]);
}

#[test]
fn ec_add_fails_off_the_curve_and_past_the_modulus() {
    let mut off = G1_GEN;
    off[63] = 3;
    assert_eq!(ec_add(&cat(&[&off, &G1_GEN])), None);
    let over = [0xff; 64];
    assert_eq!(ec_add(&over), None);
}

#[test]
fn ec_mul_by_two_and_by_the_group_order() {
    let mut two = [0; 32];
    two[31] = 2;
    assert_eq!(ec_mul(&cat(&[&G1_GEN, &two])).unwrap(), G1_DOUBLE);
    let order = hex!("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
    assert_eq!(ec_mul(&cat(&[&G1_GEN, &order])).unwrap(), vec![0; 64]);
    assert_eq!(ec_mul(&[]).unwrap(), vec![0; 64]);
    let mut off = G1_GEN;
    off[63] = 3;
    assert_eq!(ec_mul(&cat(&[&off, &two])), None);
}

#[test]
fn ec_pairing_checks_the_product_of_pairings() {
    // e(G1, G2) · e(-G1, G2) = 1.
    let ok = cat(&[&G1_GEN, &G2_GEN, &G1_NEG, &G2_GEN]);
    assert_eq!(ec_pairing(&ok).unwrap(), one_word());
    // e(G1, G2) alone is not 1.
    assert_eq!(ec_pairing(&cat(&[&G1_GEN, &G2_GEN])).unwrap(), vec![0; 32]);
    // No pairs: the empty product.
    assert_eq!(ec_pairing(&[]).unwrap(), one_word());
    // The pairs of go-ethereum's `jeff1` vector (EIP-197 tests).
    let jeff1 = hex!(
        "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59"
        "3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41"
        "209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
        "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678"
        "2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d"
        "120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
        "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
        "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411"
        "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
        "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
        "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
        "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
    );
    assert_eq!(ec_pairing(&jeff1).unwrap(), one_word());
}

#[test]
fn ec_pairing_fails_on_a_bad_length_or_point() {
    let ok = cat(&[&G1_GEN, &G2_GEN]);
    assert_eq!(ec_pairing(&ok[..191]), None);
    assert_eq!(ec_pairing(&cat(&[&ok, &[0]])), None);
    let mut off = ok.clone();
    off[63] = 3;
    assert_eq!(ec_pairing(&off), None);
    let mut g2_off = ok;
    g2_off[191] ^= 1;
    assert_eq!(ec_pairing(&g2_off), None);
}

fn modexp_input(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
    let len = |b: &[u8]| U256::from(b.len()).to_be_bytes::<32>();
    cat(&[&len(base), &len(exp), &len(modulus), base, exp, modulus])
}

#[test]
fn modexp_eip198_examples() {
    // 3^(p-1) mod p = 1 (Fermat; EIP-198's first example).
    let p = hex!("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    let p_1 = hex!("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e");
    assert_eq!(modexp(&modexp_input(&[3], &p_1, &p)).unwrap(), one_word());
    // An empty base is 0 (EIP-198's second example).
    assert_eq!(modexp(&modexp_input(&[], &p_1, &p)).unwrap(), vec![0; 32]);
    // 8^9 mod 10 = 8; 0x12345678^0x1234 mod 0x012345678910, left-padded.
    assert_eq!(modexp(&modexp_input(&[8], &[9], &[10])).unwrap(), [8]);
    let r = modexp(&modexp_input(
        &hex!("12345678"),
        &hex!("1234"),
        &hex!("012345678910"),
    ));
    assert_eq!(r.unwrap(), hex!("00358eac8f30"));
}

#[test]
fn modexp_edge_cases() {
    // Moduli 0 and 1 give zeros; no base and no modulus give nothing.
    assert_eq!(modexp(&modexp_input(&[2], &[3], &[0, 0])).unwrap(), [0, 0]);
    assert_eq!(modexp(&modexp_input(&[2], &[3], &[1])).unwrap(), [0]);
    assert_eq!(
        modexp(&modexp_input(&[], &[3], &[])).unwrap(),
        Vec::<u8>::new()
    );
    // Missing bytes are zeros: base 1, exp 2, modulus 0x0300 (2 bytes declared, 1 given).
    let mut short = modexp_input(&[1], &[2], &[3]);
    short[95] = 2;
    assert_eq!(modexp(&short).unwrap(), [0, 1]);
    // A length over u32 fails.
    let mut huge = modexp_input(&[1], &[1], &[5]);
    huge[0] = 1;
    assert_eq!(modexp(&huge), None);
}

/// EIP-152's vectors 4 to 7 share h, m and t.
fn blake2f_input(rounds: &str, last: &str) -> Vec<u8> {
    let h = "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5\
             d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b";
    let m = format!("616263{}", "00".repeat(125));
    let t = "03000000000000000000000000000000";
    hex::decode(format!("{rounds}{h}{m}{t}{last}")).unwrap()
}

#[test]
fn blake2f_eip152_vectors() {
    let cases = [
        (
            "00000000",
            "01",
            "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5\
             d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b",
        ),
        (
            "0000000c",
            "01",
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
             7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
        ),
        (
            "0000000c",
            "00",
            "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752\
             98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735",
        ),
        (
            "00000001",
            "01",
            "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb\
             a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421",
        ),
    ];
    for (rounds, last, expected) in cases {
        let out = blake2f(&blake2f_input(rounds, last)).unwrap();
        assert_eq!(hex::encode(out), expected, "rounds {rounds}, final {last}");
    }
}

#[test]
fn blake2f_fails_on_bad_lengths_and_flags() {
    // EIP-152's vectors 0 to 3.
    assert_eq!(blake2f(&[]), None);
    let ok = blake2f_input("0000000c", "01");
    assert_eq!(blake2f(&ok[1..]), None);
    assert_eq!(blake2f(&cat(&[&[0], &ok])), None);
    assert_eq!(blake2f(&blake2f_input("0000000c", "02")), None);
}

#[test]
fn ecrecover_input_checks_v_r_and_s() {
    let hash = [7u8; 32];
    let mut v = [0u8; 32];
    v[31] = 28;
    let r = [1u8; 32];
    let s = [2u8; 32];
    let (h, sig) = ecrecover_input(&cat(&[&hash, &v, &r, &s])).unwrap();
    assert_eq!(h, hash);
    assert_eq!(sig[..32], r);
    assert_eq!(sig[32..64], s);
    assert_eq!(sig[64], 1);
    let mut bad_v = v;
    bad_v[31] = 29;
    assert_eq!(ecrecover_input(&cat(&[&hash, &bad_v, &r, &s])), None);
    let mut high_v = v;
    high_v[0] = 1;
    assert_eq!(ecrecover_input(&cat(&[&hash, &high_v, &r, &s])), None);
    assert_eq!(ecrecover_input(&cat(&[&hash, &v, &[0; 32], &s])), None);
    let n = SECP256K1_N.to_be_bytes::<32>();
    assert_eq!(ecrecover_input(&cat(&[&hash, &v, &r, &n])), None);
    // Missing s is zero: no signature.
    assert_eq!(ecrecover_input(&cat(&[&hash, &v, &r])), None);
}

#[test]
fn identity_copies() {
    assert_eq!(identity(b"abc").unwrap(), b"abc");
}

#[test]
fn p256_verify_accepts_a_signature_and_nothing_else() {
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    let key = SigningKey::from_slice(&[7; 32]).unwrap();
    let hash = [9u8; 32];
    let sig: p256::ecdsa::Signature = key.sign_prehash(&hash).unwrap();
    let point = key.verifying_key().to_encoded_point(false);
    let input = cat(&[&hash, &sig.to_bytes(), &point.as_bytes()[1..]]);
    assert_eq!(input.len(), 160);
    assert_eq!(p256_verify(&input).unwrap(), one_word());
    // Another hash, a flipped bit of s, a short input, a point off the curve: no output.
    let mut other = input.clone();
    other[0] ^= 1;
    assert_eq!(p256_verify(&other).unwrap(), Vec::<u8>::new());
    let mut bad_s = input.clone();
    bad_s[95] ^= 1;
    assert_eq!(p256_verify(&bad_s).unwrap(), Vec::<u8>::new());
    assert_eq!(p256_verify(&input[..159]).unwrap(), Vec::<u8>::new());
    let mut off = input;
    off[159] ^= 1;
    assert_eq!(p256_verify(&off).unwrap(), Vec::<u8>::new());
}
