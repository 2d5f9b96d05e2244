//! The SDK's error type.

use std::{io, path::PathBuf};

/// Everything that can go wrong in the SDK.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path could not be opened, inspected or read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The path that was given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// A path names a directory; only regular files are supported for now.
    #[error("{} is a directory: only files are supported", path.display())]
    IsDirectory {
        /// The path that was given.
        path: PathBuf,
    },
    /// An output path could not be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Unwritable {
        /// The path that was given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The payload does not fit in a 64 GiB sector (68,182,605,824 unpadded bytes).
    #[error("input of {size} bytes is too large for a 64 GiB sector (at most {max} bytes)")]
    TooLarge {
        /// Size of the payload in bytes (as far as it was read).
        size: u64,
        /// The largest payload a 64 GiB sector holds.
        max: u64,
    },
    /// Parameters out of range (for example a zero chunk size or fewer than two links a node).
    #[error("invalid parameters: {0}")]
    InvalidParams(&'static str),
    /// Reading the input or writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
