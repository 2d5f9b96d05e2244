// Benchmark: commP and CID MB/s of the wasm build in headless Chromium on 64 MiB, beside the
// native single-thread figures of the same machine in the same run (the SDK's content bench).
//   node wasm/test/bench.mjs            (after wasm/scripts/build.sh; FILMARK_BENCH_MIB=64)
// FILMARK_WASM_PKG=dir benches another build of the package (default wasm/pkg);
// FILMARK_BENCH_NATIVE=0 skips the native bench (it needs a release build of the SDK's bench).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { launch, runPage } from './browser.mjs';
import { ROOTS, serve } from './server.mjs';

if (process.env.FILMARK_WASM_PKG) ROOTS.pkg = resolve(process.env.FILMARK_WASM_PKG);

const mib = Number(process.env.FILMARK_BENCH_MIB ?? 64);

const server = await serve();
const { context, close } = await launch();
let web;
try {
  web = await runPage(context, `${server.url}/test/bench.html?mib=${mib}`);
} finally {
  await close();
  await server.close();
}

let out = '';
if (process.env.FILMARK_BENCH_NATIVE !== '0') {
  console.log(`native: cargo bench -p filmark-sdk --bench content (FILMARK_BENCH_MIB=${mib})`);
  out = execFileSync('cargo', ['bench', '--locked', '-p', 'filmark-sdk', '--bench', 'content'], {
    env: { ...process.env, FILMARK_BENCH_MIB: String(mib) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  console.log(out.trimEnd());
}
const native = (name) => {
  const line = out.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.slice(28).trim().split(/\s+/)[0]) : NaN;
};
const nCommp = native('commp 1 thread');
const nCid = native('unixfs cid 1 thread');
const f = (x) => x.toFixed(1).padStart(8);
console.log(`\n${mib} MiB, ${ROOTS.pkg}   MB/s   x native 1 thread`);
console.log(`commP  wasm, Chromium     ${f(web.commp)}   ${(web.commp / nCommp).toFixed(2)}`);
console.log(`commP  wasm, worker, Blob ${f(web.workerCommp)}   ${(web.workerCommp / nCommp).toFixed(2)}`);
console.log(`commP  wasm, ${web.workers} workers   ${f(web.parallelCommp)}   ${(web.parallelCommp / nCommp).toFixed(2)}`);
console.log(`commP  native 1 thread    ${f(nCommp)}`);
console.log(`CID    wasm, Chromium     ${f(web.cid)}   ${(web.cid / nCid).toFixed(2)}`);
console.log(`CID    wasm, worker, Blob ${f(web.workerCid)}   ${(web.workerCid / nCid).toFixed(2)}`);
console.log(`CID    native 1 thread    ${f(nCid)}`);
