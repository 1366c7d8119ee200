"""kb notify slack: one Block Kit reminder per owner, posted to a webhook on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import KbRepo, run_kb
from tests.local_http import LocalServer, Request

PEOPLE = """\
ana:
  name: Ana Souza
  emails: [ana@example.test]
  slack: U0ANA
ben:
  name: Ben Ito
  emails: [ben@example.test]
"""


def _card(title: str, owner: str, verified: str | None, extra: str = "") -> str:
    when = f"verified_at: {verified}\n" if verified else ""
    return f"---\ntitle: {title}\nowner: {owner}\n{when}{extra}---\n# {title}\n\nBody text.\n"


@pytest.fixture
def repo(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("people.yaml", PEOPLE)
    kb_repo.write("kb.toml", '[handbook]\nurl = "https://kb.example.test"\n')
    kb_repo.write("billing/refunds.md", _card("Refunds", "ana", "2026-01-02"))
    kb_repo.write("billing/vat.md", _card("VAT ids", "ana", "2026-11-30"))
    kb_repo.write("accounts/sso.md", _card("SSO setup", "ben", None))
    kb_repo.write("accounts/fresh.md", _card("Fresh", "ben", "2026-11-30"))
    kb_repo.commit("cards\n\nKb-Import: guru", when="2026-12-01T10:00:00Z")  # dates kept
    return kb_repo


class Webhook:
    """A local stand-in for Slack's incoming webhook: records bodies, answers as told."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        self.answer = b"ok"
        self.server = LocalServer(self._request)
        self.url = f"{self.server.url}/services/T0/B0/X"

    def _request(self, request: Request) -> tuple[int, bytes]:
        self.bodies.append(json.loads(request.body))
        return self.status, self.answer


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.server.close()


def _kb(repo: KbRepo, *args: str) -> Any:
    return run_kb("--kb", str(repo.path), "--today", "2026-12-05", "notify", "slack", *args)


def test_dry_run_prints_one_payload_per_owner_with_todos(repo: KbRepo) -> None:
    result = _kb(repo, "--dry-run")
    assert result.exit_code == 0, result.output
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(payloads) == 2
    by_text = {p["text"].split(":")[0]: p for p in payloads}
    ana = json.dumps(by_text["<@U0ANA>"])  # mentioned by the member id from people.yaml
    assert "Refunds" in ana and "expired 2026-04-02" in ana
    assert "https://kb.example.test/billing/refunds.html" in ana
    assert "VAT ids" not in ana  # verified, nothing to do
    ben = json.dumps(by_text["Ben Ito"])  # no Slack id: named, not mentioned
    assert "never verified" in ben and "Fresh" not in ben
    buttons = [b["accessory"] for b in by_text["<@U0ANA>"]["blocks"] if "accessory" in b]
    assert buttons == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Verify"},
            "action_id": "kb_verify",
            "value": "billing/refunds.md",
            "style": "primary",
        }
    ]


def test_a_card_with_evidence_against_it_says_what_happened_in_words(repo: KbRepo) -> None:
    """The owner sees who edited the card after its stamp, as /kb and kb show say it,
    not the rule id alone: the Verify button must not invite a blind re-stamp."""
    text = (repo.path / "billing" / "vat.md").read_text(encoding="utf-8")
    repo.write("billing/vat.md", text.replace("Body text.", "Body text, reworded."))
    repo.commit("reword", when="2026-12-02T10:00:00Z", author="Zed", email="zed@x.test")
    result = _kb(repo, "--dry-run", "--owner", "ana")
    assert result.exit_code == 0, result.output
    (payload,) = [json.loads(line) for line in result.stdout.splitlines()]
    vat = next(b["text"]["text"] for b in payload["blocks"] if "VAT ids" in json.dumps(b))
    assert "Needs review" in vat
    assert "edited by Zed <zed@x.test>".replace("<", "&lt;").replace(">", "&gt;") in vat
    assert "• edited-since-verified" not in vat


def test_posts_each_reminder_and_exits_0(repo: KbRepo, webhook: Webhook) -> None:
    result = _kb(repo, "--webhook-url", webhook.url)
    assert result.exit_code == 0, result.output
    assert len(webhook.bodies) == 2
    assert {b["text"].split(":")[0] for b in webhook.bodies} == {"<@U0ANA>", "Ben Ito"}


def test_owner_filter(repo: KbRepo, webhook: Webhook) -> None:
    result = _kb(repo, "--webhook-url", webhook.url, "--owner", "ben")
    assert result.exit_code == 0, result.output
    assert [b["text"].split(":")[0] for b in webhook.bodies] == ["Ben Ito"]


def test_no_reminder_goes_to_an_owner_who_left(repo: KbRepo, webhook: Webhook) -> None:
    # Ben left: a reminder addressed to him reaches no one who can verify; the lead is
    # told whose cards need a new owner instead, as for cards with no owner.
    repo.write("people.yaml", PEOPLE.replace("ben:\n", "ben:\n  left: 2026-12-01\n"))
    repo.commit("ben left", when="2026-12-02T10:00:00Z")
    result = _kb(repo, "--webhook-url", webhook.url)
    assert result.exit_code == 0, result.output
    assert [b["text"].split(":")[0] for b in webhook.bodies] == ["<@U0ANA>"]
    assert "Ben Ito (ben), who left: nobody is reminded" in result.stderr
    assert "kb reassign --from ben --to HANDLE" in result.stderr


def test_a_500_answer_exits_2_with_slacks_error_text(repo: KbRepo, webhook: Webhook) -> None:
    webhook.status, webhook.answer = 500, b"rollup_error"
    result = _kb(repo, "--webhook-url", webhook.url)
    assert result.exit_code == 2
    assert "HTTP 500" in result.stderr and "rollup_error" in result.stderr
    assert len(webhook.bodies) == 1  # stopped at the first failure, no retry loop


def test_unreachable_webhook_exits_2(repo: KbRepo, webhook: Webhook) -> None:
    url = webhook.url
    webhook.server.close()
    result = _kb(repo, "--webhook-url", url)
    assert result.exit_code == 2
    assert "could not reach the Slack webhook" in result.stderr


def test_no_url_is_a_usage_error(repo: KbRepo) -> None:
    result = _kb(repo)
    assert result.exit_code == 2
    assert "--webhook-url" in result.stderr


def test_quiet_posts_every_reminder_and_prints_nothing(repo: KbRepo, webhook: Webhook) -> None:
    loud = _kb(repo, "--webhook-url", webhook.url, "--owner", "ana")
    assert loud.exit_code == 0 and "reminder(s) posted" in loud.stderr
    quiet = _kb(repo, "--webhook-url", webhook.url, "-q")
    assert quiet.exit_code == 0, quiet.output
    assert len(webhook.bodies) == 3  # ana's, then ana's and ben's
    assert quiet.stdout == "" and quiet.stderr == ""


def test_reminders_hold_exactly_the_to_dos_of_kb_report_json(tmp_path: Any) -> None:
    from tests.helpers import copy_example, git

    repo = KbRepo(copy_example(tmp_path / "kb"))
    git(repo.path, "init", "-q", "-b", "main")
    repo.commit("example cards", when="2026-12-01T09:00:00Z")
    base = ("--kb", str(repo.path), "--today", "2026-12-05")
    report = json.loads(run_kb(*base, "report", "--json", "--allow-shallow").stdout)
    expected = {
        o["owner"]: sorted(t["path"] for t in o["to_verify"])
        for o in report["owners"]
        if o["owner"] and o["to_verify"] and not o["left"]  # no one to remind: a warning
    }
    dry = run_kb(*base, "notify", "slack", "--dry-run", "--allow-shallow")
    assert dry.exit_code == 0, dry.output
    found = {}
    for line in dry.stdout.splitlines():
        payload = json.loads(line)
        buttons = [b["accessory"]["value"] for b in payload["blocks"] if "accessory" in b]
        name = payload["text"].split(":")[0]
        found[name] = sorted(buttons)
    assert len(found) == len(expected) > 1
    assert sorted(found.values()) == sorted(expected.values())
