"""A card whose owner stopped committing (owner-inactive): the to-do goes to who can act.

Asking the quiet owner whether they still own a card is asking the one person who will
not read it. The card's verifiers still here act first (they may verify it and know who
should own it); else the lead of the owner's team (people.yaml ``lead: true``); else any
lead. With no lead named, the to-do stays with the owner, as before.
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import KbRepo, run_kb

TODAY = "2026-12-05"
PEOPLE = """\
ana: {name: Ana Souza, emails: [ana@example.test], team: support}
lea: {name: Lea Kahn, emails: [lea@example.test], team: support, lead: true}
kim: {name: Kim Berg, emails: [kim@example.test], team: billing, lead: true}
bob: {name: Bob Stone, emails: [bob@example.test], team: billing}
"""


def _card(title: str, owner: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\nowner: {owner}\n{extra}---\n# {title}\n\nSteps.\n"


def _kb(repo: KbRepo, *args: str) -> Any:
    return run_kb("--kb", str(repo.path), "--today", TODAY, *args)


def _todo(report: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    return {o["owner"]: {t["path"]: t["reasons"] for t in o["to_verify"]} for o in report["owners"]}


def test_the_owner_inactive_to_do_goes_to_a_verifier_or_the_teams_lead(kb_repo: KbRepo) -> None:
    kb_repo.write("people.yaml", PEOPLE)
    kb_repo.write("refunds.md", _card("Refunds", "ana"))
    kb_repo.write("invoices.md", _card("Invoices", "ana", "verifiers: [bob]\n"))
    kb_repo.commit(
        "cards", when="2026-01-02T10:00:00Z", author="Lea Kahn", email="lea@example.test"
    )
    for who, email in (("Lea Kahn", "lea@example.test"), ("Bob Stone", "bob@example.test")):
        kb_repo.write(f"{email[:3]}.md", _card(f"{who}'s card", email[:3]))
        kb_repo.commit("mine", when="2026-11-20T10:00:00Z", author=who, email=email)

    report = json.loads(_kb(kb_repo, "report", "--json").stdout)
    todo = _todo(report)
    assert todo["ana"] == {"invoices.md": ["never verified"], "refunds.md": ["never verified"]}
    (why,) = todo["lea"]["refunds.md"]
    assert "owner 'ana' has made no commit in this repository" in why
    assert "kb reassign --from ana" in why
    assert "invoices.md" not in todo["lea"]  # its verifier acts on it
    assert "has made no commit" in todo["bob"]["invoices.md"][0]
    assert "kim" not in todo  # the lead of another team

    digest = _kb(kb_repo, "report", "--format", "markdown", "--owner", "lea").stdout
    assert "refunds.md" in digest and "kb reassign --from ana" in digest
    notify = _kb(kb_repo, "notify", "slack", "--dry-run")
    assert notify.exit_code == 0, notify.output
    lea = [json.loads(line) for line in notify.stdout.splitlines() if "Lea Kahn" in line]
    assert lea and "refunds.md" in json.dumps(lea[0])


def test_with_no_lead_and_no_verifier_the_to_do_stays_with_the_owner(kb_repo: KbRepo) -> None:
    kb_repo.write("people.yaml", PEOPLE.replace(", lead: true", ""))
    kb_repo.write("refunds.md", _card("Refunds", "ana"))
    kb_repo.commit(
        "cards", when="2026-01-02T10:00:00Z", author="Lea Kahn", email="lea@example.test"
    )
    kb_repo.write("lea.md", _card("Lea's card", "lea"))
    kb_repo.commit("mine", when="2026-11-20T10:00:00Z", author="Lea Kahn", email="lea@example.test")
    todo = _todo(json.loads(_kb(kb_repo, "report", "--json").stdout))
    assert todo["ana"]["refunds.md"] == ["never verified", "owner-inactive"]
