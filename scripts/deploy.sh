#!/usr/bin/env bash
# Deploys Filmark's escrow and registry to the node at RPC_URL with the key in $FILMARK_KEY
# (64 hex digits or a Lotus key-info export) and writes their addresses to OUT (default
# deployment.json): {"registry": "t0…", "escrow": "t0…", …}.
#
#   FILMARK_KEY=0x… scripts/deploy.sh http://127.0.0.1:1234/rpc/v1 [OUT]
#
# The `filmark` binary is $FILMARK_BIN, else the workspace's, built (release) on first use.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: FILMARK_KEY=… $0 RPC_URL [OUT.json]" >&2
  exit 2
fi
rpc=$1
out=${2:-deployment.json}
if [ -z "${FILMARK_KEY:-}" ]; then
  echo "error: FILMARK_KEY is not set (the deployer's key: hex or a Lotus key-info export)" >&2
  exit 1
fi

if [ -n "${FILMARK_BIN:-}" ]; then
  filmark=("$FILMARK_BIN")
else
  filmark=(cargo run --quiet --release --locked
    --manifest-path "$(dirname "$0")/../Cargo.toml" -p filmark-cli --bin filmark --)
fi

"${filmark[@]}" deploy --rpc "$rpc" --out "$out"
