//! Devnet configuration: the constants every devnet starts from and a [`DevnetConfig`] builder.

use std::path::PathBuf;
use std::time::Duration;

use filmark_devnet_actors::market::MarketPolicy;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;

/// The devnet's EIP-155 chain id, 31415926 (defined once, by the SDK, beside mainnet's 314 and
/// calibration's 314159).
pub use filmark_sdk::keys::DEVNET_CHAIN_ID as CHAIN_ID;
/// The network name written into the init actor's state (`StateNetworkName`).
pub use filmark_sdk::network::DEVNET_NETWORK_NAME as NETWORK_NAME;
/// The network version a devnet runs unless configured ([`DevnetConfig::network_version`]):
/// nv28, what mainnet and calibration run (nv29 is not scheduled there).
pub const NETWORK_VERSION: NetworkVersion = NetworkVersion::V28;
/// How many f1 (secp256k1) and how many f410 (eth) accounts genesis prefunds.
pub const DEFAULT_ACCOUNTS: usize = 10;
/// Each prefunded account's balance, in whole FIL.
pub const DEFAULT_BALANCE_FIL: u64 = 10_000;
/// The seed the prefunded keys are derived from (printed keys are stable across runs).
pub const DEFAULT_SEED: [u8; 32] = *b"filmark devnet deterministic key";
/// The lowest base fee, in attoFIL (Lotus' `MinimumBaseFee`), and the devnet's genesis base fee
/// (Lotus' mainnet genesis started at 10^8; a devnet starts cheap). The base fee then follows
/// Filecoin's EIP-1559-style rule (see [`BASE_FEE_MAX_CHANGE_DENOM`]).
pub const MINIMUM_BASE_FEE_ATTO: u64 = 100;
/// The base fee moves by at most 1/8 per tipset (Lotus' `BaseFeeMaxChangeDenom`): by
/// `base_fee × (gas limits of the tipset's messages − target) / target / 8`, the excess capped at
/// ± the target.
pub const BASE_FEE_MAX_CHANGE_DENOM: u64 = 8;
/// The gas a tipset aims at (Lotus' `BlockGasTarget`: half the block gas limit).
pub const BLOCK_GAS_TARGET: u64 = BLOCK_GAS_LIMIT / 2;
/// Most messages a tipset includes (Lotus' `BlockMessageLimit`).
pub const BLOCK_MESSAGE_LIMIT: usize = 10_000;
/// Most pending messages per sender (Lotus' `MaxActorPendingMessages`, its limit for local
/// senders; it allows 10 to untrusted network peers).
pub const POOL_SENDER_LIMIT: usize = 1_000;
/// How far ahead of its sender's next nonce a message may be (Lotus' `MaxNonceGap`, for local
/// messages): it waits in the pool, not mined, until the messages before it arrive.
pub const POOL_MAX_NONCE_GAP: u64 = 4;
/// Most pending messages in all (Lotus' `SizeLimitHigh`; Lotus prunes down to 20,000 past it,
/// the devnet refuses instead).
pub const POOL_LIMIT: usize = 30_000;
/// Gas limit of one block (as Lotus' `BlockGasLimit`): the sum of the gas limits of the messages
/// in a tipset never exceeds it. Defined beside the EVM actor, whose `block.gaslimit` it is.
pub use filmark_devnet_actors::evm::BLOCK_GAS_LIMIT;
/// Largest serialized signed message the pool accepts (Lotus' `MaxMessageSize`).
pub const MAX_MESSAGE_SIZE: usize = 64 << 10;
/// How long a read-only call (and a gas estimate) may run before it fails with
/// [`crate::Error::CallTimeout`], unless configured: about twice what a call that burns a block's
/// 10B gas in a loop takes (~0.5 s per 1e9 gas).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The wall-clock limit for calls of [`DevnetConfig::test`].
pub const TEST_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Gas limit of the devnet's implicit messages (deal controls, cron, deploy); read-only calls run
/// with at most [`BLOCK_GAS_LIMIT`].
pub const IMPLICIT_GAS_LIMIT: u64 = BLOCK_GAS_LIMIT * 10;
/// Timestamp of the genesis block (seconds since the Unix epoch), unless configured.
pub const GENESIS_TIMESTAMP: u64 = 1_767_225_600;
/// Seconds between tipset timestamps (Lotus' block delay on mainnet).
pub const BLOCK_DELAY_SECS: u64 = 30;

/// When the devnet mines a tipset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mining {
    /// Every accepted push mines a tipset holding it (Anvil's default).
    #[default]
    Instant,
    /// A background thread mines a tipset with the pending messages at this interval (empty
    /// tipsets too); pushes wait in the pool.
    Interval(Duration),
    /// Only [`crate::Devnet::mine`] mines.
    Manual,
}

/// How a devnet starts. Build with [`DevnetConfig::default`] or [`DevnetConfig::test`] and the
/// `with_*` methods.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Chain id (EIP-155) given to the FVM.
    pub chain_id: u64,
    /// Number of prefunded f1 accounts.
    pub accounts: usize,
    /// Number of prefunded f410 (eth) accounts.
    pub eth_accounts: usize,
    /// Balance of each prefunded account.
    pub balance: TokenAmount,
    /// Seed of the prefunded keys.
    pub seed: [u8; 32],
    /// When tipsets are mined.
    pub mining: Mining,
    /// Send the market's cron tick as an implicit message at the end of every tipset.
    pub market_cron: bool,
    /// The numbers the simulated market checks deals against (its constructor's params):
    /// [`MarketPolicy::devnet`] by default, [`MarketPolicy::fast`] in [`DevnetConfig::test`],
    /// [`MarketPolicy::mainnet`] to check deals as mainnet does.
    pub market_policy: MarketPolicy,
    /// Log the prefunded accounts and each mined tipset (through `tracing`).
    pub verbose: bool,
    /// Genesis timestamp (seconds since the Unix epoch).
    pub genesis_timestamp: u64,
    /// Record each message's gas charges and keep their sum by charge name
    /// ([`crate::GasBreakdown`] in `MessageRecord::gas_trace` and `CallResult::gas_trace`).
    /// Off by default: tracing costs execution time (no gas).
    pub gas_tracing: bool,
    /// The network version the FVM runs and the pool prices inclusion at ([`NETWORK_VERSION`]
    /// by default).
    pub network_version: NetworkVersion,
    /// Wall-clock limit of a read-only call or gas estimate ([`CALL_TIMEOUT`] by default).
    pub call_timeout: Duration,
    /// Most pending messages per sender ([`POOL_SENDER_LIMIT`] by default).
    pub pool_sender_limit: usize,
    /// Most pending messages in all ([`POOL_LIMIT`] by default).
    pub pool_limit: usize,
    /// Where the devnet keeps its chain (blocks, tipsets, records, events) in a redb database
    /// ([`crate::RedbKv`]); a restart on the same directory resumes the chain. `None` (the
    /// default): everything is in memory and gone with the process.
    pub data_dir: Option<PathBuf>,
    /// The devnet's own extension for native (wasm) actors: init's `InstallCode`, `Exec` of
    /// installed code, and [`crate::Devnet::install_code`] / [`crate::Devnet::deploy`]. On by
    /// default; off, they fail with a message saying so, and the devnet behaves as mainnet,
    /// which runs no user wasm.
    pub user_wasm: bool,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            chain_id: CHAIN_ID,
            accounts: DEFAULT_ACCOUNTS,
            eth_accounts: DEFAULT_ACCOUNTS,
            balance: TokenAmount::from_whole(DEFAULT_BALANCE_FIL),
            seed: DEFAULT_SEED,
            mining: Mining::Instant,
            market_cron: true,
            market_policy: MarketPolicy::devnet(),
            verbose: true,
            genesis_timestamp: GENESIS_TIMESTAMP,
            gas_tracing: false,
            network_version: NETWORK_VERSION,
            call_timeout: CALL_TIMEOUT,
            pool_sender_limit: POOL_SENDER_LIMIT,
            pool_limit: POOL_LIMIT,
            data_dir: None,
            user_wasm: true,
        }
    }
}

impl DevnetConfig {
    /// The preset for tests: quiet, instant mining, the default accounts, the market's
    /// [`MarketPolicy::fast`] (deals of any length, no minimum provider collateral), and a
    /// wall-clock limit for calls of [`TEST_CALL_TIMEOUT`] (debug builds on a loaded CI machine
    /// run a gas estimate far slower than a release node; a test of the limit sets its own).
    pub fn test() -> Self {
        Self {
            verbose: false,
            market_policy: MarketPolicy::fast(),
            call_timeout: TEST_CALL_TIMEOUT,
            ..Self::default()
        }
    }

    /// Sets the chain id.
    pub const fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// Sets how many f1 and f410 accounts genesis prefunds.
    pub const fn with_accounts(mut self, f1: usize, f410: usize) -> Self {
        self.accounts = f1;
        self.eth_accounts = f410;
        self
    }

    /// Sets each prefunded account's balance.
    pub fn with_balance(mut self, balance: TokenAmount) -> Self {
        self.balance = balance;
        self
    }

    /// Sets the seed the prefunded keys derive from.
    pub const fn with_seed(mut self, seed: [u8; 32]) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the mining mode.
    pub const fn with_mining(mut self, mining: Mining) -> Self {
        self.mining = mining;
        self
    }

    /// Mines a tipset every `interval` in the background.
    pub const fn with_block_time(self, interval: Duration) -> Self {
        self.with_mining(Mining::Interval(interval))
    }

    /// Turns the per-tipset market cron on or off.
    pub const fn with_market_cron(mut self, on: bool) -> Self {
        self.market_cron = on;
        self
    }

    /// Sets the market's policy (e.g. [`MarketPolicy::mainnet`]).
    pub fn with_market_policy(mut self, policy: MarketPolicy) -> Self {
        self.market_policy = policy;
        self
    }

    /// Turns logging of accounts and tipsets on or off.
    pub const fn with_verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// Sets the genesis timestamp.
    pub const fn with_genesis_timestamp(mut self, secs: u64) -> Self {
        self.genesis_timestamp = secs;
        self
    }

    /// Sets the network version (fvm 4.8.4 runs nv21 to nv29).
    pub const fn with_network_version(mut self, network_version: NetworkVersion) -> Self {
        self.network_version = network_version;
        self
    }

    /// Sets the wall-clock limit of read-only calls and gas estimates.
    pub const fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Sets the pool's limits: pending messages per sender and in all.
    pub const fn with_pool_limits(mut self, per_sender: usize, total: usize) -> Self {
        self.pool_sender_limit = per_sender;
        self.pool_limit = total;
        self
    }

    /// Keeps the chain in a redb database in `dir` (see [`DevnetConfig::data_dir`]).
    pub fn with_data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Turns the user-wasm extension on or off (see [`DevnetConfig::user_wasm`]).
    pub const fn with_user_wasm(mut self, on: bool) -> Self {
        self.user_wasm = on;
        self
    }

    /// Turns the per-message gas breakdown on or off (see [`DevnetConfig::gas_tracing`]; at run
    /// time, [`crate::Devnet::set_gas_tracing`]).
    pub const fn with_gas_tracing(mut self, on: bool) -> Self {
        self.gas_tracing = on;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_builds_the_test_preset() {
        let c = DevnetConfig::test()
            .with_accounts(2, 3)
            .with_chain_id(7)
            .with_market_cron(false);
        assert!(!c.verbose);
        assert_eq!((c.accounts, c.eth_accounts, c.chain_id), (2, 3, 7));
        assert_eq!(c.mining, Mining::Instant);
        assert!(!c.market_cron);
        assert_eq!(c.market_policy, MarketPolicy::fast());
        assert_eq!(
            DevnetConfig::default().market_policy,
            MarketPolicy::devnet()
        );
        let mainnet = c.clone().with_market_policy(MarketPolicy::mainnet());
        assert_eq!(mainnet.market_policy, MarketPolicy::mainnet());
        assert!(!c.gas_tracing, "gas tracing is opt-in");
        assert!(c.clone().with_gas_tracing(true).gas_tracing);
        assert_eq!(c.balance, TokenAmount::from_whole(DEFAULT_BALANCE_FIL));
    }
}
