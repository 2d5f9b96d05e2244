#!/usr/bin/env bash
# The browser tests of the npm package: installs Debian's Chromium if it is missing, the pinned
# playwright-core and viem (wasm/test/package-lock.json; no browser is downloaded), builds the
# package (wasm/scripts/build.sh), runs the repository's vectors in headless Chromium, then the
# dapp page's on-chain flow against a spawned `filmark devnet --deploy` (the debug binary
# `cargo test --workspace` builds; built here if missing) and saves its screenshot to
# wasm/pkg/page.png (FILMARK_SCREENSHOT=wasm/docs/page.png remakes the committed one). Fails,
# never skips, when the browser cannot be had.
set -euo pipefail
cd "$(dirname "$0")/../.."

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "$chromium missing: installing Debian's chromium"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi
"$chromium" --version

npm ci --prefix wasm/test --prefer-offline --no-audit --no-fund --loglevel=error
wasm/scripts/build.sh
export FILMARK_BIN=${FILMARK_BIN:-$(realpath -m "${CARGO_TARGET_DIR:-target}")/debug/filmark}
[ -x "$FILMARK_BIN" ] || cargo build --locked -p filmark-cli
node wasm/test/run.mjs
