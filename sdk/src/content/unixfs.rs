//! Streaming UnixFS file importer: fixed-size chunks, balanced DAG, raw leaves, CIDv1.

use cid::{Cid, multihash::Multihash};
use sha2::{Digest, Sha256};

use super::{BlockSink, put_uvarint};
use crate::{Error, Result};

/// Multicodec `dag-pb`: the codec of UnixFS internal nodes.
pub const DAG_PB: u64 = 0x70;
/// Multihash `sha2-256`.
pub const SHA2_256: u64 = 0x12;
/// Length of every CID this importer makes (CIDv1, sha2-256): 4 prefix bytes + 32-byte digest.
pub const CID_LEN: usize = 36;

/// Shape of the DAG: chunk size and links per node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnixFsParams {
    /// Bytes per leaf (the last leaf may be shorter).
    pub chunk_size: usize,
    /// Most links in one internal node.
    pub max_links: usize,
}

impl UnixFsParams {
    /// `ipfs add --cid-version=1` (kubo, ipfs-unixfs-importer): 256 KiB chunks, 174 links.
    pub const KUBO: Self = Self {
        chunk_size: 256 << 10,
        max_links: 174,
    };
    /// `ipfs-car pack` defaults: 1 MiB chunks, 1024 links.
    pub const IPFS_CAR: Self = Self {
        chunk_size: 1 << 20,
        max_links: 1024,
    };

    /// Sets the chunk size.
    pub const fn with_chunk_size(mut self, chunk_size: usize) -> Self {
        self.chunk_size = chunk_size;
        self
    }

    /// Sets the most links per node.
    pub const fn with_max_links(mut self, max_links: usize) -> Self {
        self.max_links = max_links;
        self
    }

    fn validate(&self) -> Result<()> {
        if self.chunk_size == 0 {
            return Err(Error::InvalidParams("chunk size must be at least 1 byte"));
        }
        if self.max_links < 2 {
            return Err(Error::InvalidParams("a node must hold at least 2 links"));
        }
        Ok(())
    }
}

impl Default for UnixFsParams {
    fn default() -> Self {
        Self::KUBO
    }
}

/// A link to a child: its CID, cumulative DAG size (`Tsize`) and file bytes below it.
#[derive(Debug, Clone, Copy)]
struct Link {
    cid: Cid,
    tsize: u64,
    file_size: u64,
}

/// The result of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Root CID: a raw leaf (`bafkrei…`) for files of at most one chunk, else dag-pb (`bafybei…`).
    pub root: Cid,
    /// File size in bytes.
    pub file_size: u64,
    /// Bytes of every block of the DAG (a directory link's `Tsize`): the file size plus the
    /// internal nodes.
    pub dag_size: u64,
    /// Blocks emitted (leaves and internal nodes, duplicates included).
    pub blocks: u64,
}

/// Streaming UnixFS importer.
///
/// Emits every block to its [`BlockSink`] in post-order: leaves in file order, each internal
/// node right after its last child, the root last. Memory: one chunk buffer plus at most
/// `max_links` links per tree level; the file is never held.
///
/// For DAGs of depth ≤ 2 (files up to 174² chunks, ~7.4 GiB with [`UnixFsParams::KUBO`]) this
/// is exactly the order of ipfs-unixfs-importer; for deeper DAGs that importer writes every
/// level-2 node after the last leaf, while this one writes each node right after its children.
/// The CID is the same either way.
#[derive(Debug)]
pub struct Importer<S> {
    params: UnixFsParams,
    sink: S,
    buf: Vec<u8>,
    /// `levels[l]`: links waiting for a parent at level `l + 1`.
    levels: Vec<Vec<Link>>,
    file_size: u64,
    blocks: u64,
    /// Scratch for encoding internal nodes.
    node: Vec<u8>,
}

impl<S: BlockSink> Importer<S> {
    /// A new importer sending blocks to `sink`.
    ///
    /// # Errors
    /// [`Error::InvalidParams`] for a zero chunk size or fewer than 2 links a node.
    pub fn new(params: UnixFsParams, sink: S) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            sink,
            buf: Vec::with_capacity(params.chunk_size),
            levels: Vec::new(),
            file_size: 0,
            blocks: 0,
            node: Vec::new(),
        })
    }

    /// The sink.
    pub const fn sink(&self) -> &S {
        &self.sink
    }

    /// Imports the next bytes of the file.
    ///
    /// # Errors
    /// Whatever the sink returns.
    pub fn update(&mut self, mut data: &[u8]) -> Result<()> {
        let chunk = self.params.chunk_size;
        self.file_size += data.len() as u64;
        while !data.is_empty() {
            if self.buf.is_empty() && data.len() >= chunk {
                // Whole chunks straight from the caller's buffer.
                let (leaf, rest) = data.split_at(chunk);
                self.leaf(leaf)?;
                data = rest;
                continue;
            }
            let take = (chunk - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == chunk {
                let buf = std::mem::take(&mut self.buf);
                self.leaf(&buf)?;
                self.buf = buf;
                self.buf.clear();
            }
        }
        Ok(())
    }

    /// Bytes per leaf.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    pub(crate) const fn chunk_size(&self) -> usize {
        self.params.chunk_size
    }

    /// [`update`](Self::update) with the SHA-256 of the first `digests.len()` whole chunks of
    /// `data` already computed (on other threads). The digests are used only when `data`
    /// starts on a chunk boundary, as it does when every earlier call gave whole chunks.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    pub(crate) fn update_hashed(&mut self, data: &[u8], digests: &[[u8; 32]]) -> Result<()> {
        if !self.buf.is_empty() {
            return self.update(data);
        }
        let chunk = self.params.chunk_size;
        let hashed = digests.len() * chunk;
        debug_assert!(hashed <= data.len());
        self.file_size += hashed as u64;
        for (leaf, digest) in data[..hashed].chunks_exact(chunk).zip(digests) {
            self.leaf_with(leaf, digest)?;
        }
        self.update(&data[hashed..])
    }

    fn leaf(&mut self, data: &[u8]) -> Result<()> {
        self.leaf_with(data, &Sha256::digest(data).into())
    }

    /// Emits a leaf whose SHA-256 is `digest`.
    fn leaf_with(&mut self, data: &[u8], digest: &[u8; 32]) -> Result<()> {
        let cid = sha256_cid(super::commp::RAW, digest);
        self.sink.put(&cid, data)?;
        self.blocks += 1;
        let size = data.len() as u64;
        self.push(
            0,
            Link {
                cid,
                tsize: size,
                file_size: size,
            },
        )
    }

    fn push(&mut self, level: usize, link: Link) -> Result<()> {
        if self.levels.len() <= level {
            self.levels.resize_with(level + 1, Vec::new);
        }
        self.levels[level].push(link);
        if self.levels[level].len() == self.params.max_links {
            let parent = self.parent(level)?;
            self.push(level + 1, parent)?;
        }
        Ok(())
    }

    /// Encodes, emits and returns the node over all links waiting at `level`.
    fn parent(&mut self, level: usize) -> Result<Link> {
        let links = std::mem::take(&mut self.levels[level]);
        encode_file_node(&links, &mut self.node);
        let cid = block_cid(DAG_PB, &self.node);
        self.sink.put(&cid, &self.node)?;
        self.blocks += 1;
        let tsize = self.node.len() as u64 + links.iter().map(|l| l.tsize).sum::<u64>();
        let file_size = links.iter().map(|l| l.file_size).sum();
        self.levels[level] = links;
        self.levels[level].clear();
        Ok(Link {
            cid,
            tsize,
            file_size,
        })
    }

    /// Flushes the last chunk, closes every level and returns the root and the sink.
    ///
    /// # Errors
    /// Whatever the sink returns.
    pub fn finish(mut self) -> Result<(Imported, S)> {
        if !self.buf.is_empty() || self.blocks == 0 {
            // The tail chunk; an empty file is one empty raw leaf.
            let buf = std::mem::take(&mut self.buf);
            self.leaf(&buf)?;
        }
        let mut level = 0;
        loop {
            let higher = self.levels[level + 1..].iter().any(|l| !l.is_empty());
            let here = self.levels[level].len();
            if here == 1 && !higher {
                let Link {
                    cid: root, tsize, ..
                } = self.levels[level][0];
                let imported = Imported {
                    root,
                    file_size: self.file_size,
                    dag_size: tsize,
                    blocks: self.blocks,
                };
                return Ok((imported, self.sink));
            }
            if here > 0 {
                let parent = self.parent(level)?;
                // Not `push`: a full parent level is closed by the next iteration anyway.
                if self.levels.len() <= level + 1 {
                    self.levels.push(Vec::new());
                }
                self.levels[level + 1].push(parent);
            }
            level += 1;
        }
    }
}

/// CIDv1 with a sha2-256 multihash of `data`.
pub(crate) fn block_cid(codec: u64, data: &[u8]) -> Cid {
    sha256_cid(codec, &Sha256::digest(data).into())
}

/// CIDv1 with the sha2-256 multihash `digest`.
fn sha256_cid(codec: u64, digest: &[u8; 32]) -> Cid {
    Cid::new_v1(
        codec,
        Multihash::wrap(SHA2_256, digest).expect("32-byte digest"),
    )
}

/// Protobuf tag byte for a field number and wire type (fields here are < 16).
const fn tag(field: u8, wire: u8) -> u8 {
    (field << 3) | wire
}
const VARINT: u8 = 0;
const LEN: u8 = 2;

/// Encodes a dag-pb node with UnixFS `Data { Type: File, filesize, blocksizes }` and the links,
/// in dag-pb's canonical form: `Links` (field 2) before `Data` (field 1), each link
/// `Hash` (1), `Name` (2, empty) and `Tsize` (3).
fn encode_file_node(links: &[Link], out: &mut Vec<u8>) {
    out.clear();
    let mut link = Vec::with_capacity(64);
    for l in links {
        link.clear();
        link.push(tag(1, LEN));
        put_uvarint(&mut link, l.cid.encoded_len() as u64);
        l.cid.write_bytes(&mut link).expect("writing to a Vec");
        link.extend_from_slice(&[tag(2, LEN), 0]);
        link.push(tag(3, VARINT));
        put_uvarint(&mut link, l.tsize);
        out.push(tag(2, LEN));
        put_uvarint(out, link.len() as u64);
        out.extend_from_slice(&link);
    }
    let mut data = Vec::with_capacity(8 + 6 * links.len());
    data.extend_from_slice(&[tag(1, VARINT), 2]); // Type = File
    data.push(tag(3, VARINT));
    put_uvarint(&mut data, links.iter().map(|l| l.file_size).sum());
    for l in links {
        data.push(tag(4, VARINT));
        put_uvarint(&mut data, l.file_size);
    }
    out.push(tag(1, LEN));
    put_uvarint(out, data.len() as u64);
    out.extend_from_slice(&data);
}
