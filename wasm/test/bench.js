// commP and UnixFS CID throughput of the wasm build in the browser, on the vectors' input
// (AES-128-CTR keystream). Best of ROUNDS, fed in 4 MiB slices from memory; the worker run
// reads a Blob end to end.
import { CidHasher, PieceHasher, contentWorker, load, pieceOfParallel } from '/pkg/index.js';
import { vectorInput } from './common.js';

const MIB = Number(new URLSearchParams(location.search).get('mib') ?? 64);
const ROUNDS = 3;
const SLICE = 4 << 20;

function best(f) {
  let ms = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    f();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

await load();
const data = await vectorInput(MIB << 20);
const feed = (h) => {
  for (let o = 0; o < data.length; o += SLICE) h.update(data.subarray(o, o + SLICE));
};
const commp = best(() => {
  const h = new PieceHasher();
  feed(h);
  h.finish().free();
  h.free();
});
const cid = best(() => {
  const h = new CidHasher();
  feed(h);
  h.finish().free();
  h.free();
});
const worker = contentWorker();
const blob = new Blob([data]);
let t = performance.now();
await worker.pieceOf(blob);
const workerCommp = performance.now() - t;
t = performance.now();
await worker.cidOf(blob);
const workerCid = performance.now() - t;
worker.terminate();
t = performance.now();
await pieceOfParallel(blob);
const parallelCommp = performance.now() - t;

const result = {
  mib: MIB,
  commp: mbps(data.length, commp),
  cid: mbps(data.length, cid),
  workerCommp: mbps(data.length, workerCommp),
  workerCid: mbps(data.length, workerCid),
  parallelCommp: mbps(data.length, parallelCommp),
  workers: navigator.hardwareConcurrency,
};
document.getElementById('log').textContent = JSON.stringify(result, null, 2);
window.__done = result;
