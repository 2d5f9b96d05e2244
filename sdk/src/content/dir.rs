//! UnixFS directories: named files → a directory DAG (flat, or HAMT-sharded when large), as
//! `ipfs add -r --cid-version=1` and ipfs-unixfs-importer (`wrapWithDirectory`) build them.

use std::{
    collections::BTreeMap,
    io::{BufWriter, Read, Seek, Write},
};

use cid::Cid;

use super::{
    BlockSink, CarInfo, CarWriter, Imported, Importer, NullSink, Options, Packed, Progress, ahead,
    pack::{Tee, WRITE_BUF, car_seekable_with},
    put_uvarint,
    unixfs::{DAG_PB, block_cid},
};
use crate::{Error, Result};

/// A flat directory whose estimated size (the sum, over its entries, of the name's UTF-8 length
/// plus the CID's byte length) exceeds this many bytes is HAMT-sharded: kubo's
/// `HAMTShardingSize` and ipfs-unixfs-importer's `shardSplitThresholdBytes` ("links-bytes").
///
/// As in ipfs-unixfs-importer 17, the estimate counts files and empty sub-directories, not
/// sub-directories with entries (the JS importer sizes a directory while its sub-directories
/// have no CID yet). Kubo counts every link, so a directory whose files stay under the
/// threshold but whose sub-directory links carry it over is sharded by kubo and flat here.
pub const SHARD_SPLIT_THRESHOLD: usize = 256 << 10;
/// Children per HAMT node (8 bits of the name's hash per level).
pub const HAMT_FANOUT: usize = 256;
/// Multihash code of the HAMT's name hash: `murmur3-x64-64`.
pub const MURMUR3_X64_64: u64 = 0x22;

/// Protobuf wire types and tags (field numbers < 16).
const VARINT: u8 = 0;
const LEN: u8 = 2;
const fn tag(field: u8, wire: u8) -> u8 {
    (field << 3) | wire
}
/// UnixFS `Data.Type`.
const DIRECTORY: u8 = 1;
const HAMT_SHARD: u8 = 5;

/// A link to an imported file or a built directory.
#[derive(Debug, Clone, Copy)]
struct Link {
    cid: Cid,
    tsize: u64,
}

#[derive(Debug)]
enum Entry {
    File(Link),
    Dir(BTreeMap<String, Self>),
}

/// The result of a directory import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirImported {
    /// CID of the top directory (dag-pb).
    pub root: Cid,
    /// Bytes of all files.
    pub file_size: u64,
    /// Files imported.
    pub files: u64,
    /// Blocks emitted (duplicates included).
    pub blocks: u64,
}

/// Builds a UnixFS directory from files added one at a time by relative path
/// (`"a/b/c.png"`: `/`-separated, no empty, `.` or `..` component).
///
/// Blocks go to the sink in this order: each file's blocks as it is added, then at
/// [`finish`](Self::finish) every directory node, children before parents (in name order),
/// the root last. Added in depth-first name order (as `file::walk` lists a tree), the
/// order is exactly ipfs-unixfs-importer's with `fileImportConcurrency: 1`. The CID does not
/// depend on the order. Memory: one file import at a time plus one link per entry.
#[derive(Debug)]
pub struct DirImporter<S> {
    opts: Options,
    sink: S,
    root: BTreeMap<String, Entry>,
    file_size: u64,
    files: u64,
    blocks: u64,
    scratch: Vec<u8>,
}

impl<S: BlockSink> DirImporter<S> {
    /// An empty directory sending blocks to `sink`.
    ///
    /// # Errors
    /// [`Error::InvalidParams`] for bad [`Options::unixfs`].
    pub fn new(opts: &Options, sink: S) -> Result<Self> {
        Importer::new(opts.unixfs, super::NullSink)?;
        Ok(Self {
            opts: *opts,
            sink,
            root: BTreeMap::new(),
            file_size: 0,
            files: 0,
            blocks: 0,
            scratch: Vec::new(),
        })
    }

    /// Imports the file at `path` from `reader` (`total`, when known, goes to `progress`).
    ///
    /// # Errors
    /// [`Error::InvalidPath`] for a malformed path or one already added (or under a file);
    /// [`Error::Io`] when reading fails; whatever the sink returns.
    pub fn add_file<R: Read>(
        &mut self,
        path: &str,
        reader: R,
        total: Option<u64>,
        progress: impl Progress,
    ) -> Result<Imported> {
        let (parent, name) = self.place(path)?;
        let name = name.to_owned();
        // Check before reading: the file is imported into the sink right away.
        if lookup(&mut self.root, &parent)?.contains_key(&name) {
            return Err(invalid_path(path, "added twice"));
        }
        let sink = &mut self.sink;
        let mut importer = Importer::new(self.opts.unixfs, |c: &Cid, d: &[u8]| sink.put(c, d))?;
        ahead::import_into(reader, total, progress, &mut importer, self.opts.parallel)?;
        let (imported, _) = importer.finish()?;
        let link = Link {
            cid: imported.root,
            tsize: imported.dag_size,
        };
        lookup(&mut self.root, &parent)?.insert(name, Entry::File(link));
        self.file_size += imported.file_size;
        self.files += 1;
        self.blocks += imported.blocks;
        Ok(imported)
    }

    /// Adds a directory (empty unless files are added under it).
    ///
    /// # Errors
    /// [`Error::InvalidPath`] for a malformed path or one that names a file.
    pub fn add_dir(&mut self, path: &str) -> Result<()> {
        let components = split(path)?;
        let mut dir = &mut self.root;
        for c in components {
            match dir
                .entry(c.to_owned())
                .or_insert_with(|| Entry::Dir(BTreeMap::new()))
            {
                Entry::Dir(d) => dir = d,
                Entry::File(_) => return Err(invalid_path(path, "a file is in the way")),
            }
        }
        Ok(())
    }

    /// Creates the parent directories of `path`; returns them and the last component.
    fn place<'p>(&mut self, path: &'p str) -> Result<(Vec<&'p str>, &'p str)> {
        let mut components = split(path)?;
        let name = components
            .pop()
            .expect("split gives at least one component");
        if !components.is_empty() {
            self.add_dir(&components.join("/"))?;
        }
        Ok((components, name))
    }

    /// Emits every directory node and returns the root directory and the sink.
    ///
    /// # Errors
    /// Whatever the sink returns.
    pub fn finish(mut self) -> Result<(DirImported, S)> {
        let root = std::mem::take(&mut self.root);
        let link = self.build(root)?;
        let imported = DirImported {
            root: link.cid,
            file_size: self.file_size,
            files: self.files,
            blocks: self.blocks,
        };
        Ok((imported, self.sink))
    }

    /// Builds (sub-directories first) and emits the directory over `entries`.
    fn build(&mut self, entries: BTreeMap<String, Entry>) -> Result<Link> {
        let mut links = Vec::with_capacity(entries.len());
        let mut estimate = 0;
        for (name, entry) in entries {
            let link = match entry {
                Entry::File(l) => l,
                Entry::Dir(d) => {
                    // ipfs-unixfs-importer counts a sub-directory only while it has no CID:
                    // an empty one (its node is made when it is listed), not one with entries.
                    let empty = d.is_empty();
                    let link = self.build(d)?;
                    if !empty {
                        links.push((name, link));
                        continue;
                    }
                    link
                }
            };
            estimate += name.len() + link.cid.encoded_len();
            links.push((name, link));
        }
        if estimate > SHARD_SPLIT_THRESHOLD {
            return self.shard(&links);
        }
        let named: Vec<(&[u8], Link)> = links.iter().map(|(n, l)| (n.as_bytes(), *l)).collect();
        self.emit(&named, &[tag(1, VARINT), DIRECTORY])
    }

    /// Encodes and emits one directory node; returns its link.
    fn emit(&mut self, links: &[(&[u8], Link)], data: &[u8]) -> Result<Link> {
        encode_node(links, data, &mut self.scratch);
        let cid = block_cid(DAG_PB, &self.scratch);
        self.sink.put(&cid, &self.scratch)?;
        self.blocks += 1;
        let tsize = self.scratch.len() as u64 + links.iter().map(|(_, l)| l.tsize).sum::<u64>();
        Ok(Link { cid, tsize })
    }

    /// Emits the HAMT over `links` (sorted by name); returns the link to its root node.
    fn shard(&mut self, links: &[(String, Link)]) -> Result<Link> {
        let mut root = Bucket::new();
        for (i, (name, _)) in links.iter().enumerate() {
            root.insert(i, hamt_hash(name.as_bytes()), 0, links)?;
        }
        self.emit_bucket(&root, links)
    }

    /// Emits the sub-buckets of `bucket` (in index order), then its node.
    fn emit_bucket(&mut self, bucket: &Bucket, entries: &[(String, Link)]) -> Result<Link> {
        let mut names: Vec<(Vec<u8>, Link)> = Vec::new();
        let mut bitfield = [0u8; HAMT_FANOUT / 8];
        for (i, slot) in bucket.slots.iter().enumerate() {
            let Some(slot) = slot else { continue };
            // Big-endian bitmap: index 0 is the lowest bit of the last byte.
            bitfield[HAMT_FANOUT / 8 - 1 - i / 8] |= 1 << (i % 8);
            let prefix = format!("{i:02X}");
            match slot {
                Slot::Leaf(e) => {
                    let (name, link) = &entries[*e];
                    names.push(([prefix.as_bytes(), name.as_bytes()].concat(), *link));
                }
                Slot::Bucket(b) => {
                    let link = self.emit_bucket(b, entries)?;
                    names.push((prefix.into_bytes(), link));
                }
            }
        }
        // Leading zero bytes are left out, as both kubo and the JS importer do.
        let start = bitfield
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bitfield.len());
        let bits = &bitfield[start..];
        let mut data = vec![tag(1, VARINT), HAMT_SHARD, tag(2, LEN)];
        put_uvarint(&mut data, bits.len() as u64);
        data.extend_from_slice(bits);
        data.push(tag(5, VARINT));
        put_uvarint(&mut data, MURMUR3_X64_64);
        data.push(tag(6, VARINT));
        put_uvarint(&mut data, HAMT_FANOUT as u64);
        // Names start with two hex digits of the index: sorting by name keeps index order.
        let named: Vec<(&[u8], Link)> = names.iter().map(|(n, l)| (n.as_slice(), *l)).collect();
        self.emit(&named, &data)
    }
}

/// One entry of a directory given as a list (for example the files a browser user picked).
#[derive(Debug, Clone)]
pub enum DirEntry<R> {
    /// A file: its relative `/`-separated path, its bytes and their number when known (for
    /// progress).
    File {
        /// Relative path, `/`-separated.
        path: String,
        /// The file's bytes.
        reader: R,
        /// Its size, when known.
        size: Option<u64>,
    },
    /// A directory, empty unless files are listed under it.
    Dir {
        /// Relative path, `/`-separated.
        path: String,
    },
}

/// Adds `entries` in order; progress counts file bytes over all files.
fn feed<S: BlockSink, R: Read>(
    dir: &mut DirImporter<S>,
    entries: impl IntoIterator<Item = Result<DirEntry<R>>>,
    total: Option<u64>,
    mut progress: impl Progress,
) -> Result<()> {
    let mut done = 0;
    progress.update(0, total);
    for entry in entries {
        match entry? {
            DirEntry::File { path, reader, size } => {
                let base = done;
                let imported =
                    dir.add_file(&path, reader, size, |d, _| progress.update(base + d, total))?;
                done += imported.file_size;
                progress.update(done, total);
            }
            DirEntry::Dir { path } => dir.add_dir(&path)?,
        }
    }
    Ok(())
}

/// Builds the directory of `entries` into `sink`.
fn build_into<S: BlockSink, R: Read>(
    entries: impl IntoIterator<Item = Result<DirEntry<R>>>,
    total: Option<u64>,
    sink: S,
    opts: &Options,
    progress: impl Progress,
) -> Result<(DirImported, S)> {
    let mut dir = DirImporter::new(opts, sink)?;
    feed(&mut dir, entries, total, progress)?;
    dir.finish()
}

/// The UnixFS directory CID of `entries` (files added in the order given; `total`, the sum of
/// the file sizes when known, goes to `progress`).
///
/// # Errors
/// The first error of `entries`; [`Error::InvalidPath`] for a bad or repeated path;
/// [`Error::Io`] when reading fails; [`Error::InvalidParams`] for bad options.
pub fn import_dir<R: Read>(
    entries: impl IntoIterator<Item = Result<DirEntry<R>>>,
    total: Option<u64>,
    opts: &Options,
    progress: impl Progress,
) -> Result<DirImported> {
    Ok(build_into(entries, total, NullSink, opts, progress)?.0)
}

/// [`super::write_car`] for a directory: its CARv1 (root: the directory) to `out` from its
/// current position, in one read of each file.
///
/// # Errors
/// As [`import_dir`]; [`Error::Io`] when writing fails.
pub fn write_dir_car<R: Read, W: Write + Seek>(
    entries: impl IntoIterator<Item = Result<DirEntry<R>>>,
    total: Option<u64>,
    out: W,
    opts: &Options,
    progress: impl Progress,
) -> Result<(Cid, CarInfo)> {
    let (root, _, info, _) = car_seekable_with(None, out, opts, false, |w| {
        let (d, w) = build_into(entries, total, w, opts, progress)?;
        Ok((d.root, d.file_size, w))
    })?;
    Ok((root, info))
}

/// [`super::pack`] for a directory: one read of each file gives the directory CID, its CAR
/// (written to `out` from its current position) and the CAR's piece commitment.
/// [`Packed::file_size`] is the sum of the file sizes.
///
/// # Errors
/// As [`write_dir_car`]; [`Error::TooLarge`] when the CAR does not fit a 64 GiB sector.
pub fn pack_dir<R: Read, W: Write + Seek>(
    entries: impl IntoIterator<Item = Result<DirEntry<R>>>,
    total: Option<u64>,
    out: W,
    opts: &Options,
    progress: impl Progress,
) -> Result<Packed> {
    let (root, file_size, car, piece) = car_seekable_with(total, out, opts, true, |w| {
        let (d, w) = build_into(entries, total, w, opts, progress)?;
        Ok((d.root, d.file_size, w))
    })?;
    Ok(Packed {
        root,
        file_size,
        car,
        piece: piece.expect("hashed"),
    })
}

/// [`pack_dir`] for outputs that cannot seek: `entries()` is called twice, for a first read
/// (the directory CID, which the CAR header needs first) and a second (the CAR and its
/// commitment). `progress` sees both reads (`total` doubled).
///
/// # Errors
/// As [`pack_dir`]; [`Error::InputChanged`] if the second read gave another directory.
pub fn pack_dir_two_pass<R: Read, I: IntoIterator<Item = Result<DirEntry<R>>>, W: Write>(
    mut entries: impl FnMut() -> I,
    total: Option<u64>,
    out: W,
    opts: &Options,
    mut progress: impl Progress,
) -> Result<Packed> {
    let total2 = total.map(|t| 2 * t);
    let first = import_dir(entries(), None, opts, |d, _| progress.update(d, total2))?;
    let tee = Tee {
        out: BufWriter::with_capacity(WRITE_BUF, out),
        commp: Some(opts.commp_hasher()),
    };
    let offset = first.file_size;
    let mut run = |tee| -> Result<_> {
        let writer = CarWriter::new(tee, &first.root)?;
        let (d, writer) = build_into(entries(), None, writer, opts, |d, _| {
            progress.update(offset + d, total2)
        })?;
        writer.finish().map(|(tee, info)| (d, tee, info))
    };
    let (second, mut tee, car) = run(tee).map_err(Error::unwrap_io)?;
    if second.root != first.root {
        return Err(Error::InputChanged);
    }
    let piece = tee.commp.take().expect("hashing").finish();
    tee.out.flush()?;
    Ok(Packed {
        root: second.root,
        file_size: second.file_size,
        car,
        piece,
    })
}

/// The directory at `parent` (which must exist).
fn lookup<'a>(
    mut dir: &'a mut BTreeMap<String, Entry>,
    parent: &[&str],
) -> Result<&'a mut BTreeMap<String, Entry>> {
    for c in parent {
        match dir.get_mut(*c) {
            Some(Entry::Dir(d)) => dir = d,
            _ => return Err(Error::InvalidParams("parent directory missing")),
        }
    }
    Ok(dir)
}

fn invalid_path(path: &str, why: &'static str) -> Error {
    Error::InvalidPath {
        path: path.to_owned(),
        why,
    }
}

/// The components of a relative `/`-separated path.
fn split(path: &str) -> Result<Vec<&str>> {
    let components: Vec<&str> = path.split('/').collect();
    if components
        .iter()
        .any(|c| c.is_empty() || *c == "." || *c == "..")
    {
        return Err(invalid_path(path, "empty, `.` or `..` component"));
    }
    Ok(components)
}

/// The first 64 bits of murmur3-x64-128 (seed 0) of `name`, in the byte order the HAMT reads
/// them: level `d` uses byte `d`.
pub(crate) fn hamt_hash(name: &[u8]) -> [u8; 8] {
    let h = murmur3::murmur3_x64_128(&mut &name[..], 0).expect("reading a slice");
    // h1 (the low half here) is the first 64 bits, read big-endian (go's `murmur3.Sum64`).
    let h1 = h as u64;
    h1.to_be_bytes()
}

#[derive(Debug)]
enum Slot {
    Leaf(usize),
    Bucket(Box<Bucket>),
}

#[derive(Debug)]
struct Bucket {
    slots: Vec<Option<Slot>>,
}

impl Bucket {
    fn new() -> Self {
        Self {
            slots: (0..HAMT_FANOUT).map(|_| None).collect(),
        }
    }

    /// Puts entry `e` (whose hash is `hash`) at `depth`.
    fn insert(
        &mut self,
        e: usize,
        hash: [u8; 8],
        depth: usize,
        entries: &[(String, Link)],
    ) -> Result<()> {
        let Some(&i) = hash.get(depth) else {
            return Err(Error::InvalidParams(
                "two names with the same 64-bit HAMT hash (not supported)",
            ));
        };
        let slot = &mut self.slots[i as usize];
        match slot.take() {
            None => *slot = Some(Slot::Leaf(e)),
            Some(Slot::Bucket(mut b)) => {
                b.insert(e, hash, depth + 1, entries)?;
                *slot = Some(Slot::Bucket(b));
            }
            Some(Slot::Leaf(other)) => {
                let mut b = Box::new(Self::new());
                b.insert(
                    other,
                    hamt_hash(entries[other].0.as_bytes()),
                    depth + 1,
                    entries,
                )?;
                b.insert(e, hash, depth + 1, entries)?;
                *slot = Some(Slot::Bucket(b));
            }
        }
        Ok(())
    }
}

/// Encodes a dag-pb node: the links (sorted by name bytes, as dag-pb requires), then `data`.
fn encode_node(links: &[(&[u8], Link)], data: &[u8], out: &mut Vec<u8>) {
    let mut sorted: Vec<&(&[u8], Link)> = links.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    out.clear();
    let mut link = Vec::with_capacity(96);
    for (name, l) in sorted {
        link.clear();
        link.push(tag(1, LEN));
        put_uvarint(&mut link, l.cid.encoded_len() as u64);
        l.cid.write_bytes(&mut link).expect("writing to a Vec");
        link.push(tag(2, LEN));
        put_uvarint(&mut link, name.len() as u64);
        link.extend_from_slice(name);
        link.push(tag(3, VARINT));
        put_uvarint(&mut link, l.tsize);
        out.push(tag(2, LEN));
        put_uvarint(out, link.len() as u64);
        out.extend_from_slice(&link);
    }
    out.push(tag(1, LEN));
    put_uvarint(out, data.len() as u64);
    out.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamt_hash_is_the_js_importers() {
        // @multiformats/murmur3 murmur3128, first 8 bytes: the order the HAMT consumes.
        assert_eq!(
            hamt_hash(b"file-00000.txt"),
            [0x19, 0x69, 0x8b, 0x1c, 0x0f, 0xa7, 0x3e, 0x79]
        );
        assert_eq!(
            hamt_hash(b"post.txt"),
            [0x7a, 0xa6, 0x88, 0x72, 0x02, 0x80, 0x71, 0x85]
        );
    }

    #[test]
    fn empty_directory_has_the_well_known_cid() {
        let (d, _) = DirImporter::new(&Options::default(), super::super::NullSink)
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(
            d.root.to_string(),
            "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"
        );
    }

    #[test]
    fn bad_paths_are_refused() {
        let mut d = DirImporter::new(&Options::default(), super::super::NullSink).unwrap();
        for p in ["", "/a", "a//b", "a/./b", "../a", "a/"] {
            assert!(matches!(
                d.add_file(p, &b""[..], None, super::super::NoProgress),
                Err(Error::InvalidPath { .. })
            ));
        }
        d.add_file("a", &b"x"[..], None, super::super::NoProgress)
            .unwrap();
        assert!(matches!(
            d.add_file("a", &b"y"[..], None, super::super::NoProgress),
            Err(Error::InvalidPath { .. })
        ));
        assert!(matches!(
            d.add_file("a/b", &b"y"[..], None, super::super::NoProgress),
            Err(Error::InvalidPath { .. })
        ));
    }
}
