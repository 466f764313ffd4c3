#!/usr/bin/env bash
# Signing throughput through HTTP, in one run on the same machine, as a ratio:
# - by default, the batching writer (default) against one transaction per signature
#   (writer_max_batch=1);
# - with BASELINE=/path/to/an/older/undersigned, that binary against this tree's, both with
#   the batching writer, alternating A B A B (to check that a change does not regress).
# Usage: [BASELINE=BIN] bench/signing.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
connections=${2:-64}
cargo build --release --quiet
current=target/release/undersigned
export UNDERSIGNED_ARGON2_MEMORY_KIB=1024 UNDERSIGNED_ARGON2_ITERATIONS=1
export UNDERSIGNED_SIGN_LIMIT_PER_10MIN=100000000 UNDERSIGNED_LOG=warn
# Every request signs up an address at example.org: lift the per-domain cap.
export UNDERSIGNED_SIGNUPS_PER_DOMAIN_PER_HOUR=100000000

# run BIN BATCH: signs the demo letter for the given seconds on a fresh instance.
run() {
  local bin=$1 batch=$2 data port pid
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$bin" --data "$data" demo >/dev/null
  UNDERSIGNED_WRITER_MAX_BATCH=$batch "$bin" --data "$data" serve --bind "127.0.0.1:$port" >"$data/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local result
  result=$(CATEGORY=2 RUN=$batch wrk -t2 -c"$connections" -d"${seconds}s" -s bench/sign.lua "http://127.0.0.1:$port" | grep RESULT)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local stored
  stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from signatures where state='pending'\").fetchone()[0])" "$data/undersigned.db")
  rm -rf "$data"
  echo "$result stored=$stored"
}

if [ -n "${BASELINE:-}" ]; then
  for round in 1 2; do
    echo "baseline round $round: $(run "$BASELINE" 512)"
    echo "current  round $round: $(run "$current" 512)"
  done
else
  echo "batch=1   $(run "$current" 1)"
  echo "batch=512 $(run "$current" 512)"
fi
