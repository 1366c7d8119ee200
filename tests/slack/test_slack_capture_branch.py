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
