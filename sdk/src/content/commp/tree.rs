//! The sha2-256-trunc254-padded binary Merkle tree over fr32-padded data.
//!
//! Level 0 holds the 32-byte leaves of the fr32-padded payload; a node at level `l + 1` is
//! `sha256(left ‖ right)` with the two top bits of its last byte cleared. One 127-byte input
//! quad pads to 128 bytes = four leaves = one node at level [`QUAD_LEVEL`].

use sha2::digest::generic_array::GenericArray;

/// A tree node (or leaf): 32 bytes whose top two bits are zero.
pub(crate) type Node = [u8; 32];

/// Unpadded bytes in one fr32 quad.
pub(crate) const QUAD_IN: usize = 127;
/// Padded bytes of one fr32 quad.
pub(crate) const QUAD_OUT: usize = 128;
/// Tree level of the node covering one quad (4 leaves).
pub(crate) const QUAD_LEVEL: usize = 2;
/// Levels of a 64 GiB piece: 2^36 padded bytes / 32-byte leaves.
pub(crate) const MAX_HEIGHT: usize = 31;

/// Quads hashed in one stack buffer (8 KiB padded, stays in L1).
const BLOCK_QUADS: usize = 64;

/// FIPS 180-4 §5.3.3: the initial SHA-256 hash value.
pub(crate) const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The second SHA-256 block of every 64-byte message: `0x80`, zeros, bit length 512 (big-endian).
pub(crate) const PAD_BLOCK: [u8; 64] = {
    let mut b = [0u8; 64];
    b[0] = 0x80;
    b[62] = 0x02;
    b
};

/// Hashes a 64-byte block (two children) into a truncated node, straight through the SHA-256
/// compression function (SHA-NI when the CPU has it: sha2 detects it at run time).
#[inline]
pub(crate) fn hash_block(block: &[u8]) -> Node {
    debug_assert_eq!(block.len(), 64);
    let mut state = H0;
    sha2::compress256(
        &mut state,
        std::slice::from_ref(GenericArray::from_slice(block)),
    );
    sha2::compress256(
        &mut state,
        std::slice::from_ref(GenericArray::from_slice(&PAD_BLOCK)),
    );
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out[31] &= 0x3f;
    out
}

/// Hashes two children into their parent.
#[inline]
pub(crate) fn hash_pair(left: &Node, right: &Node) -> Node {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(left);
    block[32..].copy_from_slice(right);
    hash_block(&block)
}

/// Roots of all-zero subtrees, index = level (`ZERO[0]` is a zero leaf).
pub(crate) fn zero_roots() -> &'static [Node; MAX_HEIGHT + 1] {
    static ZERO: std::sync::OnceLock<[Node; MAX_HEIGHT + 1]> = std::sync::OnceLock::new();
    ZERO.get_or_init(|| {
        let mut z = [[0u8; 32]; MAX_HEIGHT + 1];
        for l in 1..=MAX_HEIGHT {
            z[l] = hash_pair(&z[l - 1], &z[l - 1]);
        }
        z
    })
}

/// fr32-pads one 127-byte quad into four 32-byte leaves: two zero bits after every 254 bits.
#[inline]
pub(crate) fn fr32_quad(input: &[u8], out: &mut [u8]) {
    let input: &[u8; QUAD_IN] = input.try_into().expect("a 127-byte quad");
    let out: &mut [u8; QUAD_OUT] = out.try_into().expect("a 128-byte output");
    // Leaf k holds input bits 254k .. 254k+254, i.e. starts at byte 31k + (6k)/8, bit 6k % 8.
    out[..32].copy_from_slice(&input[..32]);
    out[31] &= 0x3f;
    for i in 0..32 {
        out[32 + i] = (input[31 + i] >> 6) | (input[32 + i] << 2);
    }
    out[63] &= 0x3f;
    for i in 0..32 {
        out[64 + i] = (input[63 + i] >> 4) | (input[64 + i] << 4);
    }
    out[95] &= 0x3f;
    for i in 0..31 {
        out[96 + i] = (input[95 + i] >> 2) | (input[96 + i] << 6);
    }
    out[127] = input[126] >> 2;
}

/// Hashes the first `n` 64-byte blocks of `buf` into `n` nodes, written in place from the start.
#[inline]
fn hash_level(buf: &mut [u8], n: usize) {
    #[allow(unused_mut, reason = "only the simd128 build hashes four at a time")]
    let mut done = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while done + 4 <= n {
        super::lanes::hash4_in_place::<core::arch::wasm32::v128>(buf, done / 4);
        done += 4;
    }
    for i in done..n {
        let h = hash_block(&buf[64 * i..64 * i + 64]);
        buf[32 * i..32 * i + 32].copy_from_slice(&h);
    }
}

/// Hashes `buf` (a power-of-two number ≥ 2 of nodes) down to its root, in place.
fn reduce_in_place(buf: &mut [u8]) -> Node {
    let mut n = buf.len() / 32;
    debug_assert!(n >= 2 && n.is_power_of_two());
    while n > 1 {
        n /= 2;
        hash_level(buf, n);
    }
    buf[..32].try_into().expect("32 bytes")
}

/// Root of the subtree over `input`: a power-of-two number of whole quads. Constant stack
/// memory; recursion depth is the subtree height.
pub(crate) fn subtree_root(input: &[u8]) -> Node {
    let quads = input.len() / QUAD_IN;
    debug_assert!(quads.is_power_of_two() && quads * QUAD_IN == input.len());
    if quads <= BLOCK_QUADS {
        let mut buf = [0u8; QUAD_OUT * BLOCK_QUADS];
        for (i, quad) in input.chunks_exact(QUAD_IN).enumerate() {
            fr32_quad(quad, &mut buf[QUAD_OUT * i..QUAD_OUT * (i + 1)]);
        }
        reduce_in_place(&mut buf[..QUAD_OUT * quads])
    } else {
        let half = input.len() / 2;
        hash_pair(&subtree_root(&input[..half]), &subtree_root(&input[half..]))
    }
}

/// [`subtree_root`] with the two halves of large subtrees hashed on different threads.
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
pub(crate) fn par_subtree_root(input: &[u8]) -> Node {
    /// Below this many quads (128 KiB padded) a subtree is hashed on one thread.
    const SERIAL_QUADS: usize = 1024;
    let quads = input.len() / QUAD_IN;
    if quads <= SERIAL_QUADS {
        subtree_root(input)
    } else {
        let half = input.len() / 2;
        let (l, r) = rayon::join(
            || par_subtree_root(&input[..half]),
            || par_subtree_root(&input[half..]),
        );
        hash_pair(&l, &r)
    }
}

/// A slot of the pending left spine of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Empty,
    Node(Node),
    /// The leftmost subtree at this level, whose first quad is not known yet (see
    /// [`Tree::push_pending`]).
    Pending,
}

/// A binary counter of completed subtrees: `slots[l]` is a left child at level `l` waiting for
/// its right sibling. O(height) memory.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    slots: Vec<Slot>,
    /// `right_of_pending[l]`: right sibling of the pending leftmost node at level `l`.
    right_of_pending: Vec<Node>,
}

/// The root of a finished tree.
#[derive(Debug, Clone)]
pub(crate) enum Root {
    /// Every byte was known.
    Known(Node),
    /// The first quad is still pending; fold it in with [`Tree::fold_pending`].
    Pending(Vec<Node>),
}

impl Tree {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            right_of_pending: vec![[0; 32]; MAX_HEIGHT + 1],
        }
    }

    /// Adds the completed subtree `node` at `level`; it must be the next one in order and aligned.
    pub(crate) fn push(&mut self, level: usize, node: Node) {
        self.push_slot(level, Slot::Node(node));
    }

    /// Marks the first quad as pending: its bytes are given at the very end. Along the left
    /// spine only the right siblings are kept, and folded up in [`Tree::fold_pending`].
    pub(crate) fn push_pending(&mut self) {
        self.push_slot(QUAD_LEVEL, Slot::Pending);
    }

    fn push_slot(&mut self, mut level: usize, mut cur: Slot) {
        loop {
            if self.slots.len() <= level {
                self.slots.resize(level + 1, Slot::Empty);
            }
            match self.slots[level] {
                Slot::Empty => {
                    self.slots[level] = cur;
                    return;
                }
                left => {
                    self.slots[level] = Slot::Empty;
                    cur = self.combine(level, left, cur);
                    level += 1;
                }
            }
        }
    }

    fn combine(&mut self, level: usize, left: Slot, right: Slot) -> Slot {
        match (left, right) {
            (Slot::Node(l), Slot::Node(r)) => Slot::Node(hash_pair(&l, &r)),
            (Slot::Pending, Slot::Node(r)) => {
                self.right_of_pending[level] = r;
                Slot::Pending
            }
            _ => unreachable!("the pending subtree is always leftmost"),
        }
    }

    /// Completes the tree to `height` levels, filling the right with zero subtrees.
    pub(crate) fn finish(mut self, height: usize) -> Root {
        let zero = zero_roots();
        let mut acc: Option<Slot> = None;
        for (level, zero) in zero.iter().enumerate().take(height) {
            let slot = self.slots.get(level).copied().unwrap_or(Slot::Empty);
            acc = match (slot, acc) {
                (Slot::Empty, None) => None,
                (Slot::Empty, Some(a)) => Some(self.combine(level, a, Slot::Node(*zero))),
                (left, None) => Some(self.combine(level, left, Slot::Node(*zero))),
                (left, Some(a)) => Some(self.combine(level, left, a)),
            };
        }
        let top = acc
            .or_else(|| self.slots.get(height).copied())
            .unwrap_or(Slot::Empty);
        match top {
            Slot::Node(n) => Root::Known(n),
            Slot::Pending => Root::Pending(self.right_of_pending[..height].to_vec()),
            Slot::Empty => Root::Known(zero_roots()[height]),
        }
    }

    /// Folds the pending first quad (exactly 127 bytes) up the spine kept by [`Root::Pending`].
    pub(crate) fn fold_pending(first_quad: &[u8], right_of_pending: &[Node]) -> Node {
        let mut node = subtree_root(first_quad);
        for right in &right_of_pending[QUAD_LEVEL..] {
            node = hash_pair(&node, right);
        }
        node
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-by-bit fr32 reference.
    fn fr32_bits(input: &[u8]) -> Vec<u8> {
        let bit = |i: usize| (input[i / 8] >> (i % 8)) & 1;
        let mut out = vec![0u8; 128];
        for k in 0..4 {
            for j in 0..254 {
                let b = bit(254 * k + j);
                out[32 * k + j / 8] |= b << (j % 8);
            }
        }
        out
    }

    #[test]
    fn fr32_matches_bitwise_reference() {
        let mut input = [0u8; 127];
        for (i, b) in input.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(151).wrapping_add(7);
        }
        let mut out = [0u8; 128];
        fr32_quad(&input, &mut out);
        assert_eq!(out.to_vec(), fr32_bits(&input));
        let ones = [0xffu8; 127];
        fr32_quad(&ones, &mut out);
        assert_eq!(out.to_vec(), fr32_bits(&ones));
    }

    #[test]
    fn hash_block_is_truncated_sha256() {
        use sha2::Digest;
        let block: Vec<u8> = (0..64u8).collect();
        let mut want: [u8; 32] = sha2::Sha256::digest(&block).into();
        want[31] &= 0x3f;
        assert_eq!(hash_block(&block), want);
    }

    #[test]
    fn subtree_root_splits_consistently() {
        let input: Vec<u8> = (0..127 * 256).map(|i| (i * 7 % 251) as u8).collect();
        let whole = subtree_root(&input);
        let (l, r) = input.split_at(input.len() / 2);
        assert_eq!(whole, hash_pair(&subtree_root(l), &subtree_root(r)));
    }

    #[test]
    fn pending_spine_folds_to_the_same_root() {
        let input: Vec<u8> = (0..127 * 11).map(|i| (i * 13 % 256) as u8).collect();
        let mut known = Tree::new();
        let mut pending = Tree::new();
        for (i, quad) in input.chunks(127).enumerate() {
            known.push(QUAD_LEVEL, subtree_root(quad));
            if i == 0 {
                pending.push_pending();
            } else {
                pending.push(QUAD_LEVEL, subtree_root(quad));
            }
        }
        let Root::Known(want) = known.finish(6) else {
            panic!("known")
        };
        let Root::Pending(spine) = pending.finish(6) else {
            panic!("pending")
        };
        assert_eq!(Tree::fold_pending(&input[..127], &spine), want);
    }
}
