//! Devnet configuration: the constants every devnet starts from and a [`DevnetConfig`] builder.

use std::time::Duration;

use filmark_devnet_actors::market::MarketPolicy;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;

/// The devnet's EIP-155 chain id, 31415926 (defined once, by the SDK, beside mainnet's 314 and
/// calibration's 314159).
pub use filmark_sdk::keys::DEVNET_CHAIN_ID as CHAIN_ID;
/// The network name written into the init actor's state.
pub const NETWORK_NAME: &str = "filmark-devnet";
/// The one network version the devnet runs (the newest fvm 4.8.4 supports without `nv30-dev`).
pub const NETWORK_VERSION: NetworkVersion = NetworkVersion::V29;
/// How many f1 (secp256k1) and how many f410 (eth) accounts genesis prefunds.
pub const DEFAULT_ACCOUNTS: usize = 10;
/// Each prefunded account's balance, in whole FIL.
pub const DEFAULT_BALANCE_FIL: u64 = 10_000;
/// The seed the prefunded keys are derived from (printed keys are stable across runs).
pub const DEFAULT_SEED: [u8; 32] = *b"filmark devnet deterministic key";
/// The base fee, in attoFIL. Constant: the devnet has one block producer and no congestion, so
/// an EIP-1559-style update would only add noise. 100 attoFIL is Lotus' minimum base fee.
pub const BASE_FEE_ATTO: u64 = 100;
/// Gas limit of one block (as Lotus' `BlockGasLimit`): the sum of the gas limits of the messages
/// in a tipset never exceeds it.
pub const BLOCK_GAS_LIMIT: u64 = 10_000_000_000;
/// Largest serialized signed message the pool accepts (Lotus' `MaxMessageSize`).
pub const MAX_MESSAGE_SIZE: usize = 64 << 10;
/// Gas limit of the devnet's implicit messages (deal controls, cron, deploy) and read-only calls.
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
        }
    }
}

impl DevnetConfig {
    /// The preset for tests: quiet, instant mining, the default accounts, the market's
    /// [`MarketPolicy::fast`] (deals of any length, no minimum provider collateral).
    pub fn test() -> Self {
        Self {
            verbose: false,
            market_policy: MarketPolicy::fast(),
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
