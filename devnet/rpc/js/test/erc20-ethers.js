// ethers v6 deploys an OpenZeppelin ERC-20 (compiled here by solc-js) on the devnet, transfers,
// reads balanceOf and the Transfer log, and sees a revert reason from eth_call.
import assert from 'node:assert/strict'
import { ContractFactory, JsonRpcProvider, Wallet } from 'ethers'
import { env } from './env.js'
import { erc20 } from './solidity.js'

// cacheTimeout -1: ethers caches identical requests for 250 ms, so on a chain this fast the
// transfer would reuse the deploy's `getTransactionCount(pending)` answer (nonce 0).
const provider = new JsonRpcProvider(env.url, env.chainId, { staticNetwork: true, polling: true, cacheTimeout: -1 })
provider.pollingInterval = 50
const alice = new Wallet(env.ethKeys[0], provider)
const bob = new Wallet(env.ethKeys[1], provider)

const { abi, bytecode } = erc20()
const factory = new ContractFactory(abi, bytecode, alice)
const token = await factory.deploy(1000n)
await token.waitForDeployment()
const address = await token.getAddress()
assert.ok((await provider.getCode(address)).length > 2)
assert.equal(await token.balanceOf(alice.address), 1000n)

const tx = await token.transfer(bob.address, 250n)
const receipt = await tx.wait()
assert.equal(receipt.status, 1)
assert.equal(await token.balanceOf(bob.address), 250n)
const [event] = receipt.logs.map((l) => token.interface.parseLog(l)).filter((e) => e?.name === 'Transfer')
assert.equal(event.args.from, alice.address)
assert.equal(event.args.to, bob.address)
assert.equal(event.args.value, 250n)
const logs = await token.queryFilter(token.filters.Transfer(alice.address), 0)
assert.equal(logs.length, 1)

await assert.rejects(token.fail.staticCall(), (e) => e.reason === 'nope')
console.log('erc20-ethers: ok')
