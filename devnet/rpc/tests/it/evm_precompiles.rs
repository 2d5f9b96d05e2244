//! The EVM actor's Ethereum precompiles (0x01–0x09, 0x0100), called by a contract's
//! `STATICCALL` with known vectors (EIP-152, 196, 197, 198, ecrecover of a signature made here,
//! a P-256 signature), their failures on malformed input, and FEVM's empty and missing slots.

use alloy_primitives::{Address as EthAddress, B256, U256, hex, keccak256};
use filmark_devnet_rpc::Context;
use serde_json::{Value, json};

use crate::evm::{contract_of, deploy, initcode};
use crate::support::{call, devnet, eip1559, eth_key, send};

/// Runtime: `STATICCALL(gas, calldata[0..32], calldata[32..])`, then returns the success flag
/// as a word followed by the return data.
const PROXY_RUNTIME: &[u8] = &[
    0x36, 0x60, 0x20, 0x90, 0x03, // len = CALLDATASIZE - 32
    0x80, 0x60, 0x20, 0x60, 0x00, 0x37, // CALLDATACOPY(0, 32, len)
    0x60, 0x00, 0x60, 0x00, 0x82, 0x60,
    0x00, // retSize 0, retOffset 0, argsSize len, argsOffset 0
    0x60, 0x00, 0x35, 0x5a, 0xfa, // address CALLDATALOAD(0), GAS, STATICCALL
    0x60, 0x00, 0x52, // MSTORE(0, success)
    0x3d, 0x60, 0x00, 0x60, 0x20, 0x3e, // RETURNDATACOPY(32, 0, RETURNDATASIZE)
    0x3d, 0x60, 0x20, 0x01, 0x60, 0x00, 0xf3, // RETURN(0, 32 + RETURNDATASIZE)
];

const G1_GEN: [u8; 64] = hex!(
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
);
const G1_NEG: [u8; 64] = hex!(
    "0000000000000000000000000000000000000000000000000000000000000001"
    "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
);
const G1_DOUBLE: [u8; 64] = hex!(
    "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
    "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
);
const G2_GEN: [u8; 128] = hex!(
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
);

struct Proxy {
    ctx: Context,
    from: EthAddress,
    contract: EthAddress,
}

impl Proxy {
    /// Calls precompile `index` with `input` through `eth_call`: (success, output).
    fn call(&self, index: u16, input: &[u8]) -> (bool, Vec<u8>) {
        let data = [&B256::from(U256::from(index))[..], input].concat();
        let out = call(
            &self.ctx,
            "eth_call",
            json!([{"from": self.from, "to": self.contract, "data": format!("0x{}", hex::encode(data))}, "latest"]),
        );
        let out = hex::decode(out.as_str().unwrap()).unwrap();
        let flag = U256::from_be_slice(&out[..32]);
        assert!(flag <= U256::from(1), "{flag}");
        (flag == U256::from(1), out[32..].to_vec())
    }

    fn ok(&self, index: u16, input: &[u8]) -> Vec<u8> {
        let (ok, out) = self.call(index, input);
        assert!(ok, "precompile {index} failed");
        out
    }

    fn fails(&self, index: u16, input: &[u8]) {
        assert_eq!(
            self.call(index, input),
            (false, Vec::new()),
            "precompile {index}"
        );
    }
}

fn word(n: u64) -> Vec<u8> {
    U256::from(n).to_be_bytes::<32>().to_vec()
}

fn proxy() -> (filmark_devnet::DevnetHandle, Proxy) {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let (_, from) = eth_key(&net, 0);
    let contract = contract_of(&deploy(&net, &ctx, 0, initcode(PROXY_RUNTIME)));
    (
        handle,
        Proxy {
            ctx,
            from,
            contract,
        },
    )
}

#[test]
fn ecrecover_recovers_the_signer_of_a_digest() {
    let (handle, p) = proxy();
    let (key, signer) = eth_key(&handle.devnet(), 1);
    let digest = keccak256(b"filmark precompiles");
    let sig = key.secp_key().sign_prehash(&digest);
    let v = 27 + u64::from(sig[64]);
    let input = [&digest[..], &word(v), &sig[..64]].concat();
    let mut expected = vec![0; 12];
    expected.extend(signer.as_slice());
    assert_eq!(p.ok(1, &input), expected);
    // A bad v or s: success with no output (Ethereum's and FEVM's convention).
    let bad_v = [&digest[..], &word(29), &sig[..64]].concat();
    assert_eq!(p.ok(1, &bad_v), Vec::<u8>::new());
    let zero_s = [&digest[..], &word(v), &sig[..32], &[0; 32]].concat();
    assert_eq!(p.ok(1, &zero_s), Vec::<u8>::new());
}

#[test]
fn hashes_and_identity() {
    let (_handle, p) = proxy();
    assert_eq!(
        p.ok(2, b"abc"),
        hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        p.ok(3, b"abc"),
        hex!("0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
    );
    assert_eq!(p.ok(4, b"filmark"), b"filmark");
    assert_eq!(p.ok(4, &[]), Vec::<u8>::new());
}

#[test]
fn modexp_computes_eip198s_example() {
    let (_handle, p) = proxy();
    let m = hex!("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    let e = hex!("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e");
    let input = [&word(1)[..], &word(32), &word(32), &[3], &e, &m].concat();
    assert_eq!(p.ok(5, &input), word(1));
}

#[test]
fn bn254_add_mul_and_pairing() {
    let (_handle, p) = proxy();
    assert_eq!(p.ok(6, &[G1_GEN, G1_GEN].concat()), G1_DOUBLE);
    assert_eq!(p.ok(7, &[&G1_GEN[..], &word(2)].concat()), G1_DOUBLE);
    let pairs = [&G1_GEN[..], &G2_GEN, &G1_NEG, &G2_GEN].concat();
    assert_eq!(p.ok(8, &pairs), word(1));
    assert_eq!(p.ok(8, &[&G1_GEN[..], &G2_GEN].concat()), word(0));
}

#[test]
fn blake2f_computes_eip152s_vector_5() {
    let (_handle, p) = proxy();
    let input = hex!(
        "0000000c"
        "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
        "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
        "6162630000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "03000000000000000000000000000000"
        "01"
    );
    assert_eq!(
        p.ok(9, &input),
        hex!(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        )
    );
}

#[test]
fn fevms_empty_slots_succeed_and_its_missing_ones_fail() {
    let (_handle, p) = proxy();
    // 0x0a (KZG point evaluation) is an empty slot in FEVM: success, no output.
    assert_eq!(p.ok(0x0a, b"x"), Vec::<u8>::new());
    assert_eq!(p.ok(0xff, b"x"), Vec::<u8>::new());
    // BLS12-381 (0x0b–0x11) is FEVM's, not the devnet's.
    p.fails(0x0b, &[0; 256]);
}

#[test]
fn p256verify_checks_a_secp256r1_signature() {
    let (_handle, p) = proxy();
    // hash 0x09.., then (r, s) by the key 0x07.. (RFC 6979, made with `p256`'s signer), then
    // the key's (x, y).
    let mut input = hex!(
        "0909090909090909090909090909090909090909090909090909090909090909"
        "847e2008bda98b7707da0c7088d9ea60e128ba1376c01e54430ba6e5d9fc8d5c"
        "96ed2459fd3745448332580521f9d559fb610a82972559b8dede0d179becec3b"
        "1e18532fd4754c02f3041d9c75ceb33b83ffd81ac7ce4fe882ccb1c98bc5896e"
        "a46c311c4e2ff40dd96a3653e6e45445d32dfe486eced75c7a90c6a18881c0a3"
    );
    assert_eq!(p.ok(0x0100, &input), word(1));
    // A wrong hash or a short input: success with no output (EIP-7951, FEVM).
    input[0] ^= 1;
    assert_eq!(p.ok(0x0100, &input), Vec::<u8>::new());
    assert_eq!(p.ok(0x0100, &input[..159]), Vec::<u8>::new());
}

/// A malformed input fails the precompile (the CALL returns 0, no data) in a transaction that
/// still succeeds, and the devnet goes on.
#[test]
fn malformed_precompile_input_fails_the_call_not_the_devnet() {
    let (handle, p) = proxy();
    let net = handle.devnet();
    let pair = [&G1_GEN[..], &G2_GEN].concat();
    p.fails(8, &pair[..191]);
    let mut off_curve = G1_GEN;
    off_curve[63] = 3;
    p.fails(6, &[off_curve, G1_GEN].concat());
    p.fails(7, &[&off_curve[..], &word(2)].concat());
    p.fails(9, &[0; 212]);
    p.fails(5, &[&[1u8][..], &[0; 31], &word(1), &word(1)].concat());

    let (key, _) = eth_key(&net, 0);
    let bad = [&word(8)[..], &pair[..191]].concat();
    let hash = send(
        &p.ctx,
        &eip1559(&net, &key, 1, p.contract, U256::ZERO, bad, 100_000_000),
    );
    let receipt: Value = call(&p.ctx, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    // The next call of a precompile works.
    assert_eq!(p.ok(8, &pair[..0]), word(1));
}
