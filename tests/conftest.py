"""Hermetic environment for every test: no user git config, no writes to $HOME, fixed width."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import KbRepo, copy_example, make_repo


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.test")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.test")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("KB_DIR", "KB_TODAY", "EDITOR", "VISUAL", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("KB_VERIFICATION_", "KB_SEARCH_", "KB_HANDBOOK_", "KB_CARDS_")):
            monkeypatch.delenv(name)


@pytest.fixture
def kb_repo(tmp_path: Path) -> KbRepo:
    """An empty knowledge repo (kb.toml with defaults) that is a git repository."""
    return make_repo(tmp_path / "kb")


@pytest.fixture
def example_kb(tmp_path: Path) -> Path:
    """A copy of example-kb/ in a temporary folder."""
    return copy_example(tmp_path / "example-kb")
