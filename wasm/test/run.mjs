// Browser tests: serves the built package (wasm/pkg, made by wasm/scripts/build.sh) and the
// repository's vectors on loopback, runs vectors.html in headless Debian Chromium, then the
// page's whole on-chain flow against a spawned devnet (flow.mjs), and fails on any failed
// check — or when Chromium is missing. FILMARK_TEST_ONLY=flow runs the flow alone.
import { createHash } from 'node:crypto';
import { launch, runPage } from './browser.mjs';
import { checkFlow } from './flow.mjs';
import { serve } from './server.mjs';

const POST = 'hello from filmark';

/** A one-chunk file is a raw leaf: CIDv1, raw codec, sha2-256 of the bytes, base32 (bafkrei…). */
function rawLeafCid(text) {
  const digest = createHash('sha256').update(text).digest();
  const bytes = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest]);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = 'b';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The dapp page's content step: a post → CID and piece CID on the page (no network yet). */
async function checkPage(context, url) {
  const page = await context.newPage();
  await page.goto(`${url}/page/index.html`);
  await page.fill('#post', POST);
  await page.click('#prepare');
  await page.waitForFunction(() => window.__content !== undefined, null, { timeout: 60_000 });
  const cid = await page.textContent('#cid');
  const piece = await page.textContent('#piece');
  await page.close();
  const ok = cid === rawLeafCid(POST) && /^baga6ea4sea[a-z2-7]{53}$/.test(piece);
  console.log(`${ok ? 'ok' : 'FAIL'} page: post → CID ${cid}, piece CID ${piece}`);
  return ok;
}

const server = await serve();
let code = 1;
try {
  const { context, close } = await launch();
  try {
    let ok = true;
    if (process.env.FILMARK_TEST_ONLY !== 'flow') {
      const t = performance.now();
      const done = await runPage(context, `${server.url}/test/vectors.html`);
      const secs = ((performance.now() - t) / 1000).toFixed(1);
      for (const f of done.failed) console.log(`FAIL ${f}`);
      console.log(`browser vectors: ${done.passed} checks passed, ${done.failed.length} failed (${secs} s)`);
      ok = done.failed.length === 0 && done.passed > 0 && (await checkPage(context, server.url));
    }
    const t = performance.now();
    const flowOk = await checkFlow(context, server.url);
    console.log(`page flow on a devnet: ${flowOk ? 'ok' : 'FAILED'} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    code = ok && flowOk ? 0 : 1;
  } finally {
    await close();
  }
} catch (e) {
  console.error(`browser tests failed: ${e.message}`);
} finally {
  await server.close();
}
process.exit(code);
