"""The SQLite floor of a sign-up: what the rows of one batch of sign-ups cost SQLite alone.

Copies an Undersigned database that holds pending signatures (see bench/sqlite_floor.sh),
then commits batches of 120 sign-ups from Python's sqlite3 (one statement per table per
batch, WAL, synchronous=FULL, secure_delete, as the server opens it; no HTTP, no sealing, no
app) and prints the time per sign-up:

- the limit's row (../shared/limit: one table, one unique index), in a table of the same
  size added to the copy;
- Undersigned's rows (a signature, its confirmation link, its outbox email, its recipient's
  budget), with PARTS=s,t,o,m choosing which (s signature, t link, o outbox, m budget).

The rows are copies of the database's own (sealed fields as stored) with fresh random keys.
Usage: python3 bench/sqlite_floor.py DB [rounds]
"""

import os
import shutil
import sqlite3
import sys
import tempfile
import time

BATCH = 120
SIGNUPS = 3000
SIG = ("letter_id, category_id, name, title, affiliation, city, country, comment, email, "
       "email_hash, display_level, state, created_at, confirmed_at, published_at, show_city, "
       "kind, updates, lang, version, last_emailed_at, emails_sent")
TOK = ("token_hash, signature_id, created_at, expires_at, category_id, name, title, "
       "affiliation, city, country, comment, display_level, show_city")
OUT = ("event_key, kind, recipient, params, status, attempts, next_attempt_at, created_at, "
       "last_error")


def values(rows, width):
    return ",".join(["(" + ",".join("?" * width) + ")"] * rows)


def main():
    src = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    parts = set(os.environ.get("PARTS", "s,t,o,m").split(","))
    work = tempfile.mkdtemp()
    db = os.path.join(work, "floor.db")
    shutil.copy(src, db)
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("pragma journal_mode=wal")
    c.execute("pragma synchronous=full")
    c.execute("pragma secure_delete=on")
    existing = c.execute("select count(*) from signatures").fetchone()[0]
    c.execute("create table lim(id integer primary key, letter_id integer not null, "
              "name text not null, email_key blob not null, category text not null, "
              "created_at integer not null, unique(letter_id, email_key))")
    c.execute("begin")
    c.executemany("insert into lim(letter_id, name, email_key, category, created_at) "
                  "values (1, 'Jane Doe', ?, '2', 1)", [(os.urandom(32),) for _ in range(existing)])
    c.execute("commit")
    sigs = c.execute(f"select {SIG} from signatures where state = 'pending' limit ?",
                     (SIGNUPS,)).fetchall()
    toks = c.execute(f"select {TOK} from confirmation_tokens limit ?", (SIGNUPS,)).fetchall()
    outs = c.execute("select event_key, kind, 'x' || hex(randomblob(150)), "
                     "'y' || hex(randomblob(200)), 'pending', 0, 1, 1, null from outbox "
                     "limit ?", (SIGNUPS,)).fetchall()
    if min(len(sigs), len(toks), len(outs)) < SIGNUPS:
        sys.exit(f"{src} holds fewer than {SIGNUPS} pending signatures, links or emails")

    def undersigned(at):
        s = [list(r) for r in sigs[at:at + BATCH]]
        for r in s:
            r[9] = os.urandom(32)
        c.execute("begin immediate")
        ids = c.execute(f"insert into signatures ({SIG}) values {values(len(s), 22)} "
                        "returning id", [v for r in s for v in r]).fetchall()
        if "t" in parts:
            t = [list(r) for r in toks[at:at + BATCH]]
            for r, (i,) in zip(t, ids):
                r[0], r[1] = os.urandom(32), i
            c.execute(f"insert into confirmation_tokens ({TOK}) values {values(len(t), 13)}",
                      [v for r in t for v in r])
        if "o" in parts:
            o = [list(r) for r in outs[at:at + BATCH]]
            for r, (i,) in zip(o, ids):
                r[0] = f"confirm:{i}:{os.urandom(8).hex()}"
            c.execute(f"insert into outbox ({OUT}) values {values(len(o), 9)}",
                      [v for r in o for v in r])
        if "m" in parts:
            m = [(os.urandom(32), 1, 1, 1) for _ in s]
            c.execute("insert into mail_budgets (recipient_key, window_start, sent, asked) "
                      f"values {values(len(m), 4)} on conflict (recipient_key) "
                      "do update set asked = asked + 1", [v for r in m for v in r])
        c.execute("commit")

    def limit(at):
        c.execute("begin immediate")
        rows = [v for _ in range(BATCH) for v in ("Jane Doe", os.urandom(32), "2")]
        c.execute("insert into lim(letter_id, name, email_key, category, created_at) values "
                  + ",".join(["(1, ?, ?, ?, 1)"] * BATCH), rows)
        c.execute("commit")

    print(f"{existing:,} signatures in the copy; batches of {BATCH}; parts {sorted(parts)}")
    for round_ in range(1, rounds + 1):
        rates = {}
        for name, step in (("limit", limit), ("undersigned", undersigned)):
            started = time.perf_counter()
            for at in range(0, SIGNUPS, BATCH):
                step(at)
            elapsed = time.perf_counter() - started
            rates[name] = SIGNUPS / elapsed
            print(f"round {round_} {name}: {elapsed / SIGNUPS * 1e6:.1f} us per sign-up, "
                  f"{SIGNUPS / elapsed:,.0f}/s on one thread")
        print(f"round {round_} ratio: {rates['undersigned'] / rates['limit']:.2f}")
    c.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
