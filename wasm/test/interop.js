// The interop check's browser side: a viem public client, in the dapp page (its import map
// resolves `viem` to wasm/test/node_modules), reads back through the registry's Solidity ABI
// what the wasm client wrote: the record (`get` over eth_call) and its `Registered` event
// (eth_getLogs). flow.mjs imports it into the page after the flow and checks the answer.
import { createPublicClient, http, parseAbi, toHex } from 'viem';

// The registry's `get` and `Registered` in human-readable ABI (contracts/abi/src/registry.rs).
export const REGISTRY_ABI = parseAbi([
  'struct MetadataEntry { string key; string value; }',
  'struct Record { bytes cid; address owner; string kind; uint64 size; bytes pieceCid; string platform; bytes32 refHash; MetadataEntry[] metadata; int64 created; int64 updated; uint8 status; bool hasOrder; uint64 orderId; uint64 index; uint64 seq; bool viaSigner; uint64 viaGrant; }',
  'function get(bytes cid) view returns (Record record)',
  'event Registered(address indexed owner, bytes32 indexed cidHash, bytes cid, string kind, uint64 size)',
]);

/** The bytes of a base32 (multibase `b`) CID string. */
export function cidBytes(text) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.slice(1)) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** The masked-ID Ethereum address of `t0<id>` / `f0<id>`. */
export function maskedId(address) {
  const id = BigInt(address.slice(2));
  return `0xff${'00'.repeat(11)}${id.toString(16).padStart(16, '0')}`;
}

/**
 * Reads the record of `cid` and the registry's `Registered` events with viem on `rpcUrl`;
 * resolves to plain data (integers as decimal strings) so it crosses out of the page.
 */
export async function readWithViem(rpcUrl, registry, cid) {
  const viem = createPublicClient({ transport: http(rpcUrl) });
  const address = maskedId(registry);
  const bytes = toHex(cidBytes(cid));
  const record = await viem.readContract({ address, abi: REGISTRY_ABI, functionName: 'get', args: [bytes] });
  const logs = await viem.getContractEvents({ address, abi: REGISTRY_ABI, eventName: 'Registered', fromBlock: 0n });
  return {
    chainId: await viem.getChainId(),
    address,
    cid: bytes,
    record: {
      owner: record.owner,
      kind: record.kind,
      size: String(record.size),
      hasOrder: record.hasOrder,
      orderId: String(record.orderId),
    },
    events: logs.map((l) => ({
      owner: l.args.owner,
      cid: l.args.cid,
      kind: l.args.kind,
      size: String(l.args.size),
      transactionHash: l.transactionHash,
      blockNumber: String(l.blockNumber),
    })),
  };
}
