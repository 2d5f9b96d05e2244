//! One read of the input → root CID, CAR and the CAR's piece commitment.

use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use cid::Cid;

use super::{
    CarInfo, CarWriter, CommP, Importer, Options, Piece, Progress, ahead, car, unixfs::CID_LEN,
};
use crate::{Error, Result};

/// Output buffer between the importer and the CAR output.
pub(crate) const WRITE_BUF: usize = 1 << 20;

/// Result of [`pack`]: the file's root CID, its CAR and the CAR's piece commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    /// UnixFS root CID of the input (also the CAR's only root).
    pub root: Cid,
    /// Input size in bytes.
    pub file_size: u64,
    /// The CAR written.
    pub car: CarInfo,
    /// Piece commitment of the CAR bytes (what a storage deal for the CAR needs).
    pub piece: Piece,
}

/// Writes to `out` and hashes the same bytes. A commP error travels inside an `io::Error`
/// and is taken out again by [`Error::unwrap_io`].
pub(crate) struct Tee<W> {
    pub(crate) out: W,
    pub(crate) commp: Option<CommP>,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(c) = &mut self.commp {
            c.update(&buf[..n]).map_err(io::Error::other)?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The CAR writer the single-read functions import into.
pub(crate) type BodyWriter<W> = CarWriter<Tee<BufWriter<W>>>;

/// Streams `reader` into a CAR at the current position of `out`, optionally hashing it; the
/// header (fixed length: every root CID here is [`CID_LEN`] bytes) is patched in at the end.
fn car_seekable<R: Read, W: Write + Seek>(
    reader: R,
    total: Option<u64>,
    out: W,
    opts: &Options,
    progress: impl Progress,
    hash: bool,
) -> Result<(Cid, u64, CarInfo, Option<Piece>)> {
    car_seekable_with(total, out, opts, hash, |writer| {
        let mut importer = Importer::new(opts.unixfs, writer)?;
        ahead::import_into(reader, total, progress, &mut importer, opts.parallel)?;
        let (imported, writer) = importer.finish()?;
        Ok((imported.root, imported.file_size, writer))
    })
}

/// A CAR at the current position of `out` whose blocks `body` writes (returning the root and
/// the input size), optionally hashed; the header is patched in at the end.
pub(crate) fn car_seekable_with<W: Write + Seek>(
    total: Option<u64>,
    out: W,
    opts: &Options,
    hash: bool,
    body: impl FnOnce(BodyWriter<W>) -> Result<(Cid, u64, BodyWriter<W>)>,
) -> Result<(Cid, u64, CarInfo, Option<Piece>)> {
    let header_len = car::header_len(CID_LEN);
    if hash && let Some(t) = total {
        super::commp::check_size(t)?;
    }
    let mut out = BufWriter::with_capacity(WRITE_BUF, out);
    let start = out.stream_position()?;
    out.write_all(&vec![0; header_len])?;
    let commp = hash.then(|| opts.commp_hasher().deferred(header_len));
    let tee = Tee { out, commp };
    let (root, input_size, writer) =
        body(CarWriter::without_header(tee)).map_err(Error::unwrap_io)?;
    let (mut tee, body) = writer.finish().map_err(Error::unwrap_io)?;
    let header = car::header(&root);
    debug_assert_eq!(header.len(), header_len);
    let piece = tee.commp.take().map(|c| c.finish_deferred(&header));
    let mut out = tee
        .out
        .into_inner()
        .map_err(|e| Error::Io(e.into_error()))?;
    let end = start + (header_len as u64) + body.bytes;
    out.seek(SeekFrom::Start(start))?;
    out.write_all(&header)?;
    out.seek(SeekFrom::Start(end))?;
    out.flush()?;
    let info = CarInfo {
        bytes: body.bytes + header_len as u64,
        ..body
    };
    Ok((root, input_size, info, piece))
}

/// Writes the CARv1 of everything `reader` yields to `out` (from its current position) and
/// returns the root CID and the CAR's summary. One read of the input: the header is written
/// as a placeholder and patched once the root is known, hence `Seek`.
///
/// # Errors
/// [`Error::Io`] when reading or writing fails; [`Error::InvalidParams`] for bad options.
pub fn write_car<R: Read, W: Write + Seek>(
    reader: R,
    total: Option<u64>,
    out: W,
    opts: &Options,
    progress: impl Progress,
) -> Result<(Cid, CarInfo)> {
    let (root, _, info, _) = car_seekable(reader, total, out, opts, progress, false)?;
    Ok((root, info))
}

/// One read of `reader` gives its root CID, its CAR (written to `out` from its current
/// position) and the CAR's piece commitment.
///
/// The CAR's commitment covers its header, which holds the root CID known only at the end. As
/// the header's length is fixed, the CAR body is hashed at its final offset while the first
/// 127-byte quad stays pending: for each tree level only the right sibling of the pending
/// left spine is kept (O(log n) memory), and the spine is folded up once the header is known.
/// The header is then patched into `out`, hence `Seek`. For outputs that cannot seek (pipes,
/// sockets) use [`pack_two_pass`].
///
/// # Errors
/// [`Error::Io`] when reading or writing fails; [`Error::TooLarge`] when the CAR does not fit
/// a 64 GiB sector; [`Error::InvalidParams`] for bad options.
pub fn pack<R: Read, W: Write + Seek>(
    reader: R,
    total: Option<u64>,
    out: W,
    opts: &Options,
    progress: impl Progress,
) -> Result<Packed> {
    let (root, file_size, car, piece) = car_seekable(reader, total, out, opts, progress, true)?;
    Ok(Packed {
        root,
        file_size,
        car,
        piece: piece.expect("hashed"),
    })
}

/// [`pack`] of bytes in memory with the default [`Options`]: what packing gave and the CAR
/// (for a post's text or an image; files go through `content::file::pack`).
///
/// # Errors
/// As [`pack`].
pub fn pack_bytes(data: &[u8]) -> Result<(Packed, Vec<u8>)> {
    let mut car = std::io::Cursor::new(Vec::new());
    let packed = pack(
        data,
        Some(data.len() as u64),
        &mut car,
        &Options::default(),
        super::NoProgress,
    )?;
    Ok((packed, car.into_inner()))
}

/// [`pack`] for outputs that cannot seek: reads the input twice (first for the root CID, then,
/// after rewinding it, for the CAR and its commitment), so the header is written first.
/// `progress` sees both passes (`total` doubled).
///
/// # Errors
/// As [`pack`]; [`Error::InputChanged`] if the input changed between the passes.
pub fn pack_two_pass<R: Read + Seek, W: Write>(
    mut reader: R,
    total: Option<u64>,
    out: W,
    opts: &Options,
    mut progress: impl Progress,
) -> Result<Packed> {
    if let Some(t) = total {
        super::commp::check_size(t)?;
    }
    let start = reader.stream_position()?;
    let total2 = total.map(|t| 2 * t);
    let first = super::import(&mut reader, None, opts, |d, _| progress.update(d, total2))?;
    reader.seek(SeekFrom::Start(start))?;
    let tee = Tee {
        out: BufWriter::with_capacity(WRITE_BUF, out),
        commp: Some(opts.commp_hasher()),
    };
    let mut run = |tee: Tee<BufWriter<W>>| -> Result<_> {
        let writer = CarWriter::new(tee, &first.root)?;
        let mut importer = Importer::new(opts.unixfs, writer)?;
        let offset = first.file_size;
        ahead::import_into(
            &mut reader,
            None,
            |d, _| progress.update(offset + d, total2),
            &mut importer,
            opts.parallel,
        )?;
        let (imported, writer) = importer.finish()?;
        writer.finish().map(|(tee, info)| (imported, tee, info))
    };
    let (imported, mut tee, car) = run(tee).map_err(Error::unwrap_io)?;
    if imported.root != first.root {
        return Err(Error::InputChanged);
    }
    let piece = tee.commp.take().expect("hashing").finish();
    tee.out.flush()?;
    Ok(Packed {
        root: imported.root,
        file_size: imported.file_size,
        car,
        piece,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::content::UnixFsParams;

    #[test]
    fn seekable_and_two_pass_agree() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i * 7 / 3) as u8).collect();
        let opts = Options::default().with_unixfs(UnixFsParams::KUBO.with_chunk_size(1000));
        let mut a = Cursor::new(Vec::new());
        let pa = pack(&data[..], None, &mut a, &opts, crate::content::NoProgress).unwrap();
        let mut b = Vec::new();
        let pb = pack_two_pass(
            Cursor::new(&data),
            None,
            &mut b,
            &opts,
            crate::content::NoProgress,
        )
        .unwrap();
        assert_eq!(pa, pb);
        assert_eq!(a.into_inner(), b);
        let mut hasher = CommP::new();
        hasher.update(&b).unwrap();
        assert_eq!(hasher.finish(), pa.piece);
        assert_eq!(pa.car.bytes, b.len() as u64);
    }
}
