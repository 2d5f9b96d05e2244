//! Reading the input for an [`Importer`]: on one thread, or (feature `parallel`, native only)
//! with the leaves hashed on every core while the next batch is read.
//!
//! In parallel mode the calling thread reads batches of whole chunks into a few reused buffers;
//! each full batch goes to the rayon pool, which hashes its chunks (one task a chunk); the
//! batches come back in order and the importer emits their leaves (and the nodes above them)
//! to its sink on the calling thread, so block order and every output byte are those of the
//! serial importer. At most four batches of about 1 MiB (whole chunks) are in flight
//! or being read: 4 MiB with 256 KiB chunks.

use std::io::{self, Read};

use super::{BlockSink, Importer, Progress};
use crate::Result;

/// Reads `reader` to the end into `importer`; returns the bytes read.
///
/// With `parallel` (and feature `parallel`, native only) leaves are hashed on every core while
/// the next batch is read; the result is identical.
pub(crate) fn import_into<R: Read, S: BlockSink>(
    reader: R,
    total: Option<u64>,
    progress: impl Progress,
    importer: &mut Importer<S>,
    parallel: bool,
) -> Result<u64> {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    if parallel && importer.chunk_size() <= par::MAX_PARALLEL_CHUNK {
        return par::import_into(reader, total, progress, importer);
    }
    let _ = parallel;
    super::drive(reader, total, progress, |b| importer.update(b))
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
pub(crate) fn fill<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
mod par {
    use std::{collections::VecDeque, io::Read, sync::mpsc};

    use rayon::prelude::*;
    use sha2::{Digest, Sha256};

    use super::fill;
    use crate::{
        Result,
        content::{BlockSink, Importer, Progress, READ_BUF},
    };

    /// Batches in flight on the pool while the next one is read.
    const DEPTH: usize = 3;
    /// Larger chunks are imported on one thread (a batch holds at least one chunk).
    pub(super) const MAX_PARALLEL_CHUNK: usize = 4 * READ_BUF;

    /// A hashed batch: its buffer, the bytes in it and the digests of its whole chunks.
    type Hashed = (Vec<u8>, usize, Vec<[u8; 32]>);

    /// The SHA-256 of every whole `chunk`-byte piece of `data`, in order, on every core.
    fn hash_chunks(data: &[u8], chunk: usize) -> Vec<[u8; 32]> {
        let whole = data.len() / chunk * chunk;
        data[..whole]
            .par_chunks(chunk)
            .map(|c| Sha256::digest(c).into())
            .collect()
    }

    pub(super) fn import_into<R: Read, S: BlockSink>(
        mut reader: R,
        total: Option<u64>,
        mut progress: impl Progress,
        importer: &mut Importer<S>,
    ) -> Result<u64> {
        let chunk = importer.chunk_size();
        let batch = chunk * (READ_BUF / chunk).max(1);
        // Inside a pool thread, waiting for a spawned task could starve a small pool: hash each
        // batch in place (still on every core of that pool).
        let spawn = rayon::current_thread_index().is_none();
        let mut free: Vec<Vec<u8>> = Vec::with_capacity(DEPTH + 1);
        let mut flight: VecDeque<mpsc::Receiver<Hashed>> = VecDeque::with_capacity(DEPTH + 1);
        let mut read = 0u64;
        let mut done = 0u64;
        progress.update(0, total);
        let mut emit = move |(buf, n, digests): Hashed, free: &mut Vec<Vec<u8>>| -> Result<()> {
            importer.update_hashed(&buf[..n], &digests)?;
            done += n as u64;
            progress.update(done, total);
            free.push(buf);
            Ok(())
        };
        loop {
            let mut buf = free.pop().unwrap_or_else(|| vec![0; batch]);
            let n = fill(&mut reader, &mut buf)?;
            let end = n < batch;
            read += n as u64;
            if n > 0 {
                if spawn {
                    let (tx, rx) = mpsc::sync_channel(1);
                    rayon::spawn(move || {
                        let digests = hash_chunks(&buf[..n], chunk);
                        // The receiver is gone only if the import failed: nothing to report to.
                        let _ = tx.send((buf, n, digests));
                    });
                    flight.push_back(rx);
                } else {
                    let digests = hash_chunks(&buf[..n], chunk);
                    emit((buf, n, digests), &mut free)?;
                }
            }
            while flight.len() > DEPTH || (end && !flight.is_empty()) {
                let rx = flight.pop_front().expect("non-empty");
                emit(rx.recv().expect("a leaf hashing task panicked"), &mut free)?;
            }
            if end {
                return Ok(read);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use cid::Cid;

    use super::*;
    use crate::content::{Imported, READ_BUF, UnixFsParams};

    /// Gives at most 77,777 bytes a read, so batches are filled by several reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(77_777);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    type Blocks = Vec<(Cid, Vec<u8>)>;

    fn import(data: &[u8], params: UnixFsParams, parallel: bool) -> (Imported, Blocks, u64) {
        let mut blocks = Vec::new();
        let mut last = 0;
        let mut importer = Importer::new(params, |c: &Cid, d: &[u8]| {
            blocks.push((*c, d.to_vec()));
            Ok(())
        })
        .unwrap();
        let read = import_into(
            Trickle(data),
            None,
            |done, _| last = done,
            &mut importer,
            parallel,
        )
        .unwrap();
        let (imported, _) = importer.finish().unwrap();
        assert_eq!(read, last, "progress reaches the bytes read");
        (imported, blocks, read)
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 + i / 251) as u8).collect()
    }

    #[test]
    fn parallel_emits_the_serial_blocks_in_the_same_order() {
        let d = data(9 * READ_BUF + 12_345);
        for (chunk, len) in [
            (1000, d.len()),
            (1000, 5 * 1000),
            (256 << 10, d.len()),
            (256 << 10, 8 * READ_BUF),
            (3 << 20, d.len()),
            // Past the largest chunk hashed in parallel.
            (5 << 20, d.len()),
            (256 << 10, 0),
        ] {
            let params = UnixFsParams::KUBO.with_chunk_size(chunk).with_max_links(3);
            let serial = import(&d[..len], params, false);
            let parallel = import(&d[..len], params, true);
            assert_eq!(parallel.0, serial.0, "chunk {chunk}, {len} bytes");
            assert!(parallel.1 == serial.1, "chunk {chunk}, {len} bytes");
            assert_eq!(parallel.2, len as u64);
        }
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    #[test]
    fn parallel_inside_a_one_thread_pool_does_not_deadlock() {
        let d = data(5 * READ_BUF + 99);
        let params = UnixFsParams::KUBO;
        let serial = import(&d, params, false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let parallel = pool.install(|| import(&d, params, true));
        assert_eq!(parallel.0, serial.0);
        assert!(parallel.1 == serial.1);
    }
}
