//! `sdk/tests/vectors/directories.json`: flat, nested and HAMT-sharded directories, by list and
//! from a tree on disk (provenance in that folder's README).

use std::{io::Cursor, path::PathBuf};

use filmark_sdk::content::{self, DirEntry, NoProgress, Options};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::car_reader;

const NAMES: [&str; 8] = [
    "flat",
    "nested",
    "with_empty_dir",
    "sharded",
    "at_threshold",
    "past_threshold",
    "subdir_at_threshold",
    "empty_dir_past_threshold",
];

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/directories.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).unwrap()
}

/// `image(k, n)` of the vectors' `input`.
fn image(k: u64, n: u64) -> Vec<u8> {
    (0..n)
        .map(|i| ((i * 31 + k * 7 + (i >> 8)) % 256) as u8)
        .collect()
}

/// The inputs of the vectors: files (path, bytes) and empty directories.
fn inputs(name: &str) -> (Vec<(String, Vec<u8>)>, Vec<&'static str>) {
    let text = b"A post with three images.\n".to_vec();
    let files: Vec<(&str, Vec<u8>)> = match name {
        "flat" => vec![
            ("post.txt", text),
            ("img-1.bin", image(1, 1000)),
            ("img-2.bin", image(2, 70_000)),
            ("img-3.bin", image(3, 300_000)),
        ],
        "nested" | "with_empty_dir" => vec![
            ("post.txt", text),
            ("images/img-1.bin", image(1, 1000)),
            ("images/img-2.bin", image(2, 70_000)),
            ("images/thumbs/t-1.bin", image(4, 500)),
            ("images/thumbs/t-2.bin", image(5, 600)),
            ("notes/a.txt", b"a\n".to_vec()),
        ],
        "sharded" => {
            let files = (0..6000)
                .map(|i| {
                    (
                        format!("file-{i:05}.txt"),
                        format!("entry {i}\n").into_bytes(),
                    )
                })
                .collect();
            return (files, vec![]);
        }
        "at_threshold" | "past_threshold" | "subdir_at_threshold" | "empty_dir_past_threshold" => {
            let mut files: Vec<_> = (0..4096)
                .map(|i| {
                    let ext = if i == 0 && name == "past_threshold" {
                        "text"
                    } else {
                        "txt"
                    };
                    (format!("t{i:023}.{ext}"), format!("{i}\n").into_bytes())
                })
                .collect();
            if name == "subdir_at_threshold" {
                files.push(("u/x.txt".to_owned(), b"x\n".to_vec()));
            }
            let empty = if name == "empty_dir_past_threshold" {
                vec!["v"]
            } else {
                vec![]
            };
            return (files, empty);
        }
        _ => unreachable!(),
    };
    let empty = if name == "with_empty_dir" {
        vec!["empty"]
    } else {
        vec![]
    };
    let files = files.into_iter().map(|(p, b)| (p.to_owned(), b)).collect();
    (files, empty)
}

/// The vector's input as a list, in the given file order.
fn list<'a>(
    files: &'a [(String, Vec<u8>)],
    empty: &[&str],
) -> Vec<filmark_sdk::Result<DirEntry<&'a [u8]>>> {
    let mut out: Vec<_> = files
        .iter()
        .map(|(path, bytes)| {
            Ok(DirEntry::File {
                path: path.clone(),
                reader: bytes.as_slice(),
                size: Some(bytes.len() as u64),
            })
        })
        .collect();
    out.extend(empty.iter().map(|p| {
        Ok(DirEntry::Dir {
            path: (*p).to_owned(),
        })
    }));
    out
}

fn check_car(v: &Value, name: &str, car: &[u8], packed: &content::Packed) {
    assert_eq!(
        packed.root.to_string(),
        v["root"].as_str().unwrap(),
        "{name} root"
    );
    assert_eq!(packed.car.bytes, car.len() as u64);
    assert_eq!(
        car.len() as u64,
        v["car_bytes"].as_u64().unwrap(),
        "{name} car bytes"
    );
    let read = car_reader::read_and_verify(car);
    assert_eq!(read.root, packed.root);
    assert_eq!(read.blocks, v["blocks"].as_u64().unwrap(), "{name} blocks");
    let mut cids: Vec<String> = read.cids.iter().map(ToString::to_string).collect();
    cids.sort();
    assert_eq!(
        hex::encode(Sha256::digest(cids.join("\n"))),
        v["blocks_sha256"].as_str().unwrap(),
        "{name} set of blocks"
    );
    if name == "with_empty_dir" {
        // Another block order than the JS importer's (see the vector file's note).
        return;
    }
    assert_eq!(
        hex::encode(Sha256::digest(car)),
        v["car_sha256"].as_str().unwrap(),
        "{name} car sha256"
    );
    assert_eq!(
        packed.piece.cid_v1().to_string(),
        v["piece_v1"].as_str().unwrap()
    );
    assert_eq!(
        packed.piece.cid_v2().to_string(),
        v["piece_v2"].as_str().unwrap()
    );
}

#[test]
fn list_pack_matches_ipfs_unixfs_importer() {
    let all = vectors();
    for name in NAMES {
        let v = &all["directories"][name];
        let (mut files, empty) = inputs(name);
        // The JS importer was fed depth first in byte order: the CAR is byte-identical then.
        files.sort_by(|a, b| a.0.split('/').cmp(b.0.split('/')));
        let total = files.iter().map(|f| f.1.len() as u64).sum();
        let mut out = Cursor::new(Vec::new());
        let opts = Options::default();
        let packed = content::pack_dir(
            list(&files, &empty),
            Some(total),
            &mut out,
            &opts,
            NoProgress,
        )
        .unwrap();
        assert_eq!(packed.file_size, total);
        check_car(v, name, out.get_ref(), &packed);

        // Two passes (unseekable output) give the same bytes.
        let mut piped = Vec::new();
        let two = content::pack_dir_two_pass(
            || list(&files, &empty),
            None,
            &mut piped,
            &opts,
            NoProgress,
        )
        .unwrap();
        assert_eq!(two, packed);
        assert_eq!(&piped, out.get_ref());

        // Any other order gives the same directory (not the same CAR bytes).
        files.reverse();
        let d = content::import_dir(list(&files, &empty), None, &opts, NoProgress).unwrap();
        assert_eq!(d.root, packed.root, "{name} reversed");
    }
}

#[cfg(feature = "std")]
#[test]
fn tree_on_disk_matches_ipfs_unixfs_importer() {
    use filmark_sdk::content::file;

    let all = vectors();
    for name in NAMES {
        let v = &all["directories"][name];
        let (files, empty) = inputs(name);
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join(name);
        for (path, bytes) in &files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        for d in &empty {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        // Hidden files are left out, as by `ipfs add -r`.
        std::fs::write(root.join(".DS_Store"), b"hidden").unwrap();
        let car = tmp.path().join("out.car");
        let opts = Options::default();
        let packed = file::pack_dir(&root, &car, &opts, NoProgress).unwrap();
        check_car(v, name, &std::fs::read(&car).unwrap(), &packed);
        let d = file::import_dir(&root, &opts, NoProgress).unwrap();
        assert_eq!(d.root, packed.root);
        assert_eq!(d.files, files.len() as u64);
    }
}

/// Random small trees (paths that are not a prefix of another one).
fn tree() -> impl proptest::strategy::Strategy<Value = Vec<(String, Vec<u8>)>> {
    use proptest::prelude::*;
    prop::collection::btree_map(
        "[a-c]{1,2}(/[a-c]{1,2}){0,2}",
        prop::collection::vec(any::<u8>(), 0..600),
        1..12,
    )
    .prop_map(|m| {
        let paths: Vec<String> = m.keys().cloned().collect();
        m.into_iter()
            .filter(|(p, _)| !paths.iter().any(|q| q.starts_with(&format!("{p}/"))))
            .collect()
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any order of the files gives the same directory; the CAR holds every block once, the
    /// root last, and its commitment is that of its bytes.
    #[test]
    fn order_does_not_change_the_directory(files in tree(), turn in 0usize..12) {
        let opts = Options::default().with_unixfs(content::UnixFsParams::KUBO.with_chunk_size(256));
        let mut out = Cursor::new(Vec::new());
        let packed = content::pack_dir(list(&files, &[]), None, &mut out, &opts, NoProgress).unwrap();
        let mut other = files.clone();
        other.rotate_left(turn % files.len());
        other.reverse();
        let d = content::import_dir(list(&other, &[]), None, &opts, NoProgress).unwrap();
        proptest::prop_assert_eq!(d.root, packed.root);
        proptest::prop_assert_eq!(d.files, files.len() as u64);
        let read = car_reader::read_and_verify(out.get_ref());
        proptest::prop_assert_eq!(read.root, packed.root);
        let mut commp = content::CommP::new();
        commp.update(out.get_ref()).unwrap();
        proptest::prop_assert_eq!(commp.finish(), packed.piece);
    }
}
