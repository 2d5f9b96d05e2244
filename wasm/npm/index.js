// The filmark-wasm package: the wasm-bindgen module (filmark_wasm.js) and helpers that stream
// a File/Blob through it in slices, on the page or in a Web Worker; the network clients
// (Client, Signer, Registry, Escrow) are the SDK's, compiled into the module.
import init, {
  CarEncoder,
  CidHasher,
  Client,
  Escrow,
  Key,
  PieceHasher,
  Registry,
  Signer,
  joinPieces,
  messageCid,
  pieceFromCommP,
  verifySignedMessage,
  version,
} from './filmark_wasm.js';

export {
  CarEncoder,
  CidHasher,
  Client,
  Escrow,
  Key,
  PieceHasher,
  Registry,
  Signer,
  joinPieces,
  messageCid,
  pieceFromCommP,
  verifySignedMessage,
  version,
};

/** Bytes read from a Blob at a time. */
export const DEFAULT_SLICE_SIZE = 4 << 20;

let ready;

/** Loads the wasm module once (from `filmark_wasm_bg.wasm` beside this file by default). */
export function load(wasm) {
  ready ??= init(wasm === undefined ? undefined : { module_or_path: wasm });
  return ready;
}

/** An Error with a stable `code`, as the wasm functions throw. */
export function filmarkError(code, message) {
  const e = new Error(message);
  e.name = 'FilmarkError';
  e.code = code;
  return e;
}

/**
 * Hands a CAR to a Filmark devnet's simulated storage provider for order `orderId` of
 * `escrow` (`PUT /provider/car/{escrow}/{orderId}` beside the JSON-RPC path of `rpcUrl`).
 * Resolves to the provider's record (`state` `active` or `published`, `dealId`); rejects with
 * code `PROVIDER_REJECTED` (the record's `rejection` in `record`) or `PROVIDER` otherwise.
 */
export async function offerCar(rpcUrl, escrow, orderId, car) {
  const url = new URL(`/provider/car/${encodeURIComponent(escrow)}/${orderId}`, rpcUrl);
  const res = await fetch(url, { method: 'PUT', body: car });
  const body = await res.json().catch(() => ({}));
  if (res.ok) return body;
  const why = body.rejection ? `${body.rejection.kind}: ${body.rejection.message}` : body.error;
  const e = filmarkError(
    res.status === 422 ? 'PROVIDER_REJECTED' : 'PROVIDER',
    `provider answered ${res.status}: ${why ?? res.statusText}`,
  );
  e.record = body;
  throw e;
}

function checkBlob(blob) {
  if (!(blob instanceof Blob)) {
    throw filmarkError('INVALID_ARGUMENT', 'expected a Blob or File');
  }
}

// Reads `blob` slice by slice, hands each to `f`, reports progress (done, total).
async function feed(blob, opts, f, offset = 0, total = blob.size) {
  const slice = opts.sliceSize ?? DEFAULT_SLICE_SIZE;
  const progress = opts.onProgress ?? (() => {});
  progress(offset, total);
  for (let done = 0; done < blob.size; ) {
    const end = Math.min(blob.size, done + slice);
    f(new Uint8Array(await blob.slice(done, end).arrayBuffer()));
    done = end;
    progress(offset + done, total);
  }
}

// A wasm-bindgen object's fields as a plain (cloneable) object; frees the wasm object.
function plain(obj, fields) {
  const out = {};
  for (const k of fields) out[k] = obj[k];
  obj.free();
  return out;
}

const PIECE = ['pieceCid', 'pieceCidV2', 'commP', 'payloadSize', 'paddedSize'];

/**
 * The UnixFS root CID of a File/Blob (`ipfs add --cid-version=1`).
 * Options: onProgress(done, total), sliceSize, chunkSize, maxLinks.
 */
export async function cidOf(blob, opts = {}) {
  checkBlob(blob);
  await load();
  const h = new CidHasher(opts.chunkSize, opts.maxLinks);
  try {
    await feed(blob, opts, (b) => h.update(b));
    return plain(h.finish(), ['root', 'fileSize', 'blocks']);
  } finally {
    h.free();
  }
}

/** The piece commitment of a File/Blob as the payload. Options: onProgress, sliceSize. */
export async function pieceOf(blob, opts = {}) {
  checkBlob(blob);
  await load();
  const h = new PieceHasher();
  try {
    await feed(blob, opts, (b) => h.update(b));
    return plain(h.finish(), PIECE);
  } finally {
    h.free();
  }
}

/**
 * The root CID, the CARv1 and the CAR's piece commitment of a File/Blob. Reads the blob
 * twice (the CAR header holds the root CID): progress runs to twice the size. The CAR comes
 * back as a Blob, unless `onCarBytes(Uint8Array)` is given: then it is streamed there.
 */
export async function pack(blob, opts = {}) {
  checkBlob(blob);
  await load();
  const total = 2 * blob.size;
  const pass = { ...opts, onProgress: undefined };
  const progress = opts.onProgress ?? (() => {});
  const { root, fileSize } = await cidOf(blob, {
    ...pass,
    onProgress: (d) => progress(d, total),
  });
  const parts = [];
  const sink = opts.onCarBytes ?? ((b) => parts.push(b));
  const enc = new CarEncoder(root, opts.chunkSize, opts.maxLinks);
  try {
    await feed(
      blob,
      { ...pass, onProgress: progress },
      (b) => {
        const out = enc.update(b);
        if (out.length > 0) sink(out);
      },
      blob.size,
      total,
    );
    const end = enc.finish();
    if (end.bytes.length > 0) sink(end.bytes);
    const result = {
      root,
      fileSize,
      carSize: end.carSize,
      blocks: end.blocks,
      piece: plain(end.piece, PIECE),
    };
    end.free();
    if (!opts.onCarBytes) result.car = new Blob(parts, { type: 'application/vnd.ipld.car' });
    return result;
  } finally {
    enc.free();
  }
}

/**
 * Runs cidOf / pieceOf / pack in a module Web Worker, so the page never blocks. Progress
 * comes back as messages; errors keep their `code`. Call terminate() when done.
 */
export function contentWorker(url = new URL('./worker.js', import.meta.url)) {
  const worker = new Worker(url, { type: 'module' });
  const calls = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    const call = calls.get(data.id);
    if (!call) return;
    if (data.progress) {
      call.onProgress?.(...data.progress);
      return;
    }
    calls.delete(data.id);
    if (data.error) call.reject(filmarkError(data.error.code, data.error.message));
    else call.resolve(data.result);
  };
  worker.onerror = (e) => {
    for (const call of calls.values()) call.reject(filmarkError('WORKER', e.message));
    calls.clear();
  };
  const run = (op) => (blob, opts = {}) =>
    new Promise((resolve, reject) => {
      checkBlob(blob);
      const id = next++;
      const { onProgress, ...options } = opts;
      calls.set(id, { resolve, reject, onProgress });
      worker.postMessage({ id, op, blob, options });
    });
  return {
    cidOf: run('cidOf'),
    pieceOf: run('pieceOf'),
    pack: run('pack'),
    terminate: () => worker.terminate(),
  };
}

// ---- commP on several workers ----

/** Payload bytes of one parallel segment: 127 · 2^18 (a 32 MiB padded subtree). */
export const SEGMENT_SIZE = 127 << 18;

const fromHex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));

/**
 * The piece commitment of a File/Blob, its aligned 32 MiB subtrees hashed in `workers` module
 * Web Workers at once (default: navigator.hardwareConcurrency), then joined. Same result as
 * pieceOf. Options: workers, onProgress, segmentSize (127 · 2^k, k ≥ 0; for tests).
 */
export async function pieceOfParallel(blob, opts = {}) {
  checkBlob(blob);
  await load();
  const seg = opts.segmentSize ?? SEGMENT_SIZE;
  const segPadded = (seg / 127) * 128;
  if (!Number.isInteger(seg / 127) || (segPadded & (segPadded - 1)) !== 0) {
    throw filmarkError('INVALID_ARGUMENT', 'segmentSize must be 127 · 2^k bytes');
  }
  const count = Math.ceil(blob.size / seg);
  if (count <= 1) return pieceOf(blob, opts);
  const n = Math.min(count, opts.workers ?? navigator.hardwareConcurrency ?? 2);
  const pool = Array.from({ length: n }, () => contentWorker());
  const done = new Array(count).fill(0);
  const progress = opts.onProgress ?? (() => {});
  const roots = new Array(count);
  let next = 0;
  try {
    await Promise.all(
      pool.map(async (w) => {
        while (next < count) {
          const i = next++;
          const part = blob.slice(i * seg, Math.min(blob.size, (i + 1) * seg));
          roots[i] = await w.pieceOf(part, {
            onProgress: (d) => {
              done[i] = d;
              progress(done.reduce((a, b) => a + b, 0), blob.size);
            },
          });
        }
      }),
    );
  } finally {
    for (const w of pool) w.terminate();
  }
  // The SDK joins the roots by the tree's own rule (zero subtrees past the end).
  const commPs = new Uint8Array(32 * count);
  roots.forEach((r, i) => commPs.set(fromHex(r.commP), 32 * i));
  return plain(joinPieces(commPs, Float64Array.from(roots, (r) => r.payloadSize)), PIECE);
}
