"""Without git on PATH, commands that need git say "git is not installed" (exit 2) instead
of crashing, and kb new still writes a card. A real kb process with a PATH that has no git."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import KbRepo

CARD = "---\ntitle: A\nowner: ana\nverified_at: 2026-05-01\n---\nbody\n"


def _kb_without_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_PYTHON")}
    env["PATH"] = str(cwd / "no-such-bin")
    return subprocess.run(
        [sys.executable, "-m", "kbcli", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_verify_and_init_say_git_is_missing(kb_repo: KbRepo) -> None:
    kb_repo.write("a.md", CARD)
    email = os.environ.get("GIT_AUTHOR_EMAIL", "ana@example.test")
    kb_repo.write("people.yaml", f"ana: {{name: Ana, emails: [{email}]}}\n")
    kb_repo.commit("a card")
    for args in (["verify", "a.md"], ["init", "fresh"]):
        result = _kb_without_git(kb_repo.path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "git is not installed" in result.stderr and "Traceback" not in result.stderr
    assert (kb_repo.path / "a.md").read_text(encoding="utf-8") == CARD  # nothing half-done
    made = _kb_without_git(kb_repo.path, "new", "--no-edit", "-t", "Fresh", "--owner", "ana")
    assert made.returncode == 0, made.stderr
    assert (kb_repo.path / "fresh.md").is_file()


def test_check_and_history_say_git_is_missing(kb_repo: KbRepo) -> None:
    """In a git repository, no git is not "not a git repository" (nor a history-less pass
    that would judge every card without its history)."""
    kb_repo.write("a.md", CARD)
    kb_repo.commit("a card")
    for args in (["check"], ["history", "a.md"], ["report"]):
        result = _kb_without_git(kb_repo.path, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "git is not installed" in result.stderr, (args, result.stderr)
        assert "not in a git repository" not in result.stderr
        assert "Traceback" not in result.stderr


def test_index_works_without_git_and_the_search_then_says_it_is_missing(
    kb_repo: KbRepo,
) -> None:
    """``kb index`` reads the history behind trust when it can; without git it still
    indexes (as before), and the search, which needs that history, says git is missing."""
    kb_repo.write("a.md", CARD)
    kb_repo.commit("a card")
    indexed = _kb_without_git(kb_repo.path, "index")
    assert indexed.returncode == 0, indexed.stderr
    assert "1 added" in indexed.stdout and "1 card(s)" in indexed.stdout
    found = _kb_without_git(kb_repo.path, "search", "body")
    assert found.returncode == 2, (found.stdout, found.stderr)
    assert "git is not installed" in found.stderr and "Traceback" not in found.stderr
