"""Someone leaves the team: every command agrees who has left, and kb reassign hands
their cards only to someone still here.

A team whose every member has left is gone too (the owner-left rule said so; the
report's owner table and kb notify asked only about persons), and a lead who reassigns
to a person who left would move the cards straight into another owner-left error.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import KbRepo, run_kb

PEOPLE = """\
ana:
  name: Ana Souza
  emails: [ana@example.test]
ben:
  name: Ben Ito
  emails: [ben@example.test]
  left: 2026-12-01
carl:
  name: Carl Berg
  emails: [carl@example.test]
  team: billing
  left: 2026-11-01
dora:
  name: Dora Lind
  emails: [dora@example.test]
  team: billing
  left: 2026-11-20
"""


def _card(title: str, owner: str, verified: str = "2026-10-01") -> str:
    return f"---\ntitle: {title}\nowner: {owner}\nverified_at: {verified}\n---\nBody.\n"


@pytest.fixture
def repo(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("people.yaml", PEOPLE)
    kb_repo.write("refunds.md", _card("Refunds", "ana", "2026-08-01"))  # expired
    kb_repo.write("invoices.md", _card("Invoices", "billing"))
    kb_repo.commit("cards\n\nKb-Import: guru", when="2026-10-02T10:00:00Z")  # dates kept
    return kb_repo


def _kb(repo: KbRepo, *args: str):  # type: ignore[no-untyped-def]
    return run_kb("--kb", str(repo.path), "--today", "2026-12-05", *args)


def test_a_team_whose_members_all_left_has_left_on_every_command(repo: KbRepo) -> None:
    check = json.loads(_kb(repo, "check", "--format", "json").stdout)
    assert {f["path"] for f in check["findings"] if f["rule"] == "owner-left"} == {"invoices.md"}
    report = json.loads(_kb(repo, "report", "--json").stdout)
    assert {o["owner"]: o["left"] for o in report["owners"]} == {"billing": True, "ana": False}
    pipe = _kb(repo, "report").stdout
    (row,) = [line.split("\t") for line in pipe.splitlines() if line.startswith("owner\tbilling")]
    assert row[-1] == "left"
    notify = _kb(repo, "notify", "slack", "--dry-run")
    assert notify.exit_code == 0, notify.output
    assert [json.loads(line)["text"].split(":")[0] for line in notify.stdout.splitlines()] == [
        "Ana Souza"
    ]
    assert "who left: nobody is reminded" in notify.stderr


@pytest.mark.parametrize("to", ["ben", "billing"])
def test_reassign_refuses_to_give_cards_to_someone_who_left(repo: KbRepo, to: str) -> None:
    before = (repo.path / "refunds.md").read_text()
    result = _kb(repo, "reassign", "--from", "ana", "--to", to)
    assert result.exit_code == 2, result.output
    assert f"'{to}' left on 2026-1" in result.stderr
    assert (repo.path / "refunds.md").read_text() == before


def test_reassign_to_someone_still_here_clears_owner_left(repo: KbRepo) -> None:
    moved = _kb(repo, "reassign", "--from", "billing", "--to", "ana")
    assert moved.exit_code == 0, moved.output
    check = json.loads(_kb(repo, "check", "--format", "json").stdout)
    assert not [f for f in check["findings"] if f["rule"] == "owner-left"]
