// Shared by the test and bench pages: the vector inputs and a tiny check recorder.

/** First `n` bytes of the AES-128-CTR keystream, key 00..0f, zero IV (the vectors' input). */
export async function vectorInput(n) {
  const raw = new Uint8Array(16).map((_, i) => i);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-CTR', false, ['encrypt']);
  const out = new Uint8Array(n);
  // WebCrypto takes at most 64 KiB-aligned pieces comfortably; go by 16 MiB with the counter.
  const step = 16 << 20;
  for (let off = 0; off < n; off += step) {
    const len = Math.min(step, n - off);
    const counter = new Uint8Array(16);
    let block = off / 16;
    for (let i = 15; i >= 8 && block > 0; i--) {
      counter[i] = block % 256;
      block = Math.floor(block / 256);
    }
    const ct = await crypto.subtle.encrypt(
      { name: 'AES-CTR', counter, length: 64 },
      key,
      new Uint8Array(len),
    );
    out.set(new Uint8Array(ct), off);
  }
  return out;
}

export async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Records named checks; `finish()` publishes them as window.__done for the runner. */
export class Checks {
  constructor() {
    this.passed = 0;
    this.failed = [];
  }

  eq(name, got, want) {
    if (got === want) {
      this.passed++;
    } else {
      this.failed.push(`${name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      console.log(`FAIL ${name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }

  ok(name, cond, detail = '') {
    this.eq(`${name}${detail ? ` (${detail})` : ''}`, Boolean(cond), true);
  }

  async throwsCode(name, f, code) {
    try {
      await f();
      this.failed.push(`${name}: did not throw (want code ${code})`);
    } catch (e) {
      this.eq(`${name}: code`, e.code, code);
      this.ok(`${name}: is an Error with a message`, e instanceof Error && e.message.length > 0);
    }
  }

  finish(extra = {}) {
    window.__done = { passed: this.passed, failed: this.failed, ...extra };
  }
}
