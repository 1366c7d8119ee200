"""Hermetic environment for every test: no user git config, no writes to $HOME, fixed width."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbcli.config import environment_names
from tests import source_tree
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


# Every variable kb.toml settings read (KB_SECTION_KEY), and the others kb or git read.
CLEARED = (
    "KB_DIR", "KB_TODAY", "KB_DAEMON", "EDITOR", "VISUAL", "GITHUB_STEP_SUMMARY",
    "GITHUB_ACTIONS", "GITHUB_REPOSITORY",  # kb build in Actions names the Pages address
    *environment_names(),
)  # fmt: skip


@pytest.fixture(scope="session")
def homes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("homes")


@pytest.fixture(autouse=True)
def hermetic_env(homes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A home of its own for each test. mkdtemp, not tmp_path_factory.mktemp: that one
    # scans the base folder for the next number, a cost that grows with every test run.
    monkeypatch.setenv("HOME", tempfile.mkdtemp(dir=homes))
    # One user cache for the whole run: kb keeps py3langid's unpacked model (68 MB) there.
    monkeypatch.setenv("XDG_CACHE_HOME", str(homes / "cache"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.test")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.test")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    for name in CLEARED:
        if name in os.environ:
            monkeypatch.delenv(name)
    # Dense retrieval (kbcli[semantic], in the dev extra) embeds every card kb index sees:
    # minutes for example-kb. Its own tests turn it on (tests/integration/test_semantic.py).
    monkeypatch.setenv("KB_SEARCH_SEMANTIC", "false")
    # A search that ranks by meaning starts a kb daemon in the background, which would
    # outlive its test: only tests/cli/test_daemon_start.py lets it, and stops them.
    monkeypatch.setenv("KB_SEARCH_START_DAEMON", "false")


@pytest.fixture
def kb_repo(tmp_path: Path) -> KbRepo:
    """An empty knowledge repo (kb.toml with defaults) that is a git repository."""
    return make_repo(tmp_path / "kb")


@pytest.fixture
def example_kb(tmp_path: Path) -> Path:
    """A copy of example-kb/ in a temporary folder."""
    return copy_example(tmp_path / "example-kb")


@pytest.fixture(scope="session")
def source_facts(request: pytest.FixtureRequest) -> Iterator[None]:
    """kbcli's modules as the code-base tests read them, kept in pytest's cache between
    sessions by a digest of each module's text (``tests/source_tree.py``)."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    if cache is not None:
        source_tree.remember(cache.get(SOURCE_FACTS, None))
    yield
    if cache is not None:
        cache.set(SOURCE_FACTS, source_tree.stored())


SOURCE_FACTS = "kb/source-facts"
