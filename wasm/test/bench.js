// commP and UnixFS CID throughput of the wasm build in the browser, on the vectors' input
// (AES-128-CTR keystream): on the page from memory (4 MiB slices), in one Web Worker reading a
// Blob, and commP in `pieceOfParallel` with 2 workers. Best of ROUNDS for each, by wall clock
// (performance.now) and by the renderer process's CPU time (`window.cpuTime`, which bench.mjs
// exposes from the DevTools protocol's ProcessTime: every thread of the renderer, the workers'
// too), so a loaded machine shows as wall ≪ CPU rather than as a slow hasher.
import { CidHasher, PieceHasher, contentWorker, load, pieceOfParallel } from '/pkg/index.js';
import { vectorInput } from './common.js';

const params = new URLSearchParams(location.search);
const MIB = Number(params.get('mib') ?? 64);
const ROUNDS = Number(params.get('rounds') ?? 3);
const SLICE = 4 << 20;
const WORKERS = 2;

/** CPU seconds of the renderer process so far (NaN outside bench.mjs). */
const cpu = async () => (typeof window.cpuTime === 'function' ? window.cpuTime() : NaN);

/** Best wall-clock and best CPU milliseconds of ROUNDS runs of `f`. */
async function best(f) {
  let [wall, used] = [Infinity, Infinity];
  for (let i = 0; i < ROUNDS; i++) {
    const c = await cpu();
    const t = performance.now();
    await f();
    const ms = performance.now() - t;
    wall = Math.min(wall, ms);
    used = Math.min(used, ((await cpu()) - c) * 1000);
  }
  return { wall, cpu: used };
}

await load();
const data = await vectorInput(MIB << 20);
const mbps = (ms) => data.length / 1e6 / (ms / 1000);
const rate = ({ wall, cpu: used }) => ({ wall: mbps(wall), cpu: mbps(used) });
const feed = (h) => {
  for (let o = 0; o < data.length; o += SLICE) h.update(data.subarray(o, o + SLICE));
};
const hash = (Hasher) => () => {
  const h = new Hasher();
  feed(h);
  h.finish().free();
  h.free();
};
const blob = new Blob([data]);
const worker = contentWorker();
const result = {
  mib: MIB,
  rounds: ROUNDS,
  cores: navigator.hardwareConcurrency,
  workers: WORKERS,
  cpuClock: typeof window.cpuTime === 'function' ? 'renderer ProcessTime' : 'none',
  commp: rate(await best(hash(PieceHasher))),
  cid: rate(await best(hash(CidHasher))),
  workerCommp: rate(await best(() => worker.pieceOf(blob))),
  workerCid: rate(await best(() => worker.cidOf(blob))),
  parallelCommp: rate(await best(() => pieceOfParallel(blob, { workers: WORKERS }))),
};
worker.terminate();
document.getElementById('log').textContent = JSON.stringify(result, null, 2);
window.__done = result;
