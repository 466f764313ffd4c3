#!/usr/bin/env bash
# Emails during and after a signing surge, as `.eml` files and over SMTP (issue 12).
#
# For each transport (files, then SMTP to a local counting sink, `smtp_sink` from
# crates/testkit/examples, 64 threads), starts a fresh demo instance (SQLite, the embedded
# default), signs with ../shared/limit/sign.lua at CONNECTIONS connections for SECONDS, then:
# - emails during the surge: emails out when wrk stops, against the signatures acknowledged;
# - drain: how long the emails still queued then take to go out, as emails a second;
# - latency: each confirmation email's sent_at - created_at in the outbox (whole seconds),
#   p50 and p99, over every email of the run;
# - then checks every acknowledged signature is stored once, and every signature has one
#   confirmation email sent.
#
# Usage: bash bench/mail.sh [seconds] [connections]    (default 10 256)
#   UNDERSIGNED_BIN=PATH uses that binary instead of building; TRANSPORTS="files smtp".
# Needs wrk and python3. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
seconds=${1:-10}
connections=${2:-256}
transports=${TRANSPORTS:-files smtp}

say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
if [ -n "${UNDERSIGNED_BIN:-}" ]; then
  bin=$(realpath "$UNDERSIGNED_BIN")
  cargo build --release --quiet -p undersigned-testkit --example smtp_sink
else
  say "building undersigned and the SMTP sink (release)"
  cargo build --release --quiet -p undersigned -p undersigned-testkit --example smtp_sink
  bin=$(realpath "${CARGO_TARGET_DIR:-$repo/target}")/release/undersigned
fi
sink=$(realpath "${CARGO_TARGET_DIR:-$repo/target}")/release/examples/smtp_sink
limit_sign=$(realpath "$repo/../shared/limit/sign.lua")

export UNDERSIGNED_ARGON2_MEMORY_KIB=1024 UNDERSIGNED_ARGON2_ITERATIONS=1 UNDERSIGNED_LOG=warn
export UNDERSIGNED_TRUST_FORWARDED_FOR=true
export UNDERSIGNED_SIGN_LIMIT_PER_10MIN=100000000 UNDERSIGNED_SIGNUPS_PER_DOMAIN_PER_HOUR=100000000
unset UNDERSIGNED_DATABASE_URL UNDERSIGNED_SMTP_URL

work=$(mktemp -d /tmp/bench-mail.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() {
  for _ in $(seq 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$1/healthz" && return
    sleep 0.02
  done
  say "nothing answers on port $1"; exit 1
}
sql() { python3 -c "import sqlite3,sys; print('|'.join(str(v) for v in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()))" "$1" "$2"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
# out TRANSPORT DATA: emails out so far.
out() {
  if [ "$1" = smtp ]; then tail -1 "$work/sink.out" | cut -d' ' -f1
  else { find "$2/mail" -name "*.eml" 2>/dev/null || true; } | wc -l; fi
}

"$bin" --data "$work/template" demo >/dev/null
say "work folder $work; $seconds s at $connections connections; binary $bin"
printf '| transport | signed/s | acked | emails in surge | ratio | drain emails/s | latency p50/p99 s | sign p99 ms |\n|---|---|---|---|---|---|---|---|\n' >"$work/table"
for transport in $transports; do
  data=$work/$transport
  cp -a "$work/template" "$data"
  port=$(free_port)
  env_smtp=()
  if [ "$transport" = smtp ]; then
    sport=$(free_port)
    "$sink" "$sport" 64 >"$work/sink.out" &
    pids+=($!); sink_pid=$!
    sleep 0.3
    env_smtp=(UNDERSIGNED_SMTP_URL="smtp://127.0.0.1:$sport")
  fi
  env "${env_smtp[@]}" "$bin" --data "$data" serve --bind "127.0.0.1:$port" >"$data/serve.log" 2>&1 &
  pid=$!; pids+=($pid)
  wait_up "$port"
  category=$(curl -fs "http://127.0.0.1:$port/l/demo" | sed -n 's/.*name="category" value="\([0-9]*\)".*/\1/p' | head -1)
  before=$(out "$transport" "$data")
  r=$(env ACK_STATUS=303 SCRIPT="$limit_sign" CATEGORY="$category" ORIGIN="http://127.0.0.1:$port" \
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$repo/bench/acked.lua" "http://127.0.0.1:$port" | sed -n 's/^RESULT //p')
  during=$(( $(out "$transport" "$data") - before ))
  pending=$(sql "$data/undersigned.db" "select count(*) from outbox where status='pending'")
  started=$(now)
  for _ in $(seq 2400); do
    [ "$(sql "$data/undersigned.db" "select count(*) from outbox where status='pending'")" = 0 ] && break
    sleep 0.25
  done
  drain_s=$(since "$started")
  sleep 0.5
  total=$(( $(out "$transport" "$data") - before ))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ "$transport" = smtp ] && { kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; }
  eval "$(echo "$r" | tr ' ' '\n' | sed 's/^/w_/')"
  rows=$(sql "$data/undersigned.db" "select count(*), count(distinct email_hash) from signatures where state = 'pending'")
  sent=$(sql "$data/undersigned.db" "select count(*) from outbox where kind = 'confirm' and status = 'sent'")
  lat=$(python3 - "$data/undersigned.db" <<'PY'
import sqlite3, sys
d = sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "select sent_at - created_at from outbox where status = 'sent' and kind = 'confirm'"))
q = lambda p: d[min(len(d) - 1, int(p * len(d)))] if d else -1
print(f"{q(0.5)}/{q(0.99)}")
PY
)
  rate=$(python3 -c "print(f'{$w_acked / $w_seconds:.0f}')")
  ratio=$(python3 -c "print(f'{$during / max(1, $w_acked):.2f}')")
  drain=$(python3 -c "print(f'{$pending / max(0.01, $drain_s):.0f}' if $pending else '-')")
  say "$transport: $r rows=$rows emails during=$during total=$total confirm-sent=$sent pending-at-stop=$pending drained in ${drain_s}s latency=$lat"
  ok=yes
  [ "${rows%|*}" = "${rows#*|}" ] || ok="NO (rows ${rows%|*}, distinct ${rows#*|})"
  [ "${rows%|*}" -ge "$w_acked" ] || ok="NO (acked $w_acked > rows ${rows%|*})"
  [ "$sent" = "${rows%|*}" ] || ok="NO (confirmation emails sent $sent, signatures ${rows%|*})"
  say "$transport: every acknowledged signature stored once with its email sent: $ok"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$transport" "$rate" "$w_acked" "$during" "$ratio" "$drain" "$lat" "$w_p99_ms" >>"$work/table"
done
echo
echo "\`bash bench/mail.sh $seconds $connections\`, $(git rev-parse --short HEAD), load before $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cat "$work/table"
