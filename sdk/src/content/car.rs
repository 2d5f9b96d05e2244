//! CARv1 writing.

use std::{collections::HashSet, io::Write};

use cid::Cid;
use sha2::{Digest, Sha256};

use super::{BlockSink, put_uvarint};
use crate::Result;

/// Distinct CIDs a [`CarWriter`] remembers for de-duplication by default: 2^19, more than the
/// 262,144 leaves plus internal nodes of a full 64 GiB piece at 256 KiB chunks (~20 MiB at most).
pub const DEFAULT_DEDUP_CAPACITY: usize = 1 << 19;

/// Length of the CARv1 header for a single root of `cid_len` bytes.
pub const fn header_len(cid_len: usize) -> usize {
    let body = header_body_len(cid_len);
    uvarint_len(body as u64) + body
}

const fn header_body_len(cid_len: usize) -> usize {
    // a2 | 65 "roots" | 81 | d8 2a | bytes(len) 00 cid | 67 "version" | 01
    1 + 6 + 1 + 2 + bytes_head_len(cid_len + 1) + 1 + cid_len + 8 + 1
}

/// Length of the CBOR head of a byte string of `len` bytes (minimal, as dag-cbor requires).
const fn bytes_head_len(len: usize) -> usize {
    if len < 24 { 1 } else { 2 }
}

const fn uvarint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// The CARv1 header for one root: `uvarint(len) ‖ dag-cbor {"roots": [root], "version": 1}`
/// (map keys in dag-cbor's canonical order: shorter first).
pub fn header(root: &Cid) -> Vec<u8> {
    let cid = root.to_bytes();
    assert!(cid.len() < 255, "CIDs are far shorter than 255 bytes");
    let mut out = Vec::with_capacity(header_len(cid.len()));
    put_uvarint(&mut out, header_body_len(cid.len()) as u64);
    out.push(0xa2); // map(2)
    out.push(0x65); // text(5)
    out.extend_from_slice(b"roots");
    out.push(0x81); // array(1)
    out.extend_from_slice(&[0xd8, 0x2a]); // tag(42): CID
    let n = cid.len() + 1; // identity multibase prefix + CID
    if bytes_head_len(n) == 1 {
        out.push(0x40 | n as u8);
    } else {
        out.extend_from_slice(&[0x58, n as u8]);
    }
    out.push(0x00);
    out.extend_from_slice(&cid);
    out.push(0x67); // text(7)
    out.extend_from_slice(b"version");
    out.push(0x01);
    out
}

/// Summary of a written CAR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarInfo {
    /// Total CAR bytes, header included.
    pub bytes: u64,
    /// Blocks written (duplicates skipped).
    pub blocks: u64,
    /// Duplicate blocks skipped.
    pub duplicates: u64,
}

/// Writes CARv1 blocks (`uvarint(len(cid) + len(data)) ‖ cid ‖ data`) to any [`Write`],
/// skipping blocks already written.
///
/// De-duplication keeps a set of 32-byte keys (sha256 of the CID bytes), at most
/// `dedup_capacity` of them: memory grows with the number of *distinct blocks*, not bytes.
/// Past the capacity, new CIDs are no longer remembered, so a later repeat of one of them is
/// written again (a CAR with duplicates is still valid CARv1, just larger); no block is ever
/// lost. The default capacity covers every file that fits a 64 GiB sector.
#[derive(Debug)]
pub struct CarWriter<W> {
    out: W,
    seen: HashSet<[u8; 32]>,
    dedup_capacity: usize,
    info: CarInfo,
    scratch: Vec<u8>,
}

impl<W: Write> CarWriter<W> {
    /// A writer that first writes the header for `root`.
    ///
    /// # Errors
    /// [`crate::Error::Io`] if writing fails.
    pub fn new(mut out: W, root: &Cid) -> Result<Self> {
        let header = header(root);
        out.write_all(&header)?;
        let mut w = Self::without_header(out);
        w.info.bytes = header.len() as u64;
        Ok(w)
    }

    /// A writer of blocks only, for when the header is written elsewhere (for example patched
    /// in once the root is known). [`CarInfo::bytes`] counts only what this writer writes.
    pub fn without_header(out: W) -> Self {
        Self {
            out,
            seen: HashSet::new(),
            dedup_capacity: DEFAULT_DEDUP_CAPACITY,
            info: CarInfo {
                bytes: 0,
                blocks: 0,
                duplicates: 0,
            },
            scratch: Vec::with_capacity(48),
        }
    }

    /// Sets how many distinct CIDs are remembered for de-duplication (0 turns it off).
    pub fn with_dedup_capacity(mut self, capacity: usize) -> Self {
        self.dedup_capacity = capacity;
        self
    }

    /// Writes one block unless it was written before; returns whether it was written.
    ///
    /// # Errors
    /// [`crate::Error::Io`] if writing fails.
    pub fn write_block(&mut self, cid: &Cid, data: &[u8]) -> Result<bool> {
        self.scratch.clear();
        cid.write_bytes(&mut self.scratch)
            .expect("writing to a Vec");
        if self.dedup_capacity > 0 {
            let key: [u8; 32] = Sha256::digest(&self.scratch).into();
            if self.seen.contains(&key) {
                self.info.duplicates += 1;
                return Ok(false);
            }
            if self.seen.len() < self.dedup_capacity {
                self.seen.insert(key);
            }
        }
        let cid_len = self.scratch.len();
        let mut prefix = Vec::with_capacity(10 + cid_len);
        put_uvarint(&mut prefix, (cid_len + data.len()) as u64);
        prefix.extend_from_slice(&self.scratch);
        self.out.write_all(&prefix)?;
        self.out.write_all(data)?;
        self.info.bytes += (prefix.len() + data.len()) as u64;
        self.info.blocks += 1;
        Ok(true)
    }

    /// What was written so far.
    pub const fn info(&self) -> CarInfo {
        self.info
    }

    /// Flushes and returns the output and the summary.
    ///
    /// # Errors
    /// [`crate::Error::Io`] if flushing fails.
    pub fn finish(mut self) -> Result<(W, CarInfo)> {
        self.out.flush()?;
        Ok((self.out, self.info))
    }
}

impl<W: Write> BlockSink for CarWriter<W> {
    fn put(&mut self, cid: &Cid, data: &[u8]) -> Result<()> {
        self.write_block(cid, data).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_length_is_fixed_for_36_byte_cids() {
        let cid = super::super::unixfs::block_cid(0x55, b"x");
        let h = header(&cid);
        assert_eq!(h.len(), header_len(36));
        assert_eq!(h.len(), 59);
        assert_eq!(h[0] as usize, h.len() - 1);
    }

    #[test]
    fn short_cids_use_the_minimal_byte_string_head() {
        // An identity-hash CID of 3 bytes of data: 7 bytes in all.
        let mh = cid::multihash::Multihash::<64>::wrap(0x00, b"abc").unwrap();
        let cid = Cid::new_v1(0x55, mh);
        let h = header(&cid);
        assert_eq!(h.len(), header_len(7));
        assert_eq!(&h[9..13], &[0xd8, 0x2a, 0x48, 0x00]);
    }

    #[test]
    fn duplicates_are_skipped() {
        let cid = super::super::unixfs::block_cid(0x55, b"abc");
        let mut w = CarWriter::without_header(Vec::new());
        assert!(w.write_block(&cid, b"abc").unwrap());
        assert!(!w.write_block(&cid, b"abc").unwrap());
        let (out, info) = w.finish().unwrap();
        assert_eq!(info.blocks, 1);
        assert_eq!(info.duplicates, 1);
        assert_eq!(out.len() as u64, info.bytes);
        assert_eq!(out[0] as usize, 36 + 3);
    }
}
