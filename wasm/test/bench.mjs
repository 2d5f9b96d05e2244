// Benchmark: commP and CID MB/s of the wasm build in headless Chromium on 64 MiB, beside the
// native single-thread figures of the same machine in the same run (the SDK's content bench).
//   node wasm/test/bench.mjs            (after wasm/scripts/build.sh; FILMARK_BENCH_MIB=64)
// Each wasm figure is given by wall clock and per CPU second of the renderer process (the
// DevTools protocol's ProcessTime, all its threads: on a loaded machine the hashing threads get
// a fraction of a core, and MB per CPU second is what one free core does). The load average
// is printed before and after. FILMARK_WASM_PKG=dir benches another build of the package
// (default wasm/pkg); FILMARK_BENCH_NATIVE=0 skips the native bench (a release build of the
// SDK's bench); FILMARK_BENCH_ROUNDS (default 3) sets the rounds of each wasm figure.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { CHROMIUM, launch } from './browser.mjs';
import { ROOTS, serve } from './server.mjs';

if (process.env.FILMARK_WASM_PKG) ROOTS.pkg = resolve(process.env.FILMARK_WASM_PKG);

const mib = Number(process.env.FILMARK_BENCH_MIB ?? 64);
const rounds = Number(process.env.FILMARK_BENCH_ROUNDS ?? 3);
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
console.log(`${new Date().toISOString()} load average ${load()}; ${execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`);

const server = await serve();
const { context, close } = await launch();
let web;
try {
  const page = await context.newPage();
  page.on('console', (m) => console.log(`  [page] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  // CPU seconds of the renderer process (all threads, the Web Workers' included).
  await page.exposeFunction('cpuTime', async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'ProcessTime').value;
  });
  await page.goto(`${server.url}/test/bench.html?mib=${mib}&rounds=${rounds}`);
  await page.waitForFunction(() => window.__done !== undefined, null, { timeout: 1_800_000 });
  web = await page.evaluate(() => window.__done);
} finally {
  await close();
  await server.close();
}
console.log(`${new Date().toISOString()} load average ${load()} (after the browser part)`);

let out = '';
if (process.env.FILMARK_BENCH_NATIVE !== '0') {
  console.log(`native: cargo bench -p filmark-sdk --bench content (FILMARK_BENCH_MIB=${mib})`);
  out = execFileSync('cargo', ['bench', '--locked', '-p', 'filmark-sdk', '--bench', 'content'], {
    env: { ...process.env, FILMARK_BENCH_MIB: String(mib) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  console.log(out.trimEnd());
  console.log(`${new Date().toISOString()} load average ${load()} (after the native bench)`);
}
const native = (name) => {
  const line = out.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.slice(28).trim().split(/\s+/)[0]) : NaN;
};
const nCommp = native('commp 1 thread');
const nCid = native('unixfs cid 1 thread');
const f = (x) => (Number.isNaN(x) ? '–' : x.toFixed(1)).padStart(8);
const x = (r, n) => (Number.isNaN(n) ? '–' : (r / n).toFixed(2)).padStart(5);
const row = (name, r, n) =>
  console.log(`${name.padEnd(28)}${f(r.wall)}${f(r.cpu)}   ${x(r.wall, n)} ${x(r.cpu, n)}`);
console.log(`\n${mib} MiB, best of ${web.rounds}, ${ROOTS.pkg}, ${web.cores} cores, CPU clock: ${web.cpuClock}`);
console.log(`${''.padEnd(28)}    MB/s  MB/cpu-s   x native 1 thread (wall, cpu)`);
row('commP  wasm, Chromium page', web.commp, nCommp);
row('commP  wasm, worker, Blob', web.workerCommp, nCommp);
row(`commP  wasm, ${web.workers} workers`, web.parallelCommp, nCommp);
console.log(`${'commP  native 1 thread'.padEnd(28)}${f(nCommp)}`);
row('CID    wasm, Chromium page', web.cid, nCid);
row('CID    wasm, worker, Blob', web.workerCid, nCid);
console.log(`${'CID    native 1 thread'.padEnd(28)}${f(nCid)}`);
