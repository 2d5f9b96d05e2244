// A small static server on loopback for the browser tests, the benchmark and the page:
// /pkg/ → wasm/pkg (the built npm package), /test/ → wasm/test, /page/ → wasm/page (the dapp
// page), /vectors/ → sdk/tests/vectors, /node_modules/ → wasm/test/node_modules (viem's ES modules,
// which the page's import map names).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');
export const ROOTS = {
  pkg: join(repo, 'wasm/pkg'),
  test: join(repo, 'wasm/test'),
  page: join(repo, 'wasm/page'),
  vectors: join(repo, 'sdk/tests/vectors'),
  node_modules: join(repo, 'wasm/test/node_modules'),
};
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

function lookup(urlPath) {
  const [, top, ...rest] = decodeURIComponent(urlPath.split('?')[0]).split('/');
  const root = ROOTS[top];
  if (!root) return null;
  const file = normalize(join(root, ...rest));
  if (!file.startsWith(root)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Starts the server on 127.0.0.1 (port 0: any free one); resolves to { url, close }. */
export function serve(port = 0) {
  const server = createServer((req, res) => {
    const file = req.method === 'GET' ? lookup(req.url) : null;
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) =>
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}`, close: () => new Promise((c) => server.close(c)) });
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serve(Number(process.env.PORT ?? 8080));
  console.log(`serving ${url}/test/ (Ctrl-C to stop)`);
}
