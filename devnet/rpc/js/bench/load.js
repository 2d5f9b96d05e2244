// Load benchmark: signed EIP-1559 transfers sent with eth_sendRawTransaction over HTTP, one
// sequential stream per sender (so nonces arrive in order), against any Ethereum JSON-RPC node.
//
//   node load.js --url http://127.0.0.1:1234/rpc/v1 --label devnet [--txs 10000]
//   keys: FILMARK_BENCH_KEYS=0x..,0x.. (one sender per key, sending to the next key's address)
//
// Signing happens before the clock starts. Prints one JSON line: sent tx/s (every reply in),
// p50/p99 latency of eth_sendRawTransaction, and mined tx/s (until every sender's on-chain nonce
// has caught up).
import http from 'node:http'
import { privateKeyToAccount } from 'viem/accounts'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), [])
)
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
const value = 1000n
const gas = BigInt(
  await rpc('eth_estimateGas', [{ from: accounts[0].address, to: accounts[1 % accounts.length].address, value: `0x${value.toString(16)}` }])
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
          to,
          value,
          gas,
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

latencies.sort((a, b) => a - b)
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]
const sent = perSender * accounts.length
console.log(
  JSON.stringify({
    label,
    txs: sent,
    senders: accounts.length,
    failures,
    firstError,
    gas: Number(gas),
    signSecs: +signSecs.toFixed(2),
    sentSecs: +sentSecs.toFixed(3),
    sentTps: +(sent / sentSecs).toFixed(0),
    minedSecs: +minedSecs.toFixed(3),
    minedTps: +(sent / minedSecs).toFixed(0),
    p50ms: +pct(50).toFixed(3),
    p99ms: +pct(99).toFixed(3),
  })
)
agent.destroy()
