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
    /// Run a local Filecoin devnet with Lotus and Ethereum JSON-RPC (as Anvil runs a chain).
    Devnet(DevnetArgs),
}

/// `filmark devnet` options.
#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// Address to listen on (anything but loopback exposes the public test keys).
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: std::net::IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 1234)]
    pub(crate) port: u16,
    /// Mine a tipset every SECS seconds (default: one per message, at once).
    #[arg(long, value_name = "SECS")]
    pub(crate) block_time: Option<f64>,
    /// Keep the chain in DIR and resume it on the next start.
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// How many f1 and how many f410 accounts to prefund.
    #[arg(long, default_value_t = 10)]
    pub(crate) accounts: usize,
    /// EIP-155 chain id.
    #[arg(long, default_value_t = 31_415_926)]
    pub(crate) chain_id: u64,
    /// The numbers the simulated storage market checks deals against: `devnet` (mainnet's
    /// durations and collateral, small sectors), `fast` (deals of any length, no collateral
    /// minimum: for tests) or `mainnet`.
    #[arg(long, value_name = "POLICY", default_value = "devnet", value_parser = ["devnet", "fast", "mainnet"])]
    pub(crate) market_policy: String,
    /// Deploy Filmark's actors (registry and escrow) and print their addresses.
    #[arg(long)]
    pub(crate) deploy: bool,
    /// Turn off the devnet's own extension for native wasm actors (init's InstallCode and Exec
    /// of installed code; `--deploy` needs it): the devnet then behaves exactly as mainnet.
    #[arg(long, conflicts_with = "deploy")]
    pub(crate) no_user_wasm: bool,
    /// Accept Ethereum transactions without a chain id (pre-EIP-155), as geth's
    /// --rpc.allow-unprotected-txs.
    #[arg(long)]
    pub(crate) allow_unprotected_txs: bool,
}

/// `filmark content ...`
#[derive(Debug, Subcommand)]
pub(crate) enum ContentCommand {
    /// Print the UnixFS root CID of FILE (same as `ipfs add --cid-version=1`), or of a
    /// directory (`ipfs add -r --cid-version=1`: HAMT-sharded when large, hidden files left out).
    Cid(CidArgs),
    /// Write the CARv1 of FILE or of a directory.
    Car(CarArgs),
    /// Print the piece commitment (piece CID v1 and v2) of FILE's bytes.
    Commp(CommonArgs),
    /// One read of FILE (or of each file of a directory): its CID, its CAR and the CAR's piece
    /// commitment.
    Pack(CarArgs),
}

/// Options every content command takes.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// The input file (or directory, except for `commp`).
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
