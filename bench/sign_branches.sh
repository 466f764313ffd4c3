#!/usr/bin/env bash
# Whether the sign-up form's response time tells if an address signed: the median time of
# one request at a time for a new signer, a repeat signer who is emailed again, a throttled
# one and a +tag variant of a mailbox whose budget is spent, interleaved, on a fresh SQLite
# instance, with each median's ratio to a new signer's (see bench/sign_branches.py).
# With BASELINE=/path/to/an/older/undersigned, that binary is measured first, in the same run.
# Usage: [BASELINE=BIN] bench/sign_branches.sh [requests per kind]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
cargo build --release --quiet
current=${CARGO_TARGET_DIR:-$PWD/target}/release/undersigned
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/sign_branches.py "$n" ${BASELINE:+"$BASELINE"} "$current"
