"""Benchmark ``/kb QUERY`` in the Slack app: from the Socket Mode envelope to the answer.

The real app (slack-bolt + slack-sdk, as ``kb slack`` runs it) serves a fake Slack on
127.0.0.1 (the tests' ``tests/slack/fake_slack.py``): each query is pushed as a
``slash_commands`` envelope and timed until the ephemeral answer reaches the
command's ``response_url``, so the figure includes Bolt's dispatch, the search
(``usecases.search``, verdicts, snippets), the usage log and the HTTP post. The ack
latency (envelope -> ack on the WebSocket) is reported too.

For scale, the same queries also run through the search use case alone (warm index,
no freshness check, as the app runs it), in the same
process and alternating query by query, so both see the same load: the difference
is what Slack costs on top of kb's search.

Usage: python bench/slack_bench.py [REPO] [--queries 200] [--seed 15] [--json]
REPO defaults to ../shared/corpora/tldr-pages.bundle (from the project root), cloned to
a temporary folder with a kb.toml added. The index is built (and timed) before the
queries, so the figures are for a warm index. Goal: p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

DEFAULT_BUNDLE = HERE.parent.parent / "shared" / "corpora" / "tldr-pages.bundle"


def queries(root: Path, count: int, seed: int) -> list[str]:
    """Questions people would type: words of random pages' descriptions, some with a
    typo, some about nothing the pages cover (these find no card)."""
    rng = random.Random(seed)
    pages = sorted((root / "pages").rglob("*.md"))
    found: list[str] = []
    while len(found) < count:
        if rng.random() < 0.1:
            found.append(rng.choice(["quarterly refund policy", "zeppelin tariff", "vpn sso"]))
            continue
        text = rng.choice(pages).read_text(encoding="utf-8", errors="replace")
        lines = [ln[2:] for ln in text.splitlines() if ln.startswith("> ") and "http" not in ln]
        words = [w.strip(".,`:()") for w in (lines[0] if lines else "").split()]
        words = [w for w in words if len(w) > 3][:3]
        if words:
            if rng.random() < 0.15:  # a typo
                w = words[0]
                words[0] = w[:-2] + w[-1] + w[-2]
            found.append(" ".join(words))
    return found


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repo", nargs="?", default=str(DEFAULT_BUNDLE))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from search_bench import tldr_repo

    from kbcli.cli.slack.app import connect
    from kbcli.usecases.checkout import Checkout
    from kbcli.usecases.search import search
    from tests.slack.fake_slack import FakeSlack

    source = Path(args.repo)
    root = tldr_repo(source) if source.suffix == ".bundle" else source
    today = date(2026, 12, 5)
    checkout = Checkout(root, today=lambda: today, pull_every=3600)
    started = time.perf_counter()
    search(checkout.workspace(), "warm up the index", limit=5)
    index_seconds = time.perf_counter() - started

    slack = FakeSlack()
    running = connect(checkout, bot_token="xoxb-b", app_token="xapp-b", api_url=slack.api_url)
    slack.wait_connected()
    asked = queries(root, args.queries, args.seed)
    slack_ms: list[float] = []
    ack_ms: list[float] = []
    direct_ms: list[float] = []
    misses = 0
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        for query in asked:
            t0 = time.perf_counter()
            envelope, url = slack.slash(query)
            slack.wait_ack(envelope, timeout=30)
            t_ack = time.perf_counter()
            answer = slack.wait_response(url, timeout=30)
            t_answer = time.perf_counter()
            ack_ms.append((t_ack - t0) * 1000)
            slack_ms.append((t_answer - t0) * 1000)
            misses += "No card matches" in answer.get("text", "")
            t1 = time.perf_counter()
            search(checkout.workspace(), query, limit=5, sync_first=False)
            direct_ms.append((time.perf_counter() - t1) * 1000)
    finally:
        running.close()
        slack.close()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    result = {
        "repo": str(source),
        "queries": len(asked),
        "no_match": misses,
        "index_build_s": round(index_seconds, 2),
        "slack_ms": {
            "median": round(statistics.median(slack_ms), 1),
            "p95": round(pct(slack_ms, 0.95), 1),
            "max": round(max(slack_ms), 1),
        },
        "ack_ms": {
            "median": round(statistics.median(ack_ms), 1),
            "p95": round(pct(ack_ms, 0.95), 1),
        },
        "search_use_case_ms": {
            "median": round(statistics.median(direct_ms), 1),
            "p95": round(pct(direct_ms, 0.95), 1),
        },
        "cpu_s_per_query_both": round(cpu / len(asked), 4),
        "goal_p95_ms": 300,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    s, d, a = result["slack_ms"], result["search_use_case_ms"], result["ack_ms"]
    print(f"{len(asked)} /kb queries on {source.name} ({misses} found nothing), warm index")
    print(f"  envelope -> ephemeral answer: median {s['median']} ms, p95 {s['p95']} ms,", end="")
    print(f" max {s['max']} ms")
    print(f"  envelope -> ack:              median {a['median']} ms, p95 {a['p95']} ms")
    print(f"  search use case alone:        median {d['median']} ms, p95 {d['p95']} ms")
    per_query = result["cpu_s_per_query_both"] * 1000
    print(f"  CPU (app + fake + direct search) per query: {per_query:.1f} ms")
    print(f"  goal p95 < 300 ms: {'met' if s['p95'] < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
