"""kb flag, publish and archive: one field changes, one file is committed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import KbRepo, copy_example, git, run_kb

TODAY = "2026-11-22"
REFUND = "billing/refund-request-processing.md"


@pytest.fixture
def kb(tmp_path: Path) -> KbRepo:
    repo = KbRepo(copy_example(tmp_path / "kb"))
    git(repo.path, "init", "-q", "-b", "main")
    repo.write(".gitignore", ".kb/\n")  # as kb init writes it: the search index is a cache
    repo.commit("example cards")
    return repo


def kb_run(repo: KbRepo, *args: str):
    return run_kb("--today", TODAY, *args, cwd=repo.path)


def diff_lines(repo: KbRepo) -> list[str]:
    """The changed lines of the last commit, as +/- lines."""
    diff = git(repo.path, "show", "--format=", "--unified=0", "HEAD")
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def card_json(repo: KbRepo, path: str) -> dict:
    result = kb_run(repo, "list", "--json")
    return next(card for card in json.loads(result.stdout) if card["path"] == path)


def test_flag_adds_who_when_why_and_commits_only_that_card(kb: KbRepo):
    (kb.path / "billing/download-invoices.md").write_text("my unrelated edit\n")
    result = kb_run(
        kb, "flag", REFUND, "--reason", "Backstage menu is now Billing › Refunds", "--by", "noa"
    )
    assert result.exit_code == 0, result.output
    assert "flagged by noa (1 open flag)" in result.stdout
    assert git(kb.path, "show", "--name-only", "--format=", "HEAD").split() == [REFUND]
    assert "Backstage menu" in git(kb.path, "log", "-1", "--format=%B")
    assert diff_lines(kb) == [
        "+flags:",
        "+  - by: noa",
        '+    at: "2026-11-22"',
        "+    reason: Backstage menu is now Billing › Refunds",
    ]
    assert git(kb.path, "status", "--porcelain").strip() == "M billing/download-invoices.md"

    second = kb_run(
        kb, "flag", "Processing a refund request", "--reason", 'says "5-10 days": wrong'
    )
    assert second.exit_code == 0, second.output
    assert all(line.startswith("+") for line in diff_lines(kb)) and len(diff_lines(kb)) == 3
    flags = card_json(kb, REFUND)["extra"]["flags"]
    assert [f["by"] for f in flags] == ["noa", "test@example.test"]
    assert flags[1]["reason"] == 'says "5-10 days": wrong' and flags[1]["at"] == "2026-11-22"


def test_flag_needs_a_reason_and_a_known_card(kb: KbRepo):
    assert kb_run(kb, "flag", REFUND, "--reason", "  ").exit_code == 2
    missing = kb_run(kb, "flag", "no-such-card", "--reason", "x")
    assert missing.exit_code == 2 and "no card matches" in missing.stderr
    assert git(kb.path, "status", "--porcelain") == ""


DRAFT = """\
---
title: "Seats after removal"
owner: {owner}
tags: [billing]
status: draft
template: kcs
---
# Seats after removal

## Issue

> Invoice bills 45 seats, 38 are active.

## Environment

<!-- Plan, product area -->

## Resolution

{resolution}
"""


def test_publish_needs_owner_and_required_sections_then_changes_one_line(kb: KbRepo):
    card = "billing/seats-after-removal.md"
    kb.write(card, DRAFT.format(owner="null", resolution="<!-- steps -->"))
    kb.commit("draft")
    refused = kb_run(kb, "publish", card)
    assert refused.exit_code == 1
    assert "no owner" in refused.stderr and "Environment, Resolution" in refused.stderr
    assert git(kb.path, "status", "--porcelain") == ""

    text = DRAFT.format(owner="ana", resolution="Credit comes on the next invoice.")
    kb.write(card, text.replace("<!-- Plan, product area -->", "Team plan"))
    kb.commit("filled")
    result = kb_run(kb, "publish", card)
    assert result.exit_code == 0, result.output
    assert "draft → published" in result.stdout
    assert diff_lines(kb) == ["-status: draft", "+status: published"]
    assert card_json(kb, card)["status"] == "published"
    again = kb_run(kb, "publish", card)
    assert again.exit_code == 0 and "already published; nothing changed" in again.stdout


def test_archive_changes_the_status_line_and_ends_the_verification_only(kb: KbRepo):
    result = kb_run(kb, "archive", REFUND, "--reason", "replaced by the refunds v2 card")
    assert result.exit_code == 0, result.output
    assert diff_lines(kb) == ["-verified_at: 2026-09-30", "-status: published", "+status: archived"]
    assert "replaced by the refunds v2 card" in git(kb.path, "log", "-1", "--format=%B")
    assert card_json(kb, REFUND)["status"] == "archived"
    again = json.loads(kb_run(kb, "archive", REFUND, "--json").stdout)
    assert again == {
        "path": REFUND,
        "title": "Processing a refund request",
        "changed": False,
        "detail": "is already archived",
        "commit": None,
    }


def test_no_commit_leaves_the_change_for_the_user(kb: KbRepo):
    before = git(kb.path, "rev-parse", "HEAD")
    result = kb_run(kb, "archive", REFUND, "--no-commit")
    assert result.exit_code == 0, result.output
    assert git(kb.path, "rev-parse", "HEAD") == before
    assert git(kb.path, "status", "--porcelain").strip() == f"M {REFUND}"


def test_outside_git_the_change_is_refused_before_writing(tmp_path: Path):
    repo = copy_example(tmp_path / "plain")
    original = (repo / REFUND).read_bytes()
    result = run_kb("--today", TODAY, "flag", REFUND, "--reason", "x", cwd=repo)
    assert result.exit_code == 2 and "not in a git repository" in result.stderr
    assert (repo / REFUND).read_bytes() == original


def test_a_flag_shows_in_the_owners_report_and_verify_clears_it(kb: KbRepo):
    assert (
        kb_run(kb, "flag", REFUND, "--reason", "Backstage menu renamed", "--by", "noa").exit_code
        == 0
    )
    report = json.loads(kb_run(kb, "report", "--owner", "billing-team", "--json").stdout)
    (digest,) = report["owners"]
    reasons = {item["path"]: item["reasons"] for item in digest["to_verify"]}
    assert "flagged by noa on 2026-11-22: Backstage menu renamed" in reasons[REFUND]
    assert report["findings_by_rule"].get("flagged") == 1
    assert "edited-since-verified" not in report["findings_by_rule"]  # a flag is not an edit

    ana = {"GIT_AUTHOR_NAME": "Ana Souza", "GIT_AUTHOR_EMAIL": "ana@nimbus.example"}
    with pytest.MonkeyPatch.context() as env:
        for key, value in ana.items():
            env.setenv(key, value)
        verified = kb_run(kb, "verify", REFUND)
    assert verified.exit_code == 0, verified.output
    assert "flags:" not in (kb.path / REFUND).read_text(encoding="utf-8")
    after = json.loads(kb_run(kb, "report", "--owner", "billing-team", "--json").stdout)
    assert "flagged" not in after["findings_by_rule"]


def test_archived_cards_leave_search_results(kb: KbRepo):
    before = kb_run(kb, "search", "refund request", "--paths-only")
    assert REFUND in before.stdout.split()
    assert kb_run(kb, "archive", REFUND).exit_code == 0
    after = kb_run(kb, "search", "refund request", "--paths-only")
    assert REFUND not in after.stdout.split()
    assert REFUND in kb_run(kb, "search", "refund request", "--archived", "--paths-only").stdout
