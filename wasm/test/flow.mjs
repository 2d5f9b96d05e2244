// The page's whole flow in Chromium against a spawned `filmark devnet --deploy`: a post →
// CID and piece CID → registered (eth key, ABI path) → order created, funded, linked → CAR
// handed to the devnet's provider → status(cid) shows the deal active. Then a screenshot, whose
// pixels must show the CID and the status, and a viem client in the same page (interop.js)
// reads back through the registry's Solidity ABI what the wasm client wrote.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApi } from './api.mjs';
import { startDevnet } from './devnet.mjs';
import { importMap, inlineImportMap } from './importmap.mjs';
import { cidBytes, maskedId } from './interop.js';
import { checkScreenshot } from './screenshot.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/**
 * Where the screenshot goes: wasm/pkg/page.png (ignored) unless FILMARK_SCREENSHOT names
 * another file; FILMARK_SCREENSHOT=wasm/docs/page.png remakes the committed one.
 */
export const SCREENSHOT = resolve(repo, process.env.FILMARK_SCREENSHOT ?? 'wasm/pkg/page.png');
const POST = 'gm from the filmark page: this post is now on Filecoin';

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
    const text = await page.textContent('body');
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    const shot = await checkScreenshot(page, ['#cid', '#deal-state']);
    writeFileSync(SCREENSHOT, shot.png);
    for (const e of shot.elements) {
      check(
        results,
        e.ok,
        `screenshot ${shot.width}×${shot.height}: ${e.selector} "${e.text}" visible at ${e.box}, ${e.ink} text pixels, ${e.green} in the active green`,
      );
    }
    const [cidShot, stateShot] = shot.elements;
    check(results, cidShot.text === cid && cidShot.ink > 200 && cidShot.green === 0, 'screenshot shows the CID (no green in its box)');
    check(results, stateShot.text.startsWith('active') && stateShot.green > 50, 'screenshot shows the status "active" (in its green)');

    // viem in the same page, through the page's import map (checked against the pinned viem).
    const pageMap = inlineImportMap(readFileSync(resolve(repo, 'wasm/page/index.html'), 'utf8'));
    check(
      results,
      JSON.stringify(pageMap) === JSON.stringify(importMap()),
      'the page\'s import map is the one `node wasm/test/importmap.mjs` prints for the pinned viem',
    );
    const viem = await page.evaluate(
      async ({ url, registry, cid }) => (await import('/test/interop.js')).readWithViem(url, registry, cid),
      { url: devnet.url, registry: devnet.registry, cid },
    );
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

    // What viem read in the page against what the wasm client wrote and read.
    const bytes = `0x${Array.from(cidBytes(cid), (b) => b.toString(16).padStart(2, '0')).join('')}`;
    const record = viem.record;
    const ownerEth = record.owner.toLowerCase();
    check(results, viem.chainId === flow.chainId, `viem in the page: chain id ${viem.chainId} (wasm: ${flow.chainId})`);
    check(
      results,
      ownerEth === devnet.ethAddress.toLowerCase() || ownerEth === maskedId(s.owner),
      `viem in the page, get() at ${viem.address}: owner ${record.owner} (wasm: ${s.owner}, key ${devnet.ethAddress})`,
    );
    check(
      results,
      record.hasOrder && Number(record.orderId) === flow.orderId && record.kind === s.record.kind && Number(record.size) === s.record.size,
      `viem in the page, get(): order ${record.orderId}, kind ${record.kind}, size ${record.size}`,
    );
    const [event] = viem.events;
    check(
      results,
      viem.events.length === 1 &&
        event.cid === bytes &&
        viem.cid === bytes &&
        event.owner.toLowerCase() === ownerEth &&
        event.kind === s.record.kind &&
        Number(event.size) === s.record.size,
      `viem in the page: the Registered event the wasm client caused (${viem.events.length} log, block ${event?.blockNumber}, tx ${event?.transactionHash}, kind ${event?.kind}, size ${event?.size})`,
    );
    console.log(`screenshot: ${SCREENSHOT}`);
    results.push(await checkApi(context, serverUrl, devnet, cid, flow.orderId));
  } finally {
    await devnet.stop();
  }
  return results.length > 0 && results.every(Boolean);
}
