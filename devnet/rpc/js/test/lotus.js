// A Lotus JSON-RPC client from npm (iso-filecoin's RPC) against the devnet: the head, a balance,
// a message pushed from an f1 key, its StateWaitMsg receipt.
import assert from 'node:assert/strict'
import { Message } from 'iso-filecoin/message'
import { RPC } from 'iso-filecoin/rpc'
import * as Wallet from 'iso-filecoin/wallet'
import { env } from './env.js'

function ok(answer, what) {
  assert.ok(!answer.error, `${what}: ${answer.error?.message} ${answer.error?.cause?.message ?? ''}`)
  return answer.result
}

const rpc = new RPC({ api: env.url, network: 'testnet' })
const head = ok(await rpc.chainHead(), 'ChainHead')
assert.ok(head.Height >= 0)
assert.equal(head.Cids.length, 1)

const key = Uint8Array.from(Buffer.from(env.f1Key, 'hex'))
const account = Wallet.accountFromPrivateKey(key, 'SECP256K1', 'testnet')
const other = Wallet.accountFromPrivateKey(new Uint8Array(32).fill(7), 'SECP256K1', 'testnet')
const from = account.address.toString()
const to = other.address.toString()
const balance = BigInt(ok(await rpc.balance(from), 'WalletBalance'))
assert.ok(balance > 0n, `${from} has no funds`)

const message = await new Message({ from, to, value: '1000000' }).prepare(rpc)
const signature = Wallet.signMessage(account.privateKey, 'SECP256K1', message)
const cid = ok(await rpc.pushMessage({ msg: message, signature }), 'MpoolPush')
const waited = ok(await rpc.waitMsg({ cid, confidence: 1 }), 'StateWaitMsg')
assert.equal(waited.Receipt.ExitCode, 0)
assert.deepEqual(waited.Message, cid)
assert.equal(BigInt(ok(await rpc.balance(to), 'WalletBalance')), 1000000n)
console.log('lotus (iso-filecoin): ok')
