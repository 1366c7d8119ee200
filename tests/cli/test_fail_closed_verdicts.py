"""A card reads ✔ only with evidence for it: a draft is not an answer to rely on, and a
verified_at nobody committed yet is a date anyone could have typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import KbRepo, as_user, git, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
"""
CARD = """---
title: {title}
owner: ana
status: {status}
verified_at: 2026-11-15
---
# {title}

Steps to follow.
"""


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    return make_repo(tmp_path / "kb", people=PEOPLE)


def listed(repo: KbRepo) -> dict[str, dict[str, Any]]:
    result = run_kb("--today", TODAY, "list", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    return {card["path"]: card for card in json.loads(result.stdout)}


def findings(repo: KbRepo) -> list[tuple[str, str, str]]:
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    found = json.loads(check.stdout)["findings"]
    return [(f["path"], f["rule"], f["severity"]) for f in found]


@pytest.mark.parametrize("status", ["draft", "requested", "archived"])
def test_a_card_that_is_not_published_never_reads_verified(repo: KbRepo, status: str):
    repo.write("refunds.md", CARD.format(title="Refunds", status=status))
    repo.write("invoices.md", CARD.format(title="Invoices", status="published"))
    repo.commit("cards", when="2026-11-15T10:00:00Z")

    card = listed(repo)["refunds.md"]
    assert card["trust"] == "needs-review"
    assert [r["rule"] for r in card["reasons"]] == ["not-published"]
    assert listed(repo)["invoices.md"]["trust"] == "verified"
    shown = run_kb("--today", TODAY, "show", "refunds.md", cwd=repo.path)
    assert "✔" not in shown.stdout and status in shown.stdout
    assert ("refunds.md", "not-published", "warning") in findings(repo)


def test_the_reason_for_an_archived_card_does_not_tell_its_owner_to_publish_it(repo: KbRepo):
    """Archiving is deliberate: the card is kept for reference, so kb publish is the way
    back only if it is a current answer again, not the fix a draft's owner is given."""
    repo.write("old.md", CARD.format(title="Old refunds", status="archived"))
    repo.write("new.md", CARD.format(title="New refunds", status="draft"))
    repo.commit("cards", when="2026-11-15T10:00:00Z")
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    said = {f["path"]: f["message"] for f in json.loads(check.stdout)["findings"]}
    assert "kept for reference" in said["old.md"]
    assert "kb archive old.md ends its verification" in said["old.md"]
    assert "once it is one" not in said["old.md"]
    assert "publishes it (kb publish new.md) once it is one" in said["new.md"]


def test_an_uncommitted_verification_is_not_trusted_until_committed(repo, monkeypatch):
    repo.write("refunds.md", CARD.format(title="Refunds", status="published"))
    repo.commit("card", when="2026-11-15T10:00:00Z")
    text = (repo.path / "refunds.md").read_text().replace("2026-11-15", "2026-11-21")
    repo.write("refunds.md", text)  # anyone can type a date

    card = listed(repo)["refunds.md"]
    assert (card["trust"], [r["rule"] for r in card["reasons"]]) == (
        "needs-review",
        ["uncommitted-verification"],
    )
    shown = run_kb("--today", TODAY, "show", "refunds.md", cwd=repo.path)
    assert "✔" not in shown.stdout and "not committed" in shown.stdout
    check = run_kb("--today", TODAY, "check", cwd=repo.path)
    assert check.exit_code == 0, check.output  # a warning: the pre-commit hook lets it pass
    assert ("refunds.md", "uncommitted-verification", "warning") in findings(repo)
    repo.commit("stamp", when="2026-11-21T10:00:00Z")
    assert (listed(repo)["refunds.md"]["trust"], listed(repo)["refunds.md"]["reasons"]) == (
        "verified",
        [],
    )


def test_a_card_never_committed_is_not_trusted_for_its_date(repo):
    repo.write("invoices.md", CARD.format(title="Invoices", status="published"))
    repo.commit("first", when="2026-11-15T10:00:00Z")
    repo.write("refunds.md", CARD.format(title="Refunds", status="published"))
    card = listed(repo)["refunds.md"]
    assert [r["rule"] for r in card["reasons"]] == ["uncommitted-verification"]


def test_verify_without_commit_says_the_stamp_counts_once_committed(repo, monkeypatch):
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    repo.write("refunds.md", CARD.format(title="Refunds", status="published"))
    repo.commit("card", when="2026-11-15T10:00:00Z")
    result = run_kb("--today", TODAY, "verify", "--no-commit", "refunds.md", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert "✔" not in result.stdout and "not committed" in result.stdout
    assert listed(repo)["refunds.md"]["trust"] == "needs-review"
    run_kb("--today", TODAY, "verify", "refunds.md", cwd=repo.path)
    assert git(repo.path, "status", "--porcelain", "--", "refunds.md") == ""
    assert listed(repo)["refunds.md"]["trust"] == "verified"


def test_a_bulk_restamp_in_one_commit_names_that_commit_once(tmp_path: Path):
    repo = make_repo(tmp_path / "kb", kb_toml="[history]\nbulk_threshold = 2\n", people=PEOPLE)
    for title in ("Refunds", "Invoices"):
        repo.write(f"{title.lower()}.md", CARD.format(title=title, status="published"))
    repo.commit("cards", when="2026-11-15T10:00:00Z")
    for title in ("Refunds", "Invoices"):
        text = (repo.path / f"{title.lower()}.md").read_text()
        repo.write(f"{title.lower()}.md", text.replace("2026-11-15", "2026-11-20"))
    sha = repo.commit("re-stamp", when="2026-11-20T10:00:00Z")[:10]
    (reason,) = listed(repo)["refunds.md"]["reasons"]
    assert reason["rule"] == "bulk-reverification"
    assert "with 1 other card by" in reason["text"]
    assert reason["text"].count(sha) == 1 and f"in commit {sha}, without" in reason["text"]
