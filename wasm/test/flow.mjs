// The page's whole flow in Chromium against a spawned `filmark devnet --deploy`: a post →
// CID and piece CID → registered (eth key, ABI path) → order created, funded, linked → CAR
// handed to the devnet's provider → status(cid) shows the deal active. Then a screenshot, and
// viem (in node) reads back through the registry's Solidity ABI what the wasm client wrote.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http, parseAbi, toHex } from 'viem';
import { checkApi } from './api.mjs';
import { startDevnet } from './devnet.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/**
 * Where the screenshot goes: wasm/pkg/page.png (ignored) unless FILMARK_SCREENSHOT names
 * another file; FILMARK_SCREENSHOT=wasm/docs/page.png remakes the committed one.
 */
export const SCREENSHOT = resolve(repo, process.env.FILMARK_SCREENSHOT ?? 'wasm/pkg/page.png');
const POST = 'gm from the filmark page: this post is now on Filecoin';

// The registry's `get` and `Registered` in human-readable ABI (contracts/abi/src/registry.rs).
const REGISTRY_ABI = parseAbi([
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

function check(results, ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'} ${what}`);
  results.push(ok);
}

/** Runs the flow; resolves to true when every check passed. */
export async function checkFlow(context, serverUrl) {
  const devnet = await startDevnet();
  const results = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
    await page.setViewportSize({ width: 900, height: 1280 });
    const q = new URLSearchParams({
      rpc: devnet.url,
      registry: devnet.registry,
      escrow: devnet.escrow,
      key: devnet.ethKey,
    });
    await page.goto(`${serverUrl}/page/index.html?${q}`);
    await page.fill('#post', POST);
    await page.click('#prepare');
    await page.waitForFunction(() => window.__content !== undefined, null, { timeout: 60_000 });
    const settled = (what) =>
      page.waitForFunction(
        (w) => window.__flow[w] !== undefined || window.__flow.error !== undefined,
        what,
        { timeout: 240_000 },
      );
    await page.click('#register');
    await settled('record');
    await page.click('#order');
    await settled('status');
    const flow = await page.evaluate(() => window.__flow);
    if (flow.error) throw new Error(`the page failed: ${JSON.stringify(flow.error)}`);
    const cid = await page.textContent('#cid');
    const state = await page.textContent('#deal-state');
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const text = await page.textContent('body');
    // The f1 path and an actor's refusal, in the same page: the f1 account may not tombstone
    // the eth account's record (USR_FORBIDDEN, 18); it can read its balance and nonce.
    const f1 = await page.evaluate(
      async ({ url, registry, key, cid }) => {
        const m = await import('/pkg/index.js');
        const client = await m.Client.connect(url);
        const signer = m.Signer.f1(m.Key.parse(key));
        const from = signer.address('t');
        const before = await client.nonce(from);
        const balance = await client.balance(from);
        try {
          await client.registry(registry).tombstone(signer, cid);
          return { from, balance, before, error: null };
        } catch (e) {
          return { from, balance, before, after: await client.nonce(from), error: { name: e.name, code: e.code, exitCode: e.exitCode, message: e.message } };
        }
      },
      { url: devnet.url, registry: devnet.registry, key: devnet.f1Key, cid },
    );
    await page.close();
    check(
      results,
      f1.error?.name === 'FilmarkError' && f1.error.code === 'ACTOR_FAILED' && f1.error.exitCode === 18 && f1.after === f1.before + 1,
      `f1 signer ${f1.from} (${f1.balance} attoFIL): tombstone refused: ${f1.error?.code} exit ${f1.error?.exitCode}: ${f1.error?.message}`,
    );

    const s = flow.status;
    const deal = s.order?.deals[0];
    const offer = s.order?.offers[0];
    check(results, s.cid === cid && text.includes(cid), `page flow: ${cid} registered (owner ${s.owner})`);
    check(results, s.owner === flow.record.owner && s.record.kind === 'text/plain', 'status: the record the page registered');
    check(results, s.order?.id === flow.orderId && s.record.orderId === flow.orderId, `status: order ${flow.orderId} linked`);
    check(results, deal?.state === 'active' && state.startsWith('active'), `status: deal ${deal?.dealId} ${deal?.state} (page shows "${state}")`);
    check(results, offer?.state === 'active' && offer?.piece === s.record.piece, `provider: ${offer?.state}, piece ${offer?.piece}`);
    check(results, BigInt(s.order?.funded ?? 0) > 0n, `order funded with ${s.order?.funded} attoFIL`);

    // viem reads the same record through the registry's Solidity ABI (eth_call, eth_getLogs).
    const viem = createPublicClient({ transport: http(devnet.url) });
    const registry = maskedId(devnet.registry);
    const bytes = toHex(cidBytes(cid));
    const record = await viem.readContract({ address: registry, abi: REGISTRY_ABI, functionName: 'get', args: [bytes] });
    const ownerEth = record.owner.toLowerCase();
    check(
      results,
      ownerEth === devnet.ethAddress.toLowerCase() || ownerEth === maskedId(s.owner),
      `viem get(): owner ${record.owner} (wasm: ${s.owner}, key ${devnet.ethAddress})`,
    );
    check(
      results,
      record.hasOrder && Number(record.orderId) === flow.orderId && record.kind === s.record.kind && Number(record.size) === s.record.size,
      `viem get(): order ${record.orderId}, kind ${record.kind}, size ${record.size}`,
    );
    const logs = await viem.getContractEvents({ address: registry, abi: REGISTRY_ABI, eventName: 'Registered', fromBlock: 0n });
    check(
      results,
      logs.length === 1 && logs[0].args.cid === bytes && logs[0].args.owner.toLowerCase() === ownerEth,
      `viem: the Registered event the wasm client caused (${logs.length} log, tx ${logs[0]?.transactionHash})`,
    );
    console.log(`screenshot: ${SCREENSHOT}`);
    results.push(await checkApi(context, serverUrl, devnet, cid, flow.orderId));
  } finally {
    await devnet.stop();
  }
  return results.length > 0 && results.every(Boolean);
}
