// Module Web Worker for filmark-wasm's contentWorker(): runs cidOf / pieceOf / pack on a
// Blob posted by the page and posts progress, then the result (or the error with its code).
import { cidOf, load, pack, pieceOf } from './index.js';

const OPS = { cidOf, pieceOf, pack };

self.onmessage = async ({ data: { id, op, blob, options } }) => {
  try {
    await load();
    const run = OPS[op];
    if (!run) throw Object.assign(new Error(`unknown operation ${op}`), { code: 'INVALID_ARGUMENT' });
    const result = await run(blob, {
      ...options,
      onProgress: (done, total) => self.postMessage({ id, progress: [done, total] }),
    });
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: { code: e.code ?? 'UNKNOWN', message: String(e.message ?? e) } });
  }
};
