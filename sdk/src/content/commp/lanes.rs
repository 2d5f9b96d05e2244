//! Four SHA-256 compressions at once, one message per 32-bit lane, for the commP tree's node
//! join (written from FIPS 180-4, §4.1.2, §4.2.2 and §6.2.2).
//!
//! Every node of the tree is `sha256(left ‖ right)`: one 64-byte message block, then the same
//! padding block ([`PAD_BLOCK`](super::tree)) for every node, whose message schedule is a
//! constant here. wasm32 has no SHA instructions: with `simd128` the four lanes run on `v128`
//! (the package's build, `wasm/scripts/build.sh`); natively `sha2` (SHA-NI when present) hashes
//! one node at a time and this module only runs in its tests, on the portable lanes.

use super::tree::{H0, PAD_BLOCK};

/// Four `u32` lanes and the operations SHA-256 needs on them.
pub(crate) trait Lanes: Copy {
    fn splat(x: u32) -> Self;
    fn from_lanes(l: [u32; 4]) -> Self;
    fn to_lanes(self) -> [u32; 4];
    fn add(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn shr(self, n: u32) -> Self;
    fn rotr(self, n: u32) -> Self;
    /// Bitwise: where `self` has a 1, the bit of `ones`, else the bit of `zeros`.
    fn select(self, ones: Self, zeros: Self) -> Self;
}

/// `floor(x)` for the largest `x` with `x^root <= n` (`root` 2 or 3), by bisection.
const fn int_root(n: u128, root: u32) -> u128 {
    let (mut lo, mut hi) = (0u128, 1u128 << 40);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if mid.pow(root) <= n {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
/// first 64 primes.
const K: [u32; 64] = {
    let mut k = [0u32; 64];
    let (mut found, mut p) = (0, 2u128);
    while found < 64 {
        let mut d = 2;
        while d * d <= p && p % d != 0 {
            d += 1;
        }
        if d * d > p {
            // cbrt(p) · 2^32 = cbrt(p · 2^96); the low 32 bits are the fraction.
            k[found] = int_root(p << 96, 3) as u32;
            found += 1;
        }
        p += 1;
    }
    k
};

/// The message schedule `W[0..64]` of one block (FIPS 180-4 §6.2.2 step 1).
const fn schedule(block: &[u8; 64]) -> [u32; 64] {
    let mut w = [0u32; 64];
    let mut t = 0;
    while t < 64 {
        w[t] = if t < 16 {
            u32::from_be_bytes([
                block[4 * t],
                block[4 * t + 1],
                block[4 * t + 2],
                block[4 * t + 3],
            ])
        } else {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            s1.wrapping_add(w[t - 7])
                .wrapping_add(s0)
                .wrapping_add(w[t - 16])
        };
        t += 1;
    }
    w
}

/// `K[t] + W[t]` of the padding block, the second block of every node's hash.
const PAD_KW: [u32; 64] = {
    let w = schedule(&PAD_BLOCK);
    let mut kw = [0u32; 64];
    let mut t = 0;
    while t < 64 {
        kw[t] = K[t].wrapping_add(w[t]);
        t += 1;
    }
    kw
};

#[inline(always)]
fn small_sigma0<L: Lanes>(x: L) -> L {
    x.rotr(7).xor(x.rotr(18)).xor(x.shr(3))
}

#[inline(always)]
fn small_sigma1<L: Lanes>(x: L) -> L {
    x.rotr(17).xor(x.rotr(19)).xor(x.shr(10))
}

/// The 64 rounds, `kw(t)` giving `K[t] + W[t]`, added into the chaining state `s`.
#[inline(always)]
fn rounds<L: Lanes>(s: &mut [L; 8], kw: impl Fn(usize) -> L) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *s;
    for t in 0..64 {
        let kw = kw(t);
        let big_sigma1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
        let ch = e.select(f, g);
        let t1 = h.add(big_sigma1).add(ch).add(kw);
        let big_sigma0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
        // Maj: where a and b agree, their bit; else c's.
        let maj = a.xor(b).select(c, b);
        let t2 = big_sigma0.add(maj);
        h = g;
        g = f;
        f = e;
        e = d.add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.add(t2);
    }
    for (x, y) in s.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *x = x.add(y);
    }
}

/// Hashes four 64-byte blocks, read from `buf[256·i..256·(i + 1)]`, into four truncated nodes
/// written to `buf[128·i..128·(i + 1)]` (the in-place step of a tree level).
#[inline(always)]
pub(crate) fn hash4_in_place<L: Lanes>(buf: &mut [u8], i: usize) {
    let input: &[u8; 256] = buf[256 * i..256 * (i + 1)]
        .try_into()
        .expect("four 64-byte blocks");
    let word = |m: usize, t: usize| {
        let o = 64 * m + 4 * t;
        u32::from_be_bytes([input[o], input[o + 1], input[o + 2], input[o + 3]])
    };
    let mut w = [L::splat(0); 64];
    for (t, w) in w.iter_mut().enumerate().take(16) {
        *w = L::from_lanes([word(0, t), word(1, t), word(2, t), word(3, t)]);
    }
    for t in 16..64 {
        w[t] = small_sigma1(w[t - 2])
            .add(w[t - 7])
            .add(small_sigma0(w[t - 15]))
            .add(w[t - 16]);
    }
    let mut state = H0.map(L::splat);
    rounds(&mut state, |t| w[t].add(L::splat(K[t])));
    rounds(&mut state, |t| L::splat(PAD_KW[t]));
    let words = state.map(L::to_lanes);
    let out: &mut [u8; 128] = (&mut buf[128 * i..128 * (i + 1)])
        .try_into()
        .expect("four 32-byte nodes");
    for (m, node) in out.chunks_exact_mut(32).enumerate() {
        for (o, w) in node.chunks_exact_mut(4).zip(&words) {
            o.copy_from_slice(&w[m].to_be_bytes());
        }
        node[31] &= 0x3f;
    }
}

/// [`hash4_in_place`] on four pairs of nodes given apart (for tests).
#[cfg(test)]
fn hash4<L: Lanes>(blocks: &[[u8; 64]; 4]) -> [super::tree::Node; 4] {
    let mut buf = [0u8; 256];
    for (b, block) in buf.chunks_exact_mut(64).zip(blocks) {
        b.copy_from_slice(block);
    }
    hash4_in_place::<L>(&mut buf, 0);
    std::array::from_fn(|m| buf[32 * m..32 * (m + 1)].try_into().expect("32 bytes"))
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        i32x4_add, u32x4, u32x4_extract_lane, u32x4_shl, u32x4_shr, u32x4_splat, v128,
        v128_bitselect, v128_or, v128_xor,
    };

    impl super::Lanes for v128 {
        #[inline(always)]
        fn splat(x: u32) -> Self {
            u32x4_splat(x)
        }
        #[inline(always)]
        fn from_lanes(l: [u32; 4]) -> Self {
            u32x4(l[0], l[1], l[2], l[3])
        }
        #[inline(always)]
        fn to_lanes(self) -> [u32; 4] {
            [
                u32x4_extract_lane::<0>(self),
                u32x4_extract_lane::<1>(self),
                u32x4_extract_lane::<2>(self),
                u32x4_extract_lane::<3>(self),
            ]
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            i32x4_add(self, o)
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            v128_xor(self, o)
        }
        #[inline(always)]
        fn shr(self, n: u32) -> Self {
            u32x4_shr(self, n)
        }
        #[inline(always)]
        fn rotr(self, n: u32) -> Self {
            v128_or(u32x4_shr(self, n), u32x4_shl(self, 32 - n))
        }
        #[inline(always)]
        fn select(self, ones: Self, zeros: Self) -> Self {
            v128_bitselect(ones, zeros, self)
        }
    }
}

/// Lanes as a plain array: the same algorithm on any target, for the tests.
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
struct Portable([u32; 4]);

#[cfg(test)]
impl Lanes for Portable {
    fn splat(x: u32) -> Self {
        Self([x; 4])
    }
    fn from_lanes(l: [u32; 4]) -> Self {
        Self(l)
    }
    fn to_lanes(self) -> [u32; 4] {
        self.0
    }
    fn add(self, o: Self) -> Self {
        Self(std::array::from_fn(|i| self.0[i].wrapping_add(o.0[i])))
    }
    fn xor(self, o: Self) -> Self {
        Self(std::array::from_fn(|i| self.0[i] ^ o.0[i]))
    }
    fn shr(self, n: u32) -> Self {
        Self(self.0.map(|x| x >> n))
    }
    fn rotr(self, n: u32) -> Self {
        Self(self.0.map(|x| x.rotate_right(n)))
    }
    fn select(self, ones: Self, zeros: Self) -> Self {
        Self(std::array::from_fn(|i| {
            (self.0[i] & ones.0[i]) | (!self.0[i] & zeros.0[i])
        }))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sha2::Digest;

    use super::*;

    fn truncated_sha256(block: &[u8]) -> super::super::tree::Node {
        let mut want: super::super::tree::Node = sha2::Sha256::digest(block).into();
        want[31] &= 0x3f;
        want
    }

    #[test]
    fn constants_match_fips_180_4() {
        // The first and last round constants and the initial hash value (sqrt of the primes).
        assert_eq!(K[0], 0x428a_2f98);
        assert_eq!(K[63], 0xc671_78f2);
        let primes = [2u128, 3, 5, 7, 11, 13, 17, 19];
        for (h, p) in H0.iter().zip(primes) {
            assert_eq!(*h, int_root(p << 64, 2) as u32);
        }
    }

    #[test]
    fn zero_and_pattern_blocks() {
        let blocks = [
            [0u8; 64],
            [0xff; 64],
            std::array::from_fn(|i| i as u8),
            [0x3f; 64],
        ];
        let got = hash4::<Portable>(&blocks);
        for (g, b) in got.iter().zip(&blocks) {
            assert_eq!(*g, truncated_sha256(b));
        }
    }

    proptest! {
        #[test]
        fn four_lanes_equal_sha2(bytes in proptest::collection::vec(any::<u8>(), 256)) {
            let blocks: [[u8; 64]; 4] =
                std::array::from_fn(|m| bytes[64 * m..64 * (m + 1)].try_into().unwrap());
            let got = hash4::<Portable>(&blocks);
            for (g, b) in got.iter().zip(&blocks) {
                prop_assert_eq!(*g, truncated_sha256(b));
            }
        }
    }
}
