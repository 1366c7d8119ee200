"""Hermetic environment for every test: no user git config, no writes to $HOME, fixed width."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from kbcli.config import environment_names
from tests.helpers import KbRepo, copy_example, make_repo


class NetworkForbidden(OSError):
    """The suite tried to reach beyond loopback: tests talk only to local fakes."""


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host in ("localhost", "", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _forbid_non_loopback(event: str, args: tuple[Any, ...]) -> None:
    """An audit hook (PEP 578): every connect and name lookup of this process is checked,
    whatever library makes it, without patching any of them."""
    if event in ("socket.connect", "socket.sendto") and len(args) >= 2:
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) == socket.AF_UNIX or not isinstance(address, tuple):
            return
        if not _is_loopback(address[0]):
            raise NetworkForbidden(f"tests may not connect beyond loopback: {address!r}")
    elif event == "socket.getaddrinfo" and args and not _is_loopback(args[0]):
        raise NetworkForbidden(f"tests may not resolve non-local names: {args[0]!r}")


sys.addaudithook(_forbid_non_loopback)


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
    for name in ("KB_DIR", "KB_TODAY", "KB_DAEMON", "EDITOR", "VISUAL", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    for name in environment_names():  # every KB_SECTION_KEY that kb.toml settings read
        monkeypatch.delenv(name, raising=False)
    # Dense retrieval (kbcli[semantic], in the dev extra) embeds every card kb index sees:
    # minutes for example-kb. Its own tests turn it on (tests/integration/test_semantic.py).
    monkeypatch.setenv("KB_SEARCH_SEMANTIC", "false")


@pytest.fixture
def kb_repo(tmp_path: Path) -> KbRepo:
    """An empty knowledge repo (kb.toml with defaults) that is a git repository."""
    return make_repo(tmp_path / "kb")


@pytest.fixture
def example_kb(tmp_path: Path) -> Path:
    """A copy of example-kb/ in a temporary folder."""
    return copy_example(tmp_path / "example-kb")
