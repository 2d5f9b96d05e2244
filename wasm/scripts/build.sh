#!/usr/bin/env bash
# Builds the npm package into wasm/pkg: the crate for wasm32 (profile `web`), wasm-bindgen-cli
# (the version of the `wasm-bindgen` crate in Cargo.lock, installed from crates.io if missing),
# then the package's own files from wasm/npm. Prints the .wasm size, raw and gzip.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
  echo "installing wasm-bindgen-cli $version from crates.io"
  # --locked uses the CLI's own lockfile; if the registry lacks one of its pinned versions,
  # fall back to the newest compatible ones (same wasm-bindgen-cli version either way).
  cargo install --locked --version "$version" wasm-bindgen-cli \
    || cargo install --version "$version" wasm-bindgen-cli
fi

target=${CARGO_TARGET_DIR:-target}
# simd128 (stable wasm32 target feature, in every current browser and Node): the SDK's commP
# hashes four tree nodes at once on v128. Set for this package's build only: the actors'
# builds (contracts/wasm-build) set their own flags, and the FVM rejects SIMD.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
  cargo build --locked -p filmark-wasm --target wasm32-unknown-unknown --profile web
rm -rf wasm/pkg
# Without the name section (function names for stack traces: 178 kB of 1.78 MB, 50 kB gzip).
wasm-bindgen --target web --remove-name-section --remove-producers-section \
  --out-dir wasm/pkg --out-name filmark_wasm \
  "$target/wasm32-unknown-unknown/web/filmark_wasm.wasm"
cp wasm/npm/package.json wasm/npm/index.js wasm/npm/index.d.ts wasm/npm/worker.js \
  wasm/npm/README.md wasm/pkg/

wasm=wasm/pkg/filmark_wasm_bg.wasm
printf 'filmark_wasm_bg.wasm: %s bytes raw, %s bytes gzip -9\n' \
  "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"
