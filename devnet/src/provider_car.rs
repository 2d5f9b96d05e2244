//! The simulated provider's one read of an uploaded CAR: the bytes go through the SDK's commP
//! hasher while a CARv1 reader checks their structure (header, then `varint ‖ CID ‖ data`
//! sections), and reading stops as soon as they are more than the order's piece can hold.

use std::io::{self, BufRead, BufReader, Read};

use cid::Cid;
use filmark_sdk::content::{CommP, Options, Piece};

/// The largest CARv1 header accepted (a header names its roots: a few hundred bytes).
const MAX_HEADER_BYTES: u64 = 1 << 20;
/// The largest CAR section (CID + block) accepted: the 2 MiB block limit of Bitswap, with room
/// for the CID.
pub(crate) const MAX_SECTION_BYTES: u64 = (2 << 20) + 128;
/// Bytes read from the upload at a time (and handed to the hasher).
const READ_BUF: usize = 1 << 20;

/// Why a CAR was not accepted (the hashing reader's or the CAR reader's failure).
#[derive(Debug)]
pub(crate) enum CarFailure {
    /// More bytes than `limit`.
    TooBig { limit: u64 },
    /// The bytes are not a CARv1.
    NotACar(String),
    /// Reading the input failed.
    Unreadable(String),
}

/// What a good CAR gave.
#[derive(Debug, Clone)]
pub(crate) struct CarSummary {
    /// Its bytes.
    pub(crate) bytes: u64,
    /// Its first root.
    pub(crate) root: Cid,
    /// The piece commitment of its bytes.
    pub(crate) piece: Piece,
}

/// Passes everything read through a commP hasher and counts it; fails past `limit` bytes.
struct Hashing<R> {
    inner: R,
    commp: CommP,
    read: u64,
    limit: u64,
    over: bool,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            self.over = true;
            return Err(io::Error::other("over the limit"));
        }
        self.commp.update(&buf[..n]).map_err(io::Error::other)?;
        Ok(n)
    }
}

/// Reads `car` once: checks that it is a CARv1 with at least one root and hashes it. At most
/// `limit` bytes are read.
pub(crate) fn read_car<R: Read>(car: R, limit: u64) -> Result<CarSummary, CarFailure> {
    let hashing = Hashing {
        inner: car,
        commp: Options::default().commp_hasher(),
        read: 0,
        limit,
        over: false,
    };
    let mut reader = BufReader::with_capacity(READ_BUF, hashing);
    let checked = check_structure(&mut reader);
    let hashing = reader.into_inner();
    if hashing.over {
        return Err(CarFailure::TooBig { limit });
    }
    let root = checked?;
    Ok(CarSummary {
        bytes: hashing.read,
        root,
        piece: hashing.commp.finish(),
    })
}

fn io_failure(e: io::Error) -> CarFailure {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        CarFailure::NotACar("the CAR ends inside a section".into())
    } else {
        CarFailure::Unreadable(e.to_string())
    }
}

/// Reads an unsigned LEB128 varint; `None` at a clean end of input.
fn read_uvarint<R: BufRead>(r: &mut R) -> Result<Option<u64>, CarFailure> {
    let mut value = 0u64;
    for i in 0..10 {
        let mut byte = [0u8];
        if r.read(&mut byte).map_err(io_failure)? == 0 {
            return if i == 0 {
                Ok(None)
            } else {
                Err(CarFailure::NotACar("the CAR ends inside a varint".into()))
            };
        }
        value |= u64::from(byte[0] & 0x7f) << (7 * i);
        if byte[0] & 0x80 == 0 {
            return Ok(Some(value));
        }
    }
    Err(CarFailure::NotACar("a varint longer than 10 bytes".into()))
}

#[derive(serde::Deserialize)]
struct CarHeader {
    roots: Vec<Cid>,
    version: u64,
}

/// The CARv1 header, then every section to the end; returns the first root.
fn check_structure<R: BufRead>(r: &mut R) -> Result<Cid, CarFailure> {
    let len = read_uvarint(r)?.ok_or_else(|| CarFailure::NotACar("empty input".into()))?;
    if len == 0 || len > MAX_HEADER_BYTES {
        return Err(CarFailure::NotACar(format!(
            "a header of {len} bytes (a CARv1 header has 1 to {MAX_HEADER_BYTES})"
        )));
    }
    let mut header = vec![0; len as usize];
    r.read_exact(&mut header).map_err(io_failure)?;
    let header: CarHeader = fvm_ipld_encoding::from_slice(&header)
        .map_err(|e| CarFailure::NotACar(format!("the header is not a CARv1 header: {e}")))?;
    if header.version != 1 {
        return Err(CarFailure::NotACar(format!(
            "CAR version {} (a CARv1 is expected)",
            header.version
        )));
    }
    let root = *header
        .roots
        .first()
        .ok_or_else(|| CarFailure::NotACar("the header names no root".into()))?;
    let mut blocks = 0u64;
    while let Some(len) = read_uvarint(r)? {
        if len == 0 || len > MAX_SECTION_BYTES {
            return Err(CarFailure::NotACar(format!(
                "section {blocks} has {len} bytes (1 to {MAX_SECTION_BYTES} accepted)"
            )));
        }
        let mut section = r.take(len);
        Cid::read_bytes(&mut section).map_err(|e| match e {
            cid::Error::Io(e) => io_failure(e),
            e => CarFailure::NotACar(format!("section {blocks} does not start with a CID: {e}")),
        })?;
        let rest = section.limit();
        let copied = io::copy(&mut section, &mut io::sink()).map_err(io_failure)?;
        if copied != rest {
            return Err(CarFailure::NotACar("the CAR ends inside a section".into()));
        }
        blocks += 1;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use filmark_sdk::content::{NoProgress, pack};

    use super::*;

    fn car(size: usize) -> (Vec<u8>, filmark_sdk::content::Packed) {
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut out = Cursor::new(Vec::new());
        let packed = pack(
            data.as_slice(),
            Some(size as u64),
            &mut out,
            &Options::default(),
            NoProgress,
        )
        .unwrap();
        (out.into_inner(), packed)
    }

    #[test]
    fn a_packed_car_reads_with_the_sdks_piece_and_root() {
        let (bytes, packed) = car(600_000);
        let got = read_car(bytes.as_slice(), u64::MAX).unwrap();
        assert_eq!(got.piece, packed.piece);
        assert_eq!(got.root, packed.root);
        assert_eq!(got.bytes, bytes.len() as u64);
    }

    #[test]
    fn truncated_garbage_and_oversized_inputs_are_refused_by_kind() {
        let (bytes, _) = car(300_000);
        let cut = &bytes[..bytes.len() - 10];
        assert!(
            matches!(read_car(cut, u64::MAX), Err(CarFailure::NotACar(m)) if m.contains("ends inside"))
        );
        let garbage = b"this is not a CAR at all, just some text".repeat(10);
        assert!(matches!(
            read_car(garbage.as_slice(), u64::MAX),
            Err(CarFailure::NotACar(_))
        ));
        assert!(
            matches!(read_car(&[][..], u64::MAX), Err(CarFailure::NotACar(m)) if m == "empty input")
        );
        let limit = bytes.len() as u64 - 1;
        assert!(matches!(
            read_car(bytes.as_slice(), limit),
            Err(CarFailure::TooBig { limit: l }) if l == limit
        ));
    }
}
