//! Streaming results equal small in-memory reference implementations, for random sizes, DAG
//! shapes and read chunkings.

use std::io::Cursor;

use cid::{Cid, multihash::Multihash};
use filmark_sdk::content::{self, CommP, Importer, NoProgress, Options, UnixFsParams};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use crate::car_reader;

fn cid(codec: u64, data: &[u8]) -> Cid {
    Cid::new_v1(codec, Multihash::wrap(0x12, &Sha256::digest(data)).unwrap())
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn field_bytes(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    varint(out, field << 3 | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn field_varint(out: &mut Vec<u8>, field: u64, v: u64) {
    varint(out, field << 3);
    varint(out, v);
}

/// (cid, tsize, file bytes) of a node.
type Node = (Cid, u64, u64);

/// Whole-file UnixFS: chunk, then build each level from the one below until one node is left.
fn reference_unixfs(data: &[u8], p: UnixFsParams) -> (Cid, Vec<(Cid, Vec<u8>)>) {
    let mut blocks = Vec::new();
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![data]
    } else {
        data.chunks(p.chunk_size).collect()
    };
    let mut level: Vec<Node> = chunks
        .iter()
        .map(|c| {
            let id = cid(0x55, c);
            blocks.push((id, c.to_vec()));
            (id, c.len() as u64, c.len() as u64)
        })
        .collect();
    if level.len() == 1 {
        return (level[0].0, blocks);
    }
    while level.len() > 1 {
        level = level
            .chunks(p.max_links)
            .map(|links| {
                let mut node = Vec::new();
                for (c, tsize, _) in links {
                    let mut l = Vec::new();
                    field_bytes(&mut l, 1, &c.to_bytes());
                    field_bytes(&mut l, 2, b"");
                    field_varint(&mut l, 3, *tsize);
                    field_bytes(&mut node, 2, &l);
                }
                let mut unixfs = Vec::new();
                field_varint(&mut unixfs, 1, 2);
                let size: u64 = links.iter().map(|l| l.2).sum();
                field_varint(&mut unixfs, 3, size);
                for l in links {
                    field_varint(&mut unixfs, 4, l.2);
                }
                field_bytes(&mut node, 1, &unixfs);
                let id = cid(0x70, &node);
                let tsize = node.len() as u64 + links.iter().map(|l| l.1).sum::<u64>();
                blocks.push((id, node));
                (id, tsize, size)
            })
            .collect();
    }
    (level[0].0, blocks)
}

/// Whole-payload commP: bitwise fr32 of the zero-padded payload, then level-by-level hashing.
fn reference_commp(data: &[u8]) -> [u8; 32] {
    let quads = data.len().div_ceil(127).max(1);
    let leaves = (quads * 4).next_power_of_two();
    let mut input = data.to_vec();
    input.resize(leaves / 4 * 127, 0);
    let bit = |i: usize| (input[i / 8] >> (i % 8)) & 1;
    let mut level = vec![[0u8; 32]; leaves];
    for (k, leaf) in level.iter_mut().enumerate() {
        for j in 0..254 {
            leaf[j / 8] |= bit(254 * k + j) << (j % 8);
        }
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut h: [u8; 32] = Sha256::new()
                    .chain_update(pair[0])
                    .chain_update(pair[1])
                    .finalize()
                    .into();
                h[31] &= 0x3f;
                h
            })
            .collect();
    }
    level[0]
}

/// Splits `data` at the given cut lengths (cycled) to mimic arbitrary read sizes.
fn pieces<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    for cut in cuts.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (a, b) = rest.split_at((*cut).min(rest.len()));
        out.push(a);
        rest = b;
    }
    out
}

fn payload(len: usize, seed: u8, repetitive: bool) -> Vec<u8> {
    if repetitive {
        // Identical chunks: exercises de-duplication.
        (0..len).map(|i| (i % 7) as u8 ^ seed).collect()
    } else {
        crate::input::bytes(len + seed as usize)[seed as usize..].to_vec()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn importer_matches_reference(
        len in 0usize..6000,
        seed in any::<u8>(),
        repetitive in any::<bool>(),
        chunk in 1usize..300,
        width in 2usize..6,
        cuts in prop::collection::vec(1usize..700, 1..8),
    ) {
        let data = payload(len, seed, repetitive);
        let params = UnixFsParams::KUBO.with_chunk_size(chunk).with_max_links(width);
        let (want_root, want_blocks) = reference_unixfs(&data, params);
        let mut got_blocks = Vec::new();
        let mut importer = Importer::new(params, |c: &Cid, d: &[u8]| {
            got_blocks.push((*c, d.to_vec()));
            Ok(())
        }).unwrap();
        for piece in pieces(&data, &cuts) {
            importer.update(piece).unwrap();
        }
        let (imported, _) = importer.finish().unwrap();
        prop_assert_eq!(imported.root, want_root);
        prop_assert_eq!(imported.file_size, len as u64);
        // The root comes last (the full order is pinned by the CAR vectors).
        prop_assert_eq!(got_blocks.last().map(|b| b.0), Some(want_root));
        let mut got = got_blocks.clone();
        let mut want = want_blocks;
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn commp_matches_reference(
        len in 0usize..5000,
        seed in any::<u8>(),
        cuts in prop::collection::vec(1usize..400, 1..8),
    ) {
        let data = payload(len, seed, false);
        let mut hasher = CommP::new();
        for piece in pieces(&data, &cuts) {
            hasher.update(piece).unwrap();
        }
        let piece = hasher.finish();
        prop_assert_eq!(piece.comm_p, reference_commp(&data));
        prop_assert_eq!(piece.payload_size, len as u64);
    }

    #[test]
    fn pack_matches_separate_steps(
        len in 0usize..4000,
        seed in any::<u8>(),
        repetitive in any::<bool>(),
        chunk in 1usize..200,
        width in 2usize..5,
    ) {
        let data = payload(len, seed, repetitive);
        let params = UnixFsParams::KUBO.with_chunk_size(chunk).with_max_links(width);
        let opts = Options::default().with_unixfs(params);
        let mut out = Cursor::new(Vec::new());
        let packed = content::pack(&data[..], None, &mut out, &opts, NoProgress).unwrap();
        let car = out.into_inner();
        let (want_root, want_blocks) = reference_unixfs(&data, params);
        prop_assert_eq!(packed.root, want_root);
        let read = car_reader::read_and_verify(&car);
        prop_assert_eq!(read.root, want_root);
        let distinct: std::collections::HashSet<_> = want_blocks.iter().map(|b| b.0).collect();
        prop_assert_eq!(read.blocks, distinct.len() as u64);
        prop_assert_eq!(packed.car.bytes, car.len() as u64);
        prop_assert_eq!(packed.piece.comm_p, reference_commp(&car));
        prop_assert_eq!(packed.piece.payload_size, car.len() as u64);
    }
}
