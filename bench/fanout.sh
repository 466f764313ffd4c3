#!/usr/bin/env bash
# Fan-outs at the million: a change of substance to the letter's text (every earlier signer is
# asked to re-confirm), an update (every signer opted in), or "Invite past signers" from a
# copy of the letter sent to another target (every signer opted in), on a copy of bench/run's
# 1,000,000-signature data folder (make it once with `bash bench/run`). Prints how long the
# organiser's POST took, how long until every email was queued, the server's peak RSS, the
# counts.json reads during it, and, with SIGN=1, 15 s of signing (64 connections) during it.
# MODE=none signs with no fan-out, for the baseline. Each binary given is run in turn.
# OPTIN=n: only n% of the signers asked for updates (update and invite; default 100).
# RECONFIRM=1 (edit): once the requests are queued, the first LINKS_N (100,000) written are
# re-confirmed at 64 connections while others sign at 64, for 15 s.
# Usage: [MODE=edit|update|invite|none] [SIGN=1] [OPTIN=n] [RECONFIRM=1] [WAIT=seconds]
#        bench/fanout.sh [BIN...]
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
seed=${SEED:-$repo/bench/.cache/sqlite-1000000}
[ -f "$seed/undersigned.db" ] || { echo "no $seed: run bash bench/run once first" >&2; exit 1; }
mode=${MODE:-edit}
[ $# -gt 0 ] || { cargo build --release --quiet && set -- "$repo/target/release/undersigned"; }
export UNDERSIGNED_LOG=warn UNDERSIGNED_ARGON2_MEMORY_KIB=1024 UNDERSIGNED_ARGON2_ITERATIONS=1
export UNDERSIGNED_SIGN_LIMIT_PER_10MIN=100000000 UNDERSIGNED_SIGNUPS_PER_DOMAIN_PER_HOUR=100000000
export UNDERSIGNED_TRUST_FORWARDED_FOR=true
port=18897; url=http://127.0.0.1:$port
value() { grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//'; }
for bin in "$@"; do
  work=$(mktemp -d); cp -a "$seed" "$work/d"; db=$work/d/undersigned.db
  total=$(sqlite3 "$db" "select count(*) from signatures where letter_id = 1 and state = 'published'")
  # OPTIN: the percentage of signers who asked for updates (every hundredth id is one).
  case $mode in update|invite)
    sqlite3 "$db" "update signatures set updates = (id % 100 < ${OPTIN:-100})"
    total=$(sqlite3 "$db" "select count(*) from signatures where letter_id = 1 and state = 'published' and updates = 1") ;;
  esac
  echo 'correct horse battery staple' | "$bin" --data "$work/d" user create --email editor@example.org \
    --name "Ed Itor" --workspace demo-coalition --role editor --password-stdin >/dev/null
  "$bin" --data "$work/d" serve --bind 127.0.0.1:$port >"$work/log" 2>&1 & pid=$!
  for _ in $(seq 200); do curl -fs $url/healthz >/dev/null && break; sleep 0.1; done
  jar=$work/jar; origin="-H Origin:$url"
  csrf=$(curl -s -c "$jar" -b "$jar" $url/login | value)
  curl -s -o /dev/null -c "$jar" -b "$jar" $origin --data-urlencode csrf="$csrf" \
    --data-urlencode email=editor@example.org --data-urlencode "password=correct horse battery staple" $url/login
  csrf=$(curl -s -c "$jar" -b "$jar" $url/admin/letters/1/text | value)
  [ -n "$csrf" ] || { echo "could not log in" >&2; kill -9 $pid; exit 1; }
  if [ "$mode" = invite ]; then
    # The copy, as an organiser makes it: "Send this letter to another target", the new
    # target and address in its edit form, then "Publish".
    copy=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" $origin --data-urlencode csrf="$csrf" \
      $url/admin/letters/1/retarget | sed 's|.*/admin/letters/||;s|/edit||')
    [ -n "$copy" ] || { echo "could not copy the letter" >&2; kill -9 $pid; exit 1; }
    saved=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" $origin --data-urlencode csrf="$csrf" \
      --data-urlencode slug=demo-second --data-urlencode "title=$(sqlite3 "$db" "select title from letters where id = 1")" \
      --data-urlencode "subject=$(sqlite3 "$db" "select subject from letters where id = 1")" \
      --data-urlencode "body=$(sqlite3 "$db" "select body_md from letters where id = 1")" \
      --data-urlencode "targets=Olav Pike | Chair | Second Example League" \
      --data-urlencode "categories=$(sqlite3 "$db" "select group_concat(name, char(10)) from (select name from letter_categories where letter_id = 1 order by position)")" \
      --data-urlencode field_title=optional --data-urlencode field_affiliation=optional \
      --data-urlencode field_city=optional --data-urlencode field_country=hidden \
      --data-urlencode field_comment=optional $url/admin/letters/$copy/edit)
    published=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" $origin --data-urlencode csrf="$csrf" \
      $url/admin/letters/$copy/publish)
    [ "$saved/$published" = 303/303 ] || { echo "could not publish the copy ($saved/$published)" >&2; kill -9 $pid; exit 1; }
  fi
  ( peak=0; while [ -r /proc/$pid/status ]; do r=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null);
      [ "${r:-0}" -gt $peak ] && peak=$r && echo $peak > "$work/peak"; sleep 0.05; done ) &
  ( for _ in $(seq 40); do curl -s -o /dev/null -w "%{time_total}\n" $url/l/demo/counts.json; sleep 0.25; done > "$work/probe" ) & probe=$!
  sleep 1; start=$(date +%s.%N)
  case $mode in
    edit)
      kind=reconfirm
      title=$(sqlite3 "$db" "select title from letters where id = 1")
      subject=$(sqlite3 "$db" "select subject from letters where id = 1")
      body=$(sqlite3 "$db" "select body_md from letters where id = 1")
      curl -s -o /dev/null -w "POST of the edit: %{http_code} in %{time_total} s\n" -b "$jar" $origin \
        --data-urlencode csrf="$csrf" --data-urlencode "title=$title" --data-urlencode "subject=$subject" \
        --data-urlencode "body=$body

One more paragraph." --data-urlencode change=substantive --data-urlencode "note=A new paragraph" \
        $url/admin/letters/1/text ;;
    update)
      kind=update
      curl -s -o /dev/null -w "POST of the update: %{http_code} in %{time_total} s\n" -b "$jar" $origin \
        --data-urlencode csrf="$csrf" --data-urlencode "title=News from the coalition" \
        --data-urlencode "body=The ministry answered." --data-urlencode "sources=" $url/admin/letters/1/updates ;;
    invite)
      # In the background: a build that invites inside the request answers only when done.
      kind=family_invitation
      ( curl -s -o /dev/null -w "POST of the invitations: %{http_code} in %{time_total} s\n" -b "$jar" $origin \
          --max-time "${WAIT:-300}" --data-urlencode csrf="$csrf" $url/admin/letters/$copy/invite \
          > "$work/post" ) & ;;
    *) kind=none ;;
  esac
  signer=
  if [ "${SIGN:-0}" = 1 ]; then
    ( CATEGORY=2 RUN=9 wrk -t2 -c64 -d15s -s bench/sign.lua $url | grep RESULT > "$work/sign" ) & signer=$!
  fi
  queued=0
  for i in $(seq "${WAIT:-300}"); do
    sleep 1
    queued=$(sqlite3 "$db" "select count(*) from outbox where kind = '$kind'" 2>/dev/null || echo "$queued")
    [ "$queued" -ge "$total" ] && break
    [ "$kind" = none ] && [ "$i" -ge 17 ] && break
  done
  took=$(echo "$(date +%s.%N) - $start" | bc)
  wait $probe $signer
  printf '%s, %s: %s of %s emails queued in %.1f s; peak RSS %s MB\n' "$(basename "$bin")" "$mode" \
    "$queued" "$total" "$took" $(( $(cat "$work/peak") / 1024 ))
  [ -s "$work/post" ] && cat "$work/post"
  [ -n "$signer" ] && echo "  signing meanwhile: $(sed 's/RESULT //' "$work/sign")"
  echo "  counts.json meanwhile: median $(sort -n "$work/probe" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') s, max $(sort -n "$work/probe" | tail -1) s"
  if [ "${RECONFIRM:-0}" = 1 ] && [ "$mode" = edit ]; then
    # Signers answer: the first LINKS_N re-confirmation emails written are re-confirmed at
    # 64 connections while others sign at 64, for 15 s.
    want=${LINKS_N:-100000}
    for _ in $(seq 600); do
      [ "$(find "$work/d/mail" -maxdepth 1 -name '*.eml' | head -n "$want" | wc -l)" -ge "$want" ] && break
      sleep 1
    done
    find "$work/d/mail" -maxdepth 1 -name '*.eml' | head -n "$want" | xargs cat | tr -d '=\r\n' \
      | grep -o '/r/[A-Za-z0-9_-]\{43\}' | awk '!seen[$0]++' > "$work/links"
    ( LINKS=$work/links ORIGIN=$url wrk -t2 -c64 -d15s -s bench/confirm.lua $url | grep RESULT > "$work/answers" ) & answers=$!
    ( CATEGORY=2 RUN=8 wrk -t2 -c64 -d15s -s bench/sign.lua $url | grep RESULT > "$work/sign2" ) & signer2=$!
    wait $answers $signer2
    echo "  re-confirming ($(wc -l < "$work/links") links): $(sed 's/RESULT //' "$work/answers")"
    echo "  signing meanwhile: $(sed 's/RESULT //' "$work/sign2")"
    echo "  re-confirmed: $(sqlite3 "$db" "select count(*) from reconfirm_requests where confirmed_at is not null")"
  fi
  kill -INT $pid; sleep 1; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  echo "  warnings in its log: $(grep -c WARN "$work/log")"
  rm -rf "$work"
done
