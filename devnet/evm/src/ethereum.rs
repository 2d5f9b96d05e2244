//! The Ethereum precompiles that need no syscall, with FEVM's (builtin-actors v18) input rules
//! and failure conventions: `None` is a failure (the CALL returns 0 with no data). The actor
//! serves ecrecover, SHA-256 and RIPEMD-160 through the FVM's syscalls (`precompiles.rs`), with
//! [`ecrecover_input`] checking the input here.
//!
//! Inputs are read as FEVM reads them: words past the end of the input are zeros, except for
//! ECPAIRING (a multiple of 192 bytes) and BLAKE2F (exactly 213 bytes), which fail otherwise.
//! No Ethereum gas is charged: the FVM meters the work as it meters the rest of the actor.

use fvm_shared::bigint::BigUint;
use revm_interpreter::primitives::U256;
use substrate_bn::{AffineG1, AffineG2, Fq, Fq2, Fr, G1, G2, Group, Gt, pairing_batch};

/// What a precompile returns: `None` is a failure.
pub type Output = Option<Vec<u8>>;

/// secp256k1's group order `n`: ecrecover's `r` and `s` must be in `1..n`.
const SECP256K1_N: U256 = U256::from_be_bytes([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
]);

/// The bytes of BN254 pairing input per (G1, G2) pair.
const PAIR_LEN: usize = 192;

/// `len` bytes of `input` from `at`, zeros past its end.
fn padded(input: &[u8], at: usize, len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    if let Some(rest) = input.get(at..) {
        let n = rest.len().min(len);
        out[..n].copy_from_slice(&rest[..n]);
    }
    out
}

fn word(input: &[u8], at: usize) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(&padded(input, at, 32));
    out
}

/// A word that must fit in a `u32` (FEVM fails the call otherwise).
fn word_u32(input: &[u8], at: usize) -> Option<u32> {
    let w = word(input, at);
    if w[..28].iter().any(|b| *b != 0) {
        return None;
    }
    Some(u32::from_be_bytes([w[28], w[29], w[30], w[31]]))
}

/// ecrecover's input (hash, v, r, s) as the recover syscall's `(hash, r ‖ s ‖ v - 27)`, or
/// `None` when it names no signature (`v` not 27 or 28, `r` or `s` outside `1..n`): the
/// precompile then succeeds with no output, as in Ethereum and FEVM.
#[must_use]
pub fn ecrecover_input(input: &[u8]) -> Option<([u8; 32], [u8; 65])> {
    let hash = word(input, 0);
    let v = word(input, 32);
    let (r, s) = (word(input, 64), word(input, 96));
    if v[..31].iter().any(|b| *b != 0) || !(27..=28).contains(&v[31]) {
        return None;
    }
    let in_range = |x: &[u8; 32]| {
        let x = U256::from_be_bytes(*x);
        !x.is_zero() && x < SECP256K1_N
    };
    if !in_range(&r) || !in_range(&s) {
        return None;
    }
    let mut sig = [0; 65];
    sig[..32].copy_from_slice(&r);
    sig[32..64].copy_from_slice(&s);
    sig[64] = v[31] - 27;
    Some((hash, sig))
}

/// 0x04 identity: the input.
#[must_use]
pub fn identity(input: &[u8]) -> Output {
    Some(input.to_vec())
}

/// 0x05 modexp (EIP-198): `base ^ exp mod m`, as many bytes as `m` has; lengths over `u32`
/// fail; a modulus of 0 or 1 gives zeros.
#[must_use]
pub fn modexp(input: &[u8]) -> Output {
    let base_len = usize::try_from(word_u32(input, 0)?).ok()?;
    let exp_len = usize::try_from(word_u32(input, 32)?).ok()?;
    let mod_len = usize::try_from(word_u32(input, 64)?).ok()?;
    if base_len == 0 && mod_len == 0 {
        return Some(Vec::new());
    }
    let exp_at = 96usize.checked_add(base_len)?;
    let mod_at = exp_at.checked_add(exp_len)?;
    let base = BigUint::from_bytes_be(&padded(input, 96, base_len));
    let exp = BigUint::from_bytes_be(&padded(input, exp_at, exp_len));
    let modulus = BigUint::from_bytes_be(&padded(input, mod_at, mod_len));
    let mut out = vec![0; mod_len];
    if modulus > BigUint::from(1u8) {
        let r = base.modpow(&exp, &modulus).to_bytes_be();
        out[mod_len - r.len()..].copy_from_slice(&r);
    }
    Some(out)
}

fn fq(input: &[u8], at: usize) -> Option<Fq> {
    Fq::from_slice(&word(input, at)).ok()
}

/// A G1 point (x, y); (0, 0) is the point at infinity; a point off the curve or a coordinate
/// not below the field modulus is `None`.
fn g1(input: &[u8], at: usize) -> Option<G1> {
    let (x, y) = (fq(input, at)?, fq(input, at + 32)?);
    if x.is_zero() && y.is_zero() {
        return Some(G1::zero());
    }
    AffineG1::new(x, y).ok().map(Into::into)
}

/// A G2 point: x and y in Fq2, each as (imaginary, real) words, as EIP-197 lays them out.
fn g2(input: &[u8], at: usize) -> Option<G2> {
    let x = Fq2::new(fq(input, at + 32)?, fq(input, at)?);
    let y = Fq2::new(fq(input, at + 96)?, fq(input, at + 64)?);
    if x.is_zero() && y.is_zero() {
        return Some(G2::zero());
    }
    AffineG2::new(x, y).ok().map(Into::into)
}

/// A G1 point as 64 bytes (zeros for the point at infinity).
fn g1_bytes(p: G1) -> Vec<u8> {
    let mut out = vec![0; 64];
    if let Some(a) = AffineG1::from_jacobian(p) {
        // 32-byte slices: `to_big_endian` cannot fail.
        let _ = a.x().to_big_endian(&mut out[..32]);
        let _ = a.y().to_big_endian(&mut out[32..]);
    }
    out
}

/// 0x06 ECADD (EIP-196): the sum of two BN254 G1 points.
#[must_use]
pub fn ec_add(input: &[u8]) -> Output {
    Some(g1_bytes(g1(input, 0)? + g1(input, 64)?))
}

/// 0x07 ECMUL (EIP-196): a BN254 G1 point times a scalar (any 256-bit word).
#[must_use]
pub fn ec_mul(input: &[u8]) -> Output {
    let scalar = Fr::from_slice(&word(input, 64)).ok()?;
    Some(g1_bytes(g1(input, 0)? * scalar))
}

/// 0x08 ECPAIRING (EIP-197): 1 as a word when the product of the pairings of the (G1, G2)
/// pairs is one (also for no pairs), else 0; an input not a multiple of 192 bytes fails.
#[must_use]
pub fn ec_pairing(input: &[u8]) -> Output {
    if !input.len().is_multiple_of(PAIR_LEN) {
        return None;
    }
    let pairs = input
        .chunks_exact(PAIR_LEN)
        .map(|pair| Some((g1(pair, 0)?, g2(pair, 64)?)))
        .collect::<Option<Vec<_>>>()?;
    let mut out = vec![0; 32];
    out[31] = u8::from(pairing_batch(&pairs) == Gt::one());
    Some(out)
}

/// 0x09 BLAKE2F (EIP-152): the BLAKE2b compression function `F` over exactly 213 bytes
/// (rounds, h, m, t, final flag 0 or 1).
#[must_use]
pub fn blake2f(input: &[u8]) -> Output {
    if input.len() != 213 || input[212] > 1 {
        return None;
    }
    let rounds = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
    let le_words = |bytes: &[u8], out: &mut [u64]| {
        for (w, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0; 8];
            b.copy_from_slice(chunk);
            *w = u64::from_le_bytes(b);
        }
    };
    let (mut h, mut m, mut t) = ([0u64; 8], [0u64; 16], [0u64; 2]);
    le_words(&input[4..68], &mut h);
    le_words(&input[68..196], &mut m);
    le_words(&input[196..212], &mut t);
    blake2b_compress(&mut h, &m, t, input[212] == 1, rounds);
    Some(h.iter().flat_map(|w| w.to_le_bytes()).collect())
}

/// 0x0100 P256VERIFY (EIP-7951): `hash ‖ r ‖ s ‖ x ‖ y` (exactly 160 bytes) → 1 as a word
/// when `(r, s)` is a valid secp256r1 signature of `hash` by the public key `(x, y)`; otherwise
/// no output (the call still succeeds), as FEVM.
#[must_use]
pub fn p256_verify(input: &[u8]) -> Output {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    let valid = input.len() == 160 && {
        let point = p256::EncodedPoint::from_untagged_bytes(input[96..160].into());
        let key = VerifyingKey::from_encoded_point(&point);
        let sig = Signature::from_slice(&input[32..96]);
        matches!((key, sig), (Ok(key), Ok(sig)) if key.verify_prehash(&input[..32], &sig).is_ok())
    };
    if !valid {
        return Some(Vec::new());
    }
    let mut out = vec![0; 32];
    out[31] = 1;
    Some(out)
}

/// BLAKE2b's initialisation vector (RFC 7693, 2.6).
const BLAKE2B_IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// BLAKE2b's message schedule (RFC 7693, 2.7); round `i` uses row `i mod 10`.
const BLAKE2B_SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// The mixing function G (RFC 7693, 3.1).
fn mix(v: &mut [u64; 16], [a, b, c, d]: [usize; 4], x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// The compression function F (RFC 7693, 3.2) with a given number of rounds (EIP-152).
fn blake2b_compress(h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], last: bool, rounds: u32) {
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&BLAKE2B_IV);
    v[12] ^= t[0];
    v[13] ^= t[1];
    if last {
        v[14] = !v[14];
    }
    for round in 0..rounds {
        let s = &BLAKE2B_SIGMA[(round % 10) as usize];
        mix(&mut v, [0, 4, 8, 12], m[s[0]], m[s[1]]);
        mix(&mut v, [1, 5, 9, 13], m[s[2]], m[s[3]]);
        mix(&mut v, [2, 6, 10, 14], m[s[4]], m[s[5]]);
        mix(&mut v, [3, 7, 11, 15], m[s[6]], m[s[7]]);
        mix(&mut v, [0, 5, 10, 15], m[s[8]], m[s[9]]);
        mix(&mut v, [1, 6, 11, 12], m[s[10]], m[s[11]]);
        mix(&mut v, [2, 7, 8, 13], m[s[12]], m[s[13]]);
        mix(&mut v, [3, 4, 9, 14], m[s[14]], m[s[15]]);
    }
    for (i, w) in h.iter_mut().enumerate() {
        *w ^= v[i] ^ v[i + 8];
    }
}

#[cfg(test)]
#[path = "ethereum_tests.rs"]
mod tests;
