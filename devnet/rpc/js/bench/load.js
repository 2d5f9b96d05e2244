// Load benchmark: signed EIP-1559 transfers sent with eth_sendRawTransaction over HTTP, one
// sequential stream per sender (so nonces arrive in order), against any Ethereum JSON-RPC node.
//
//   node load.js --url http://127.0.0.1:1234/rpc/v1 --label devnet [--txs 10000] [--erc20]
//   keys: FILMARK_BENCH_KEYS=0x..,0x.. (one sender per key, sending to the next key's address)
//
// With --erc20 the transactions are OpenZeppelin ERC-20 `transfer`s instead (the token compiled
// by solc-js from ../test/solidity.js, so `npm ci` in devnet/rpc/js too): the first key deploys
// it (timed: send to receipt) and gives every sender tokens before the clock starts; the line
// also has the deploy time and the gas one transfer used (its receipt's gasUsed).
//
// Signing happens before the clock starts. Prints one JSON line: sent tx/s (every reply in),
// p50/p99 latency of eth_sendRawTransaction, mined tx/s (until every sender's on-chain nonce
// has caught up), and this client's own CPU time per transaction while sending.
import http from 'node:http'
import { encodeFunctionData, keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { erc20 } from '../test/solidity.js'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] ?? '']] : acc), [])
)
const tokenMode = 'erc20' in args
const url = args.url
const label = args.label ?? url
const total = Number(args.txs ?? 10_000)
const keys = (process.env.FILMARK_BENCH_KEYS ?? '').split(',').filter(Boolean)
if (!url || keys.length === 0) {
  console.error('usage: FILMARK_BENCH_KEYS=0x..,0x.. node load.js --url URL [--label L] [--txs N]')
  process.exit(2)
}

// Plain node:http with keep-alive connections (lighter than fetch, so the client is not what
// is measured).
let agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const target = new URL(url)
let nextId = 1
function rpc(method, params = []) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params })
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          try {
            const reply = JSON.parse(Buffer.concat(chunks).toString())
            if (reply.error) reject(new Error(`${method}: ${reply.error.message}`))
            else resolve(reply.result)
          } catch (e) {
            reject(e)
          }
        })
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const accounts = keys.map((k) => privateKeyToAccount(k))
const chainId = Number(await rpc('eth_chainId'))
const perSender = Math.ceil(total / accounts.length)
const latest = await rpc('eth_getBlockByNumber', ['latest', false])
const baseFee = BigInt(latest.baseFeePerGas)
const tip = BigInt(await rpc('eth_maxPriorityFeePerGas'))
const maxFeePerGas = baseFee * 4n + tip
const value = tokenMode ? 0n : 1000n

// Waits until `account`'s on-chain nonce reaches `n` (bounded).
async function minedUpTo(account, n) {
  const deadline = performance.now() + 120_000
  while (Number(await rpc('eth_getTransactionCount', [account.address, 'latest'])) < n) {
    if (performance.now() > deadline) throw new Error(`${account.address}: nonce ${n} not mined in 120 s`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

// The ERC-20 mode's token: deployed by the first sender (timed), every other sender given tokens.
let token
let deploySecs
if (tokenMode) {
  const { abi, bytecode } = erc20()
  const deployer = accounts[0]
  let nonce = Number(await rpc('eth_getTransactionCount', [deployer.address, 'pending']))
  const data = `${bytecode}${(10n ** 30n).toString(16).padStart(64, '0')}`
  const deployGas = BigInt(await rpc('eth_estimateGas', [{ from: deployer.address, data }]))
  const raw = await deployer.signTransaction({ type: 'eip1559', chainId, nonce, data, gas: deployGas, maxFeePerGas, maxPriorityFeePerGas: tip })
  const t0 = performance.now()
  const hash = await rpc('eth_sendRawTransaction', [raw])
  let receipt
  while (!(receipt = await rpc('eth_getTransactionReceipt', [hash]))) await new Promise((r) => setTimeout(r, 5))
  deploySecs = (performance.now() - t0) / 1000
  if (receipt.status !== '0x1') throw new Error(`the ERC-20 deployment failed: ${JSON.stringify(receipt)}`)
  token = { abi, address: receipt.contractAddress }
  nonce++
  const share = 10n ** 24n
  const transferData = (to, amount) => encodeFunctionData({ abi, functionName: 'transfer', args: [to, amount] })
  const fundGas = BigInt(await rpc('eth_estimateGas', [{ from: deployer.address, to: token.address, data: transferData(accounts[1 % accounts.length].address, share) }]))
  for (const a of accounts.slice(1)) {
    const tx = await deployer.signTransaction({ type: 'eip1559', chainId, nonce: nonce++, to: token.address, data: transferData(a.address, share), gas: fundGas * 2n, maxFeePerGas, maxPriorityFeePerGas: tip })
    await rpc('eth_sendRawTransaction', [tx])
  }
  await minedUpTo(deployer, nonce)
  token.data = (to) => transferData(to, 1n)
}

const gas = BigInt(
  await rpc('eth_estimateGas', [
    tokenMode
      ? { from: accounts[0].address, to: token.address, data: token.data(accounts[1 % accounts.length].address) }
      : { from: accounts[0].address, to: accounts[1 % accounts.length].address, value: `0x${value.toString(16)}` },
  ])
)
const startNonces = await Promise.all(accounts.map((a) => rpc('eth_getTransactionCount', [a.address, 'pending']).then(Number)))

// Sign everything first.
const signStart = performance.now()
const streams = await Promise.all(
  accounts.map(async (account, s) => {
    const to = accounts[(s + 1) % accounts.length].address
    const txs = []
    for (let i = 0; i < perSender; i++) {
      txs.push(
        await account.signTransaction({
          type: 'eip1559',
          chainId,
          nonce: startNonces[s] + i,
          ...(tokenMode ? { to: token.address, data: token.data(to), gas: (gas * 3n) / 2n } : { to, value, gas }),
          maxFeePerGas,
          maxPriorityFeePerGas: tip,
        })
      )
    }
    return txs
  })
)
const signSecs = (performance.now() - signStart) / 1000

// Fresh connections for the load: a server may have closed the idle ones while we signed.
agent.destroy()
agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

// Send: one sequential stream per sender.
const latencies = []
let failures = 0
let firstError
const cpuStart = process.cpuUsage()
const start = performance.now()
await Promise.all(
  streams.map(async (txs) => {
    for (const raw of txs) {
      const t0 = performance.now()
      try {
        await rpc('eth_sendRawTransaction', [raw])
      } catch (e) {
        failures++
        firstError ??= e.message
      }
      latencies.push(performance.now() - t0)
    }
  })
)
const sentSecs = (performance.now() - start) / 1000
const cpu = process.cpuUsage(cpuStart)
if (failures > 0) console.error(`${label}: ${failures} sends failed, the first: ${firstError}`)

// Wait until every transaction is mined (bounded).
const deadline = performance.now() + 300_000
for (;;) {
  const nonces = await Promise.all(accounts.map((a) => rpc('eth_getTransactionCount', [a.address, 'latest']).then(Number)))
  if (nonces.every((n, s) => n >= startNonces[s] + perSender)) break
  if (performance.now() > deadline) throw new Error(`not all mined after 300 s: nonces ${nonces}, from ${startNonces}`)
  await new Promise((r) => setTimeout(r, 20))
}
const minedSecs = (performance.now() - start) / 1000

// The gas one ERC-20 transfer used: the receipt of the first sender's last transfer.
let transferGasUsed
if (tokenMode) {
  const receipt = await rpc('eth_getTransactionReceipt', [keccak256(streams[0][streams[0].length - 1])])
  if (receipt.status !== '0x1') throw new Error(`an ERC-20 transfer failed: ${JSON.stringify(receipt)}`)
  transferGasUsed = Number(BigInt(receipt.gasUsed))
}

latencies.sort((a, b) => a - b)
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]
const sent = perSender * accounts.length
console.log(
  JSON.stringify({
    label,
    mode: tokenMode ? 'erc20' : 'transfer',
    txs: sent,
    senders: accounts.length,
    failures,
    firstError,
    gas: Number(gas),
    signSecs: +signSecs.toFixed(2),
    sentSecs: +sentSecs.toFixed(3),
    sentTps: +(sent / sentSecs).toFixed(0),
    // This client's own CPU time (user + system) while sending, per transaction.
    clientCpuUsPerTx: +((cpu.user + cpu.system) / sent).toFixed(1),
    minedSecs: +minedSecs.toFixed(3),
    minedTps: +(sent / minedSecs).toFixed(0),
    p50ms: +pct(50).toFixed(3),
    p99ms: +pct(99).toFixed(3),
    ...(tokenMode ? { deploySecs: +deploySecs.toFixed(3), transferGasUsed, token: token.address } : {}),
  })
)
agent.destroy()
