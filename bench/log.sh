#!/usr/bin/env bash
# Merkle log: append throughput by batch size (as a ratio against batch size 1), proof and
# tree-hash times and stored hashes read at 10M entries, verification time, stored-hash memory.
# Runs the `log` bench of crates/tlog (release profile, no criterion); after the build it takes
# about 1.5 minutes and 2.3 GB of memory at the default size.
# Usage: bench/log.sh [entries] [samples]   (defaults 10000000 and 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "$(date), $(nproc) cores"
exec cargo bench --quiet -p undersigned-tlog --bench log -- "${1:-10000000}" "${2:-10000}"
