"""kb build finds the very Pagefind binary the pagefind package would run."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.adapters.pagefind_index import executable


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
