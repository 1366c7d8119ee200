"""-q/--quiet on every command that prints progress or a summary: the work is done,
nothing but errors and warnings is printed (scripts and CI logs stay clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import KbRepo, git, make_repo, run_kb

PEOPLE = """
test: {name: Test Author, emails: [test@example.test]}
ana: {name: Ana Souza, emails: [ana@example.test]}
"""
CARD = """---
title: {title}
owner: test
status: {status}
verified_at: 2026-06-01
---
## Issue

Customers are charged twice for {title}.

## Resolution

Refund the duplicate charge of {title} in the billing console.
"""


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write(".gitignore", ".kb/\n")
    for name, status in (("refunds", "published"), ("renewals", "draft"), ("vat", "published")):
        repo.write(f"billing/{name}.md", CARD.format(title=name, status=status))
    repo.commit("cards")
    return repo


def kb(repo: KbRepo, *args: str):
    return run_kb("--today", "2026-12-01", *args, cwd=repo.path)


# (command, the file it changes, what that file then holds) for each command with a
# summary or a progress bar; None: nothing to look for in a file
CASES = [
    (("index",), None, None),
    (("verify", "billing/refunds.md"), "billing/refunds.md", "2026-12-01"),
    (("reassign", "--from", "test", "--to", "ana"), "billing/vat.md", "owner: ana"),
    (("publish", "billing/renewals.md"), "billing/renewals.md", "status: published"),
    (("flag", "billing/vat.md", "--reason", "menu renamed"), "billing/vat.md", "menu renamed"),
    (("archive", "billing/vat.md"), "billing/vat.md", "status: archived"),
    (("new", "--title", "From quiet", "--no-edit"), "from-quiet.md", "From quiet"),
    (("related", "billing/refunds.md"), None, None),
    (("suggest", "charged twice refund"), None, None),
    (("ask", "Can a customer get a refund twice?"), None, None),
]


def _read(repo: KbRepo, path: str) -> str:
    return (repo.path / path).read_text(encoding="utf-8")


@pytest.mark.parametrize("args, path, holds", CASES, ids=[c[0][0] for c in CASES])
def test_quiet_does_the_work_and_prints_no_summary(
    repo: KbRepo, args: tuple[str, ...], path: str | None, holds: str | None
) -> None:
    loud_repo_head = git(repo.path, "rev-parse", "HEAD")
    quiet = kb(repo, *args, "-q")
    assert quiet.exit_code == 0, quiet.output
    if path and holds:
        assert holds in _read(repo, path)
    if args[0] in ("related", "suggest"):
        # The result (the cards) is printed; the header and the progress bar are not.
        assert "billing/" in quiet.stdout and "related to" not in quiet.stdout
    else:
        assert quiet.stdout == "", quiet.stdout
    assert quiet.stderr == "", quiet.stderr
    if args[0] not in ("index", "related", "suggest", "new"):
        assert git(repo.path, "rev-parse", "HEAD") != loud_repo_head  # still committed


def test_without_quiet_the_same_commands_say_what_they_did(repo: KbRepo) -> None:
    loud = kb(repo, "verify", "billing/refunds.md")
    assert loud.exit_code == 0 and "verified billing/refunds.md" in loud.stdout
    assert "Index" in kb(repo, "index").stdout
    assert (repo.path / ".kb").is_dir()


def test_people_suggest_quiet_prints_the_entries_without_the_count(repo: KbRepo) -> None:
    loud = kb(repo, "people", "suggest")
    assert "git author(s) not in people.yaml" in loud.stderr
    quiet = kb(repo, "people", "suggest", "-q")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == loud.stdout and quiet.stderr == ""


def test_init_quiet(tmp_path: Path) -> None:
    result = run_kb("init", str(tmp_path / "kb"), "--no-git", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "kb/kb.toml").is_file()
    assert result.stdout == "" and result.stderr == ""
