"""Capture this thread commits on a review branch without checking out the repository."""

from __future__ import annotations

import json

from tests.helpers import git
from tests.slack.conftest import SlackRig, export_thread

REFUND_THREAD = "1793749200.000100"
NEW_DRAFT = json.dumps({"channel": "C01BILL", "name": "billing-help", "ts": REFUND_THREAD})


def _capture(rig: SlackRig) -> str:
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = export_thread("billing-help", REFUND_THREAD)
    envelope, url = rig.slack.block_action("kb_capture_new", NEW_DRAFT, "U02MARCUS")
    rig.slack.wait_ack(envelope)
    return json.dumps(rig.slack.wait_response(url), ensure_ascii=False)


def test_a_repo_with_files_the_server_cannot_check_out_can_still_be_captured_into(
    rig: SlackRig,
) -> None:
    """A file behind a required filter the app's server lacks (git-lfs objects without
    git-lfs installed) cannot be checked out; a capture never needs to check it out."""
    repo = rig.repo.path
    git(repo, "config", "filter.vault.clean", "cat")
    git(repo, "config", "filter.vault.smudge", "false")
    git(repo, "config", "filter.vault.required", "true")
    rig.repo.write(".gitattributes", "*.bin filter=vault\n")
    rig.repo.write("assets/diagram.bin", "binary bytes\n")
    rig.repo.commit("a diagram", when="2026-12-02T09:00:00Z")
    answer = _capture(rig)
    assert "Drafted" in answer, answer
    [branch] = git(repo, "branch", "--list", "kb/capture-*").split()
    changed = git(repo, "diff", "--name-status", "main", branch).split()
    assert changed[0] == "A" and changed[1].startswith("billing/")  # the new draft, only
    assert git(repo, "status", "--porcelain") == ""  # the app's checkout untouched


def test_capturing_a_thread_again_while_its_branch_waits_for_review_says_so(
    rig: SlackRig,
) -> None:
    assert "Drafted" in _capture(rig)
    [branch] = git(rig.repo.path, "branch", "--list", "kb/capture-*").split()
    tip = git(rig.repo.path, "rev-parse", branch)
    again = _capture(rig)
    assert f"this thread was captured before on the branch {branch}" in again
    assert git(rig.repo.path, "branch", "--list", "kb/capture-*").split() == [branch]
    assert git(rig.repo.path, "rev-parse", branch) == tip


def test_a_capture_branch_holds_the_committed_card_plus_the_thread_never_an_uncommitted_edit(
    rig: SlackRig,
) -> None:
    """Someone edited a card in the app's checkout by hand and did not commit it: the
    review branch must be the committed base plus the thread, and the edit stays where
    it was (the reviewer would otherwise merge words nobody proposed)."""
    repo = rig.repo.path
    card = "billing/refund-request-processing.md"
    committed = (repo / card).read_text(encoding="utf-8")
    edited = committed.replace("## Resolution", "## Resolution\n\nHALF-WRITTEN LOCAL NOTE\n", 1)
    assert edited != committed
    (repo / card).write_text(edited, encoding="utf-8")
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = export_thread("billing-help", REFUND_THREAD)
    value = {"channel": "C01BILL", "name": "billing-help", "ts": REFUND_THREAD, "card": card}
    envelope, url = rig.slack.block_action("kb_capture_append", json.dumps(value), "U02MARCUS")
    rig.slack.wait_ack(envelope)
    answer = json.dumps(rig.slack.wait_response(url), ensure_ascii=False)
    assert "Added this thread to" in answer, answer
    [branch] = git(repo, "branch", "--list", "kb/capture-*").split()
    on_branch = git(repo, "show", f"{branch}:{card}")
    assert "HALF-WRITTEN LOCAL NOTE" not in on_branch
    assert on_branch.startswith(committed.rstrip("\n").rsplit("## Issue", 1)[0])
    assert "p1793749200000100" in on_branch
    assert (repo / card).read_text(encoding="utf-8") == edited  # the local edit untouched


def _hook(rig: SlackRig, name: str, script: str) -> None:
    hook = rig.repo.path / ".git" / "hooks" / name
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    hook.chmod(0o755)


def test_a_capture_commit_goes_through_the_repositorys_commit_msg_hook(rig: SlackRig) -> None:
    """A team on Gerrit adds a Change-Id in its commit-msg hook (the server refuses a
    push without one); another refuses messages without a ticket. Both hold for the
    capture's commit, as for any ``git commit``."""
    _hook(rig, "commit-msg", 'printf "\\nChange-Id: I0123456789abcdef\\n" >> "$1"\n')
    assert "Drafted" in _capture(rig)
    [branch] = git(rig.repo.path, "branch", "--list", "kb/capture-*").split()
    message = git(rig.repo.path, "log", "-1", "--format=%B", branch)
    assert message.startswith("capture: draft")
    assert "Change-Id: I0123456789abcdef" in message
    git(rig.repo.path, "branch", "-D", branch)
    _hook(rig, "commit-msg", 'echo "a ticket id (ABC-123) is required" >&2\nexit 1\n')
    answer = _capture(rig)
    assert "commit-msg hook refused the commit: a ticket id (ABC-123) is required" in answer
    assert git(rig.repo.path, "branch", "--list", "kb/capture-*").strip() == ""
