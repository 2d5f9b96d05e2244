//! The content operations by path, with typed errors for paths that cannot be used.

use std::{
    fs::{self, File},
    io::{self, BufWriter, Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use cid::Cid;

use super::{CarInfo, DirEntry, DirImported, Imported, Options, Packed, Piece, Progress};
use crate::{Error, Result};

/// A file whose I/O errors name its path: [`Error::Unreadable`] or [`Error::Unwritable`],
/// carried inside the `io::Error` and taken out by [`Error::unwrap_io`].
#[derive(Debug)]
struct Named {
    file: File,
    path: PathBuf,
    /// Whether this is an output (its errors are [`Error::Unwritable`]).
    output: bool,
}

impl Named {
    fn name<T>(&self, r: io::Result<T>) -> io::Result<T> {
        r.map_err(|source| {
            if source.kind() == io::ErrorKind::Interrupted {
                return source;
            }
            let path = self.path.clone();
            io::Error::other(if self.output {
                Error::Unwritable { path, source }
            } else {
                Error::Unreadable { path, source }
            })
        })
    }
}

impl Read for Named {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.file.read(buf);
        self.name(r)
    }
}

impl Write for Named {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.file.write(buf);
        self.name(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.file.flush();
        self.name(r)
    }
}

impl Seek for Named {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let r = self.file.seek(pos);
        self.name(r)
    }
}

/// Opens a regular file for reading and returns it with its size.
///
/// # Errors
/// [`Error::Unreadable`] (with the path) if it cannot be opened or inspected;
/// [`Error::IsDirectory`] for a directory.
pub fn open(path: &Path) -> Result<(File, u64)> {
    let unreadable = |source| Error::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let meta = fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(unreadable)?;
    Ok((file, meta.len()))
}

/// [`open`], for reading with errors that name the path.
fn open_named(path: &Path) -> Result<(Named, u64)> {
    let (file, len) = open(path)?;
    let output = false;
    let path = path.to_path_buf();
    Ok((Named { file, path, output }, len))
}

/// Creates (or truncates) an output file; its write errors name the path.
///
/// # Errors
/// [`Error::Unwritable`] with the path.
fn create(path: &Path) -> Result<Named> {
    match File::create(path) {
        Ok(file) => Ok(Named {
            file,
            path: path.to_path_buf(),
            output: true,
        }),
        Err(source) => Err(Error::Unwritable {
            path: PathBuf::from(path),
            source,
        }),
    }
}

/// UnixFS root CID of the file at `path`.
///
/// # Errors
/// As [`open`]; [`Error::Unreadable`] if reading fails.
pub fn import(path: &Path, opts: &Options, progress: impl Progress) -> Result<Imported> {
    let (file, len) = open_named(path)?;
    super::import(file, Some(len), opts, progress).map_err(Error::unwrap_io)
}

/// Piece commitment of the file at `path`.
///
/// # Errors
/// As [`open`]; [`Error::TooLarge`] past a 64 GiB sector (checked before reading);
/// [`Error::Unreadable`] if reading fails.
pub fn commp(path: &Path, opts: &Options, progress: impl Progress) -> Result<Piece> {
    let (file, len) = open_named(path)?;
    super::commp(file, Some(len), opts, progress).map_err(Error::unwrap_io)
}

/// Writes the CAR of the file at `path` to the file `out`.
///
/// # Errors
/// As [`open`]; [`Error::Unwritable`] if `out` cannot be created or written;
/// [`Error::Unreadable`] if reading fails.
pub fn write_car(
    path: &Path,
    out: &Path,
    opts: &Options,
    progress: impl Progress,
) -> Result<(Cid, CarInfo)> {
    let (file, len) = open_named(path)?;
    super::write_car(file, Some(len), create(out)?, opts, progress).map_err(Error::unwrap_io)
}

/// [`super::pack`] from the file at `path` into the file `out`.
///
/// # Errors
/// As [`open`]; [`Error::Unwritable`] if `out` cannot be created or written;
/// [`Error::Unreadable`] if reading fails; [`Error::TooLarge`] when the input (checked before
/// reading) or the CAR does not fit a 64 GiB sector.
pub fn pack(path: &Path, out: &Path, opts: &Options, progress: impl Progress) -> Result<Packed> {
    let (file, len) = open_named(path)?;
    // Refused before `out` is created.
    super::commp::check_size(len)?;
    super::pack(file, Some(len), create(out)?, opts, progress).map_err(Error::unwrap_io)
}

/// [`super::pack_two_pass`] from the file at `path` to any writer (for example stdout).
///
/// # Errors
/// As [`open`]; [`Error::Unreadable`] if reading fails; [`Error::Io`] if writing to `out`
/// fails; [`Error::TooLarge`] as for [`pack`]; [`Error::InputChanged`] if the file changed
/// between the two reads.
pub fn pack_to_writer(
    path: &Path,
    out: impl Write,
    opts: &Options,
    progress: impl Progress,
) -> Result<Packed> {
    let (file, len) = open_named(path)?;
    super::pack_two_pass(file, Some(len), BufWriter::new(out), opts, progress)
        .map_err(Error::unwrap_io)
}

/// The entries of the directory tree at `root`, in the order a directory import reads them
/// (depth first, names in byte order at each level), with the sum of the file sizes.
///
/// As `ipfs add -r` without `--hidden`, names starting with `.` are left out. Symbolic links
/// are followed. Each file's `reader` is its path (opened when read).
///
/// # Errors
/// [`Error::Unreadable`] for a directory that cannot be listed or an entry that cannot be
/// inspected; [`Error::InvalidPath`] for a name that is not UTF-8.
pub fn walk(root: &Path) -> Result<(Vec<DirEntry<PathBuf>>, u64)> {
    let unreadable = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Unreadable { path, source }
    };
    if !fs::metadata(root).map_err(unreadable(root))?.is_dir() {
        return Err(Error::Unreadable {
            path: root.to_path_buf(),
            source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let mut out = Vec::new();
    let mut total = 0;
    walk_into(root, "", &mut out, &mut total)?;
    Ok((out, total))
}

fn walk_into(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<DirEntry<PathBuf>>,
    total: &mut u64,
) -> Result<()> {
    let unreadable = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Unreadable { path, source }
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(unreadable(dir))? {
        let entry = entry.map_err(unreadable(dir))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| Error::InvalidPath {
                path: n.to_string_lossy().into_owned(),
                why: "not UTF-8",
            })?;
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    // `String` order is byte order.
    names.sort();
    for name in names {
        let source = dir.join(&name);
        let meta = fs::metadata(&source).map_err(unreadable(&source))?;
        let path = format!("{prefix}{name}");
        if meta.is_dir() {
            out.push(DirEntry::Dir { path: path.clone() });
            walk_into(&source, &format!("{path}/"), out, total)?;
        } else {
            *total += meta.len();
            let size = Some(meta.len());
            out.push(DirEntry::File {
                path,
                reader: source,
                size,
            });
        }
    }
    Ok(())
}

/// Opens the files of `entries` one at a time, as they are read.
fn opened(entries: Vec<DirEntry<PathBuf>>) -> impl Iterator<Item = Result<DirEntry<Named>>> {
    entries.into_iter().map(|e| match e {
        DirEntry::Dir { path } => Ok(DirEntry::Dir { path }),
        DirEntry::File { path, reader, size } => {
            let (file, _) = open(&reader)?;
            let named = Named {
                file,
                path: reader,
                output: false,
            };
            Ok(DirEntry::File {
                path,
                reader: named,
                size,
            })
        }
    })
}

/// UnixFS CID of the directory tree at `dir` (as [`walk`] lists it).
///
/// # Errors
/// As [`walk`]; [`Error::Unreadable`] if a file cannot be opened or read.
pub fn import_dir(dir: &Path, opts: &Options, progress: impl Progress) -> Result<DirImported> {
    let (entries, total) = walk(dir)?;
    super::import_dir(opened(entries), Some(total), opts, progress).map_err(Error::unwrap_io)
}

/// Writes the CAR of the directory tree at `dir` to the file `out`.
///
/// # Errors
/// As [`import_dir`]; [`Error::Unwritable`] if `out` cannot be created or written.
pub fn write_dir_car(
    dir: &Path,
    out: &Path,
    opts: &Options,
    progress: impl Progress,
) -> Result<(Cid, CarInfo)> {
    let (entries, total) = walk(dir)?;
    super::write_dir_car(opened(entries), Some(total), create(out)?, opts, progress)
        .map_err(Error::unwrap_io)
}

/// [`super::pack_dir`] from the directory tree at `dir` into the file `out`: one read of each
/// file.
///
/// # Errors
/// As [`write_dir_car`]; [`Error::TooLarge`] when the files (checked before reading) or the
/// CAR do not fit a 64 GiB sector.
pub fn pack_dir(dir: &Path, out: &Path, opts: &Options, progress: impl Progress) -> Result<Packed> {
    let (entries, total) = walk(dir)?;
    super::commp::check_size(total)?;
    super::pack_dir(opened(entries), Some(total), create(out)?, opts, progress)
        .map_err(Error::unwrap_io)
}

/// [`super::pack_dir_two_pass`] from the directory tree at `dir` to any writer (for example
/// stdout): each file is read twice.
///
/// # Errors
/// As [`pack_dir`], with [`Error::Io`] if writing to `out` fails; [`Error::InputChanged`] if
/// the tree changed between the two reads.
pub fn pack_dir_to_writer(
    dir: &Path,
    out: impl Write,
    opts: &Options,
    progress: impl Progress,
) -> Result<Packed> {
    let (entries, total) = walk(dir)?;
    super::commp::check_size(total)?;
    super::pack_dir_two_pass(
        || opened(entries.clone()),
        Some(total),
        BufWriter::new(out),
        opts,
        progress,
    )
    .map_err(Error::unwrap_io)
}
