// Spawns `filmark devnet --deploy` (the debug binary the workspace tests build) on a free
// loopback port and reads its banner: RPC URL, the actors' addresses, the prefunded keys.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** `$FILMARK_BIN`, else `filmark` in `$CARGO_TARGET_DIR` (or `target`)/debug. */
export function filmarkBin() {
  if (process.env.FILMARK_BIN) return process.env.FILMARK_BIN;
  return join(resolve(repo, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug/filmark');
}

/**
 * Starts the devnet; resolves to { url, registry, escrow, f1Key, ethKey, stop } once it
 * listens. The `fast` market policy takes deals of any length (as the CLI's demo).
 */
export function startDevnet({ timeoutMs = 300_000 } = {}) {
  const bin = filmarkBin();
  if (!existsSync(bin)) {
    throw new Error(`${bin} not found: build it (cargo build -p filmark-cli) or set FILMARK_BIN`);
  }
  const args = ['devnet', '--port', '0', '--accounts', '1', '--deploy', '--market-policy', 'fast'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  const stop = () =>
    new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', ok);
      child.kill('SIGTERM');
    });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`devnet not listening after ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`devnet exited (${code}):\n${out}\n${err}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      if (!/^Listening on/m.test(out)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const get = (re) => out.match(re)?.[1];
      ok({
        url: get(/^RPC URL:\s*(\S+)/m),
        registry: get(/^registry\s+(\S+)/m),
        escrow: get(/^escrow\s+(\S+)/m),
        f1Key: get(/^\(0\) (0x[0-9a-f]{64})/m),
        ethKey: get(/^\(1\) (0x[0-9a-f]{64})/m),
        ethAddress: get(/^\(1\) t410\S+\s+(0x[0-9a-fA-F]{40})/m),
        stop,
      });
    });
  });
}
