// viem against the devnet: chain id, a transfer between prefunded f410 accounts, a registry call
// through its ABI, the event read back with getLogs and with a filter, a receipt,
// waitForTransactionReceipt.
import assert from 'node:assert/strict'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseAbi,
  parseEther,
  toEventSelector,
  toFunctionSelector,
  zeroAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { env, registryAbi, request } from './env.js'

const chain = defineChain({
  id: env.chainId,
  name: 'Filmark devnet',
  nativeCurrency: { name: 'Filecoin', symbol: 'FIL', decimals: 18 },
  rpcUrls: { default: { http: [env.url] } },
})
const transport = http(env.url)
const client = createPublicClient({ chain, transport, pollingInterval: 50 })
const alice = privateKeyToAccount(env.ethKeys[0])
const bob = privateKeyToAccount(env.ethKeys[1])
const wallet = createWalletClient({ account: alice, chain, transport })

assert.equal(await client.getChainId(), env.chainId)

// A value transfer.
const value = parseEther('1.5')
const before = await client.getBalance({ address: bob.address })
const hash = await wallet.sendTransaction({ to: bob.address, value })
const receipt = await client.waitForTransactionReceipt({ hash, timeout: 30_000 })
assert.equal(receipt.status, 'success')
assert.equal(receipt.from.toLowerCase(), alice.address.toLowerCase())
assert.equal(receipt.to.toLowerCase(), bob.address.toLowerCase())
assert.equal(await client.getBalance({ address: bob.address }), before + value)
const tx = await client.getTransaction({ hash })
assert.equal(tx.value, value)
assert.equal(tx.type, 'eip1559')
assert.equal(await client.getTransactionCount({ address: alice.address }), 1)

// The registry through its ABI.
const abi = parseAbi(registryAbi)
assert.equal(toFunctionSelector(abi[0]), env.registerSelector)
assert.equal(toFunctionSelector(abi[1]), env.countsSelector)
assert.equal(toEventSelector(abi[2]), env.registeredTopic)
const registry = env.registry
const filter = await client.createContractEventFilter({ address: registry, abi, eventName: 'Registered' })
const { request: call } = await client.simulateContract({
  account: alice,
  address: registry,
  abi,
  functionName: 'register',
  args: [request(env.cids[0], zeroAddress)],
})
const written = await wallet.writeContract(call)
const registered = await client.waitForTransactionReceipt({ hash: written, timeout: 30_000 })
assert.equal(registered.status, 'success')
assert.equal(registered.logs.length, 1)

const logs = await client.getContractEvents({ address: registry, abi, eventName: 'Registered', fromBlock: 0n })
assert.equal(logs.length, 1)
assert.equal(logs[0].args.owner.toLowerCase(), alice.address.toLowerCase())
assert.equal(logs[0].args.cid, env.cids[0])
assert.equal(logs[0].args.kind, 'text/plain')
assert.equal(logs[0].transactionHash, written)
const changes = await client.getFilterChanges({ filter })
assert.equal(changes.length, 1)
assert.equal(changes[0].args.cid, env.cids[0])
assert.equal(await client.uninstallFilter({ filter }), true)
const counts = await client.readContract({ address: registry, abi, functionName: 'counts' })
assert.equal(counts.records, 1n)

// Fees and blocks as a dapp reads them.
const fees = await client.estimateFeesPerGas()
assert.ok(fees.maxFeePerGas > 0n)
const block = await client.getBlock({ blockNumber: registered.blockNumber, includeTransactions: true })
assert.equal(block.hash, registered.blockHash)
assert.equal(block.transactions[0].hash, written)
console.log('viem: ok')
