// viem deploys an OpenZeppelin ERC-20 (compiled here by solc-js) on the devnet, transfers,
// reads balanceOf and the Transfer log, and sees a revert reason from eth_call.
import assert from 'node:assert/strict'
import { createPublicClient, createWalletClient, defineChain, http, parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { env } from './env.js'
import { erc20 } from './solidity.js'

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

const { abi, bytecode } = erc20()
const deployHash = await wallet.deployContract({ abi, bytecode, args: [1000n] })
const deployed = await client.waitForTransactionReceipt({ hash: deployHash, timeout: 30_000 })
assert.equal(deployed.status, 'success')
const token = deployed.contractAddress
assert.ok(token, 'the receipt has a contractAddress')
assert.ok((await client.getCode({ address: token })).length > 2)

const read = (functionName, args = []) => client.readContract({ address: token, abi, functionName, args })
assert.equal(await read('symbol'), 'FMT')
assert.equal(await read('balanceOf', [alice.address]), 1000n)

const hash = await wallet.writeContract({ address: token, abi, functionName: 'transfer', args: [bob.address, 250n] })
const receipt = await client.waitForTransactionReceipt({ hash, timeout: 30_000 })
assert.equal(receipt.status, 'success')
assert.equal(await read('balanceOf', [alice.address]), 750n)
assert.equal(await read('balanceOf', [bob.address]), 250n)

const [transfer] = parseEventLogs({ abi, logs: receipt.logs, eventName: 'Transfer' })
assert.equal(transfer.args.from.toLowerCase(), alice.address.toLowerCase())
assert.equal(transfer.args.to.toLowerCase(), bob.address.toLowerCase())
assert.equal(transfer.args.value, 250n)
const logs = await client.getContractEvents({ address: token, abi, eventName: 'Transfer', fromBlock: 0n })
assert.equal(logs.length, 2) // the mint and the transfer

await assert.rejects(
  client.simulateContract({ address: token, abi, functionName: 'fail', account: alice }),
  (e) => /nope/.test(e.message),
)
console.log('erc20-viem: ok')
