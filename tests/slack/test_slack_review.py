"""Capture this thread, then review: the branch is pushed and, with a forge token set, a
merge request is opened (GitHub and GitLab APIs, against a fake forge on 127.0.0.1).

The remote is named by its forge address (https://github.example/nimbus/kb.git) and git
fetches and pushes through ``url.<bare repo>.insteadOf``, so the pushes are real pushes to
a real repository while the address tells kb which forge and project to ask."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbcli.cli.slack.app import Running, connect
from kbcli.usecases.checkout import Checkout
from tests.helpers import KbRepo, git
from tests.slack.conftest import EXPORT, TODAY, export_thread, make_kb
from tests.slack.fake_forge import FakeForge
from tests.slack.fake_slack import FakeSlack

THREAD = "1793749200.000100"
BUTTON = json.dumps(
    {"channel": "C01BILL", "name": "billing-help", "ts": THREAD, "domain": "nimbus-support"}
)


@dataclass
class Remote:
    slack: FakeSlack
    forge: FakeForge
    repo: KbRepo
    shared: Path
    start: object  # (env) -> Running


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Remote]:
    slack, forge = FakeSlack(), FakeForge()
    slack.users = {u["id"]: u for u in json.loads((EXPORT / "users.json").read_text())}
    slack.threads[("C01BILL", THREAD)] = export_thread("billing-help", THREAD)
    repo = make_kb(tmp_path / "kb")
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(shared))
    running: list[Running] = []

    def start(address: str, env: dict[str, str]) -> Running:
        git(repo.path, "remote", "add", "origin", address)
        git(repo.path, "config", f"url.{shared}.insteadOf", address)
        git(repo.path, "fetch", "-q", "origin")
        git(repo.path, "branch", "-q", "--set-upstream-to=origin/main")
        checkout = Checkout(
            repo.path, today=lambda: TODAY, pull_every=3600, env={**os.environ, **env}
        )
        app = connect(checkout, bot_token="xoxb-t", app_token="xapp-t", api_url=slack.api_url)
        running.append(app)
        slack.wait_connected()
        return app

    try:
        yield Remote(slack, forge, repo, shared, start)
        slack.check_acks()
    finally:
        for app in running:
            app.close()
        slack.close()
        forge.close()


def _capture(remote: Remote) -> str:
    envelope, url = remote.slack.block_action("kb_capture_new", BUTTON, "U02MARCUS")
    remote.slack.wait_ack(envelope)
    return json.dumps(remote.slack.wait_response(url)["blocks"])


def _pushed_branches(remote: Remote) -> list[str]:
    listed = git(remote.shared, "for-each-ref", "--format=%(refname:short)", "refs/heads/kb/")
    return listed.split()


def test_a_github_remote_and_token_open_a_pull_request_for_the_pushed_branch(
    remote: Remote,
) -> None:
    main_before = git(remote.shared, "rev-parse", "main").strip()
    remote.start(
        "https://github.example/nimbus/kb.git",
        {"KB_FORGE_TOKEN": "tok-gh", "KB_CAPTURE_FORGE_API": f"{remote.forge.url}/api/v3"},
    )
    answer = _capture(remote)
    [branch] = _pushed_branches(remote)
    assert branch.startswith("kb/capture-")
    [(path, headers, body)] = remote.forge.requests
    assert path == "/api/v3/repos/nimbus/kb/pulls"
    assert headers["authorization"] == "Bearer tok-gh"
    assert (body["head"], body["base"]) == (branch, "main")
    assert body["title"].startswith("kb capture: ")
    assert "https://forge.test/nimbus/kb/pull/1" in answer and "opened a merge request" in answer
    assert git(remote.shared, "rev-parse", "main").strip() == main_before  # main untouched
    card = git(remote.shared, "show", "--name-only", "--format=", branch).strip()
    assert "status: draft" in git(remote.shared, "show", f"{branch}:{card}")


def test_a_gitlab_remote_opens_a_merge_request(remote: Remote) -> None:
    remote.start(
        "git@gitlab.example:support/team-kb.git",
        {"GITLAB_TOKEN": "tok-gl", "KB_CAPTURE_FORGE_API": f"{remote.forge.url}/api/v4"},
    )
    answer = _capture(remote)
    [branch] = _pushed_branches(remote)
    [(path, headers, body)] = remote.forge.requests
    assert path == "/api/v4/projects/support%2Fteam-kb/merge_requests"
    assert headers["private-token"] == "tok-gl"
    assert (body["source_branch"], body["target_branch"]) == (branch, "main")
    assert "https://forge.test/-/merge_requests/1" in answer


def test_without_a_token_the_branch_is_pushed_and_named(remote: Remote) -> None:
    remote.start(
        "https://github.example/nimbus/kb.git",
        {"KB_CAPTURE_FORGE_API": f"{remote.forge.url}/api/v3"},
    )
    answer = _capture(remote)
    [branch] = _pushed_branches(remote)
    assert f"Pushed to origin: open a merge request from `{branch}`" in answer
    assert remote.forge.requests == []


def test_a_forge_refusal_is_told_and_the_pushed_branch_stays(remote: Remote) -> None:
    remote.forge.refuse = (
        422,
        {
            "message": "Validation Failed",
            "errors": [{"message": "A pull request already exists for nimbus:kb/capture-x."}],
        },
    )
    remote.start(
        "https://github.example/nimbus/kb.git",
        {"GITHUB_TOKEN": "tok", "KB_CAPTURE_FORGE_API": f"{remote.forge.url}/api/v3"},
    )
    answer = _capture(remote)
    [branch] = _pushed_branches(remote)
    assert f"open a merge request from `{branch}`" in answer
    assert "github answered HTTP 422: Validation Failed; A pull request already exists" in answer


def test_review_false_commits_to_main_and_pushes_it(remote: Remote) -> None:
    main_before = git(remote.shared, "rev-parse", "main").strip()
    remote.start("https://github.example/nimbus/kb.git", {"KB_CAPTURE_REVIEW": "false"})
    answer = _capture(remote)
    assert "Committed to main and pushed to origin" in answer
    assert _pushed_branches(remote) == []
    log = git(remote.shared, "log", "--format=%s", f"{main_before}..main").splitlines()
    assert len(log) == 1 and log[0].startswith("capture: draft")
