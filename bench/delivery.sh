#!/usr/bin/env bash
# Typesets delivery documents of 1,000, 10,000 and 50,000 fictional signatories (release
# build) and prints how long each took. Usage: bench/delivery.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p undersigned-delivery --example render >/dev/null
for n in 1000 10000 50000; do
  /usr/bin/time -f "  peak RSS %M KB" target/release/examples/render "$n" "/tmp/delivery-$n.pdf"
  command -v pdfinfo >/dev/null && pdfinfo "/tmp/delivery-$n.pdf" | grep Pages | sed 's/^/  /'
done
