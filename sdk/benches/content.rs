//! Throughput of the content pipeline against plain SHA-256, on 256 MiB of the vector input.
//!
//! `cargo bench -p filmark-sdk --bench content` (set `FILMARK_BENCH_MIB` to change the size).
//! Prints MB/s of SHA-256 (sha2, one thread), the UnixFS CID, commP and pack (CID + CAR + commP
//! of the CAR, one read) on one thread and on all threads, each with its ratio to SHA-256.
//! Best of 4 round-robin runs.

#![allow(missing_docs, reason = "bench binary")]

use std::{
    hint::black_box,
    io::{self, Seek, SeekFrom, Write},
    time::{Duration, Instant},
};

use aes::cipher::{KeyIvInit, StreamCipher};
use filmark_sdk::content::{self, CommP, Importer, NoProgress, NullSink, Options, UnixFsParams};
use sha2::{Digest, Sha256};

/// Discards what is written; seeks anywhere (for `pack`'s header patch).
struct Discard(u64);

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Discard {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        if let SeekFrom::Start(p) = pos {
            self.0 = p;
        }
        Ok(self.0)
    }
}

/// A named operation to time.
type Op<'a> = (&'static str, Box<dyn Fn() + 'a>);

fn main() {
    let mib: usize = std::env::var("FILMARK_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let len = mib << 20;
    let key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let mut data = vec![0u8; len];
    ctr::Ctr128BE::<aes::Aes128>::new(&key.into(), &[0u8; 16].into()).apply_keystream(&mut data);
    let feed = |f: &mut dyn FnMut(&[u8])| data.chunks(1 << 20).for_each(f);

    let opts = Options::default();
    let single = opts.with_parallel(false);
    let ops: Vec<Op<'_>> = vec![
        (
            "sha256 (sha2)",
            Box::new(|| {
                black_box(Sha256::digest(&data));
            }),
        ),
        (
            "unixfs cid 1 thread",
            Box::new(|| {
                let mut imp = Importer::new(UnixFsParams::KUBO, NullSink).unwrap();
                feed(&mut |b| imp.update(b).unwrap());
                black_box(imp.finish().unwrap());
            }),
        ),
        (
            "unixfs cid all threads",
            Box::new(|| {
                black_box(content::import(&data[..], None, &opts, NoProgress).unwrap());
            }),
        ),
        (
            "commp 1 thread",
            Box::new(|| {
                let mut h = CommP::new();
                feed(&mut |b| h.update(b).unwrap());
                black_box(h.finish());
            }),
        ),
        (
            "commp all threads",
            Box::new(|| {
                let mut h = CommP::parallel();
                feed(&mut |b| h.update(b).unwrap());
                black_box(h.finish());
            }),
        ),
        (
            "pack all threads",
            Box::new(|| {
                black_box(content::pack(&data[..], None, Discard(0), &opts, NoProgress).unwrap());
            }),
        ),
        (
            "pack 1 thread",
            Box::new(|| {
                black_box(content::pack(&data[..], None, Discard(0), &single, NoProgress).unwrap());
            }),
        ),
    ];
    // Round-robin, best of ROUNDS: other load on the machine hits every operation alike.
    const ROUNDS: usize = 4;
    let mut best = vec![Duration::MAX; ops.len()];
    for _ in 0..ROUNDS {
        for (i, (_, op)) in ops.iter().enumerate() {
            let t = Instant::now();
            op();
            best[i] = best[i].min(t.elapsed());
        }
    }

    let mbps = |d: Duration| len as f64 / d.as_secs_f64() / 1e6;
    let base = mbps(best[0]);
    println!(
        "{mib} MiB, {} threads, SHA-NI: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        cfg!(target_arch = "x86_64") && std::is_x86_feature_detected!("sha")
    );
    println!("{:<28} {:>9} {:>7}", "operation", "MB/s", "x sha");
    for ((name, _), d) in ops.iter().zip(best) {
        println!("{name:<28} {:>9.1} {:>7.3}", mbps(d), mbps(d) / base);
    }
}
