"""The kb-check pre-commit hook, run by real pre-commit from this repository's HEAD.

pre-commit clones this repository at HEAD and pip-installs kb into its own
environment (once per test session: PRE_COMMIT_HOME is shared), exactly as a team
using the hook would get it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_check_cli import PEOPLE, TODAY, card
from tests.helpers import REPO_ROOT, KbRepo, git, make_repo


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(repo: KbRepo, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "KB_TODAY": TODAY}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_kb_check_hook_blocks_a_commit_with_an_expired_card(tmp_path: Path, pre_commit_home: Path):
    head = git(REPO_ROOT, "rev-parse", "HEAD").strip()
    hooks = git(REPO_ROOT, "show", f"{head}:.pre-commit-hooks.yaml")
    assert "id: kb-check" in hooks, "commit .pre-commit-hooks.yaml before running this test"

    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {REPO_ROOT.as_posix()}\n    rev: {head}\n"
        "    hooks:\n      - id: kb-check\n",
    )
    repo.write("billing/fine.md", card("Fine"))
    repo.commit("start", when="2026-11-01T10:00:00Z", email="ana@example.test")

    ok = pre_commit(repo, pre_commit_home, "run", "--files", "billing/fine.md")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "kb check" in ok.stdout and "Passed" in ok.stdout

    installed = pre_commit(repo, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr
    old = repo.write("billing/old.md", card("Old", verified="2026-01-01"))
    git(repo.path, "add", "billing/old.md")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "KB_TODAY": TODAY}
    blocked = subprocess.run(
        ["git", "commit", "-m", "add old card"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert blocked.returncode != 0
    output = blocked.stdout + blocked.stderr
    assert "billing/old.md" in output and "expired" in output
    # Only the staged card is checked: the fine card is not reported.
    assert "billing/fine.md" not in output

    old.write_text(old.read_text().replace("2026-01-01", "2026-11-20"))
    git(repo.path, "add", "billing/old.md")
    passed = subprocess.run(
        ["git", "commit", "-m", "add verified card"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
