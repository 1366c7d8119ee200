"""Transcript snapshots of what a user reads, in the way of zk's ``.tesh`` tests.

Each file under ``transcripts/`` is the exact terminal text of a few commands at a
pinned width: ``$ kb ARGS`` then stdout, stderr lines prefixed ``2>``, then the exit
code. A change to help text or to the ``kb check`` report shows up as a diff here to
review; after an intended change, regenerate with ``KB_UPDATE_GOLDEN=1 pytest
tests/cli/test_transcripts.py`` and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.cli.test_check_cli import PEOPLE, card
from tests.helpers import make_repo, run_kb

HERE = Path(__file__).parent / "transcripts"
WIDTH = "80"


def transcript(commands: list[tuple[str, ...]], cwd: Path | None = None) -> str:
    parts = []
    for args in commands:
        result = run_kb(*args, cwd=cwd)
        parts.append("$ kb " + " ".join(args) + "\n")
        parts.append(result.stdout)
        parts += [f"2>{line}\n" for line in result.stderr.splitlines()]
        parts.append(f"[exit {result.exit_code}]\n\n")
    return stable("".join(parts))


def stable(text: str) -> str:
    """Mask what changes from run to run: elapsed seconds and commit ids."""
    text = re.sub(r"\(\d+\.\d+s\)", "(<seconds>)", text)
    return re.sub(r"\bcommit [0-9a-f]{7,40}\b", "commit <sha>", text)


def assert_transcript(name: str, text: str) -> None:
    path = HERE / name
    if os.environ.get("KB_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed (see module docstring)"


@pytest.fixture(autouse=True)
def pinned_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDTH)
    monkeypatch.setenv("TERM", "dumb")


def test_kb_help_transcript():
    assert_transcript("help.txt", transcript([("--help",), ("check", "--help")]))


def test_kb_check_text_report_transcript(tmp_path: Path):
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("billing/refunds.md", card("Refunds", body="See [plans](plans.md#changes).\n"))
    repo.write("billing/plans.md", card("Plans", body="## Changes\n\nText.\n"))
    repo.write("billing/old.md", card("Old refunds", verified="2025-01-01"))
    repo.write("billing/broken.md", card("Broken", body="See [[No such card]].\n", owner=None))
    repo.write("billing/dated.md", card("Dated", verified="2026-13-45"))
    repo.commit("cards", when="2026-11-01T10:00:00Z", email="ana@example.test")
    commands = [("--today", "2026-11-22", "check"), ("--today", "2026-11-22", "check", "--strict")]
    assert_transcript("check.txt", transcript(commands, cwd=repo.path))
