//! Command-line arguments (clap lives only here and in `main`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Filmark: register content on Filecoin and pay for its storage.
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
    /// Keys in the key store: create, import, list.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Deploy Filmark: its native actors to a Filmark devnet, or with `--network` its Solidity
    /// contracts (the twins) to calibration, mainnet or a devnet (escrow, then the registry
    /// reading it). With `--network`, the key comes from FILMARK_DEPLOY_KEY (hex), `--key-file`
    /// or `--key NAME`, never from a flag's value.
    Deploy(DeployArgs),
    /// Register a file (packed first) or a CID in the registry.
    Register(RegisterArgs),
    /// The escrow: deposits, storage orders, deals, settlement.
    #[command(subcommand)]
    Escrow(EscrowCommand),
    /// Where a CID is: its record, its order and each deal storing it.
    Status(StatusArgs),
    /// The whole flow in one process, on an in-process devnet: pack, register, order, sponsor,
    /// provider, deal, settlement, status.
    Demo(DemoArgs),
}

/// Where keys are kept.
#[derive(Debug, Args)]
pub(crate) struct KeystoreArgs {
    /// The key store directory (default: the user's config directory, `filmark/keys`).
    #[arg(long, value_name = "DIR", env = "FILMARK_KEYSTORE")]
    pub(crate) keystore: Option<PathBuf>,
}

/// `filmark keys ...`
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a key from the operating system's random source.
    New(KeysNewArgs),
    /// Import a key: 64 hex digits, a Lotus key-info export (hex or JSON) or, with
    /// `--mnemonic`, a BIP-39 mnemonic; read from stdin, `--from-env VAR` or `--from-file PATH`
    /// (never from the command line).
    Import(KeysImportArgs),
    /// List the key store's keys and their addresses.
    List(KeysListArgs),
}

/// `keys new` options.
#[derive(Debug, Args)]
pub(crate) struct KeysNewArgs {
    /// The key's name in the store (letters, digits, `-`, `_`).
    pub(crate) name: String,
    /// An Ethereum account (f410 / 0x, Solidity-ABI calls) rather than an f1 account.
    #[arg(long)]
    pub(crate) eth: bool,
    #[command(flatten)]
    pub(crate) store: KeystoreArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `keys import` options.
#[derive(Debug, Args)]
pub(crate) struct KeysImportArgs {
    /// The key's name in the store (letters, digits, `-`, `_`).
    pub(crate) name: String,
    /// Read the key from environment variable VAR.
    #[arg(long, value_name = "VAR", conflicts_with = "from_file")]
    pub(crate) from_env: Option<String>,
    /// Read the key from file PATH.
    #[arg(long, value_name = "PATH")]
    pub(crate) from_file: Option<PathBuf>,
    /// The text is a BIP-39 mnemonic (English): the key of m/44'/461'/0'/0/INDEX, or
    /// m/44'/60'/0'/0/INDEX with `--eth`.
    #[arg(long)]
    pub(crate) mnemonic: bool,
    /// The mnemonic's account index.
    #[arg(long, default_value_t = 0, requires = "mnemonic")]
    pub(crate) index: u32,
    /// The mnemonic's BIP-39 passphrase, from environment variable VAR.
    #[arg(long, value_name = "VAR", requires = "mnemonic")]
    pub(crate) passphrase_env: Option<String>,
    /// An Ethereum account (f410 / 0x). A Lotus export of type `delegated` is one already.
    #[arg(long)]
    pub(crate) eth: bool,
    #[command(flatten)]
    pub(crate) store: KeystoreArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `keys list` options.
#[derive(Debug, Args)]
pub(crate) struct KeysListArgs {
    #[command(flatten)]
    pub(crate) store: KeystoreArgs,
    /// Print one JSON array instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The node, the sender's key and the output form: what every on-chain command takes.
#[derive(Debug, Args)]
pub(crate) struct ChainArgs {
    /// The node's JSON-RPC endpoint (default: the `--network` preset's, else the local
    /// devnet's, http://127.0.0.1:1234/rpc/v1).
    #[arg(
        long,
        visible_alias = "rpc-url",
        value_name = "URL",
        env = "FILMARK_RPC"
    )]
    pub(crate) rpc: Option<String>,
    /// The network: the node's chain id must be its preset's (devnet 31415926, calibration
    /// 314159, mainnet 314), and its committed deployment gives the contracts' addresses.
    #[arg(long, value_name = "NAME", value_parser = ["devnet", "calibration", "mainnet"])]
    pub(crate) network: Option<String>,
    /// The chain id a `--network devnet` node serves, when not 31415926 (`filmark devnet
    /// --chain-id`). Public networks' chain ids are fixed.
    #[arg(long, value_name = "ID", requires = "network")]
    pub(crate) chain_id: Option<u64>,
    /// How long to wait for the node (each request, and each message to be mined), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub(crate) timeout: f64,
    /// The sender: a key of the key store.
    #[arg(long, value_name = "NAME", conflicts_with = "key_file")]
    pub(crate) key: Option<String>,
    /// The sender: a file holding its key (hex or a Lotus key-info export). Without `--key` or
    /// `--key-file`, the key comes from `FILMARK_KEY`, else the store's key named `default`.
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: Option<PathBuf>,
    /// Send as the key's Ethereum account (f410, Solidity-ABI calls) instead of its f1 account.
    #[arg(long)]
    pub(crate) eth: bool,
    #[command(flatten)]
    pub(crate) store: KeystoreArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The deployed actors, for the commands that call them.
#[derive(Debug, Args)]
pub(crate) struct ActorArgs {
    /// A deployment file written by `filmark deploy --out` (its `registry` and `escrow`).
    #[arg(long, value_name = "FILE", env = "FILMARK_DEPLOYMENT")]
    pub(crate) deployment: Option<PathBuf>,
    /// The registry's address (overrides the deployment file).
    #[arg(long, value_name = "ADDR", env = "FILMARK_REGISTRY")]
    pub(crate) registry: Option<String>,
    /// The escrow's address (overrides the deployment file).
    #[arg(long, value_name = "ADDR", env = "FILMARK_ESCROW")]
    pub(crate) escrow: Option<String>,
}

/// `deploy` options.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
    /// Where to write the deployment as JSON: a FILE, or a directory (ending in `/`, or
    /// existing) that gets `<network>.json`. With `--network` the default is `deployments/`;
    /// without it, nothing is written unless given.
    #[arg(long, short, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
    /// With `--network`: build and sign both transactions, print them, send nothing.
    #[arg(long, requires = "network")]
    pub(crate) dry_run: bool,
    /// With `--network`: deploy without asking for confirmation (scripts; without a terminal
    /// and without `--yes` the deployment is refused).
    #[arg(long, short, requires = "network")]
    pub(crate) yes: bool,
}

/// `register` options.
#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    /// A file or directory (packed: its CID, size and piece CID are registered) or a CID.
    pub(crate) target: String,
    /// A metadata entry, `key=value` (repeatable).
    #[arg(long = "meta", value_name = "KEY=VALUE", value_parser = parse_meta)]
    pub(crate) meta: Vec<(String, String)>,
    /// The content's MIME type (default: `application/octet-stream`).
    #[arg(long, value_name = "MIME")]
    pub(crate) kind: Option<String>,
    /// Where to write the CAR of a packed file (default: not kept).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) car: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `KEY=VALUE`.
fn parse_meta(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

/// `filmark escrow ...`
#[derive(Debug, Subcommand)]
pub(crate) enum EscrowCommand {
    /// Add FIL to your available funds.
    Deposit(AmountArgs),
    /// Take FIL out of your available funds.
    Withdraw(AmountArgs),
    /// Create a storage order for a piece, locking price × duration × replicas.
    Order(OrderArgs),
    /// Add funds to an order (yours or anyone's: sponsoring).
    Fund(FundArgs),
    /// Bind a published deal (whose client is the escrow) to an order.
    Bind(BindArgs),
    /// Pay the order's providers for the epochs their deals were active.
    Settle(OrderIdArgs),
    /// Close an ended order and refund what is left.
    Close(OrderIdArgs),
    /// An order, or an account's funds.
    Show(ShowArgs),
}

/// An amount of FIL.
#[derive(Debug, Args)]
pub(crate) struct AmountArgs {
    /// The amount in FIL (`1.5`) or attoFIL (`1500attofil`).
    pub(crate) amount: String,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `escrow order` options.
#[derive(Debug, Args)]
pub(crate) struct OrderArgs {
    /// The piece CID (v1, `baga…`) to store.
    #[arg(long)]
    pub(crate) piece: String,
    /// The piece's padded size in bytes.
    #[arg(long)]
    pub(crate) piece_size: u64,
    /// Price per epoch per replica, in FIL or attoFIL.
    #[arg(long)]
    pub(crate) price: String,
    /// Minimum duration in epochs.
    #[arg(long)]
    pub(crate) duration: i64,
    /// How many providers store it.
    #[arg(long, default_value_t = 1)]
    pub(crate) replicas: u64,
    /// Deals must be activated within this many epochs from now.
    #[arg(long, default_value_t = 2880)]
    pub(crate) deadline: i64,
    /// Only these providers may take it (repeatable; default: any).
    #[arg(long = "provider", value_name = "ADDR")]
    pub(crate) providers: Vec<String>,
    /// The registered content CID this order pays for.
    #[arg(long)]
    pub(crate) content: Option<String>,
    /// Lock the price from your available funds (`escrow deposit`) instead of sending
    /// price × duration × replicas with the message.
    #[arg(long)]
    pub(crate) from_available: bool,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `escrow fund` options.
#[derive(Debug, Args)]
pub(crate) struct FundArgs {
    /// The order id.
    pub(crate) order: u64,
    /// The amount sent with the message, in FIL or attoFIL.
    pub(crate) amount: String,
    /// Also take this much from your available funds (the order's client only).
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) from_available: Option<String>,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `escrow bind` options.
#[derive(Debug, Args)]
pub(crate) struct BindArgs {
    /// The order id.
    pub(crate) order: u64,
    /// The market deal id.
    pub(crate) deal: u64,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// An order id.
#[derive(Debug, Args)]
pub(crate) struct OrderIdArgs {
    /// The order id.
    pub(crate) order: u64,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `escrow show` options.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// An order id; without it, the account's available and locked funds.
    pub(crate) order: Option<u64>,
    /// Whose funds (default: the sender key's account).
    #[arg(long, value_name = "ADDR", conflicts_with = "order")]
    pub(crate) account: Option<String>,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `status` options.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The content CID.
    pub(crate) cid: String,
    #[command(flatten)]
    pub(crate) actors: ActorArgs,
    #[command(flatten)]
    pub(crate) chain: ChainArgs,
}

/// `demo` options.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The file to store (default: a generated one).
    pub(crate) file: Option<PathBuf>,
    /// Size of the generated file in bytes.
    #[arg(long, default_value_t = 1 << 20, conflicts_with = "file")]
    pub(crate) size: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
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
