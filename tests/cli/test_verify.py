"""kb verify and kb reassign: surgical one-line edits, one commit, refusals for strangers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import KbRepo, as_user, git, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test], team: billing}
bob: {name: Bob Stone, emails: [bob@example.test], team: billing}
eve: {name: Eve Moss, emails: [eve@example.test]}
dmitri: {name: Dmitri Volkov, emails: [dmitri@example.test], left: 2026-06-30}
"""
CARD = """---
title: {title}
owner: {owner}   # keep this comment
verifiers: [{verifiers}]
verified_at: 2026-01-10
tags: [billing]
---
# {title}

Steps to follow.
"""


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("billing/refunds.md", CARD.format(title="Refunds", owner="ana", verifiers="bob"))
    repo.write("billing/invoices.md", CARD.format(title="Invoices", owner="billing", verifiers=""))
    repo.write(
        "ops/failover.md", CARD.format(title="Failover", owner="dmitri", verifiers="dmitri, bob")
    )
    repo.write("ops/backup.md", CARD.format(title="Backup", owner="dmitri", verifiers=""))
    repo.commit("import", when="2026-01-10T10:00:00Z")
    return repo


def test_owner_verify_commits_a_one_line_front_matter_diff(repo: KbRepo, monkeypatch):
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    (repo.path / "scratch.txt").write_text("unrelated work in progress\n")
    result = run_kb("--today", TODAY, "verify", "refunds", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert "verified billing/refunds.md" in result.stdout
    files = git(repo.path, "show", "--name-only", "--format=", "HEAD").split()
    assert files == ["billing/refunds.md"]
    diff = git(repo.path, "show", "-U0", "--format=", "HEAD").splitlines()
    changes = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changes == ["-verified_at: 2026-01-10", f"+verified_at: {TODAY}"]
    message = git(repo.path, "log", "-1", "--format=%B")
    assert "Verified-by: Ana Souza <ana@example.test>" in message
    assert "Verify billing/refunds.md" in message
    assert git(repo.path, "status", "--porcelain").strip() == "?? scratch.txt"
    listed = json.loads(run_kb("--today", TODAY, "list", "--json", cwd=repo.path).stdout)
    assert {c["path"]: c["trust"] for c in listed}["billing/refunds.md"] == "verified"


def test_a_stranger_is_refused_unless_forced_with_a_reason(repo: KbRepo, monkeypatch):
    as_user(monkeypatch, "Eve Moss", "eve@example.test")
    before = (repo.path / "billing/refunds.md").read_bytes()
    head = git(repo.path, "rev-parse", "HEAD")
    result = run_kb("--today", TODAY, "verify", "billing/refunds.md", cwd=repo.path)
    assert result.exit_code == 1
    assert "neither owner nor verifier" in result.stderr and "--force --reason" in result.stderr
    assert (repo.path / "billing/refunds.md").read_bytes() == before
    assert git(repo.path, "rev-parse", "HEAD") == head

    no_reason = run_kb("--today", TODAY, "verify", "--force", "refunds", cwd=repo.path)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr

    forced = run_kb(
        "--today",
        TODAY,
        "verify",
        "refunds",
        "--force",
        "--reason",
        "Ana is on leave",
        cwd=repo.path,
    )
    assert forced.exit_code == 0, forced.output
    message = git(repo.path, "log", "-1", "--format=%B")
    assert "Reason: Ana is on leave" in message and "Verify-forced: Ana is on leave" in message
    # ...and the history remembers that a non-verifier did it
    report = json.loads(run_kb("--today", TODAY, "report", "--json", cwd=repo.path).stdout)
    rules = {(f["path"], f["rule"]) for f in report["findings"]}
    assert ("billing/refunds.md", "verified-by-non-verifier") in rules


def test_team_members_and_verifiers_may_verify_and_edits_go_in_with_it(repo: KbRepo, monkeypatch):
    as_user(monkeypatch, "Bob Stone", "bob@example.test")
    card = repo.path / "billing/invoices.md"
    card.write_text(card.read_text().replace("Steps to follow.", "Fixed steps."))
    result = run_kb("--today", TODAY, "verify", "invoices", "refunds", cwd=repo.path)
    assert result.exit_code == 0, result.output
    shown = git(repo.path, "show", "--format=%s", "HEAD")
    assert shown.startswith("Verify 2 cards") and "+Fixed steps." in shown
    assert git(repo.path, "status", "--porcelain").strip() == ""


def test_no_commit_only_edits(repo: KbRepo, monkeypatch):
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    head = git(repo.path, "rev-parse", "HEAD")
    result = run_kb("--today", TODAY, "verify", "refunds", "--no-commit", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert git(repo.path, "rev-parse", "HEAD") == head
    assert f"verified_at: {TODAY}" in (repo.path / "billing/refunds.md").read_text()


def test_verify_mine_lists_then_verifies_the_due_cards(repo: KbRepo, monkeypatch):
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    declined = run_kb("--today", TODAY, "verify", "--mine", cwd=repo.path, stdin="n\n")
    assert declined.exit_code == 1
    assert "billing/refunds.md" in declined.stdout and "billing/invoices.md" in declined.stdout
    result = run_kb("--today", TODAY, "verify", "--mine", cwd=repo.path, stdin="y\n")
    assert result.exit_code == 0, result.output
    files = git(repo.path, "show", "--name-only", "--format=", "HEAD").split()
    assert files == ["billing/invoices.md", "billing/refunds.md"]
    again = run_kb("--today", TODAY, "verify", "--mine", cwd=repo.path)
    assert again.exit_code == 0 and "Nothing to verify" in again.stdout


def test_reassign_moves_owner_and_verifiers_in_one_commit(repo: KbRepo, monkeypatch):
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    result = run_kb("reassign", "--from", "dmitri", "--to", "bob", "ops", cwd=repo.path)
    assert result.exit_code == 0, result.output
    files = git(repo.path, "show", "--name-only", "--format=", "HEAD").split()
    assert files == ["ops/backup.md", "ops/failover.md"]
    failover = (repo.path / "ops/failover.md").read_text()
    assert "owner: bob   # keep this comment" in failover
    assert "verifiers: [bob]" in failover and "verified_at: 2026-01-10" in failover
    assert "Reassigned-by: Ana Souza" in git(repo.path, "log", "-1", "--format=%B")

    unknown = run_kb("reassign", "--from", "bob", "--to", "nobody", cwd=repo.path)
    assert unknown.exit_code == 2 and "people.yaml" in unknown.stderr
    reset = run_kb(
        "reassign",
        "--from",
        "bob",
        "--to",
        "eve",
        "ops/backup.md",
        "--reset-verification",
        cwd=repo.path,
    )
    assert reset.exit_code == 0, reset.output
    assert "verified_at" not in (repo.path / "ops/backup.md").read_text()
    history = run_kb("history", "ops/backup.md", cwd=repo.path)
    assert "owner → bob" in history.stdout and "owner → eve" in history.stdout


def test_reassign_and_verify_take_a_card_the_way_kb_show_does(repo: KbRepo, monkeypatch):
    """One CARD/PATH resolver: a bare file name or a title names a card for every
    command; kb reassign used to answer 'backup.md does not exist'."""
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    assert run_kb("show", "backup.md", cwd=repo.path).exit_code == 0
    moved = run_kb("reassign", "--from", "dmitri", "--to", "bob", "backup.md", cwd=repo.path)
    assert moved.exit_code == 0, moved.output
    assert git(repo.path, "show", "--name-only", "--format=", "HEAD").split() == ["ops/backup.md"]
    by_title = run_kb("reassign", "--from", "bob", "--to", "eve", "Backup", cwd=repo.path)
    assert by_title.exit_code == 0, by_title.output
    assert "owner: eve" in (repo.path / "ops/backup.md").read_text()
    missing = run_kb("reassign", "--from", "eve", "--to", "bob", "nosuch.md", cwd=repo.path)
    assert missing.exit_code == 2 and "no card matches 'nosuch.md'" in missing.stderr


def test_verify_of_a_header_kb_cannot_read_names_the_problem(repo: KbRepo, monkeypatch) -> None:
    """Ana owns the card, but its header is broken: kb told her she was "neither owner nor
    verifier" (it could not read the owner) instead of where the header is broken."""
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    repo.write("billing/broken.md", "---\ntitle: Broken\nowner: [ana\n---\n# Broken\n")
    head = repo.commit("broken", when="2026-02-01T10:00:00Z")
    for force in ((), ("--force", "--reason", "checked")):
        result = run_kb("--today", TODAY, "verify", *force, "billing/broken.md", cwd=repo.path)
        assert result.exit_code == 1, result.output
        assert "billing/broken.md:" in result.stderr and "[yaml-syntax]" in result.stderr
        assert "neither owner nor verifier" not in result.stderr
        assert git(repo.path, "rev-parse", "HEAD").strip() == head
