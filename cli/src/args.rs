//! Command-line arguments (clap lives only here and in `main`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Filmark: a file's UnixFS CID, CAR and piece commitment for Filecoin.
#[derive(Debug, Parser)]
#[command(name = "filmark", version, about, arg_required_else_help = false)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Files → UnixFS CID, CAR, piece commitment.
    #[command(subcommand, arg_required_else_help = false)]
    Content(ContentCommand),
}

/// `filmark content ...`
#[derive(Debug, Subcommand)]
pub(crate) enum ContentCommand {
    /// Print the UnixFS root CID of FILE (same as `ipfs add --cid-version=1`).
    Cid(CidArgs),
    /// Write the CARv1 of FILE.
    Car(CarArgs),
    /// Print the piece commitment (piece CID v1 and v2) of FILE's bytes.
    Commp(CommonArgs),
    /// One read of FILE: its CID, its CAR and the CAR's piece commitment.
    Pack(CarArgs),
}

/// Options every content command takes.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// The input file.
    pub(crate) file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Hash on one thread only, without reading ahead.
    #[arg(long)]
    pub(crate) single_thread: bool,
}

/// `cid` options.
#[derive(Debug, Args)]
pub(crate) struct CidArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Chunk size in bytes.
    #[arg(long, default_value_t = 262_144)]
    pub(crate) chunk_size: usize,
    /// Most links per DAG node.
    #[arg(long, default_value_t = 174)]
    pub(crate) max_links: usize,
}

/// `car` and `pack` options.
#[derive(Debug, Args)]
pub(crate) struct CarArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Where to write the CAR (`-` for stdout: the input is then read twice).
    #[arg(short, long)]
    pub(crate) output: PathBuf,
}
