"""kb slack manifest, kb slack's start-up checks, kb ask, and kb slack as a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from kbcli.core.slack_manifest import BOT_SCOPES
from tests.helpers import REPO_ROOT, run_kb
from tests.slack.conftest import HANDBOOK, TODAY, make_kb
from tests.slack.fake_slack import FakeSlack

# The scope each Web API method the app calls needs (Slack's method reference).
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "users_info": {"users:read", "users:read.email"},
    "conversations_replies": {"channels:history", "groups:history"},
    "chat_unfurl": {"links:write", "links:read"},
}
FEATURE_SCOPES = {"commands"}  # the slash command and the message shortcut


def test_manifest_asks_for_exactly_the_scopes_the_app_uses(tmp_path: Path) -> None:
    repo = make_kb(tmp_path / "kb")
    result = run_kb("--kb", str(repo.path), "slack", "manifest")
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = (REPO_ROOT / "kbcli" / "cli" / "slack" / "app.py").read_text()
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", source))
    assert called == set(METHOD_SCOPES)  # a new call must be added here with its scope
    needed = FEATURE_SCOPES.union(*METHOD_SCOPES.values())
    assert scopes == needed == set(BOT_SCOPES)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["unfurl_domains"] == ["kb.nimbus.example"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["link_shared"]
    assert manifest["features"]["shortcuts"][0]["callback_id"] == "kb_capture_thread"
    assert manifest["features"]["slash_commands"][0]["command"] == "/kb"


def test_without_a_handbook_address_no_link_scopes(kb_repo) -> None:
    result = run_kb("--kb", str(kb_repo.path), "slack", "manifest")
    scopes = set(json.loads(result.stdout)["oauth_config"]["scopes"]["bot"])
    assert not scopes & {"links:read", "links:write"}


def test_kb_slack_needs_both_tokens_from_the_environment(kb_repo, monkeypatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    result = run_kb("--kb", str(kb_repo.path), "slack")
    assert result.exit_code == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "Traceback" not in result.output


def test_kb_ask_from_the_terminal(tmp_path: Path) -> None:
    repo = make_kb(tmp_path / "kb")
    question = "Do we refund a duplicate charge made by a failed payment retry?"
    result = run_kb(
        "--kb",
        str(repo.path),
        "--today",
        TODAY.isoformat(),
        "ask",
        question,
        "--from",
        "marcus",
        "--json",
    )
    assert result.exit_code == 0, result.output
    request = json.loads(result.stdout)
    assert request["owner"] and request["commit"]
    text = (repo.path / request["path"]).read_text()
    assert "status: requested" in text and "requested_by: marcus" in text
    found = run_kb(
        "--kb", str(repo.path), "--today", TODAY.isoformat(), "search", "is:requested", "--json"
    )
    assert request["path"] in found.stdout


def test_kb_ask_takes_a_question_typed_without_quotes(tmp_path: Path) -> None:
    """As kb search and kb suggest do: the words are the question."""
    repo = make_kb(tmp_path / "kb")
    words = ["Do", "we", "refund", "a", "duplicate", "charge", "twice?"]
    kb = ("--kb", str(repo.path), "--today", TODAY.isoformat())
    result = run_kb(*kb, "ask", *words, "--from", "marcus", "--json")
    assert result.exit_code == 0, result.output
    text = (repo.path / json.loads(result.stdout)["path"]).read_text()
    assert "Do we refund a duplicate charge twice?" in text


GUARD = Path(__file__).parent / "netguard"  # sitecustomize: the suite's network guard


def test_the_network_guard_holds_in_a_kb_process_too() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GUARD), str(REPO_ROOT)])}
    probe = "import socket; socket.create_connection(('192.0.2.10', 443), timeout=1)"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "NetworkForbidden" in done.stderr


def test_kb_slack_process_answers_a_slash_command(tmp_path: Path) -> None:
    slack = FakeSlack()
    repo = make_kb(tmp_path / "kb")
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": "xapp-test",
        "KB_SLACK_API_URL": slack.api_url,
        "PYTHONPATH": os.pathsep.join([str(GUARD), str(REPO_ROOT)]),  # loopback only
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kbcli",
            "--kb",
            str(repo.path),
            "--today",
            TODAY.isoformat(),
            "slack",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        slack.wait_connected()
        envelope, url = slack.slash("refund duplicate charge")
        slack.wait_ack(envelope)
        answer = slack.wait_response(url)
        assert HANDBOOK in json.dumps(answer) and answer["response_type"] == "ephemeral"
        slack.check_acks()
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        slack.close()
    assert b"NetworkForbidden" not in errors and b"Traceback" not in errors


def test_kb_capture_slack_append_to_a_request_answers_it(tmp_path: Path) -> None:
    repo = make_kb(tmp_path / "kb")
    kb = ("--kb", str(repo.path), "--today", TODAY.isoformat())
    asked = run_kb(*kb, "ask", "Do we refund a duplicate charge twice?", "--json")
    path = json.loads(asked.stdout)["path"]
    link = "https://nimbus-support.slack.com/archives/C01BILL/p1793749200000100"
    export = str(REPO_ROOT / "tests" / "fixtures" / "slack-export")
    preview = run_kb(
        *kb, "capture", "slack", export, "--link", link, "--append-to", path, "--dry-run"
    )
    assert preview.exit_code == 0, preview.output
    assert f"Would answer the knowledge request {path} (status: draft)" in preview.stdout
    done = run_kb(*kb, "capture", "slack", export, "--link", link, "--append-to", path)
    assert done.exit_code == 0, done.output
    text = (repo.path / path).read_text()
    assert "status: draft" in text and "Answered in: [Slack thread in #billing-help]" in text
    found = run_kb(*kb, "search", "is:requested", "--json")
    assert path not in found.stdout


def test_kb_ask_without_a_roster_says_the_owner_checks_were_skipped(tmp_path: Path) -> None:
    """The owner is chosen among the related cards' owners; without people.yaml nobody
    checked that they exist or are still here (as kb list and kb show say)."""
    repo = make_kb(tmp_path / "kb")
    kb = ("--kb", str(repo.path), "--today", TODAY.isoformat())
    asked = run_kb(*kb, "ask", "Do we refund a duplicate charge twice?", "--json")
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.stdout)["warnings"] == []
    (repo.path / "people.yaml").unlink()
    asked = run_kb(*kb, "ask", "Do we refund a late fee?", "--json", "--no-commit")
    assert asked.exit_code == 0, asked.output
    (warning,) = json.loads(asked.stdout)["warnings"]
    assert warning.startswith("skipped owner and verifier identity checks")
    assert "people.yaml" in warning
    told = run_kb(*kb, "ask", "Do we refund a late fee twice?", "--no-commit")
    assert "skipped owner and verifier identity checks" in told.stderr
