//! Piece commitment (commP): fr32 padding and the sha2-256-trunc254-padded binary Merkle tree.

#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes;
mod tree;

use cid::{Cid, multihash::Multihash};

use self::tree::{QUAD_IN, QUAD_LEVEL, QUAD_OUT, Root, Tree};
use crate::{Error, Result};

/// Multicodec `fil-commitment-unsealed`: the codec of a piece CID v1.
pub const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;
/// Multihash `sha2-256-trunc254-padded`: the hash of a piece CID v1.
pub const SHA2_256_TRUNC254_PADDED: u64 = 0x1012;
/// Multihash `fr32-sha2-256-trunc254-padded-binary-tree`: the hash of a piece CID v2 (FRC-0069).
pub const FR32_SHA2_256_TRUNC254_PADDED_BINARY_TREE: u64 = 0x1011;
/// Multicodec `raw`: the codec of a piece CID v2 (and of raw UnixFS leaves).
pub const RAW: u64 = 0x55;

/// Padded size of the largest sector (64 GiB).
pub const MAX_PADDED_SIZE: u64 = 64 << 30;
/// The largest payload a 64 GiB sector holds: 127/128 of its padded size.
pub const MAX_PAYLOAD_SIZE: u64 = MAX_PADDED_SIZE / 128 * 127;
/// The smallest padded piece (one fr32 quad). Smaller payloads are zero-padded to 127 bytes.
pub const MIN_PADDED_SIZE: u64 = 128;
/// Lotus' commP tool (`go-fil-commp-hashhash`) refuses payloads below this many bytes; the
/// zero-padded commitment computed here for them agrees with other tools but such a piece
/// cannot be made into a deal through Lotus.
pub const LOTUS_MIN_PAYLOAD_SIZE: u64 = 65;

/// Quads a single-threaded hasher buffers and hashes at once (127 KiB in, 128 KiB padded).
const SERIAL_CHUNK_QUADS: u64 = 1 << 10;
/// Quads a parallel hasher buffers and spreads over the cores (~7.9 MiB in, 8 MiB padded).
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
const PARALLEL_CHUNK_QUADS: u64 = 1 << 16;

/// A piece commitment and its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// The root of the sha2-256-trunc254-padded tree (`CommP`).
    pub comm_p: [u8; 32],
    /// Payload size in bytes (before fr32 padding).
    pub payload_size: u64,
    /// Padded piece size: a power of two, at least [`MIN_PADDED_SIZE`].
    pub padded_size: u64,
}

impl Piece {
    /// Tree height: `padded_size = 32 · 2^height`.
    pub const fn height(&self) -> u8 {
        (self.padded_size.trailing_zeros() - 5) as u8
    }

    /// Unpadded piece size: the payload capacity of the padded piece (`padded_size · 127/128`).
    pub const fn unpadded_size(&self) -> u64 {
        self.padded_size / 128 * 127
    }

    /// Bytes of zero padding in the piece's payload capacity (FRC-0069's `padding`).
    pub const fn padding(&self) -> u64 {
        self.unpadded_size() - self.payload_size
    }

    /// Piece CID v1: `fil-commitment-unsealed` + `sha2-256-trunc254-padded` (`baga6ea4…`).
    pub fn cid_v1(&self) -> Cid {
        let mh = Multihash::wrap(SHA2_256_TRUNC254_PADDED, &self.comm_p).expect("32-byte digest");
        Cid::new_v1(FIL_COMMITMENT_UNSEALED, mh)
    }

    /// Piece CID v2 (FRC-0069): `raw` + `fr32-sha2-256-trunc254-padded-binary-tree`, digest =
    /// `uvarint(padding) ‖ height ‖ root` (`bafkzcib…`).
    pub fn cid_v2(&self) -> Cid {
        let mut digest = Vec::with_capacity(43);
        super::put_uvarint(&mut digest, self.padding());
        digest.push(self.height());
        digest.extend_from_slice(&self.comm_p);
        let mh = Multihash::wrap(FR32_SHA2_256_TRUNC254_PADDED_BINARY_TREE, &digest)
            .expect("digest fits in 64 bytes");
        Cid::new_v1(RAW, mh)
    }
}

/// Padded piece size for a payload of `payload_size` bytes.
pub const fn padded_size(payload_size: u64) -> u64 {
    let quads = payload_size.div_ceil(QUAD_IN as u64);
    let padded = quads * QUAD_OUT as u64;
    if padded <= MIN_PADDED_SIZE {
        MIN_PADDED_SIZE
    } else {
        padded.next_power_of_two()
    }
}

/// The piece of a payload cut into consecutive parts whose commitments were computed apart
/// (for example on several workers): joins their roots by the tree's node rule, zero subtrees
/// filling the right, as one [`CommP`] over the whole payload would.
///
/// Each part must start at a multiple of its own padded size in the padded payload, and every
/// part but the last must be full (`payload_size == unpadded_size()`): equal parts of
/// `127 · 2^k` bytes and any tail qualify.
///
/// # Errors
/// [`Error::InvalidParams`] for no parts, a part not full or not aligned, or an inconsistent
/// padded size; [`Error::TooLarge`] when the whole exceeds [`MAX_PAYLOAD_SIZE`].
pub fn join_pieces(parts: &[Piece]) -> Result<Piece> {
    let Some((_, full)) = parts.split_last() else {
        return Err(Error::InvalidParams("no piece to join"));
    };
    let mut tree = Tree::new();
    let (mut offset, mut payload) = (0u64, 0u64);
    for (i, part) in parts.iter().enumerate() {
        if part.padded_size != padded_size(part.payload_size) {
            return Err(Error::InvalidParams(
                "a part's padded size does not match its payload",
            ));
        }
        if i < full.len() && part.payload_size != part.unpadded_size() {
            return Err(Error::InvalidParams("only the last part may be partial"));
        }
        if !offset.is_multiple_of(part.padded_size) {
            return Err(Error::InvalidParams(
                "a part is not aligned to its padded size",
            ));
        }
        tree.push(part.height().into(), part.comm_p);
        offset += part.padded_size;
        payload += part.payload_size;
        check_size(payload)?;
    }
    let padded = padded_size(payload);
    if offset > padded {
        // Only an empty last part can overrun: its 128-byte quad lies past the piece.
        return Err(Error::InvalidParams("an empty part lies past the piece"));
    }
    let Root::Known(comm_p) = tree.finish((padded / 32).trailing_zeros() as usize) else {
        unreachable!("no pending quad")
    };
    Ok(Piece {
        comm_p,
        payload_size: payload,
        padded_size: padded,
    })
}

/// Fails with [`Error::TooLarge`] when `size` bytes do not fit in a 64 GiB sector.
pub(crate) const fn check_size(size: u64) -> Result<()> {
    if size > MAX_PAYLOAD_SIZE {
        Err(Error::TooLarge {
            size,
            max: MAX_PAYLOAD_SIZE,
        })
    } else {
        Ok(())
    }
}

/// Streaming commP hasher: feed bytes with [`update`](Self::update), then [`finish`](Self::finish).
///
/// Memory is constant: one batch buffer of 128 KiB ([`parallel`](Self::parallel): two of ~8 MiB,
/// one filling while the pool hashes the other) and O(log n) tree nodes. The zero padding up to
/// the next power of two is never materialised: its subtrees are precomputed hashes.
///
/// ```
/// use filmark_sdk::content::CommP;
/// let mut hasher = CommP::new();
/// hasher.update(&[1u8; 1000])?;
/// let piece = hasher.finish();
/// assert_eq!(piece.padded_size, 1024);
/// assert!(piece.cid_v1().to_string().starts_with("baga6ea4sea"));
/// # Ok::<(), filmark_sdk::Error>(())
/// ```
#[derive(Debug)]
pub struct CommP {
    tree: Tree,
    /// Bytes not yet hashed; they start at quad `quads_done`.
    buf: Vec<u8>,
    chunk_quads: u64,
    quads_done: u64,
    /// Payload bytes seen (including a deferred prefix).
    len: u64,
    parallel: bool,
    /// Deferred mode: the first quad, once complete (its first bytes are placeholders).
    deferred: Option<Option<Vec<u8>>>,
    /// Parallel mode: the batch being hashed on the pool while the next one fills.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    in_flight: Option<InFlight>,
    /// Parallel mode: a batch buffer to reuse.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    spare: Vec<u8>,
}

/// A batch handed to the rayon pool: its buffer and subtree roots come back on the channel.
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
type InFlight = std::sync::mpsc::Receiver<(Vec<u8>, Vec<(usize, tree::Node)>)>;

impl Default for CommP {
    fn default() -> Self {
        Self::new()
    }
}

impl CommP {
    /// A single-threaded hasher.
    pub fn new() -> Self {
        Self::with_chunk(SERIAL_CHUNK_QUADS, false)
    }

    /// A hasher that hashes independent aligned subtrees on every core (rayon). Gives exactly
    /// the same result as [`new`](Self::new).
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    pub fn parallel() -> Self {
        Self::with_chunk(PARALLEL_CHUNK_QUADS, true)
    }

    fn with_chunk(chunk_quads: u64, parallel: bool) -> Self {
        Self {
            tree: Tree::new(),
            buf: Vec::new(),
            chunk_quads,
            quads_done: 0,
            len: 0,
            parallel,
            deferred: None,
            #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
            in_flight: None,
            #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
            spare: Vec::new(),
        }
    }

    /// A hasher whose first `prefix_len` (< 127) bytes are given only at the end, to
    /// [`finish_deferred`](Self::finish_deferred); [`update`](Self::update) takes what follows.
    pub(crate) fn deferred(mut self, prefix_len: usize) -> Self {
        assert!(
            prefix_len < QUAD_IN,
            "the deferred prefix must lie in the first quad"
        );
        self.buf = vec![0; prefix_len];
        self.len = prefix_len as u64;
        self.deferred = Some(None);
        self
    }

    /// Payload bytes hashed so far.
    pub const fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte was hashed yet.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Hashes the next bytes of the payload.
    ///
    /// # Errors
    /// [`Error::TooLarge`] once the payload exceeds [`MAX_PAYLOAD_SIZE`].
    pub fn update(&mut self, mut data: &[u8]) -> Result<()> {
        let len = self.len + data.len() as u64;
        check_size(len)?;
        self.len = len;
        let chunk = self.chunk_quads as usize * QUAD_IN;
        while !data.is_empty() {
            if self.buf.is_empty()
                && self.quads_done.is_multiple_of(self.chunk_quads)
                && data.len() >= chunk
            {
                // Aligned whole batches straight from the caller's buffer: no copy.
                let n = data.len() / chunk * chunk;
                self.collect();
                self.hash_span(&data[..n]);
                self.quads_done += (n / QUAD_IN) as u64;
                data = &data[n..];
                continue;
            }
            let target = if matches!(self.deferred, Some(None)) {
                QUAD_IN
            } else {
                (self.chunk_quads - self.quads_done % self.chunk_quads) as usize * QUAD_IN
            };
            let take = (target - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == target {
                self.flush_buf();
            }
        }
        Ok(())
    }

    /// Hashes the whole quads in `buf` (or stores the deferred first quad).
    fn flush_buf(&mut self) {
        if matches!(self.deferred, Some(None)) {
            debug_assert_eq!(self.buf.len(), QUAD_IN);
            self.deferred = Some(Some(std::mem::take(&mut self.buf)));
            self.tree.push_pending();
            self.quads_done = 1;
            return;
        }
        debug_assert_eq!(self.buf.len() % QUAD_IN, 0);
        // Inside a pool thread, waiting for a spawned batch could starve the pool: hash in place
        // (still on every core, through `rayon::join`).
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        if self.parallel && rayon::current_thread_index().is_none() {
            self.flush_async();
            return;
        }
        self.collect();
        let buf = std::mem::take(&mut self.buf);
        self.hash_span(&buf);
        self.quads_done += (buf.len() / QUAD_IN) as u64;
        self.buf = buf;
        self.buf.clear();
    }

    /// Hands the full batch to the rayon pool and goes on filling another buffer, so reading
    /// (and, in `pack`, importing) overlaps with hashing. At most one batch is in flight.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    fn flush_async(&mut self) {
        self.collect();
        let mut next = std::mem::take(&mut self.spare);
        next.clear();
        let buf = std::mem::replace(&mut self.buf, next);
        let pos = self.quads_done;
        self.quads_done += (buf.len() / QUAD_IN) as u64;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rayon::spawn(move || {
            let roots = span_roots(pos, &buf, true);
            // The receiver only goes away if the hasher was dropped: nothing to report to.
            let _ = tx.send((buf, roots));
        });
        self.in_flight = Some(rx);
    }

    /// Waits for the batch in flight, if any, and adds its subtrees to the tree.
    fn collect(&mut self) {
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        if let Some(rx) = self.in_flight.take() {
            let (buf, roots) = rx.recv().expect("a commP hashing task panicked");
            for (level, node) in roots {
                self.tree.push(level, node);
            }
            self.spare = buf;
        }
    }

    /// Hashes whole quads starting at quad `quads_done` into the tree.
    fn hash_span(&mut self, span: &[u8]) {
        for (level, node) in span_roots(self.quads_done, span, self.parallel) {
            self.tree.push(level, node);
        }
    }

    /// Zero-pads the tail to a whole quad and completes the tree.
    fn finish_root(mut self) -> (Root, Option<Vec<u8>>, u64) {
        if !self.buf.is_empty() || self.quads_done == 0 {
            self.buf
                .resize(self.buf.len().div_ceil(QUAD_IN).max(1) * QUAD_IN, 0);
            if matches!(self.deferred, Some(None)) {
                self.flush_buf();
            }
            // The stored first quad may have taken the whole buffer.
            if !self.buf.is_empty() {
                self.flush_buf();
            }
        }
        self.collect();
        let padded = padded_size(self.len);
        let height = (padded / 32).trailing_zeros() as usize;
        let first = self.deferred.take().flatten();
        (self.tree.finish(height), first, self.len)
    }

    /// Completes the commitment (zero-padding to the next power of two).
    pub fn finish(self) -> Piece {
        debug_assert!(self.deferred.is_none(), "use finish_deferred");
        let (root, _, len) = self.finish_root();
        let Root::Known(comm_p) = root else {
            unreachable!("no pending quad")
        };
        Piece {
            comm_p,
            payload_size: len,
            padded_size: padded_size(len),
        }
    }

    /// Completes a [`deferred`](Self::deferred) commitment with the prefix bytes.
    pub(crate) fn finish_deferred(self, prefix: &[u8]) -> Piece {
        let (root, first, len) = self.finish_root();
        let mut first = first.expect("deferred hasher stores its first quad");
        first[..prefix.len()].copy_from_slice(prefix);
        let comm_p = match root {
            Root::Known(n) => n,
            Root::Pending(spine) => Tree::fold_pending(&first, &spine),
        };
        Piece {
            comm_p,
            payload_size: len,
            padded_size: padded_size(len),
        }
    }
}

/// Roots of the maximal aligned subtrees covering `span` (whole quads starting at quad `pos`),
/// in order, with their levels.
fn span_roots(mut pos: u64, mut span: &[u8], parallel: bool) -> Vec<(usize, tree::Node)> {
    let mut roots = Vec::new();
    while !span.is_empty() {
        let quads = (span.len() / QUAD_IN) as u64;
        let mut p = 1u64 << (63 - quads.leading_zeros());
        if pos != 0 {
            p = p.min(1 << pos.trailing_zeros());
        }
        let bytes = p as usize * QUAD_IN;
        roots.push((
            QUAD_LEVEL + p.trailing_zeros() as usize,
            subtree_root(&span[..bytes], parallel),
        ));
        pos += p;
        span = &span[bytes..];
    }
    roots
}

fn subtree_root(input: &[u8], parallel: bool) -> tree::Node {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    if parallel {
        return tree::par_subtree_root(input);
    }
    let _ = parallel;
    tree::subtree_root(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Non-streaming reference: fr32 the whole zero-padded payload, hash level by level.
    pub(crate) fn reference(data: &[u8]) -> [u8; 32] {
        let padded = padded_size(data.len() as u64) as usize;
        let mut input = data.to_vec();
        input.resize(padded / 128 * 127, 0);
        let mut level: Vec<[u8; 32]> = Vec::new();
        for q in input.chunks(127) {
            let mut out = [0u8; 128];
            tree::fr32_quad(q, &mut out);
            for leaf in out.chunks(32) {
                level.push(leaf.try_into().unwrap());
            }
        }
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|p| tree::hash_pair(&p[0], &p[1]))
                .collect();
        }
        level[0]
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 + i / 256) as u8).collect()
    }

    #[test]
    fn sizes() {
        assert_eq!(padded_size(0), 128);
        assert_eq!(padded_size(127), 128);
        assert_eq!(padded_size(128), 256);
        assert_eq!(padded_size(1000), 1024);
        assert_eq!(padded_size(MAX_PAYLOAD_SIZE), MAX_PADDED_SIZE);
        assert!(check_size(MAX_PAYLOAD_SIZE + 1).is_err());
    }

    #[test]
    fn streaming_matches_reference_across_batches() {
        for n in [
            0,
            1,
            126,
            127,
            128,
            1000,
            127 * 1024,
            127 * 1024 + 1,
            300_000,
        ] {
            let d = data(n);
            let mut h = CommP::new();
            for part in d.chunks(7919) {
                h.update(part).unwrap();
            }
            assert_eq!(h.finish().comm_p, reference(&d), "size {n}");
        }
    }

    #[test]
    fn deferred_prefix_matches_plain() {
        for n in [0usize, 10, 100, 127, 500, 127 * 1024 * 3 + 5] {
            let d = data(n + 59);
            let mut plain = CommP::new();
            plain.update(&d).unwrap();
            let mut def = CommP::new().deferred(59);
            for part in d[59..].chunks(1000) {
                def.update(part).unwrap();
            }
            assert_eq!(def.finish_deferred(&d[..59]), plain.finish(), "size {n}");
        }
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    #[test]
    fn parallel_matches_serial_at_every_alignment() {
        // Small batches (4096 quads) so that spans split into subtrees of every size.
        let d = data(127 * 4096 * 3 + 127 * 777 + 5);
        for (cut, len) in [
            (1000, d.len()),
            (4096, 127 * 4096),
            (127 * 5000, 127 * 8192 + 1),
        ] {
            let mut s = CommP::new();
            s.update(&d[..len]).unwrap();
            let mut p = CommP::with_chunk(1 << 12, true);
            for part in d[..len].chunks(cut) {
                p.update(part).unwrap();
            }
            assert_eq!(p.finish(), s.finish(), "len {len}");
        }
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    #[test]
    fn parallel_inside_a_one_thread_pool_does_not_deadlock() {
        let d = data(127 * 4096 * 3 + 99);
        let mut s = CommP::new();
        s.update(&d).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let piece = pool.install(|| {
            let mut p = CommP::with_chunk(1 << 12, true);
            for part in d.chunks(100_000) {
                p.update(part).unwrap();
            }
            p.finish()
        });
        assert_eq!(piece, s.finish());
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    #[test]
    fn parallel_matches_serial() {
        let d = data(127 * (1 << 16) * 2 + 12345);
        let mut s = CommP::new();
        s.update(&d).unwrap();
        let mut p = CommP::parallel();
        for part in d.chunks(1 << 20) {
            p.update(part).unwrap();
        }
        assert_eq!(p.finish(), s.finish());
    }

    fn piece(d: &[u8]) -> Piece {
        let mut h = CommP::new();
        h.update(d).unwrap();
        h.finish()
    }

    proptest::proptest! {
        #[test]
        fn joined_parts_equal_the_whole(k in 0u32..5, len in 0usize..127 * 40) {
            let d = data(len);
            let parts: Vec<Piece> = if d.is_empty() {
                vec![piece(&d)]
            } else {
                d.chunks(127 << k).map(piece).collect()
            };
            proptest::prop_assert_eq!(join_pieces(&parts).unwrap(), piece(&d));
        }
    }

    #[test]
    fn join_refuses_bad_parts() {
        let full = piece(&data(127));
        let half = piece(&data(100));
        let big = piece(&data(254));
        assert!(matches!(join_pieces(&[]), Err(Error::InvalidParams(_))));
        // A partial part before the last.
        assert!(matches!(
            join_pieces(&[half, full]),
            Err(Error::InvalidParams(_))
        ));
        // A 256-byte part at offset 128.
        assert!(matches!(
            join_pieces(&[full, big]),
            Err(Error::InvalidParams(_))
        ));
        // An empty quad past a full power of two.
        let empty = piece(&[]);
        assert!(matches!(
            join_pieces(&[full, empty]),
            Err(Error::InvalidParams(_))
        ));
        let mut wrong = full;
        wrong.padded_size = 256;
        assert!(matches!(
            join_pieces(&[wrong]),
            Err(Error::InvalidParams(_))
        ));
        assert_eq!(
            join_pieces(&[full, full, half]).unwrap(),
            piece(&[data(127), data(127), data(100)].concat())
        );
    }
}
