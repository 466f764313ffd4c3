#!/usr/bin/env bash
# Peak memory (RSS) and time of `undersigned export` on a letter of many signatures: the
# export streams page by page, so the peak should stay flat as the letter grows.
# The signatures are written straight into the SQLite database of a demo instance (names and
# addresses in clear, which the store reads as data from before sealing); with RESEAL=1 they
# are sealed first (`undersigned keys reseal`), so that the export decrypts every field as
# in production (slower to prepare). Not run in CI.
# Usage: [RESEAL=1] bench/export.sh [rows] [format]   (defaults 1000000 and csv)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
format=${2:-csv}
cargo build --release --quiet
bin=$PWD/target/release/undersigned
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export UNDERSIGNED_LOG=warn
"$bin" --data "$data" demo >/dev/null
echo "$(date), $(nproc) cores; inserting $rows signatures"
sqlite3 "$data/undersigned.db" <<SQL
PRAGMA journal_mode = WAL;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO signatures (letter_id, category_id, kind, name, title, affiliation, city, comment,
                        email, email_hash, display_level, state, created_at, confirmed_at,
                        published_at, show_city)
SELECT l.id, (SELECT id FROM letter_categories WHERE letter_id = l.id AND name = 'Activist'),
       'individual', 'Bench Signer ' || i, 'Volunteer', 'Example Trust', 'Lyon',
       CASE WHEN i % 10 = 0 THEN '=1+' || i ELSE NULL END,
       'bench-' || i || '@example.org', randomblob(32),
       CASE i % 3 WHEN 0 THEN 'public' WHEN 1 THEN 'initials' ELSE 'private' END,
       'published', 1700000000 + i, 1700000000 + i, 1700000000 + i, 1
FROM n, (SELECT id FROM letters WHERE slug = 'demo') l;
SQL
if [ "${RESEAL:-0}" = 1 ]; then
  echo "sealing the personal fields"
  "$bin" --data "$data" keys reseal >/dev/null
fi
out="$data/export.$format"
/usr/bin/time -f "%e s elapsed, peak RSS %M KiB" \
  "$bin" --data "$data" export --letter demo --format "$format" --output "$out" 2>&1 \
  | grep -v '^$' | tail -2
echo "$(wc -l <"$out") lines, $(du -h "$out" | cut -f1)"
