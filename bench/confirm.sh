#!/usr/bin/env bash
# Confirming throughput through HTTP, where each confirmation appends to the letter's log
# (entry, stored hashes, new head, counts) in the writer's transaction: the batching writer
# (default) against one transaction per confirmation (writer_max_batch=1), in one run on the
# same machine, as a ratio. With BASELINE=/path/to/an/older/undersigned, that binary against
# this tree's instead, both batching, A B A B. Afterwards `undersigned audit` (this tree's)
# checks each log against its checkpoint, counts and signatories.
# Usage: [BASELINE=BIN] bench/confirm.sh [seconds] [connections] [signing seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
sign_seconds=${3:-30}
cargo build --release --quiet
bin=$PWD/target/release/undersigned
export UNDERSIGNED_ARGON2_MEMORY_KIB=1024 UNDERSIGNED_ARGON2_ITERATIONS=1
export UNDERSIGNED_SIGN_LIMIT_PER_10MIN=100000000 UNDERSIGNED_LOG=warn
# Every request signs up an address at example.org: lift the per-domain cap.
export UNDERSIGNED_SIGNUPS_PER_DOMAIN_PER_HOUR=100000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; exit 1; }
sql() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$1/undersigned.db" "$2"; }

# Pending signatures and their emailed links, once, for both set-ups.
"$bin" --data "$work/signed" demo >/dev/null
port=$(free_port)
"$bin" --data "$work/signed" serve --bind "127.0.0.1:$port" >"$work/sign.log" 2>&1 &
pid=$!
wait_up "$port"
CATEGORY=2 RUN=c wrk -t2 -c"$connections" -d"${sign_seconds}s" -s bench/sign.lua "http://127.0.0.1:$port" | grep RESULT >/dev/null
for _ in $(seq 600); do
  [ "$(sql "$work/signed" "select count(*) from outbox where status='pending'")" = 0 ] && break
  sleep 0.5
done
kill "$pid"; wait "$pid" 2>/dev/null || true
# In the order the emails were written (people confirm roughly in the order they signed).
find "$work/signed/mail" -name '*.eml' | sort | xargs -d '\n' grep -ohE '/confirm/[A-Za-z0-9_-]{43,44}' \
  | awk '!seen[$0]++' >"$work/links"
rm -rf "$work/signed/mail"
echo "$(wc -l <"$work/links") pending signatures with links; $(date), $(nproc) cores"

# run BATCH [SERVER_BIN [NAME]]
run() {
  local batch=$1 server=${2:-$bin} data="$work/run-${3:-$1}" port pid result
  cp -r "$work/signed" "$data"
  port=$(free_port)
  UNDERSIGNED_WRITER_MAX_BATCH=$batch "$server" --data "$data" serve --bind "127.0.0.1:$port" >"$data/log" 2>&1 &
  pid=$!
  wait_up "$port"
  result=$(THREADS=2 LINKS="$work/links" ORIGIN="http://127.0.0.1:$port" \
    wrk -t2 -c"$connections" -d"${seconds}s" -s bench/confirm.lua "http://127.0.0.1:$port" | grep RESULT)
  # Requests wrk left in flight still commit: let the writer drain before reading.
  sleep 3
  local counts audit
  counts=$(curl -fs "http://127.0.0.1:$port/l/demo/counts.json")
  if "$bin" audit "http://127.0.0.1:$port/l/demo" --state "$data/audit.json" >"$data/audit.out" 2>&1; then
    audit="audit=clean"
  else
    audit="audit=FAILED"; cat "$data/audit.out" >&2
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$result published=$(sql "$data" "select count(*) from signatures where state='published'") counts=$counts $audit"
}

if [ -n "${BASELINE:-}" ]; then
  for round in 1 2; do
    echo "baseline round $round: $(run 512 "$BASELINE" "baseline-$round")"
    echo "current  round $round: $(run 512 "$bin" "current-$round")"
  done
else
  echo "batch=1   $(run 1)"
  echo "batch=512 $(run 512)"
fi
