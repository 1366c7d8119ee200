"""Without people.yaml nobody checked who stamped a card, so a Verified badge rests on
its dates alone: every Slack message with a badge says which checks were skipped, as
``kb search`` and ``kb show`` do in the terminal; with a roster none does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbcli.cli.slack.app import connect
from kbcli.usecases.checkout import Checkout
from tests.helpers import git
from tests.slack.conftest import HANDBOOK, TODAY, SlackRig, make_kb
from tests.slack.fake_slack import FakeSlack

CARD = "billing/refund-request-processing.md"


@pytest.fixture
def no_roster(tmp_path: Path) -> Iterator[SlackRig]:
    """The rig's knowledge repo with people.yaml removed (as a team that never wrote one)."""
    repo = make_kb(tmp_path / "kb")
    git(repo.path, "rm", "-q", "people.yaml")
    repo.commit("no roster", when="2026-12-01T10:00:00Z")
    slack = FakeSlack()
    checkout = Checkout(repo.path, today=lambda: TODAY, pull_every=3600)
    app = connect(checkout, bot_token="xoxb-test", app_token="xapp-test", api_url=slack.api_url)
    slack.wait_connected()
    try:
        yield SlackRig(slack, repo, checkout, app)
    finally:
        app.close()
        slack.close()


def notices(message: dict) -> list[str]:
    """The context lines of a message that say a check was skipped."""
    return [
        element["text"]
        for block in message.get("blocks", [])
        if block["type"] == "context"
        for element in block["elements"]
        if "identity checks" in element["text"]
    ]


def answers(rig: SlackRig) -> dict[str, dict]:
    """A /kb answer, a shared card, a link preview and a knowledge request."""
    slack = rig.slack
    envelope, url = slack.slash("refund duplicate charge")
    slack.wait_ack(envelope)
    found = {"search": slack.wait_response(url)}
    envelope, url = slack.block_action("kb_share", json.dumps({"path": CARD}), "U01ANA")
    slack.wait_ack(envelope)
    found["share"] = slack.wait_response(url)
    slack.wait_ack(slack.link_shared([f"{HANDBOOK}/{CARD.removesuffix('.md')}.html"]))
    call = slack.wait_call("chat.unfurl")
    unfurls = json.loads(call["unfurls"]) if isinstance(call["unfurls"], str) else call["unfurls"]
    found["unfurl"] = next(iter(unfurls.values()))
    envelope, url = slack.slash("ask Can we refund a duplicate charge twice?")
    slack.wait_ack(envelope)
    found["ask"] = slack.wait_response(url)
    return found


def test_without_a_roster_every_badge_comes_with_the_skipped_checks(no_roster: SlackRig) -> None:
    found = answers(no_roster)
    assert ":large_green_circle: Verified" in json.dumps(found["search"])  # on dates alone
    for surface, message in found.items():
        said = notices(message)
        assert said, f"{surface}: no word that the identity checks were skipped"
        assert "people.yaml" in said[0], said


def test_with_a_roster_no_check_is_said_to_be_skipped(rig: SlackRig) -> None:
    for surface, message in answers(rig).items():
        assert notices(message) == [], surface
