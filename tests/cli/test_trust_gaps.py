"""Stamps kb cannot trace or record: a verification must never read as trusted when git
does not show who made it, and kb verify must record what it says it did."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import KbRepo, as_user, git, kb_process, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
eve: {name: Eve Moss, emails: [eve@example.test]}
"""
CARD = """---
title: {title}
owner: ana
status: published
{stamp}---
# {title}

Steps to follow.
"""
EVE = {"author": "Eve Moss", "email": "eve@example.test"}


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("refunds.md", CARD.format(title="Refunds", stamp=""))
    repo.write("invoices.md", CARD.format(title="Invoices", stamp=""))
    repo.commit("cards", when="2026-11-01T10:00:00Z")
    return repo


def verdicts(repo: KbRepo) -> dict[str, dict[str, Any]]:
    listed = run_kb("--today", TODAY, "list", "--json", cwd=repo.path)
    return {card["path"]: card for card in json.loads(listed.stdout)}


def test_a_stamp_made_while_merging_is_not_trusted(repo: KbRepo):
    # Eve, who may not verify the card, stamps it in the merge commit itself: git log
    # shows a merge's own changes to no one, so no rule could judge the stamp.
    git(repo.path, "checkout", "-q", "-b", "side")
    repo.write("invoices.md", CARD.format(title="Invoices", stamp="").replace("Steps", "Two steps"))
    repo.commit("side edit", when="2026-11-10T10:00:00Z", **EVE)
    git(repo.path, "checkout", "-q", "main")
    repo.write("notes.txt", "main work\n")
    repo.commit("main work", when="2026-11-11T10:00:00Z")
    env = {
        "GIT_AUTHOR_NAME": "Eve Moss",
        "GIT_AUTHOR_EMAIL": "eve@example.test",
        "GIT_COMMITTER_NAME": "Eve Moss",
        "GIT_COMMITTER_EMAIL": "eve@example.test",
        "GIT_AUTHOR_DATE": "2026-11-12T10:00:00Z",
        "GIT_COMMITTER_DATE": "2026-11-12T10:00:00Z",
    }
    git(repo.path, "merge", "-q", "--no-ff", "--no-commit", "side", env=env)
    repo.write("refunds.md", CARD.format(title="Refunds", stamp="verified_at: 2026-11-12\n"))
    git(repo.path, "add", "refunds.md")
    git(repo.path, "commit", "-q", "--no-gpg-sign", "-m", "merge side", env=env)

    card = verdicts(repo)["refunds.md"]
    assert card["trust"] == "needs-review"
    assert [r["rule"] for r in card["reasons"]] == ["untraced-verification"]
    shown = run_kb("--today", TODAY, "show", "refunds.md", cwd=repo.path)
    assert "✔" not in shown.stdout and "needs review" in shown.stdout
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    assert check.exit_code == 1, check.output
    found = [
        f for f in json.loads(check.stdout)["findings"] if f["rule"] == "untraced-verification"
    ]
    assert [(f["path"], f["line"], f["severity"]) for f in found] == [("refunds.md", 5, "error")]
    report = json.loads(run_kb("--today", TODAY, "report", "--json", cwd=repo.path).stdout)
    assert report["states"]["needs-review"] == 1 and report["verified"] == 0


def test_an_uncommitted_stamp_is_judged_once_committed_not_before(repo: KbRepo):
    repo.write("refunds.md", CARD.format(title="Refunds", stamp="verified_at: 2026-11-20\n"))
    card = verdicts(repo)["refunds.md"]
    assert [r["rule"] for r in card["reasons"]] == ["uncommitted-verification"]
    repo.commit("stamp", when="2026-11-20T10:00:00Z", **EVE)
    card = verdicts(repo)["refunds.md"]
    assert [r["rule"] for r in card["reasons"]] == ["verified-by-non-verifier"]


def test_verify_records_a_review_of_a_card_stamped_today_by_someone_else(repo, monkeypatch):
    # Eve stamped the card today, which she may not do; Ana, its owner, reviews it the
    # same day. Writing today's date again would change nothing and commit nothing.
    repo.write("refunds.md", CARD.format(title="Refunds", stamp=f"verified_at: {TODAY}\n"))
    repo.commit("stamp", when=f"{TODAY}T09:00:00Z", **EVE)
    assert verdicts(repo)["refunds.md"]["trust"] == "needs-review"
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    result = run_kb("--today", TODAY, "verify", "refunds.md", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert "committed" in result.stdout
    diff = git(repo.path, "show", "-U0", "--format=", "HEAD", "--", "refunds.md").splitlines()
    added = [line for line in diff if line.startswith("+verified_at")]
    assert len(added) == 1 and added[0].startswith(f"+verified_at: {TODAY}T"), diff
    card = verdicts(repo)["refunds.md"]
    assert (card["trust"], card["reasons"]) == ("verified", [])
    again = run_kb("--today", TODAY, "verify", "refunds.md", cwd=repo.path)
    assert "nothing to commit" in again.stdout  # a trusted stamp of today is left alone
    assert git(repo.path, "status", "--porcelain", "--", "refunds.md") == ""


def test_verify_mine_offers_the_cards_that_need_review(repo, monkeypatch):
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    for title in ("Refunds", "Invoices"):
        repo.write(
            f"{title.lower()}.md", CARD.format(title=title, stamp="verified_at: 2026-11-15\n")
        )
    repo.commit("verify both", when="2026-11-15T10:00:00Z")
    repo.write(
        "refunds.md",
        CARD.format(title="Refunds", stamp="verified_at: 2026-11-15\n") + "Eve's line.\n",
    )
    repo.commit("eve edits", when="2026-11-16T10:00:00Z", **EVE)
    assert verdicts(repo)["refunds.md"]["trust"] == "needs-review"
    report = json.loads(run_kb("--today", TODAY, "report", "--json", cwd=repo.path).stdout)
    to_do = [t["path"] for o in report["owners"] for t in o["to_verify"]]
    result = run_kb("--today", TODAY, "verify", "--mine", "--yes", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert to_do == ["refunds.md"] and "1 card(s) of ana need verifying" in result.stdout
    assert verdicts(repo)["refunds.md"]["trust"] == "verified"


def test_in_a_shallow_clone_a_stamp_from_before_its_history_is_not_trusted(repo, tmp_path):
    # Ana, the owner, verified the card; a later commit by Eve touched another file. A
    # clone of depth 1 sees every card as added by Eve's commit: who stamped is cut off.
    repo.write("refunds.md", CARD.format(title="Refunds", stamp="verified_at: 2026-11-15\n"))
    repo.commit("verify", when="2026-11-15T10:00:00Z")
    repo.write("notes.txt", "later work\n")
    repo.commit("later", when="2026-11-20T10:00:00Z", **EVE)
    assert verdicts(repo)["refunds.md"]["trust"] == "verified"
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.path.as_uri(), str(clone))
    shallow = KbRepo(clone)

    card = verdicts(shallow)["refunds.md"]
    assert card["trust"] == "needs-review"
    assert [r["rule"] for r in card["reasons"]] == ["untraced-verification"]
    assert "shallow clone" in card["reasons"][0]["text"]
    check = run_kb("--today", TODAY, "check", "--allow-shallow", cwd=clone)
    assert check.exit_code == 1 and "refunds.md" in check.stdout, check.output


def test_kb_show_in_a_pipe_prints_each_reason_whole(repo):
    repo.write("refunds.md", CARD.format(title="Refunds", stamp="verified_at: 2026-11-20\n"))
    repo.commit("stamp", when="2026-11-20T10:00:00Z", **EVE)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # as a shell pipe has it
    result = kb_process(repo.path, env, "--today", TODAY, "show", "refunds.md")
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if "verified_at was set by" in x]
    assert line.endswith("who is neither the owner nor a verifier [verified-by-non-verifier]")


def test_a_card_added_already_verified_counts_as_imported_only_from_kb_import(repo):
    # Eve, who may not verify anything of Ana's, adds a card that names Ana as owner and
    # a verification date of last week: nothing says Ana ever read it.
    repo.write("wire.md", CARD.format(title="Wire money", stamp="verified_at: 2026-11-10\n"))
    repo.commit("add a card", when="2026-11-18T10:00:00Z", **EVE)
    card = verdicts(repo)["wire.md"]
    assert card["trust"] == "needs-review"
    assert [r["rule"] for r in card["reasons"]] == ["verified-by-non-verifier"]
    assert "added already verified (verified_at 2026-11-10)" in card["reasons"][0]["text"]
    # The same card written by kb import (its commit says so) keeps its date.
    repo.write("guide.md", CARD.format(title="Guide", stamp="verified_at: 2026-11-10\n"))
    git(repo.path, "add", "guide.md")
    env = {
        "GIT_AUTHOR_NAME": "Eve Moss",
        "GIT_AUTHOR_EMAIL": "eve@example.test",
        "GIT_COMMITTER_NAME": "Eve Moss",
        "GIT_COMMITTER_EMAIL": "eve@example.test",
        "GIT_AUTHOR_DATE": "2026-11-19T10:00:00Z",
        "GIT_COMMITTER_DATE": "2026-11-19T10:00:00Z",
    }
    message = "Import 1 card(s) from guru (export.zip)\n\nKb-Import: guru\n"
    git(repo.path, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)
    guide = verdicts(repo)["guide.md"]
    assert (guide["trust"], guide["reasons"]) == ("verified", [])
