// ethers v6 against the devnet (its JsonRpcProvider batches requests): chain id, a transfer
// between prefunded f410 accounts, a registry call through its ABI, the event read back with
// queryFilter (getLogs) and with contract.on (eth_newFilter polling), a receipt, tx.wait().
import assert from 'node:assert/strict'
import { Contract, JsonRpcProvider, Wallet, ZeroAddress, id, parseEther, Interface } from 'ethers'
import { env, registryAbi, request } from './env.js'

// cacheTimeout -1: ethers otherwise answers an identical request from a 250 ms cache (a stale
// pending nonce on a chain that mines at once, as with Hardhat's automine).
const provider = new JsonRpcProvider(env.url, undefined, { pollingInterval: 50, cacheTimeout: -1 })
const network = await provider.getNetwork()
assert.equal(network.chainId, BigInt(env.chainId))
const alice = new Wallet(env.ethKeys[0], provider)
const bob = new Wallet(env.ethKeys[1], provider)

// A value transfer.
const value = parseEther('2')
const before = await provider.getBalance(bob.address)
const sent = await alice.sendTransaction({ to: bob.address, value })
const receipt = await sent.wait()
assert.equal(receipt.status, 1)
assert.equal(receipt.from, alice.address)
assert.equal(receipt.to, bob.address)
assert.equal(await provider.getBalance(bob.address, receipt.blockNumber), before + value)
const tx = await provider.getTransaction(sent.hash)
assert.equal(tx.value, value)
assert.equal(tx.type, 2)

// The registry through its ABI.
const iface = new Interface(registryAbi)
assert.equal(iface.getFunction('register').selector, env.registerSelector)
assert.equal(iface.getFunction('counts').selector, env.countsSelector)
assert.equal(iface.getEvent('Registered').topicHash, env.registeredTopic)
const registry = new Contract(env.registry, registryAbi, alice)
const seen = new Promise((resolve) => {
  registry.on('Registered', (owner, cidHash, cid, kind, size, event) => resolve({ owner, cid, kind, size, event }))
})
const call = await registry.register(request(env.cids[1], ZeroAddress))
const registered = await call.wait()
assert.equal(registered.status, 1)
assert.equal(registered.logs.length, 1)
const parsed = registry.interface.parseLog(registered.logs[0])
assert.equal(parsed.name, 'Registered')
assert.equal(parsed.args.owner, alice.address)

const logs = await registry.queryFilter(registry.filters.Registered(alice.address), 0)
assert.equal(logs.length, 1)
assert.equal(logs[0].args.cid, env.cids[1])
assert.equal(logs[0].transactionHash, call.hash)
const event = await Promise.race([
  seen,
  new Promise((_, reject) => setTimeout(() => reject(new Error('no Registered event through the filter')), 20_000)),
])
assert.equal(event.owner, alice.address)
assert.equal(event.cid, env.cids[1])
assert.equal(event.size, 8n)
await registry.removeAllListeners()
const counts = await registry.counts()
assert.equal(counts.records, 1n)
assert.equal(id('Registered(address,bytes32,bytes,string,uint64)'), env.registeredTopic)
provider.destroy()
console.log('ethers: ok')
