#!/usr/bin/env python3
"""bench/run's table: reads the results it recorded (one line a measurement:
`scenario round side key=value ...`) and prints a markdown table with each scenario's target
and whether it was met, then the correctness checks. Exits 0 even when a target is missed;
a failed check is marked FAILED in the output.

Usage: run_table.py RESULTS SEED_COUNT
"""

import statistics
import sys
from collections import defaultdict


def load(path):
    runs = defaultdict(list)  # (scenario, side) -> [dict per round]
    for line in open(path):
        parts = line.split()
        if len(parts) < 3:
            continue
        scenario, rnd, side = parts[:3]
        values = {"round": rnd}
        for part in parts[3:]:
            key, _, value = part.partition("=")
            values[key] = value
        runs[(scenario, side)].append(values)
    return runs


def num(values, key, default=None):
    try:
        return float(values[key])
    except (KeyError, ValueError):
        return default


def rate(values):
    """Acknowledged answers a second (only the expected status counts)."""
    seconds = num(values, "seconds")
    acked = num(values, "acked")
    if not seconds or acked is None:
        return None
    return acked / seconds


def fmt_rate(r):
    return "–" if r is None else f"{r:,.0f}/s"


def fmt_ms(v):
    return "–" if v is None else f"{v:.1f} ms"


def fmt_mb(kib):
    return "–" if kib is None else f"{kib / 1024:.0f} MB"


def main():
    runs = load(sys.argv[1])
    seed = int(sys.argv[2])
    rows = []
    checks = []

    def pair(scenario, limit_scenario=None):
        """Mean rates of both sides over the rounds, and each round's ratio."""
        und = runs.get((scenario, "undersigned"), [])
        lim = runs.get((limit_scenario or scenario, "limit"), [])
        u_rates = [rate(v) for v in und if rate(v) is not None]
        l_rates = [rate(v) for v in lim if rate(v) is not None]
        u = statistics.mean(u_rates) if u_rates else None
        lr = statistics.mean(l_rates) if l_rates else None
        per_round = [
            a / b for a, b in zip(u_rates, l_rates) if b
        ]
        ratio = u / lr if u is not None and lr else None
        return und, lr, u, ratio, per_round

    def worst(und, key):
        values = [num(v, key) for v in und if num(v, key) is not None]
        return max(values) if values else None

    def add(name, lr, u, ratio, per_round, p50, p99, rss, target, met):
        if ratio is None:
            ratio_text = "–"
        else:
            ratio_text = f"**{ratio:.2f}**"
            if len(per_round) > 1:
                ratio_text += " (" + ", ".join(f"{r:.2f}" for r in per_round) + ")"
        met_text = "–" if met is None else ("yes" if met else "**no**")
        rows.append(
            [name, lr if isinstance(lr, str) else fmt_rate(lr),
             u if isinstance(u, str) else fmt_rate(u), ratio_text,
             p50 if isinstance(p50, str) else fmt_ms(p50),
             p99 if isinstance(p99, str) else fmt_ms(p99),
             rss if isinstance(rss, str) else fmt_mb(rss), target, met_text]
        )

    def check_signing(scenario, side, key="distinct"):
        for v in runs.get((scenario, side), []):
            rows_ = num(v, "rows")
            distinct = num(v, key)
            acked = num(v, "acked")
            connections = num(v, "connections", 0)
            if rows_ is None or acked is None:
                continue
            ok = distinct == rows_ and acked <= rows_ <= acked + connections
            extra = ""
            if "all" in v:
                ok = ok and v["all"] == v["all_distinct"]
                extra = f", {int(num(v, 'all')):,} rows in all, {int(num(v, 'all_distinct')):,} distinct (letter, email key)"
            checks.append(
                f"- {scenario} round {v['round']}, {side}: {int(acked):,} acknowledged (303), "
                f"{int(rows_):,} new rows, {int(distinct):,} distinct email keys{extra}, "
                f"{int(num(v, 'other', 0)):,} other answers, {int(num(v, 'errors', 0)):,} "
                f"socket errors: " + ("ok" if ok else "**FAILED**")
            )

    # Signing, SQLite.
    und, lr, u, ratio, per = pair("sign")
    p99 = worst(und, "p99_ms")
    add(f"POST sign, {sign_c(und)} connections (SQLite)", lr, u, ratio, per,
        worst(und, "p50_ms"), p99, worst(und, "rss_kib"), "≥ 0.65, p99 < 50 ms",
        None if ratio is None else ratio >= 0.65 and p99 < 50)
    check_signing("sign", "limit")
    check_signing("sign", "undersigned")

    # Emails during the surge.
    if und:
        e_rates = [num(v, "emails") / num(v, "seconds") for v in und]
        e_ratios = [num(v, "emails") / max(num(v, "acked"), 1) for v in und]
        e = statistics.mean(e_ratios)
        drain = ", ".join(f"{num(v, 'drain_s'):.0f} s" for v in und)
        add(f"emails written during signing (.eml), vs signatures; queue drained {drain} after",
            "–", statistics.mean(e_rates), e, e_ratios, None, None, None,
            "≥ 0.5 of signing", e >= 0.5)

    # Confirming, against the limit's signing rate in the same rounds.
    und, lr, u, ratio, per = pair("confirm", "sign")
    if und:
        add("POST confirm, 64 connections, vs the limit's signing", lr, u, ratio, per,
            worst(und, "p50_ms"), worst(und, "p99_ms"), worst(und, "rss_kib"), "≥ 0.5",
            None if ratio is None else ratio >= 0.5)
        for v in und:
            ok = (v.get("audit") == "clean"
                  and v.get("published") == v.get("total") == v.get("log_size"))
            links = int(num(v, "links", 0))
            # A few links stay unconfirmed (their requests were in flight when wrk stopped),
            # so "ran out" is nearly all of them answered.
            ran_out = (" (wrk ran out of links: the rate is a floor)"
                       if num(v, "acked", 0) >= 0.98 * links else "")
            checks.append(
                f"- confirm round {v['round']}: {int(num(v, 'acked', 0)):,} confirmed of {links:,} "
                f"links{ran_out}; {v.get('published')} published = counts total "
                f"{v.get('total')} = log size {v.get('log_size')}; audit {v.get('audit')}: "
                + ("ok" if ok else "**FAILED**")
            )

    # Cached reads.
    for scenario, name in (("counts.json", "GET counts.json"), ("page", "GET the letter page")):
        und, lr, u, ratio, per = pair(scenario)
        if und:
            add(f"{name}, {sign_c(und)} connections", lr, u, ratio, per, worst(und, "p50_ms"),
                worst(und, "p99_ms"), worst(und, "rss_kib"), "≥ 0.8",
                None if ratio is None else ratio >= 0.8)

    # PostgreSQL signing.
    und, _, u, _, _ = pair("pg-sign")
    if und:
        p99 = worst(und, "p99_ms")
        rates = ", ".join(fmt_rate(rate(v)) for v in und)
        add(f"POST sign, {sign_c(und)} connections (PostgreSQL; rounds {rates})", "–", u,
            None, [], worst(und, "p50_ms"), p99, worst(und, "rss_kib"), "≥ 10,000/s",
            u >= 10000)
        check_signing("pg-sign", "undersigned")
        for v in und:
            checks.append(f"- pg-sign round {v['round']}: audit {v.get('audit')}"
                          + ("" if v.get("audit") == "clean" else " **FAILED**"))

    # A million signatures.
    for backend, label in (("scale-sqlite", "SQLite"), ("scale-pg", "PostgreSQL")):
        start = runs.get((f"{backend}-startup", "undersigned"))
        if not start:
            continue
        s = start[0]
        n = f"{seed:,}"
        entries = int(num(s, "entries", 0))
        first, second = num(s, "first_s"), num(s, "second_s")
        add(f"{n} ({label}): start-up (first, second)", "–",
            f"{first:.2f} s, {second:.2f} s", None, [], None, None, None, "< 1 s",
            max(first, second) < 1)
        und, lr, u, ratio, per = pair(f"{backend}-sign")
        add(f"{n} ({label}): POST sign, 256 connections; RSS = peak over all load rows",
            lr, u, ratio, per, worst(und, "p50_ms"), worst(und, "p99_ms"),
            num(s, "rss_kib"), "RSS < 100 MB",
            num(s, "rss_kib") is not None and num(s, "rss_kib") < 100 * 1024)
        check_signing(f"{backend}-sign", "limit")
        for scenario, name in (("confirm", "POST confirm, 64 connections, with counts.json read alongside"),
                               ("counts", "GET counts.json while those confirm, 8 connections"),
                               ("page", "GET the letter page, 64 connections"),
                               ("deep", "GET a deep page of signatories (?before= among the oldest 1%), 8 connections"),
                               ("proof", "GET an inclusion proof (random index), 8 connections")):
            und, _, u, _, _ = pair(f"{backend}-{scenario}")
            if und:
                add(f"{n} ({label}): {name}", "–", u, None, [], worst(und, "p50_ms"),
                    worst(und, "p99_ms"), worst(und, "rss_kib"), "–", None)
        a = runs.get((f"{backend}-audit", "undersigned"), [{}])[0]
        secs = num(a, "seconds")
        add(f"{n} ({label}): `undersigned audit` of the whole log ({entries:,} entries; RSS of audit)",
            "–", "–" if secs is None else f"{secs:.1f} s", None, [], None, None,
            num(a, "peak_kib"), "< 60 s, clean",
            secs is not None and secs < 60 and a.get("audit") == "clean")
        checks.append(f"- {backend}: audit of {entries:,} entries {a.get('audit')}"
                      + ("" if a.get("audit") == "clean" else " **FAILED**"))
        x = runs.get((f"{backend}-export", "undersigned"), [{}])[0]
        secs = num(x, "seconds")
        lines = int(num(x, "lines", 0))
        add(f"{n} ({label}): `undersigned export` CSV ({lines:,} lines; RSS of export)", "–",
            "–" if secs is None else f"{secs:.1f} s", None, [], None, None,
            num(x, "peak_kib"), "streams (RSS < 100 MB)",
            num(x, "peak_kib") is not None and num(x, "peak_kib") < 100 * 1024 and lines > entries)

    header = ["scenario", "limit", "Undersigned", "ratio (per round)", "p50", "p99",
              "peak RSS", "target", "met?"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Correctness after the runs:")
    print()
    print("\n".join(checks))


def sign_c(und):
    values = {v.get("connections") for v in und}
    return "/".join(sorted(v for v in values if v)) or "?"


if __name__ == "__main__":
    main()
