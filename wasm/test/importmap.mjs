// The import map that lets a page load viem's ES modules unbundled from wasm/test/node_modules
// (pinned in package-lock.json; the test server serves it at /node_modules/): every bare
// specifier reachable by static imports from `viem`, resolved through each package's `exports`
// with the browser's conditions. wasm/page/index.html carries its output inline (an import map
// cannot be loaded from a file); the flow test fails when the two differ.
//   node wasm/test/importmap.mjs        (prints the map)
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const MODULES = join(here, 'node_modules');
const CONDITIONS = ['browser', 'import', 'default'];

function pick(target) {
  if (typeof target === 'string') return target;
  if (target && typeof target === 'object') {
    for (const c of CONDITIONS) {
      const found = c in target ? pick(target[c]) : null;
      if (found) return found;
    }
  }
  return null;
}

/** The file a bare specifier (`ox/Hex`, `@noble/hashes/sha3`) resolves to. */
function resolveBare(spec) {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = `.${spec.slice(name.length)}`;
  const pkg = JSON.parse(readFileSync(join(MODULES, name, 'package.json'), 'utf8'));
  const target = pkg.exports ? pick(pkg.exports[sub]) : sub === '.' ? (pkg.module ?? pkg.main) : null;
  if (!target) throw new Error(`${spec}: not exported by ${name}`);
  return join(MODULES, name, target);
}

// `import … from '…'`, `import '…'`, `export … from '…'` at a statement start (comments removed).
const STATIC = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]/g;

/** The import map ({ imports }) of `entry` and its static module graph. */
export function importMap(entry = 'viem') {
  const imports = { [entry]: resolveBare(entry) };
  const seen = new Set();
  const queue = [imports[entry]];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const [, spec] of src.matchAll(STATIC)) {
      if (spec.startsWith('.')) {
        queue.push(join(dirname(file), spec));
      } else {
        imports[spec] = resolveBare(spec);
        queue.push(imports[spec]);
      }
    }
  }
  const url = (file) => `/node_modules/${relative(MODULES, file)}`;
  const sorted = Object.keys(imports).sort();
  return { imports: Object.fromEntries(sorted.map((k) => [k, url(imports[k])])) };
}

/** The import map inlined in an HTML page (`<script type="importmap">`), parsed. */
export function inlineImportMap(html) {
  const m = html.match(/<script type="importmap">([\s\S]*?)<\/script>/);
  return m ? JSON.parse(m[1]) : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(importMap(), null, 2));
}
