"""``kb search``'s fast path (``cli/fast_search.py``, a fresh ``kb`` process that never
loads typer) prints what the typer command prints, for every option it takes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import KbRepo, run_kb

# What ``kb`` does with a search command line, and a check that it took the fast path.
FAST = """import sys
from kbcli.cli.fast_search import run
code = run(sys.argv[1:])
assert code is not None and "typer" not in sys.modules, "not the fast path"
sys.exit(code)
"""
CARD = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n{extra}---\n{body}\n"

SEARCHES = [
    ["refund", "duplicate"],
    ["refund", "--json"],
    ["--paths-only", "charge"],
    ["--limit", "1", "refund"],
    ["--explain", "refund", "charge"],
    ["--archived", "refund"],
    ["nothing-matches-this"],
    ["refund", "-duplicate"],
    ["status:published", "owner:ana", "charge"],
]


@pytest.fixture
def cards(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write(
        "billing/refund.md",
        CARD.format(
            title="Refund a duplicate charge",
            extra="tags: [billing]\n",
            body="# Steps\n\nRefund the **duplicate** charge in the [admin](https://x.test).\n",
        ),
    )
    kb_repo.write(
        "billing/old.md",
        CARD.format(
            title="Old refund rules", extra="status: archived\n", body="Refunds took a week."
        ),
    )
    kb_repo.write(
        "billing/charge.md", CARD.format(title="Charges", extra="", body="A charge, then a refund.")
    )
    kb_repo.commit("cards")
    assert run_kb("--kb", str(kb_repo.path), "index").exit_code == 0
    return kb_repo


@pytest.mark.parametrize("words", SEARCHES, ids=" ".join)
def test_the_fast_search_prints_what_the_typer_command_prints(
    cards: KbRepo, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["--kb", str(cards.path), "search", *words]
    monkeypatch.setenv("KB_TODAY", "2026-12-01")
    monkeypatch.setenv("KB_DAEMON", "off")
    fast = subprocess.run([sys.executable, "-c", FAST, *argv], capture_output=True, text=True)
    typer = run_kb(*argv)
    assert fast.stdout, fast.stderr  # every case prints something (hits or a hint)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        typer.exit_code,
        typer.stdout,
        typer.stderr,
    )
