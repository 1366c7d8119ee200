"""kb report --gaps / --used read the usage log that every search surface appends to."""

from __future__ import annotations

import json
import threading

from kbcli.config import load_config
from kbcli.usecases.usage import log_search, read_searches, usage_dir
from kbcli.workspace import Workspace
from tests.helpers import KbRepo, run_kb


def _workspace(repo: KbRepo) -> Workspace:
    from datetime import date

    return Workspace(load_config(repo.path), date(2026, 12, 5), repo.path)


def test_gaps_lists_unanswered_queries_most_frequent_first(kb_repo: KbRepo) -> None:
    ws = _workspace(kb_repo)
    for query in ("export to csv", "okta scim", "Export to CSV", "export to csv"):
        log_search(ws, query, "slack", [])
    log_search(ws, "refund", "slack", ["billing/refund.md"])
    result = run_kb("--kb", str(kb_repo.path), "report", "--gaps")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "×" in line]
    assert "export to csv" in lines[0] and "3×" in lines[0]
    assert "okta scim" in lines[1]
    assert all("refund" not in line for line in lines)


def test_used_and_json(kb_repo: KbRepo) -> None:
    ws = _workspace(kb_repo)
    log_search(ws, "refund", "mcp", ["billing/refund.md", "billing/vat.md"])
    log_search(ws, "refund twice", "slack", ["billing/refund.md"])
    log_search(ws, "vat", "slack", ["billing/vat.md", "billing/refund.md"])
    result = run_kb("--kb", str(kb_repo.path), "report", "--used", "--gaps", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["used"][0] == {
        "path": "billing/refund.md",
        "count": 2,
        "last": data["used"][0]["last"],
    }
    assert data["gaps"] == []


def test_user_is_never_logged_unless_configured(kb_repo: KbRepo) -> None:
    log_search(_workspace(kb_repo), "q1", "slack", [], user="U0ANA")
    kb_repo.write("kb.toml", "[usage]\nlog_users = true\n")
    log_search(_workspace(kb_repo), "q2", "slack", [], user="U0ANA")
    text = "".join(p.read_text() for p in usage_dir(_workspace(kb_repo)).iterdir())
    assert text.count("U0ANA") == 1
    events = read_searches(_workspace(kb_repo)).events
    assert [(e.query, e.user) for e in events] == [("q1", None), ("q2", "U0ANA")]


def test_concurrent_writers_never_interleave_and_damage_is_reported(kb_repo: KbRepo) -> None:
    ws = _workspace(kb_repo)

    def write(n: int) -> None:
        for i in range(50):
            log_search(ws, f"question {n} {i} " + "x" * 300, f"s{n}", [f"c{n}.md"] * 10)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    searches = read_searches(ws)
    assert len(searches.events) == 200 and searches.damaged == 0
    log_file = next(usage_dir(ws).iterdir())
    with log_file.open("a") as f:
        f.write("{broken\n")
    result = run_kb("--kb", str(kb_repo.path), "report", "--used")
    assert result.exit_code == 0
    assert "1 line(s) of the usage log could not be read" in result.stderr
