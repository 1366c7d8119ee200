"""A lead's week: the report, the history and archiving say what a lead can act on.

- Cards whose owner left count in no trust score: nobody is there to keep them current.
- ``kb history``'s "last edit" is the last change of what readers read, not a reassign.
- ``kb archive`` ends a card's verification, so an archived card neither reads ✔ nor
  leaves a warning nobody can act on, and publishing it again asks for a fresh read.
- The report's "due" state and its due-soon findings count different things; the report
  says how many due-soon cards need review instead.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import KbRepo, git, run_kb

TODAY = "2026-12-05"
PEOPLE = """\
ana:
  name: Ana Souza
  emails: [ana@example.test]
ben:
  name: Ben Ito
  emails: [ben@example.test]
  left: 2026-11-20
lea:
  name: Lea Kahn
  emails: [lea@example.test]
"""


def _card(title: str, owner: str, verified: str, status: str = "published") -> str:
    return (
        f"---\ntitle: {title}\nowner: {owner}\nstatus: {status}\nverified_at: {verified}\n---\n"
        f"# {title}\n\nThe steps to follow.\n"
    )


def _kb(repo: KbRepo, *args: str) -> Any:
    return run_kb("--kb", str(repo.path), "--today", TODAY, *args)


def _listed(repo: KbRepo) -> dict[str, dict[str, Any]]:
    result = _kb(repo, "list", "--json")
    assert result.exit_code == 0, result.output
    return {card["path"]: card for card in json.loads(result.stdout)}


@pytest.fixture
def repo(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("people.yaml", PEOPLE)
    kb_repo.commit(
        "roster", when="2026-10-01T09:00:00Z", author="Lea Kahn", email="lea@example.test"
    )
    kb_repo.write("refunds.md", _card("Refunds", "ana", "2026-11-02"))
    kb_repo.commit("refunds", when="2026-11-02T10:00:00Z")
    kb_repo.write("invoices.md", _card("Invoices", "ben", "2026-11-03"))
    kb_repo.commit(
        "invoices", when="2026-11-03T10:00:00Z", author="Ben Ito", email="ben@example.test"
    )
    return kb_repo


def test_a_card_whose_owner_left_counts_in_no_trust_score(repo: KbRepo) -> None:
    card = _listed(repo)["invoices.md"]
    assert card["trust"] == "needs-review"
    assert [r["rule"] for r in card["reasons"]] == ["owner-left"]
    report = json.loads(_kb(repo, "report", "--json").stdout)
    assert (report["verified"], report["published"]) == (1, 2)
    assert report["states"]["needs-review"] == 1
    moved = _kb(repo, "reassign", "--from", "ben", "--to", "ana")
    assert moved.exit_code == 0, moved.output
    assert _listed(repo)["invoices.md"]["trust"] == "verified"  # someone answers for it again


def test_history_last_edit_is_not_a_reassign(repo: KbRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Lea Kahn")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "lea@example.test")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-12-04T10:00:00Z")
    moved = _kb(repo, "reassign", "--from", "ben", "--to", "ana")
    assert moved.exit_code == 0, moved.output
    shown = json.loads(_kb(repo, "history", "invoices.md", "--json").stdout)
    assert shown["last_edit"]["handle"] == "ben"
    assert shown["last_edit"]["when"].startswith("2026-11-03")
    text = _kb(repo, "history", "invoices.md").stdout
    assert "last edit: 2026-11-03 by" in text and "owner → ana" in text


def test_archive_ends_the_verification(repo: KbRepo) -> None:
    archived = _kb(repo, "archive", "refunds.md", "--reason", "replaced")
    assert archived.exit_code == 0, archived.output
    assert "verification ended" in archived.stdout
    assert "-verified_at: 2026-11-02" in git(repo.path, "show", "HEAD")
    card = _listed(repo)["refunds.md"]
    assert card["trust"] != "verified"
    check = _kb(repo, "check", "--strict", "--format", "json", "refunds.md")
    assert check.exit_code == 0, check.output
    assert json.loads(check.stdout)["findings"] == []
    published = _kb(repo, "publish", "refunds.md")
    assert published.exit_code == 0, published.output
    assert _listed(repo)["refunds.md"]["trust"] == "unverified"  # read it again first


def test_archive_of_an_archived_card_still_verified_ends_its_verification(repo: KbRepo) -> None:
    repo.write("old.md", _card("Old refunds", "ana", "2026-11-02", status="archived"))
    repo.commit("archived by hand", when="2026-11-04T10:00:00Z")
    check = json.loads(_kb(repo, "check", "--format", "json", "old.md").stdout)
    (finding,) = check["findings"]
    assert finding["rule"] == "not-published" and "kb archive old.md" in finding["message"]
    archived = _kb(repo, "archive", "old.md")
    assert archived.exit_code == 0, archived.output
    assert json.loads(_kb(repo, "check", "--format", "json", "old.md").stdout)["findings"] == []


def test_the_report_names_due_soon_cards_that_need_review(repo: KbRepo) -> None:
    # Due on 2026-11-25 (3 months, warned 14 days ahead); Lea edits Ana's card: review.
    repo.write("vat.md", _card("VAT", "ana", "2026-09-10"))
    repo.commit("vat", when="2026-09-10T10:00:00Z")
    text = (repo.path / "vat.md").read_text().replace("The steps", "The new steps")
    repo.write("vat.md", text)
    repo.commit("edit", when="2026-11-10T10:00:00Z", author="Lea Kahn", email="lea@example.test")
    report = json.loads(_kb(repo, "report", "--json").stdout)
    assert report["findings_by_rule"]["due-soon"] == 1
    assert report["states"]["due"] == 0
    assert report["needs_review_due_soon"] == 1
    pipe = _kb(repo, "report").stdout
    assert "needs review 2 (1 of them due soon)" in pipe
    digest = _kb(repo, "report", "--format", "markdown").stdout
    assert "1 of them due soon" in digest


def test_a_pull_request_fails_only_for_what_it_caused(repo: KbRepo) -> None:
    """Lea (not the owner) fixes a typo in a card that expired before her branch: the
    expiry is reported on the card she touched, but it does not fail her pull request;
    what her branch breaks (a card with no owner, a new expired date) still does."""
    repo.write("vat.md", _card("VAT", "ana", "2026-05-01"))  # expired 2026-08-01
    repo.write("orphan.md", "---\ntitle: Orphan\n---\nText.\n")  # no owner, never verified
    repo.commit("more", when="2026-11-04T10:00:00Z")
    git(repo.path, "switch", "-q", "-c", "typo")
    for name in ("vat.md", "orphan.md"):
        text = (repo.path / name).read_text().replace("steps", "Steps").replace("Text", "Texts")
        repo.write(name, text)
    repo.commit("typos", when="2026-12-04T10:00:00Z", author="Lea Kahn", email="lea@example.test")

    pr = _kb(repo, "check", "--changed-since", "main", "--format", "json")
    assert pr.exit_code == 0, pr.output
    found = {(f["path"], f["rule"]): f for f in json.loads(pr.stdout)["findings"]}
    assert found["vat.md", "expired"]["severity"] == "warning"
    assert "before this change" in found["vat.md", "expired"]["message"]
    assert found["orphan.md", "no-owner"]["severity"] == "warning"
    strict = _kb(repo, "check", "--changed-since", "main", "--strict", "--format", "json")
    assert strict.exit_code == 1, strict.output  # strict: her unreviewed edit is hers
    failing = {
        (f["path"], f["rule"])
        for f in json.loads(strict.stdout)["findings"]
        if f["severity"] == "error"
    }
    assert failing == {("vat.md", "edited-since-verified")}
    nightly = _kb(repo, "check", "--format", "json")
    assert nightly.exit_code == 1  # the whole-repo run still fails on them

    # Her branch removes refunds.md's owner: that is hers, and fails.
    text = (repo.path / "refunds.md").read_text().replace("owner: ana\n", "")
    repo.write("refunds.md", text)
    repo.commit(
        "drop owner", when="2026-12-04T11:00:00Z", author="Lea Kahn", email="lea@example.test"
    )
    mine = _kb(repo, "check", "--changed-since", "main", "--format", "json")
    assert mine.exit_code == 1, mine.output
    errors = {
        (f["path"], f["rule"])
        for f in json.loads(mine.stdout)["findings"]
        if f["severity"] == "error"
    }
    assert errors == {("refunds.md", "no-owner")}


def test_an_uncommitted_roster_edit_is_said_on_check_and_report(repo: KbRepo) -> None:
    # Someone adds their own e-mail to Ana's entry without committing: verdicts here use
    # it, a clean clone would not; the lead and CI are told.
    for args in (("check",), ("report",)):
        assert "people.yaml has uncommitted" not in _kb(repo, *args).stderr
    text = (repo.path / "people.yaml").read_text()
    repo.write("people.yaml", text.replace("[ana@example.test]", "[ana@example.test, eve@x.test]"))
    for args in (("check",), ("report",), ("notify", "slack", "--dry-run")):
        said = _kb(repo, *args).stderr
        assert "people.yaml has uncommitted changes" in said and "committed roster" in said
