// Benchmark: commP and CID MB/s of the wasm build in Node (V8, the same engine as Chromium),
// on the vectors' input, fed in 4 MiB slices from memory; best of ROUNDS.
//   node wasm/test/bench-node.mjs       (after wasm/scripts/build.sh; FILMARK_BENCH_MIB=64)
import { readFileSync } from 'node:fs';
import { initSync, CidHasher, PieceHasher } from '../pkg/filmark_wasm.js';
import { vectorInput } from './common.js';

const MIB = Number(process.env.FILMARK_BENCH_MIB ?? 64);
const ROUNDS = Number(process.env.FILMARK_BENCH_ROUNDS ?? 3);
const SLICE = 4 << 20;

initSync({ module: readFileSync(new URL('../pkg/filmark_wasm_bg.wasm', import.meta.url)) });
const data = await vectorInput(MIB << 20);
const feed = (h) => {
  for (let o = 0; o < data.length; o += SLICE) h.update(data.subarray(o, o + SLICE));
};
function best(make) {
  let ms = Infinity;
  let out;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const h = make();
    feed(h);
    const r = h.finish();
    ms = Math.min(ms, performance.now() - t);
    out = r.pieceCid ?? r.root;
    r.free();
    h.free();
  }
  return [(data.length / 1e6 / (ms / 1000)).toFixed(1), out];
}
const [commp, pieceCid] = best(() => new PieceHasher());
const [cid, root] = best(() => new CidHasher());
console.log(`${MIB} MiB, node ${process.version}, wasm`);
console.log(`commP ${commp.padStart(8)} MB/s  ${pieceCid}`);
console.log(`CID   ${cid.padStart(8)} MB/s  ${root}`);
