// Browser tests: serves the built package (wasm/pkg, made by wasm/scripts/build.sh) and the
// repository's vectors on loopback, runs vectors.html in headless Debian Chromium and fails
// on any failed check — or when Chromium is missing.
import { launch, runPage } from './browser.mjs';
import { serve } from './server.mjs';

const server = await serve();
let code = 1;
try {
  const { context, close } = await launch();
  try {
    const t = performance.now();
    const done = await runPage(context, `${server.url}/test/vectors.html`);
    const secs = ((performance.now() - t) / 1000).toFixed(1);
    for (const f of done.failed) console.log(`FAIL ${f}`);
    console.log(`browser vectors: ${done.passed} checks passed, ${done.failed.length} failed (${secs} s)`);
    code = done.failed.length === 0 && done.passed > 0 ? 0 : 1;
  } finally {
    await close();
  }
} catch (e) {
  console.error(`browser tests failed: ${e.message}`);
} finally {
  await server.close();
}
process.exit(code);
