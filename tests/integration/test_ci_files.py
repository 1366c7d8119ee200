"""The shipped CI files: their structure, and their kb steps run for real with bash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.cli.test_check_cli import PEOPLE, TODAY, card
from tests.helpers import REPO_ROOT, KbRepo, git, make_repo

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
WORKFLOW = yaml.safe_load((REPO_ROOT / ".github/workflows/kb.yml").read_text())
GITLAB = yaml.safe_load((REPO_ROOT / "ci-templates/gitlab-ci.yml").read_text())
HOOKS = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())


def test_pre_commit_hook_definition():
    (hook,) = HOOKS
    assert hook["id"] == "kb-check" and hook["entry"] == "kb check"
    assert hook["language"] == "python" and hook["files"] == r"\.md$"
    assert hook["pass_filenames"] is True


def test_action_checks_out_full_history_installs_kb_and_annotates():
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert any("pip install" in s.get("run", "") for s in steps)
    check = next(s for s in steps if s.get("id") == "check")
    assert "check --format github" in check["run"]


def test_workflow_checks_prs_with_full_history_and_posts_nightly_reports():
    jobs = WORKFLOW["jobs"]
    check_steps = jobs["check"]["steps"]
    assert check_steps[0]["with"]["fetch-depth"] == 0
    assert check_steps[1]["uses"] == "./"
    # yaml reads the bare key "on" as True
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))
    assert "pull_request" in triggers and "schedule" in triggers
    nightly = "\n".join(s.get("run", "") for s in jobs["nightly"]["steps"])
    assert "kb report --format markdown --owner" in nightly
    assert jobs["nightly"]["permissions"]["issues"] == "write"


def test_gitlab_template_publishes_junit_and_code_quality():
    job = GITLAB["kb-check"]
    assert GITLAB["variables"]["GIT_DEPTH"] == "0"
    reports = job["artifacts"]["reports"]
    assert reports == {"junit": "kb-junit.xml", "codequality": "gl-code-quality-report.json"}
    assert job["artifacts"]["when"] == "always"


@pytest.fixture
def pr_clone(tmp_path: Path) -> KbRepo:
    """A clone (with origin) on a topic branch that adds a stale card."""
    origin = make_repo(tmp_path / "origin", people=PEOPLE)
    origin.write("billing/old-but-not-ours.md", card("Untouched", verified="2026-01-01"))
    origin.write("billing/fine.md", card("Fine"))
    origin.commit("base", when="2026-11-01T10:00:00Z")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", origin.path.as_uri(), str(clone))
    repo = KbRepo(clone)
    git(clone, "switch", "-q", "-c", "topic")
    repo.write("billing/new.md", card("New stale card", verified="2026-02-01"))
    repo.commit("new card", when="2026-11-02T10:00:00Z")
    return repo


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": path, "KB_TODAY": TODAY, **env},
        capture_output=True,
        text=True,
    )


def test_action_step_checks_only_what_the_pull_request_changed(pr_clone: KbRepo, tmp_path: Path):
    check = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")
    output = tmp_path / "github_output"
    sarif = tmp_path / "kb.sarif"
    env = {
        "GITHUB_BASE_REF": "main",
        "GITHUB_OUTPUT": str(output),
        "KB_ARGS": "",
        "KB_CHANGED_SINCE": "auto",
        "KB_SARIF": str(sarif),
    }
    done = _bash(check["run"], pr_clone.path, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=billing/new.md," in done.stdout
    assert "old-but-not-ours" not in done.stdout
    assert output.read_text().strip() == "exit-code=1"
    assert json.loads(sarif.read_text())["runs"][0]["results"]

    everything = _bash(check["run"], pr_clone.path, {**env, "GITHUB_BASE_REF": ""})
    assert "old-but-not-ours" in everything.stdout


def test_gitlab_script_writes_both_reports(pr_clone: KbRepo, tmp_path: Path):
    script = "\n".join(GITLAB["kb-check"]["script"])
    env = {
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_PROJECT_DIR": str(pr_clone.path),
        "KB_ARGS": "",
    }
    done = _bash(script, pr_clone.path, env)
    assert done.returncode == 1, done.stdout + done.stderr
    quality = json.loads((pr_clone.path / "gl-code-quality-report.json").read_text())
    assert {issue["location"]["path"] for issue in quality} == {"billing/new.md"}
    assert "billing/new.md" in (pr_clone.path / "kb-junit.xml").read_text()


def test_slack_reminders_run_nightly_only_when_the_webhook_secret_is_set():
    nightly = WORKFLOW["jobs"]["nightly"]
    assert nightly["env"]["KB_SLACK_WEBHOOK_URL"] == "${{ secrets.KB_SLACK_WEBHOOK_URL }}"
    step = next(s for s in nightly["steps"] if "kb notify slack" in s.get("run", ""))
    assert step["if"] == "env.KB_SLACK_WEBHOOK_URL != ''"
    job = GITLAB["kb-notify-slack"]
    assert job["script"] == ["kb notify slack"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule" && $KB_SLACK_WEBHOOK_URL'}]


def test_gitlab_template_installs_kb_from_its_git_repository(tmp_path: Path):
    """kb is not on a package index: the default install is git+KB_REPO@KB_REF, and a
    pipeline with no KB_REPO stops with what to set instead of a pip error."""
    before = GITLAB[".kb"]["before_script"]
    resolve = next(step for step in before if "KB_REPO" in step)
    assert any(step.endswith('pip install --quiet "$KB_INSTALL"') for step in before)
    defaults = {k: v for k, v in GITLAB["variables"].items() if k.startswith("KB_")}
    repo = {"KB_REPO": "https://gitlab.example.test/tools/kb.git"}
    done = _bash(resolve + '\necho "$KB_INSTALL"', tmp_path, {**defaults, **repo})
    assert (
        done.stdout.strip() == f"git+https://gitlab.example.test/tools/kb.git@{defaults['KB_REF']}"
    )
    unset = _bash(resolve, tmp_path, defaults)
    assert unset.returncode == 2
    assert "set the CI/CD variable KB_REPO" in unset.stderr
    chosen = _bash(resolve + '\necho "$KB_INSTALL"', tmp_path, {**defaults, "KB_INSTALL": "kb.whl"})
    assert chosen.stdout.strip() == "kb.whl"


def test_docs_install_kb_from_git_and_leave_no_owner_placeholder():
    readme = (REPO_ROOT / "README.md").read_text()
    assert 'pipx install "git+$KB_REPO@' in readme
    for shipped in ("README.md", "action.yml", "ci-templates/gitlab-ci.yml"):
        assert "OWNER/kb" not in (REPO_ROOT / shipped).read_text(), shipped


NIGHTLY_PEOPLE = PEOPLE + "ben:\n  name: Ben Ito\n  emails: [ben@example.test]\n"
NIGHTLY_PEOPLE += "carl:\n  name: Carl Berg\n  emails: [carl@example.test]\n"
FAKE_GH = """#!/bin/bash
echo "$*" >> "$GH_LOG"
case "$1 $2" in
  "issue list") printf '7\\tKnowledge base: cards for ana to verify\\n'
                printf '9\\tKnowledge base: cards for ben to verify\\n' ;;
  "issue create") [ "$GH_FAIL_CREATE" = 1 ] && exit 1 ;;
esac
exit 0
"""


def test_nightly_keeps_one_issue_per_owner_with_something_to_do(tmp_path: Path):
    # ana and carl have expired cards, ben has nothing to do: ana's open issue is updated,
    # carl gets one, ben's is closed, and no owner costs a search (GitHub's search API
    # allows 30 calls a minute: a tldr-sized team has hundreds of owners).
    repo = make_repo(tmp_path / "kb", people=NIGHTLY_PEOPLE)
    repo.write("a.md", card("A", verified="2026-01-01"))
    repo.write("c.md", card("C", owner="carl", verified="2026-01-01"))
    repo.commit("cards\n\nKb-Import: guru", when="2026-11-01T10:00:00Z")  # dates kept
    repo.write("b.md", card("B", owner="ben"))
    repo.commit("b", when="2026-11-01T10:00:00Z", author="Ben Ito", email="ben@example.test")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    step = next(s for s in WORKFLOW["jobs"]["nightly"]["steps"] if "gh issue" in s.get("run", ""))
    log = tmp_path / "gh.log"
    python = Path(sys.executable).parent
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{python}{os.pathsep}{os.environ['PATH']}",
        "GH_LOG": str(log),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path),
    }
    done = _bash(step["run"], repo.path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    assert not [c for c in calls if "--search" in c]
    assert [c.split(" --")[0] for c in calls if not c.startswith(("label", "issue list"))] == [
        "issue edit 7",
        "issue create",
        "issue close 9",
    ]
    assert "carl" in next(c for c in calls if c.startswith("issue create"))

    log.unlink()
    failing = _bash(step["run"], repo.path, {**env, "GH_FAIL_CREATE": "1"})
    assert failing.returncode == 1  # the job is red...
    assert "issue close 9" in log.read_text()  # ...after every other owner was handled
