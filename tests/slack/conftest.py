"""The Slack app against the fake Slack, over a real knowledge repo (example-kb in git)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kbcli.cli.slack.app import Running, connect
from kbcli.usecases.checkout import Checkout
from tests.helpers import REPO_ROOT, KbRepo, copy_example, git
from tests.slack.fake_slack import FakeSlack

EXPORT = REPO_ROOT / "tests" / "fixtures" / "slack-export"
TODAY = date(2026, 12, 5)
HANDBOOK = "https://kb.nimbus.example"
SLACK_IDS = {"ana": "U01ANA", "marcus": "U02MARCUS", "priya": "U06PRIYA"}


def export_thread(channel_folder: str, ts: str) -> list[dict[str, Any]]:
    """One thread of the fixture export as conversations.replies gives it: the current
    version of each message (edits applied, deleted messages gone), oldest first."""
    by_ts: dict[str, dict[str, Any]] = {}
    for day in sorted((EXPORT / channel_folder).glob("*.json")):
        for raw in json.loads(day.read_text()):
            if raw.get("subtype") == "message_changed":
                changed = raw["message"]
                if changed.get("ts") in by_ts:
                    by_ts[changed["ts"]] = {**by_ts[changed["ts"]], **changed}
            elif raw.get("subtype") == "message_deleted":
                by_ts.pop(raw.get("deleted_ts"), None)
            else:
                by_ts[raw["ts"]] = raw
    found = [m for m in by_ts.values() if ts in (m.get("ts"), m.get("thread_ts"))]
    return sorted(found, key=lambda m: float(m["ts"]))


def make_kb(path: Path) -> KbRepo:
    """example-kb in git, with a handbook address and Slack member ids in people.yaml."""
    repo = KbRepo(copy_example(path))
    toml = (repo.path / "kb.toml").read_text()
    toml = (
        toml.replace("[handbook]\n", f'[handbook]\nurl = "{HANDBOOK}"\n')
        + '\n[capture]\nslack_url = "https://nimbus-support.slack.com"\n'
    )
    repo.write("kb.toml", toml)
    people = (repo.path / "people.yaml").read_text()
    for handle, member in SLACK_IDS.items():
        people = people.replace(f"{handle}:\n", f"{handle}:\n  slack: {member}\n", 1)
    repo.write("people.yaml", people)
    repo.write(".gitignore", ".kb/\n")
    git(repo.path, "init", "-q", "-b", "main")
    repo.commit("example cards", when="2026-12-01T09:00:00Z")
    return repo


@dataclass
class SlackRig:
    slack: FakeSlack
    repo: KbRepo
    checkout: Checkout
    app: Running


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[SlackRig]:
    slack = FakeSlack()
    users = json.loads((EXPORT / "users.json").read_text())
    slack.users = {u["id"]: u for u in users}
    repo = make_kb(tmp_path / "kb")
    checkout = Checkout(repo.path, today=lambda: TODAY, pull_every=3600)
    app = connect(checkout, bot_token="xoxb-test", app_token="xapp-test", api_url=slack.api_url)
    slack.wait_connected()
    try:
        yield SlackRig(slack, repo, checkout, app)
        slack.check_acks()  # every envelope of the test acknowledged in time
    finally:
        app.close()
        slack.close()
