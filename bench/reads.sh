#!/usr/bin/env bash
# Cached public reads against the limit (../shared/limit), in one run, alternating: the
# letter page and counts.json, wrk -t2 -c64, 8 s each, two rounds. The limit serves the
# very bytes Undersigned served for the demo letter, from memory.
# Usage: bash bench/reads.sh   (builds both in release; needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p undersigned
CARGO_TARGET_DIR=${LIMIT_TARGET:-/tmp/limit-target} cargo build --release --quiet \
  --manifest-path ../shared/limit/Cargo.toml
bin=target/release/undersigned
limit=${LIMIT_TARGET:-/tmp/limit-target}/release/limit
data=$(mktemp -d); ldata=$(mktemp -d)
export UNDERSIGNED_LOG=warn
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
uport=$(free_port); lport=$(free_port)
$bin --data $data demo >/dev/null
$bin --data $data serve --bind 127.0.0.1:$uport > $data/log 2>&1 & upid=$!
sleep 1
curl -s http://127.0.0.1:$uport/l/demo > $ldata/page.html
curl -s http://127.0.0.1:$uport/l/demo/counts.json > $ldata/counts.json
$limit 127.0.0.1:$lport $ldata/limit.db $ldata/page.html $ldata/counts.json > $ldata/log 2>&1 & lpid=$!
sleep 1
echo "page bytes: $(wc -c < $ldata/page.html)"
for round in 1 2; do
  for path in /l/demo/counts.json /l/demo; do
    for port in $lport $uport; do
      r=$(wrk -t2 -c64 -d8s --latency http://127.0.0.1:$port$path | awk '/Requests\/sec/ {rps=$2} /99%/ {p99=$2} END {print rps, "p99", p99}')
      echo "round $round $path $( [ $port = $lport ] && echo limit || echo undersigned ): $r"
    done
  done
done
echo "RSS undersigned: $(ps -o rss= -p $upid) KiB"
kill $upid $lpid
rm -rf $data $ldata
