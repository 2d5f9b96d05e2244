//! The content operations by path, with typed errors for paths that cannot be used.

use std::{
    fs::{self, File},
    io::BufWriter,
    path::{Path, PathBuf},
};

use cid::Cid;

use super::{CarInfo, Imported, Options, Packed, Piece, Progress};
use crate::{Error, Result};

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

/// Creates (or truncates) an output file.
///
/// # Errors
/// [`Error::Unwritable`] with the path.
fn create(path: &Path) -> Result<File> {
    File::create(path).map_err(|source| Error::Unwritable {
        path: PathBuf::from(path),
        source,
    })
}

/// UnixFS root CID of the file at `path`.
///
/// # Errors
/// As [`open`]; [`Error::Io`] if reading fails.
pub fn import(path: &Path, opts: &Options, progress: impl Progress) -> Result<Imported> {
    let (file, len) = open(path)?;
    super::import(file, Some(len), opts, progress)
}

/// Piece commitment of the file at `path`.
///
/// # Errors
/// As [`open`]; [`Error::TooLarge`] past a 64 GiB sector (checked before reading);
/// [`Error::Io`] if reading fails.
pub fn commp(path: &Path, opts: &Options, progress: impl Progress) -> Result<Piece> {
    let (file, len) = open(path)?;
    super::commp(file, Some(len), opts, progress)
}

/// Writes the CAR of the file at `path` to the file `out`.
///
/// # Errors
/// As [`open`]; [`Error::Unwritable`] if `out` cannot be created; [`Error::Io`].
pub fn write_car(
    path: &Path,
    out: &Path,
    opts: &Options,
    progress: impl Progress,
) -> Result<(Cid, CarInfo)> {
    let (file, len) = open(path)?;
    super::write_car(file, Some(len), create(out)?, opts, progress)
}

/// [`super::pack`] from the file at `path` into the file `out`.
///
/// # Errors
/// As [`open`]; [`Error::Unwritable`] if `out` cannot be created; [`Error::TooLarge`] when the
/// input (checked before reading) or the CAR does not fit a 64 GiB sector; [`Error::Io`].
pub fn pack(path: &Path, out: &Path, opts: &Options, progress: impl Progress) -> Result<Packed> {
    let (file, len) = open(path)?;
    super::pack(file, Some(len), create(out)?, opts, progress)
}

/// [`super::pack_two_pass`] from the file at `path` to any writer (for example stdout).
///
/// # Errors
/// As [`pack`].
pub fn pack_to_writer(
    path: &Path,
    out: impl std::io::Write,
    opts: &Options,
    progress: impl Progress,
) -> Result<Packed> {
    let (file, len) = open(path)?;
    super::pack_two_pass(file, Some(len), BufWriter::new(out), opts, progress)
}
