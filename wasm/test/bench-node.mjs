// Benchmark: commP and CID MB/s of the wasm build in Node (V8, the same engine as Chromium),
// on the vectors' input, fed in 4 MiB slices from memory; best of ROUNDS. Beside the wall-clock
// figure, MB per CPU second of this process (it hashes on one thread), which a loaded machine
// disturbs less.
//   node wasm/test/bench-node.mjs       (after wasm/scripts/build.sh; FILMARK_BENCH_MIB=64)
// FILMARK_WASM_PKG=dir benches another build of the package (default wasm/pkg).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { vectorInput } from './common.js';

const pkg = process.env.FILMARK_WASM_PKG
  ? pathToFileURL(`${process.env.FILMARK_WASM_PKG}/`)
  : new URL('../pkg/', import.meta.url);
const { initSync, CidHasher, PieceHasher } = await import(new URL('filmark_wasm.js', pkg));

const MIB = Number(process.env.FILMARK_BENCH_MIB ?? 64);
const ROUNDS = Number(process.env.FILMARK_BENCH_ROUNDS ?? 3);
const SLICE = 4 << 20;

initSync({ module: readFileSync(new URL('filmark_wasm_bg.wasm', pkg)) });
const data = await vectorInput(MIB << 20);
const feed = (h) => {
  for (let o = 0; o < data.length; o += SLICE) h.update(data.subarray(o, o + SLICE));
};
const mbps = (ms) => (data.length / 1e6 / (ms / 1000)).toFixed(1).padStart(7);
function best(make) {
  let [wall, cpu] = [Infinity, Infinity];
  let out;
  for (let i = 0; i < ROUNDS; i++) {
    const [t, c] = [performance.now(), process.cpuUsage()];
    const h = make();
    feed(h);
    const r = h.finish();
    const used = process.cpuUsage(c);
    wall = Math.min(wall, performance.now() - t);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
    out = r.pieceCid ?? r.root;
    r.free();
    h.free();
  }
  return `${mbps(wall)} MB/s wall ${mbps(cpu)} MB/s cpu  ${out}`;
}
const commp = best(() => new PieceHasher());
const cid = best(() => new CidHasher());
console.log(`${MIB} MiB, node ${process.version}, ${new URL(pkg).pathname}`);
console.log(`commP ${commp}`);
console.log(`CID   ${cid}`);
