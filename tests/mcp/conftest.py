"""A committed copy of example-kb for the MCP server, judged on a fixed day."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import KbRepo, copy_example, git

TODAY = date(2026, 11, 22)


@pytest.fixture
def kb_git(tmp_path: Path) -> KbRepo:
    """example-kb copied into a temporary git repository, all committed."""
    root = copy_example(tmp_path / "kb")
    (root / ".gitignore").write_text(".kb/\n", encoding="utf-8")  # as kb init writes it
    git(root, "init", "-q", "-b", "main")
    repo = KbRepo(root)
    # Written by kb import (its trailer) after the cards' verified_at dates, by someone
    # outside the roster: no evidence against the stamps, so the verdict is the dates'.
    repo.commit(
        "example cards\n\nKb-Import: example",
        when="2026-11-20T10:00:00Z",
        author="Importer",
        email="i@x.test",
    )
    return repo


@pytest.fixture
def make_workspace(kb_git: KbRepo) -> Callable[[], object]:
    from kbcli.config import load_config
    from kbcli.workspace import Workspace

    config = load_config(kb_git.path, os.environ, {})
    return lambda: Workspace(config=config, today=TODAY, cwd=kb_git.path)


@pytest.fixture
def resident(make_workspace: Callable[[], object]) -> Iterator[object]:
    """The resident index a server keeps (watcher thread running), judged on TODAY."""
    from kbcli.usecases.resident_index import ResidentIndex

    index = ResidentIndex(lambda _day: make_workspace())  # type: ignore[arg-type,return-value]
    index.start()
    yield index
    index.stop()
