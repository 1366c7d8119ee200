"""kb build finds the very Pagefind binary the pagefind package would run, and fails
when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.adapters.pagefind_index import executable
from tests.helpers import copy_example, run_kb


def test_the_binary_is_the_one_pagefind_itself_finds() -> None:
    service = pytest.importorskip("pagefind.service")
    found = executable()
    assert found is not None and found == service.get_executable()
    assert found.is_file()


def test_a_binary_named_in_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = pytest.importorskip("pagefind.service")
    chosen = tmp_path / "pagefind"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(chosen))
    assert executable() == chosen == service.get_executable()


def test_a_pagefind_that_fails_fails_the_build_with_its_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("pagefind")
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'disk on fire' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    root = copy_example(tmp_path / "kb")
    result = run_kb("--kb", str(root), "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 2
    assert "Pagefind could not index" in result.stderr and "disk on fire" in result.stderr
    assert "Traceback" not in result.stderr
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))
    result = run_kb("--kb", str(root), "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 2 and "Pagefind could not start" in result.stderr
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    result = run_kb("--kb", str(root), "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output  # the failed index was not taken as made
    assert (tmp_path / "site/pagefind/pagefind-entry.json").is_file()
