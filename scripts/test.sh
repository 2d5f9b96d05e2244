#!/usr/bin/env bash
# Everything CI checks. `.ci/run` runs exactly this; it must pass on a fresh machine, so it
# installs what it needs itself (toolchain components, wasm target, wasm-bindgen-cli, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s (%ss)\n' "$*" "$SECONDS"; }

step "toolchain"
# rust-toolchain.toml pins the channel, components and the wasm32 target; `rustup show` installs them.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup component add clippy rustfmt >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

step "fmt"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "JS clients for the RPC tests (npm ci from the lockfile)"
# viem, ethers v6 and iso-filecoin, pinned in devnet/rpc/js/package-lock.json; the devnet-rpc
# tests run them with node. The npm cache makes later runs offline.
if command -v npm >/dev/null; then
  npm ci --prefix devnet/rpc/js --prefer-offline --no-audit --no-fund --loglevel=error
else
  echo "npm not found: the devnet-rpc real-client tests will say they are skipped"
fi

step "Solidity: the interfaces and twins compile, and contracts/solidity/out is what they give"
# solc-js pinned in contracts/solidity/package-lock.json (the same version as devnet/rpc/js).
# The Rust tests read the committed out/*.json; this rebuilds them and fails on any difference.
if command -v npm >/dev/null; then
  npm ci --prefix contracts/solidity --prefer-offline --no-audit --no-fund --loglevel=error
  node contracts/solidity/compile.mjs --check
else
  echo "npm not found: contracts/solidity/out is not checked against its sources"
fi

step "tests"
cargo test --workspace --locked --no-fail-fast

step "SDK examples (register, escrow, status: each on an in-process devnet)"
# `cargo test --workspace` built them (with the workspace's features: `cargo run -p` would
# resolve features anew and rebuild the FVM stack).
target=$(realpath "${CARGO_TARGET_DIR:-target}")
for example in register escrow status; do
  "$target/debug/examples/$example"
done

step "scripts/deploy.sh and filmark deploy --network devnet against a spawned filmark devnet"
# The debug binary `cargo test --workspace` built for the CLI's tests.
bin="$target/debug/filmark"
tmp=$(mktemp -d)
"$bin" devnet --port 0 --accounts 1 >"$tmp/devnet.out" 2>"$tmp/devnet.err" &
devnet=$!
trap 'kill "$devnet" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 600); do grep -q '^Listening on' "$tmp/devnet.out" && break; sleep 0.2; done
url=$(sed -n 's/^RPC URL: *//p' "$tmp/devnet.out")
key=$(sed -n '/^Private Keys/,/^$/s/^(0) //p' "$tmp/devnet.out")
[ -n "$url" ] && [ -n "$key" ] || { cat "$tmp/devnet.out" "$tmp/devnet.err"; exit 1; }
FILMARK_BIN=$bin FILMARK_KEY=$key scripts/deploy.sh "$url" "$tmp/deployment.json"
grep -q '"registry"' "$tmp/deployment.json" && grep -q '"escrow"' "$tmp/deployment.json"
# The Solidity twins, as calibration and mainnet get them (`filmark deploy --network`), with the
# devnet's f410 account (1): the dry run, then the deployment to deployments-like $tmp/devnet.json.
# No deployment to a public network is ever made here.
eth_key=$(sed -n '/^Private Keys/,/^$/s/^(1) //p' "$tmp/devnet.out")
FILMARK_DEPLOY_KEY=$eth_key "$bin" deploy --network devnet --rpc-url "$url" --timeout 300 --dry-run
FILMARK_DEPLOY_KEY=$eth_key "$bin" deploy --network devnet --rpc-url "$url" --timeout 300 --yes --out "$tmp/"
grep -q '"registry": "t410f' "$tmp/devnet.json" && grep -q '"escrow": "t410f' "$tmp/devnet.json"
kill "$devnet"; wait "$devnet" || true

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "wasm build (sdk for the browser)"
cargo build --locked -p filmark-sdk --target wasm32-unknown-unknown
# The HTTP transport alone (reqwest's fetch backend), as the browser package uses it.
cargo check --locked -p filmark-sdk --target wasm32-unknown-unknown --no-default-features --features http

step "browser tests (wasm npm package in headless Chromium)"
wasm/scripts/browser-test.sh

step "done"
