#!/usr/bin/env python3
"""Response time of the sign-up form's branches: does it tell whether an address signed?

Driven by bench/sign_branches.sh (which builds the release binary). For each binary given,
on a fresh SQLite instance with the demo letter, it prepares addresses for each branch,
then times one request at a time (keep-alive, an idle server, as a prober would see it),
the kinds interleaved in a new random order every round, and prints the median, p10 and p90
of each kind and each median's ratio to a new signer's:

- new:         an address never seen (a signature, a link, an email);
- repeat:      a pending signer whose backoff has passed (a new link and email);
- throttled:   a signer who may not be emailed again (nothing is sent);
- over_budget: a new +tag variant of a mailbox whose daily budget is spent (a signature,
               nothing sent); only where the binary has budgets.

Usage: sign_branches.py REQUESTS_PER_KIND BIN [BIN ...]
"""

import http.client
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ENV = dict(
    os.environ,
    UNDERSIGNED_ARGON2_MEMORY_KIB="1024",
    UNDERSIGNED_ARGON2_ITERATIONS="1",
    UNDERSIGNED_SIGN_LIMIT_PER_10MIN="100000000",
    UNDERSIGNED_SIGNUPS_PER_DOMAIN_PER_HOUR="100000000",
    UNDERSIGNED_LOG="warn",
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The binary serving DATA on a free loopback port."""

    def __init__(self, binary, data):
        self.port = free_port()
        self.log = open(os.path.join(data, "serve.log"), "ab")
        self.process = subprocess.Popen(
            [binary, "--data", data, "serve", "--bind", f"127.0.0.1:{self.port}"],
            env=ENV,
            stdout=self.log,
            stderr=self.log,
        )
        for _ in range(200):
            try:
                if self.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise SystemExit("the server did not start")
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()

    def sign(self, category, email):
        """POSTs the form on the kept-alive connection; returns (seconds, status)."""
        body = urllib.parse.urlencode(
            {
                "name": "Timing Tester",
                "email": email,
                "category": category,
                "display": "private",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        self.conn.request("POST", "/l/demo/sign", body, headers)
        response = self.conn.getresponse()
        response.read()
        return time.perf_counter() - started, response.status

    def stop(self):
        self.conn.close()
        self.process.terminate()
        self.process.wait()
        self.log.close()


def sql(data, statement, *args):
    with sqlite3.connect(os.path.join(data, "undersigned.db")) as db:
        return db.execute(statement, args).fetchall()


def has_table(data, name):
    return bool(sql(data, "SELECT 1 FROM sqlite_master WHERE name = ?", name))


def max_id(data):
    return sql(data, "SELECT COALESCE(MAX(id), 0) FROM signatures")[0][0]


def sign_all(server, category, emails):
    for email in emails:
        _, status = server.sign(category, email)
        assert status == 303, (email, status)


def run(binary, n):
    data = tempfile.mkdtemp(prefix="sign-branches-")
    try:
        subprocess.run([binary, "--data", data, "demo"], env=ENV, check=True,
                       stdout=subprocess.DEVNULL)
        server = Server(binary, data)
        page = server.get("/l/demo")[1]
        category = re.search(r'name="category" value="(\d+)"', page).group(1)
        budgets = has_table(data, "mail_budgets")
        kinds = ["new", "repeat", "throttled"] + (["over_budget"] if budgets else [])

        # Mailboxes whose budget is spent: each signs once, then the count is set past any
        # limit (every budget row there is at that point is theirs).
        if budgets:
            sign_all(server, category, [f"budget-{i}@example.org" for i in range(n)])
            server.stop()
            sql(data, "UPDATE mail_budgets SET sent = 1000000")
            server = Server(binary, data)
        # Pending signers: "repeat" ones last emailed two days ago, "throttled" ones emailed
        # as often as a signature ever is.
        first = max_id(data)
        sign_all(server, category, [f"repeat-{i}@example.org" for i in range(n)])
        middle = max_id(data)
        sign_all(server, category, [f"throttled-{i}@example.org" for i in range(n)])
        last = max_id(data)
        server.stop()
        sql(data, "UPDATE signatures SET last_emailed_at = last_emailed_at - 172800 "
                  "WHERE id > ? AND id <= ?", first, middle)
        sql(data, "UPDATE signatures SET emails_sent = 1000 WHERE id > ? AND id <= ?",
            middle, last)

        server = Server(binary, data)
        address = {
            "new": "new-{}@example.org",
            "repeat": "repeat-{}@example.org",
            "throttled": "throttled-{}@example.org",
            "over_budget": "budget-{}+again@example.org",
        }
        for i in range(20):  # warm up the connection, the caches and the database
            server.sign(category, f"warm-{i}@example.org")
        times = {kind: [] for kind in kinds}
        order = random.Random(20261128)
        for i in range(n):
            round_kinds = kinds[:]
            order.shuffle(round_kinds)
            for kind in round_kinds:
                seconds, status = server.sign(category, address[kind].format(i))
                assert status == 303, (kind, status)
                times[kind].append(seconds * 1000)
        server.stop()
        withheld = ""
        if budgets:
            # Withheld emails wait for the mail worker like sent ones, so some may still be
            # pending when the server stops: count them by what they are, not their status.
            rows = sql(data, "SELECT last_error, COUNT(*) FROM outbox "
                             "WHERE recipient IS NULL AND last_error IS NOT NULL "
                             "GROUP BY last_error ORDER BY last_error")
            withheld = " withheld: " + ", ".join(f"{r[0]}={r[1]}" for r in rows)
        return times, withheld
    finally:
        shutil.rmtree(data, ignore_errors=True)


def quantile(values, q):
    return statistics.quantiles(values, n=10)[q - 1]


def best_guess(new, other):
    """How often a prober who times one request guesses right whether it was `other` rather
    than `new`, with the best threshold there is (0.5: a coin toss)."""
    best = 0.5
    for t in sorted(new + other):
        right = (sum(1 for v in other if v <= t) + sum(1 for v in new if v > t)) / (
            len(new) + len(other)
        )
        best = max(best, right, 1 - right)
    return best


def main():
    n = int(sys.argv[1])
    for binary in sys.argv[2:]:
        times, withheld = run(binary, n)
        new = statistics.median(times["new"])
        print(f"{binary}: {n} requests per kind, one at a time{withheld}")
        for kind, values in times.items():
            median = statistics.median(values)
            guess = best_guess(times["new"], values)
            print(
                f"  {kind:<12} median {median:6.2f} ms  p10 {quantile(values, 1):6.2f}"
                f"  p90 {quantile(values, 9):6.2f}  median / new {median / new:5.2f}"
                f"  one probe tells it from new: {guess:4.0%}"
            )


if __name__ == "__main__":
    main()
