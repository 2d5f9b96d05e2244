#!/usr/bin/env bash
# The browser tests of the npm package: installs Debian's Chromium if it is missing, the pinned
# playwright-core (wasm/test/package-lock.json; it downloads no browser), builds the package
# (wasm/scripts/build.sh) and runs the repository's vectors in headless Chromium. Fails, never
# skips, when the browser cannot be had.
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
node wasm/test/run.mjs
