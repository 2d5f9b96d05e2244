//! Content: UnixFS CID, CAR and piece commitment, fed slice by slice from JavaScript.
//!
//! Each hasher takes `update(bytes)` calls (any slice sizes; a `Blob` is read in slices by the
//! package's `content.js`) and one `finish()`. They never hold the whole input.

use std::{cell::RefCell, io, rc::Rc};

use cid::Cid;
use filmark_sdk::content::{
    CarWriter, CommP, Importer, MAX_PAYLOAD_SIZE, NullSink, Piece, UnixFsParams, padded_size,
};
use wasm_bindgen::prelude::*;

use crate::error::{self, arg, sdk};

/// The DAG shape: `chunkSize`/`maxLinks` of 0 take the default of `ipfs add --cid-version=1`
/// (262,144-byte chunks, 174 links a node).
fn params(chunk_size: u32, max_links: u32) -> UnixFsParams {
    let mut p = UnixFsParams::KUBO;
    if chunk_size != 0 {
        p = p.with_chunk_size(chunk_size as usize);
    }
    if max_links != 0 {
        p = p.with_max_links(max_links as usize);
    }
    p
}

fn finished() -> JsValue {
    error::js_error(error::FINISHED, "this hasher was already finished")
}

/// The UnixFS root CID of a file (`ipfs add --cid-version=1`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct CidHasher {
    inner: Option<Importer<NullSink>>,
}

#[wasm_bindgen]
impl CidHasher {
    /// A hasher for the given DAG shape (0, 0 for the defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(chunk_size: Option<u32>, max_links: Option<u32>) -> Result<Self, JsValue> {
        let p = params(chunk_size.unwrap_or(0), max_links.unwrap_or(0));
        Ok(Self {
            inner: Some(Importer::new(p, NullSink).map_err(sdk)?),
        })
    }

    /// Adds the next bytes of the file.
    pub fn update(&mut self, data: &[u8]) -> Result<(), JsValue> {
        self.inner
            .as_mut()
            .ok_or_else(finished)?
            .update(data)
            .map_err(sdk)
    }

    /// The root CID of everything added.
    pub fn finish(&mut self) -> Result<Imported, JsValue> {
        let (imported, _) = self
            .inner
            .take()
            .ok_or_else(finished)?
            .finish()
            .map_err(sdk)?;
        Ok(Imported {
            root: imported.root.to_string(),
            file_size: imported.file_size as f64,
            blocks: imported.blocks as f64,
        })
    }
}

/// A file's UnixFS import.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct Imported {
    /// The root CID (`bafy…`, or `bafk…` for a single-chunk file).
    pub root: String,
    /// Bytes of the file.
    #[wasm_bindgen(js_name = fileSize)]
    pub file_size: f64,
    /// Blocks of the DAG (leaves and nodes).
    pub blocks: f64,
}

/// The piece commitment (commP) of a payload.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PieceHasher {
    inner: Option<CommP>,
}

impl Default for PieceHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl PieceHasher {
    /// An empty hasher.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self {
            inner: Some(CommP::new()),
        }
    }

    /// Adds the next bytes of the payload.
    pub fn update(&mut self, data: &[u8]) -> Result<(), JsValue> {
        self.inner
            .as_mut()
            .ok_or_else(finished)?
            .update(data)
            .map_err(sdk)
    }

    /// The commitment of everything added.
    pub fn finish(&mut self) -> Result<PieceInfo, JsValue> {
        Ok(piece_info(
            &self.inner.take().ok_or_else(finished)?.finish(),
        ))
    }
}

/// A piece commitment.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct PieceInfo {
    /// Piece CID v1 (`baga6ea4sea…`, fil-commitment-unsealed).
    #[wasm_bindgen(js_name = pieceCid)]
    pub piece_cid: String,
    /// Piece CID v2 (FRC-0069, `bafkzcib…`: carries the payload size).
    #[wasm_bindgen(js_name = pieceCidV2)]
    pub piece_cid_v2: String,
    /// The 32-byte commitment, hex.
    #[wasm_bindgen(js_name = commP)]
    pub comm_p: String,
    /// Payload bytes.
    #[wasm_bindgen(js_name = payloadSize)]
    pub payload_size: f64,
    /// Padded piece size (a power of two, at least 128).
    #[wasm_bindgen(js_name = paddedSize)]
    pub padded_size: f64,
}

fn piece_info(p: &Piece) -> PieceInfo {
    PieceInfo {
        piece_cid: p.cid_v1().to_string(),
        piece_cid_v2: p.cid_v2().to_string(),
        comm_p: hex::encode(p.comm_p),
        payload_size: p.payload_size as f64,
        padded_size: p.padded_size as f64,
    }
}

/// CAR bytes not yet handed to JavaScript, and the CAR's commitment so far.
#[derive(Debug)]
struct Out {
    pending: Vec<u8>,
    commp: CommP,
}

/// The CAR writer's output: shared with the encoder, which drains it after every update.
#[derive(Debug, Clone)]
struct Shared(Rc<RefCell<Out>>);

impl io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = self.0.borrow_mut();
        out.commp.update(buf).map_err(io::Error::other)?;
        out.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The CARv1 of a file whose root CID is already known (from a [`CidHasher`] pass), and the
/// CAR's piece commitment: the header first, then the blocks in import order without
/// duplicates, as `ipfs add` + `ipfs dag export` give them. Each `update` returns the CAR
/// bytes it produced; `finish` returns the last ones and the summary.
#[wasm_bindgen]
#[derive(Debug)]
pub struct CarEncoder {
    root: Cid,
    out: Shared,
    inner: Option<Importer<CarWriter<Shared>>>,
}

#[wasm_bindgen]
impl CarEncoder {
    /// An encoder for the file of root CID `root`, imported with the same DAG shape.
    #[wasm_bindgen(constructor)]
    pub fn new(
        root: &str,
        chunk_size: Option<u32>,
        max_links: Option<u32>,
    ) -> Result<Self, JsValue> {
        let root: Cid = root
            .parse()
            .map_err(|e| arg(format!("root CID {root:?}: {e}")))?;
        let out = Shared(Rc::new(RefCell::new(Out {
            pending: Vec::new(),
            commp: CommP::new(),
        })));
        let writer = CarWriter::new(out.clone(), &root).map_err(sdk)?;
        let p = params(chunk_size.unwrap_or(0), max_links.unwrap_or(0));
        let inner = Importer::new(p, writer).map_err(sdk)?;
        Ok(Self {
            root,
            out,
            inner: Some(inner),
        })
    }

    /// Takes the CAR bytes produced so far.
    fn drain(&self) -> Vec<u8> {
        std::mem::take(&mut self.out.0.borrow_mut().pending)
    }

    /// Adds the next bytes of the file; returns the CAR bytes this produced (often none).
    pub fn update(&mut self, data: &[u8]) -> Result<Vec<u8>, JsValue> {
        let importer = self.inner.as_mut().ok_or_else(finished)?;
        importer.update(data).map_err(sdk)?;
        Ok(self.drain())
    }

    /// Ends the file: the last CAR bytes and the summary. Fails with `INPUT_CHANGED` if the
    /// file's root is not the one given to the constructor.
    pub fn finish(&mut self) -> Result<CarChunk, JsValue> {
        let importer = self.inner.take().ok_or_else(finished)?;
        let (imported, writer) = importer.finish().map_err(sdk)?;
        let (_, info) = writer.finish().map_err(sdk)?;
        if imported.root != self.root {
            return Err(sdk(filmark_sdk::Error::InputChanged));
        }
        let tail = self.drain();
        let commp = std::mem::replace(&mut self.out.0.borrow_mut().commp, CommP::new());
        Ok(CarChunk {
            bytes: tail,
            car_size: info.bytes as f64,
            blocks: info.blocks as f64,
            piece: piece_info(&commp.finish()),
        })
    }
}

/// The end of a CAR: its last bytes and its summary.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct CarChunk {
    /// The last CAR bytes.
    pub bytes: Vec<u8>,
    /// Bytes of the whole CAR.
    #[wasm_bindgen(js_name = carSize)]
    pub car_size: f64,
    /// Blocks written (duplicates skipped).
    pub blocks: f64,
    /// The piece commitment of the whole CAR.
    pub piece: PieceInfo,
}

/// A payload size from JavaScript: a whole number of bytes that fits a 64 GiB sector.
fn payload_size(size: f64) -> Result<u64, JsValue> {
    if size >= 0.0 && size.fract() == 0.0 && size <= MAX_PAYLOAD_SIZE as f64 {
        Ok(size as u64)
    } else {
        Err(arg(format!(
            "payload size {size} is not a byte count of a 64 GiB sector"
        )))
    }
}

/// A commitment from JavaScript: 32 bytes.
fn comm_p(bytes: &[u8]) -> Result<[u8; 32], JsValue> {
    bytes
        .try_into()
        .map_err(|_| arg(format!("commP must be 32 bytes, got {}", bytes.len())))
}

/// The piece of a payload of `payloadSize` bytes whose commitment (tree root) is `commP`
/// (32 bytes): its piece CIDs and sizes.
#[wasm_bindgen(js_name = pieceFromCommP)]
pub fn piece_from_comm_p(comm_p_bytes: &[u8], size: f64) -> Result<PieceInfo, JsValue> {
    let payload_size = payload_size(size)?;
    Ok(piece_info(&Piece {
        comm_p: comm_p(comm_p_bytes)?,
        payload_size,
        padded_size: padded_size(payload_size),
    }))
}

/// The piece of a payload cut into consecutive parts hashed apart (as `pieceOfParallel` does
/// on several workers): `commPs` holds the parts' 32-byte commitments one after the other,
/// `payloadSizes` their payload sizes. The roots are joined by the SDK's tree rule
/// (`join_pieces`): each part must start at a multiple of its padded size, and all but the last
/// must be full (`127 · 2^k` bytes each and any tail qualify).
#[wasm_bindgen(js_name = joinPieces)]
pub fn join_pieces(comm_ps: &[u8], payload_sizes: &[f64]) -> Result<PieceInfo, JsValue> {
    if comm_ps.len() != 32 * payload_sizes.len() {
        return Err(arg(format!(
            "{} bytes of commitments for {} payload sizes",
            comm_ps.len(),
            payload_sizes.len()
        )));
    }
    let parts = comm_ps
        .chunks_exact(32)
        .zip(payload_sizes)
        .map(|(c, &s)| {
            let payload_size = payload_size(s)?;
            Ok(Piece {
                comm_p: comm_p(c)?,
                payload_size,
                padded_size: padded_size(payload_size),
            })
        })
        .collect::<Result<Vec<_>, JsValue>>()?;
    Ok(piece_info(
        &filmark_sdk::content::join_pieces(&parts).map_err(sdk)?,
    ))
}
