#!/usr/bin/env bash
# The SQLite floor of a sign-up against the limit's (see bench/sqlite_floor.py): signs the
# demo letter for a while through HTTP (release build) to get a database of realistic size
# and rows, then measures the rows alone from Python.
# Usage: bench/sqlite_floor.sh [signing seconds] [rounds]   (PARTS=s,t,o,m as in the .py)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
rounds=${2:-2}
cargo build --release --quiet
bin=$PWD/target/release/undersigned
export UNDERSIGNED_ARGON2_MEMORY_KIB=1024 UNDERSIGNED_ARGON2_ITERATIONS=1 UNDERSIGNED_LOG=warn
export UNDERSIGNED_SIGN_LIMIT_PER_10MIN=100000000 UNDERSIGNED_SIGNUPS_PER_DOMAIN_PER_HOUR=100000000
export UNDERSIGNED_TRUST_FORWARDED_FOR=true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --data "$work/d" demo >/dev/null
"$bin" --data "$work/d" serve --bind "127.0.0.1:$port" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
CATEGORY=2 ORIGIN="http://127.0.0.1:$port" wrk -t2 -c256 -d"${seconds}s" \
  -s ../shared/limit/sign.lua "http://127.0.0.1:$port" | grep Requests/sec
kill "$pid"; wait "$pid" 2>/dev/null || true
python3 bench/sqlite_floor.py "$work/d/undersigned.db" "$rounds"
