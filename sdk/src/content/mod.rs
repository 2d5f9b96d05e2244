//! Content pipeline: file bytes → UnixFS root CID, CARv1, piece commitment (commP).
//!
//! Every operation streams: bytes are pushed (`update(&[u8])`) or pulled from a
//! [`std::io::Read`], nothing holds the whole input, and memory is bounded whatever the input
//! size (a few MiB of buffers, plus the CAR writer's de-duplication keys: see the crate README).
//!
//! - [`Importer`]: UnixFS with the defaults of `ipfs add --cid-version=1` ([`UnixFsParams::KUBO`]).
//! - [`CarWriter`]: CARv1 blocks in the importer's post-order, without duplicates.
//! - [`CommP`]: fr32 + sha2-256-trunc254-padded tree, piece CID v1 and v2 ([`Piece`]).
//! - [`pack`]: one read of the input gives the root CID, the CAR and the CAR's piece CID.
//! - [`DirImporter`], [`import_dir`], [`pack_dir`]: the same for a directory of named files
//!   (`ipfs add -r --cid-version=1`; HAMT-sharded past [`SHARD_SPLIT_THRESHOLD`]).
//! - [`file`](mod@file) (feature `std`): the same by path, with typed errors for bad paths.
//!
//! Inputs under [`LOTUS_MIN_PAYLOAD_SIZE`] (65) bytes get a commitment (zero-padded to one
//! 127-byte quad, as other tools do), but Lotus' commP tool refuses them.

mod ahead;
mod car;
mod commp;
mod dir;
#[cfg(feature = "std")]
pub mod file;
mod pack;
mod unixfs;

use std::io::Read;

use cid::Cid;

pub use self::{
    car::{CarInfo, CarWriter, DEFAULT_DEDUP_CAPACITY, header as car_header, header_len},
    commp::{
        CommP, FIL_COMMITMENT_UNSEALED, FR32_SHA2_256_TRUNC254_PADDED_BINARY_TREE,
        LOTUS_MIN_PAYLOAD_SIZE, MAX_PADDED_SIZE, MAX_PAYLOAD_SIZE, MIN_PADDED_SIZE, Piece, RAW,
        SHA2_256_TRUNC254_PADDED, join_pieces, padded_size,
    },
    dir::{
        DirEntry, DirImported, DirImporter, HAMT_FANOUT, MURMUR3_X64_64, SHARD_SPLIT_THRESHOLD,
        import_dir, pack_dir, pack_dir_two_pass, write_dir_car,
    },
    pack::{Packed, pack, pack_bytes, pack_two_pass, write_car},
    unixfs::{CID_LEN, DAG_PB, Imported, Importer, SHA2_256, UnixFsParams},
};
use crate::Result;

/// Bytes read from an input at a time.
pub(crate) const READ_BUF: usize = 1 << 20;

/// Receives the blocks of an import, in order.
pub trait BlockSink {
    /// Takes one block. Must not assume blocks are distinct: identical chunks give identical
    /// blocks.
    ///
    /// # Errors
    /// Any error aborts the import and is returned from it.
    fn put(&mut self, cid: &Cid, data: &[u8]) -> Result<()>;
}

/// Drops every block: for computing the root CID only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl BlockSink for NullSink {
    fn put(&mut self, _: &Cid, _: &[u8]) -> Result<()> {
        Ok(())
    }
}

impl<F: FnMut(&Cid, &[u8]) -> Result<()>> BlockSink for F {
    fn put(&mut self, cid: &Cid, data: &[u8]) -> Result<()> {
        self(cid, data)
    }
}

/// Progress of a long operation, called as the input is consumed (about every MiB).
pub trait Progress {
    /// `done` input bytes were processed, out of `total` when known.
    fn update(&mut self, done: u64, total: Option<u64>);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&mut self, _: u64, _: Option<u64>) {}
}

impl<F: FnMut(u64, Option<u64>)> Progress for F {
    fn update(&mut self, done: u64, total: Option<u64>) {
        self(done, total)
    }
}

/// How to import and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// DAG shape; [`UnixFsParams::KUBO`] by default.
    pub unixfs: UnixFsParams,
    /// Hash UnixFS leaves and commitments on every core while the input is read ahead (feature
    /// `parallel`, native only; on by default there). Results are identical either way.
    pub parallel: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            unixfs: UnixFsParams::KUBO,
            parallel: cfg!(all(feature = "parallel", not(target_arch = "wasm32"))),
        }
    }
}

impl Options {
    /// Sets the DAG shape.
    pub const fn with_unixfs(mut self, unixfs: UnixFsParams) -> Self {
        self.unixfs = unixfs;
        self
    }

    /// Turns multi-core hashing and read-ahead on or off (no effect without feature `parallel`).
    pub const fn with_parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }

    /// A commP hasher as these options say.
    pub fn commp_hasher(&self) -> CommP {
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        if self.parallel {
            return CommP::parallel();
        }
        CommP::new()
    }
}

/// Computes the UnixFS root CID of everything `reader` yields.
///
/// `total` (the input size, when known) is passed to `progress`.
///
/// # Errors
/// [`crate::Error::Io`] when reading fails; [`crate::Error::InvalidParams`] for bad
/// [`Options::unixfs`].
pub fn import<R: Read>(
    reader: R,
    total: Option<u64>,
    opts: &Options,
    progress: impl Progress,
) -> Result<Imported> {
    let mut importer = Importer::new(opts.unixfs, NullSink)?;
    ahead::import_into(reader, total, progress, &mut importer, opts.parallel)?;
    Ok(importer.finish()?.0)
}

/// Computes the piece commitment of everything `reader` yields.
///
/// # Errors
/// [`crate::Error::Io`] when reading fails; [`crate::Error::TooLarge`] past a 64 GiB sector.
pub fn commp<R: Read>(
    reader: R,
    total: Option<u64>,
    opts: &Options,
    progress: impl Progress,
) -> Result<Piece> {
    if let Some(t) = total {
        commp::check_size(t)?;
    }
    let mut hasher = opts.commp_hasher();
    drive(reader, total, progress, |b| hasher.update(b))?;
    Ok(hasher.finish())
}

/// Reads `reader` to the end in [`READ_BUF`] pieces, handing each to `f`.
pub(crate) fn drive<R: Read>(
    mut reader: R,
    total: Option<u64>,
    mut progress: impl Progress,
    mut f: impl FnMut(&[u8]) -> Result<()>,
) -> Result<u64> {
    let mut buf = vec![0u8; READ_BUF];
    let mut done = 0u64;
    progress.update(0, total);
    loop {
        // Fill the buffer as far as the reader goes, so chunks stay aligned with reads.
        let n = ahead::fill(&mut reader, &mut buf)?;
        if n == 0 {
            return Ok(done);
        }
        f(&buf[..n])?;
        done += n as u64;
        progress.update(done, total);
    }
}

/// Appends `v` as an unsigned LEB128 varint (multiformats `uvarint`).
pub(crate) fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
