//! The content operations by path, with typed errors for paths that cannot be used.

use std::{
    fs::{self, File},
    io::{self, BufWriter, Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use cid::Cid;

use super::{CarInfo, Imported, Options, Packed, Piece, Progress};
use crate::{Error, Result};

/// A file whose I/O errors name its path: [`Error::Unreadable`] or [`Error::Unwritable`],
/// carried inside the `io::Error` and taken out by [`Error::unwrap_io`].
#[derive(Debug)]
struct Named<'a> {
    file: File,
    path: &'a Path,
    /// Whether this is an output (its errors are [`Error::Unwritable`]).
    output: bool,
}

impl Named<'_> {
    fn name<T>(&self, r: io::Result<T>) -> io::Result<T> {
        r.map_err(|source| {
            if source.kind() == io::ErrorKind::Interrupted {
                return source;
            }
            let path = self.path.to_path_buf();
            io::Error::other(if self.output {
                Error::Unwritable { path, source }
            } else {
                Error::Unreadable { path, source }
            })
        })
    }
}

impl Read for Named<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.file.read(buf);
        self.name(r)
    }
}

impl Write for Named<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.file.write(buf);
        self.name(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.file.flush();
        self.name(r)
    }
}

impl Seek for Named<'_> {
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
fn open_named(path: &Path) -> Result<(Named<'_>, u64)> {
    let (file, len) = open(path)?;
    let output = false;
    Ok((Named { file, path, output }, len))
}

/// Creates (or truncates) an output file; its write errors name the path.
///
/// # Errors
/// [`Error::Unwritable`] with the path.
fn create(path: &Path) -> Result<Named<'_>> {
    match File::create(path) {
        Ok(file) => Ok(Named {
            file,
            path,
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
