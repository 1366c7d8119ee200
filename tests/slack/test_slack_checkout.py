"""kb slack keeps its checkout current: git pull --ff-only on its interval (with no
request to trigger it) and before every write, over a real shared repository."""

from __future__ import annotations

import json
import time
from pathlib import Path

from kbcli.cli.slack.app import connect
from kbcli.usecases.checkout import Checkout
from tests.helpers import KbRepo, git
from tests.slack.conftest import TODAY, make_kb
from tests.slack.fake_slack import PATIENCE, FakeSlack


def _shared(tmp_path: Path, repo: KbRepo) -> tuple[Path, Path]:
    """A bare shared repo the app's checkout tracks, and a teammate's clone of it."""
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(shared))
    git(repo.path, "remote", "add", "origin", str(shared))
    git(repo.path, "fetch", "-q", "origin")
    git(repo.path, "branch", "-q", "--set-upstream-to=origin/main")
    teammate = tmp_path / "teammate"
    git(tmp_path, "clone", "-q", str(shared), str(teammate))
    return shared, teammate


def _push_card(teammate: Path, name: str, title: str) -> str:
    (teammate / "billing" / name).write_text(
        f"---\ntitle: {title}\nowner: ana\n---\n# {title}\n\nBody.\n", encoding="utf-8"
    )
    git(teammate, "add", "-A")
    git(teammate, "commit", "-q", "-m", f"add {title}")
    git(teammate, "push", "-q", "origin", "main")
    return git(teammate, "rev-parse", "HEAD").strip()


def test_the_app_pulls_on_its_interval_and_answers_with_the_pulled_card(tmp_path: Path) -> None:
    repo = make_kb(tmp_path / "kb")
    _shared_repo, teammate = _shared(tmp_path, repo)
    slack = FakeSlack()
    checkout = Checkout(repo.path, today=lambda: TODAY, pull_every=0.5)
    app = connect(checkout, bot_token="xoxb-t", app_token="xapp-t", api_url=slack.api_url)
    try:
        slack.wait_connected()
        pushed = _push_card(teammate, "alpaca.md", "Alpaca shearing refunds")
        deadline = time.monotonic() + PATIENCE
        while git(repo.path, "rev-parse", "HEAD").strip() != pushed:  # no request asked
            assert time.monotonic() < deadline, "the app never pulled on its interval"
            time.sleep(0.2)
        envelope, url = slack.slash("alpaca shearing")
        slack.wait_ack(envelope)
        assert "Alpaca shearing refunds" in json.dumps(slack.wait_response(url))
        slack.check_acks()
    finally:
        app.close()
        slack.close()


def test_a_write_pulls_first_and_pushes_on_top_of_the_teams_commits(tmp_path: Path) -> None:
    repo = make_kb(tmp_path / "kb")
    shared, teammate = _shared(tmp_path, repo)
    slack = FakeSlack()
    slack.users = {}
    checkout = Checkout(repo.path, today=lambda: TODAY, pull_every=3600)  # no timed pull
    app = connect(checkout, bot_token="xoxb-t", app_token="xapp-t", api_url=slack.api_url)
    try:
        slack.wait_connected()
        checkout.refresh(force=True)  # the app's start-up pull is done
        theirs = _push_card(teammate, "vicuna.md", "Vicuna wool chargebacks")
        envelope, url = slack.slash("ask Who signs off a refund over 5000 EUR?")
        slack.wait_ack(envelope)
        assert "Knowledge request" in json.dumps(slack.wait_response(url))
        # The request was committed after a pull (on top of the teammate's commit) and pushed.
        assert git(shared, "rev-parse", "main~1").strip() == theirs
        assert git(shared, "log", "-1", "--format=%s", "main").startswith("ask: knowledge request")
        assert (repo.path / "billing" / "vicuna.md").exists()
        slack.check_acks()
    finally:
        app.close()
        slack.close()
