"""Turns the JSON lines of scripts/bench/*.sh into the Markdown tables of BENCHMARKS.md.

    report.py get-revision RESULTS.jsonl   (lines with client, mode, round + bench_peers fields)
    report.py list RESULTS.jsonl           (lines with server, client, items, seconds, max_rss_kb)

Each cell is the median over the rounds; ratios are taken against raw reqwest in the same run
(for Get Revision, per round, since the machine's load drifts between rounds).
"""

import json
import statistics
import sys
from collections import defaultdict


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def median(values):
    return statistics.median(values) if values else float("nan")


def paired(runs, raws, key):
    """Median and range of the per-round ratios run/raw (rounds pair up runs made minutes apart)."""
    raw_by_round = {r["round"]: r[key] for r in raws}
    ratios = sorted(r[key] / raw_by_round[r["round"]] for r in runs if r["round"] in raw_by_round)
    return median(ratios), ratios[0], ratios[-1]


def get_revision(path):
    cells = defaultdict(list)
    for r in rows(path):
        cells[(r["mode"], r["client"])].append(r)
    for mode in dict.fromkeys(m for m, _ in cells):
        raw = cells[(mode, "raw")]
        print(f"\n{mode}\n")
        print("| client | requests/s | mean | p50 | p99 | errors | time / raw | throughput / raw |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for (m, client), runs in cells.items():
            if m != mode:
                continue
            rps = median([r["rps"] for r in runs])
            mean = median([r["mean_us"] for r in runs])
            p50 = median([r["p50_us"] for r in runs])
            p99 = median([r["p99_us"] for r in runs])
            errors = sum(r.get("errors", 0) for r in runs)
            t, t_lo, t_hi = paired(runs, raw, "mean_us")
            x, x_lo, x_hi = paired(runs, raw, "rps")
            print(
                f"| {client} | {rps:,.0f} | {mean:,.0f} µs | {p50:,.0f} µs | {p99:,.0f} µs "
                f"| {errors} | {t:.2f}x ({t_lo:.2f}-{t_hi:.2f}) | {x:.2f}x ({x_lo:.2f}-{x_hi:.2f}) |"
            )
        print(
            f"\n({len(raw)} rounds. Absolute numbers: median over the rounds. Ratios: median (and range)"
            " of the per-round ratios to raw reqwest.)"
        )


def listing(path):
    cells = defaultdict(list)
    for r in rows(path):
        cells[(r["server"], r["what"], r["client"])].append(r)
    for server in dict.fromkeys(s for s, _, _ in cells):
        print(f"\n{server}\n")
        print("| what | client | items | time | time / raw | peak RSS | RSS / raw |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for (s, what, client), runs in cells.items():
            if s != server:
                continue
            raw = cells[(s, what, "raw")]
            secs = median([r["seconds"] for r in runs])
            rss = median([r["max_rss_kb"] for r in runs])
            raw_secs = median([r["seconds"] for r in raw])
            raw_rss = median([r["max_rss_kb"] for r in raw])
            print(
                f"| {what} | {client} | {runs[0]['items']:,} | {secs * 1000:,.1f} ms "
                f"| {secs / raw_secs:.2f}x | {rss / 1024:,.1f} MiB | {rss / raw_rss:.2f}x |"
            )


if __name__ == "__main__":
    {"get-revision": get_revision, "list": listing}[sys.argv[1]](sys.argv[2])
