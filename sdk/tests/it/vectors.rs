//! Every vector of `sdk/tests/vectors/{small,content}.json` (provenance in that folder's README).

use std::{
    io::{Cursor, Read},
    path::PathBuf,
};

use filmark_sdk::content::{self, NoProgress, Options, UnixFsParams};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{car_reader, input::KeyStream};

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("vector file")).unwrap()
}

/// Hashes the input with plain sha256 while it is read.
struct Hashing<R> {
    inner: R,
    sha: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

/// One read of the input gives the CAR, its piece and the file's CID; a second its commP.
fn check(v: &Value, size: u64, car: Option<&Value>) {
    let opts = Options::default();
    let mut reader = Hashing {
        inner: KeyStream::new(size),
        sha: Sha256::new(),
    };
    let mut out = Cursor::new(Vec::new());
    let packed = content::pack(&mut reader, Some(size), &mut out, &opts, NoProgress).unwrap();
    assert_eq!(
        hex::encode(reader.sha.finalize()),
        v["sha256"].as_str().unwrap(),
        "sha {size}"
    );
    assert_eq!(
        packed.root.to_string(),
        v["cid"].as_str().unwrap(),
        "cid {size}"
    );
    assert_eq!(packed.file_size, size);

    let imported = content::import(KeyStream::new(size), None, &opts, NoProgress).unwrap();
    assert_eq!(imported.root, packed.root);

    let piece = content::commp(KeyStream::new(size), None, &opts, NoProgress).unwrap();
    assert_eq!(
        piece.cid_v1().to_string(),
        v["piece_v1"].as_str().unwrap(),
        "v1 {size}"
    );
    assert_eq!(
        piece.cid_v2().to_string(),
        v["piece_v2"].as_str().unwrap(),
        "v2 {size}"
    );
    let padded = v
        .get("padded_size")
        .or_else(|| v.get("padded_piece_size"))
        .unwrap();
    assert_eq!(piece.padded_size, padded.as_u64().unwrap());
    assert_eq!(piece.payload_size, size);

    let car_bytes = out.into_inner();
    assert_eq!(packed.car.bytes, car_bytes.len() as u64);
    let read = car_reader::read_and_verify(&car_bytes);
    assert_eq!(read.root, packed.root);
    assert_eq!(read.blocks, packed.car.blocks);
    if let Some(car) = car {
        assert_eq!(
            car_bytes.len() as u64,
            car["bytes"].as_u64().unwrap(),
            "car bytes {size}"
        );
        assert_eq!(
            hex::encode(Sha256::digest(&car_bytes)),
            car["sha256"].as_str().unwrap()
        );
        if let Some(blocks) = car.get("blocks") {
            assert_eq!(packed.car.blocks, blocks.as_u64().unwrap());
        }
        assert_eq!(
            packed.piece.cid_v1().to_string(),
            car["piece_v1"].as_str().unwrap()
        );
        assert_eq!(
            packed.piece.cid_v2().to_string(),
            car["piece_v2"].as_str().unwrap()
        );
        if let Some(p) = car.get("padded_size") {
            assert_eq!(packed.piece.padded_size, p.as_u64().unwrap());
        }
    }
}

#[test]
fn small_json() {
    let vectors = load("small.json");
    let all = vectors["vectors"].as_array().unwrap();
    assert!(all.len() >= 14);
    for v in all {
        let size = v["size"].as_u64().unwrap();
        let car = v.get("car").filter(|c| !c.is_null());
        check(v, size, car);
    }
}

#[test]
fn content_json() {
    let vectors = load("content.json");
    for f in vectors["files"].as_array().unwrap() {
        let size = f["size"].as_u64().unwrap();
        check(f, size, f.get("car_importer_order"));
        if let Some(alt) = f.get("ipfs_car_default_dag") {
            let opts = Options::default().with_unixfs(UnixFsParams::IPFS_CAR);
            let imported = content::import(KeyStream::new(size), None, &opts, NoProgress).unwrap();
            assert_eq!(imported.root.to_string(), alt["cid"].as_str().unwrap());
        }
    }
}
