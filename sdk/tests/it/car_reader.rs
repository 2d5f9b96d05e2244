//! A small CARv1 reader that checks every block against its CID.

use cid::Cid;
use sha2::{Digest, Sha256};

pub(crate) struct ReadCar {
    pub(crate) root: Cid,
    pub(crate) blocks: u64,
    /// Every block's CID, in CAR order.
    pub(crate) cids: Vec<Cid>,
}

fn uvarint(bytes: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Parses a CARv1 with one root; asserts the header's shape, every block's sha2-256 digest,
/// that no block repeats, and that the root is the last block.
pub(crate) fn read_and_verify(car: &[u8]) -> ReadCar {
    let mut pos = 0;
    let header_len = uvarint(car, &mut pos) as usize;
    let header = &car[pos..pos + header_len];
    pos += header_len;
    // {"roots": [CID], "version": 1} in canonical dag-cbor.
    assert_eq!(&header[..10], b"\xa2\x65roots\x81\xd8\x2a");
    assert_eq!(header[10], 0x58);
    let cid_len = header[11] as usize - 1;
    assert_eq!(header[12], 0, "identity multibase prefix");
    let root = Cid::try_from(&header[13..13 + cid_len]).unwrap();
    assert_eq!(&header[13 + cid_len..], b"\x67version\x01");

    let mut seen = std::collections::HashSet::new();
    let mut last = None;
    let mut blocks = 0;
    let mut cids = Vec::new();
    while pos < car.len() {
        let len = uvarint(car, &mut pos) as usize;
        let section = &car[pos..pos + len];
        pos += len;
        let mut cursor = std::io::Cursor::new(section);
        let cid = Cid::read_bytes(&mut cursor).unwrap();
        let data = &section[cursor.position() as usize..];
        assert_eq!(cid.hash().code(), 0x12, "sha2-256");
        assert_eq!(
            cid.hash().digest(),
            Sha256::digest(data).as_slice(),
            "block hash"
        );
        assert!(seen.insert(cid), "duplicate block {cid}");
        last = Some(cid);
        cids.push(cid);
        blocks += 1;
    }
    assert_eq!(last, Some(root), "root is the last block");
    ReadCar { root, blocks, cids }
}
