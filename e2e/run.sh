#!/usr/bin/env bash
# Runs the browser test against a fresh instance: demo data, the server on a free port,
# emails as .eml files. Usage: e2e/run.sh [path/to/undersigned]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../target/debug/undersigned}
# Absolute: the scripts run from e2e/.
bin=$(realpath "$bin")
data=$(mktemp -d)
fresh=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
export UNDERSIGNED_ARGON2_MEMORY_KIB=1024 UNDERSIGNED_ARGON2_ITERATIONS=1
server=""
second=""
# Screenshots go to docs/screenshots, except under CI, which must not change the tree.
shots_tmp=""
if [ "${CI:-}" = "true" ] && [ -z "${SCREENSHOTS_DIR:-}" ]; then
  shots_tmp=$(mktemp -d)
  export SCREENSHOTS_DIR=$shots_tmp
fi
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "$second" ] && kill "$second" 2>/dev/null || true
  rm -rf "$data" "$fresh"
  [ -n "$shots_tmp" ] && rm -rf "$shots_tmp" || true
}
trap cleanup EXIT

"$bin" --data "$data" demo >"$data/demo.txt"
export EMAIL=organiser@example.org
PASSWORD=$(awk '/password:/ {print $2}' "$data/demo.txt")
export PASSWORD
"$bin" --data "$data" serve --bind "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
cd "$here"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
export BASE_URL="http://127.0.0.1:$port" DATA_DIR="$data"
for script in sign-demo.mjs organisation.mjs a11y.mjs embed.mjs delivery.mjs; do
  if ! node "$script"; then
    echo "--- $script failed; server log ---"; cat "$data/server.log"
    exit 1
  fi
done

# The journeys start from nothing: a second instance without the demo, set up from the
# one-time link it prints.
fresh_port=$(free_port)
"$bin" --data "$fresh" serve --bind "127.0.0.1:$fresh_port" >"$fresh/server.log" 2>&1 &
second=$!
setup=""
for _ in $(seq 100); do
  setup=$(grep -o 'http://[^ ]*/setup/[A-Za-z0-9_-]*' "$fresh/server.log" || true)
  [ -n "$setup" ] && break
  sleep 0.1
done
[ -n "$setup" ] || { echo "the fresh instance printed no setup link"; cat "$fresh/server.log"; exit 1; }
if ! BASE_URL="http://127.0.0.1:$fresh_port" DATA_DIR="$fresh" SETUP_URL="$setup" node journeys.mjs; then
  echo "--- journeys.mjs failed; server log ---"; cat "$fresh/server.log"
  exit 1
fi
