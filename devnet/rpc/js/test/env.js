// What the Rust runner (devnet/rpc/tests/it/clients.rs) tells the client scripts: the server's
// URL, the chain id, the devnet's prefunded keys, the registry it deployed, and the registry's
// selectors and event topic as its Rust `sol!` interface computes them.
import assert from 'node:assert/strict'

function need(name) {
  const value = process.env[name]
  assert.ok(value, `${name} is not set: run this script through the Rust test runner`)
  return value
}

export const env = {
  url: need('FILMARK_RPC_URL'),
  chainId: Number(need('FILMARK_CHAIN_ID')),
  ethKeys: need('FILMARK_ETH_KEYS').split(','),
  f1Key: process.env.FILMARK_F1_KEY,
  registry: process.env.FILMARK_REGISTRY,
  registerSelector: process.env.FILMARK_REGISTER_SELECTOR,
  countsSelector: process.env.FILMARK_COUNTS_SELECTOR,
  registeredTopic: process.env.FILMARK_REGISTERED_TOPIC,
  cids: (process.env.FILMARK_CIDS ?? '').split(',').filter(Boolean),
}

// The registry's functions and event used here, in human-readable ABI. The scripts check their
// selectors and topic against the Rust interface's (contracts/registry/src/abi.rs).
export const registryAbi = [
  'function register((bytes cid, address owner, string kind, uint64 size, bytes pieceCid, string platform, bytes32 refHash, (string key, string value)[] metadata) request)',
  'function counts() view returns ((uint64 records, uint64 active, uint64 tombstoned, uint64 owners, uint64 signers, uint64 revoked) counts)',
  'event Registered(address indexed owner, bytes32 indexed cidHash, bytes cid, string kind, uint64 size)',
]

export function request(cid, owner) {
  return {
    cid,
    owner,
    kind: 'text/plain',
    size: 8n,
    pieceCid: '0x',
    platform: '',
    refHash: `0x${'00'.repeat(32)}`,
    metadata: [],
  }
}
