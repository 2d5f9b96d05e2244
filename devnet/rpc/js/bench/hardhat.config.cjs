// The Hardhat node the load benchmark compares against: the same sender keys (prefunded), the
// same chain id, automine or interval mining (FILMARK_BENCH_INTERVAL_MS), request logging off.
const keys = (process.env.FILMARK_BENCH_KEYS ?? '').split(',').filter(Boolean)
const interval = Number(process.env.FILMARK_BENCH_INTERVAL_MS ?? 0)

module.exports = {
  networks: {
    hardhat: {
      chainId: Number(process.env.FILMARK_BENCH_CHAIN_ID ?? 31337),
      accounts: keys.map((privateKey) => ({ privateKey, balance: '10000000000000000000000' })),
      mining: interval > 0 ? { auto: false, interval } : { auto: true },
      loggingEnabled: false,
    },
  },
}
