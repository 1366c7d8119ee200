"""kb daemon: kb search answered by a resident process, the same answer as without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import KB_MAIN, REPO_ROOT, KbRepo, copy_example, kb_process
from tests.integration.test_handbook_build import card

TODAY = "2026-11-22"


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    # A short private folder for the sockets (a pytest tmp path can be too long for one).
    folder = tempfile.mkdtemp(prefix="kbd")
    yield {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "XDG_RUNTIME_DIR": folder,
        "KB_TODAY": TODAY,
    }
    shutil.rmtree(folder, ignore_errors=True)


class Daemon:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", KB_MAIN, "daemon", "--verbose"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()  # printed once its socket listens
        assert "answering kb search" in first, self.process.communicate()

    def stop(self) -> str:
        """Stop it (SIGTERM, as a service manager would) and return what it printed."""
        self.process.terminate()
        out, err = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, err
        return out


def test_the_daemon_answers_exactly_what_a_one_shot_search_prints(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = copy_example(tmp_path / "example-kb")
    queries = (
        ("search", "refund", "-stripe", "--limit", "3"),
        ("search", "--json", "is:expired", "--explain"),
        ("search", "--paths-only", "--archived", "api"),
        ("search", "nothing-matches-this"),
        ("search", "is:bogus"),
    )
    alone = [kb_process(root, env, *q) for q in queries]
    daemon = Daemon(root, env)
    try:
        resident = [kb_process(root, env, *q) for q in queries]
    finally:
        log = daemon.stop()
    for one, other in zip(alone, resident, strict=True):
        assert (one.returncode, one.stdout, one.stderr) == (
            other.returncode,
            other.stdout,
            other.stderr,
        )
    assert log.count(" -> exit ") == len(queries), log  # every one was answered there
    assert not list((Path(env["XDG_RUNTIME_DIR"]) / "kb").glob("*.sock"))  # cleaned up


def test_a_card_saved_while_the_daemon_runs_is_found(kb_repo: KbRepo, env: dict[str, str]) -> None:
    kb_repo.write("howto.md", card("Export data", "Use the export menu."))
    kb_repo.commit("card")
    daemon = Daemon(kb_repo.path, env)
    try:
        found = kb_process(kb_repo.path, env, "search", "--paths-only", "export")
        assert found.stdout.split() == ["howto.md"]
        kb_repo.write("billing.md", card("Billing", "Download the invoice."))
        deadline = time.monotonic() + 20  # the watcher reports a save within ~0.1 s
        while kb_process(kb_repo.path, env, "search", "--paths-only", "invoice").stdout.split() != [
            "billing.md"
        ]:
            assert time.monotonic() < deadline, "the saved card never became searchable"
            time.sleep(0.1)
    finally:
        log = daemon.stop()
    assert "invoice -> exit 0" in log


def test_the_daemon_reads_the_history_behind_trust_before_its_first_answer(
    kb_repo: KbRepo, env: dict[str, str]
) -> None:
    """A daemon started on a fresh clone makes the history pass itself, so no search it
    answers waits seconds for it (here: a search without hits, which judges nothing)."""
    from kbcli.adapters.history_cache import CACHE_NAME

    kb_repo.write("howto.md", card("Export data", "Use the export menu."))
    kb_repo.commit("card")
    daemon = Daemon(kb_repo.path, env)
    try:
        found = kb_process(kb_repo.path, env, "search", "--paths-only", "nothing-matches-this")
        assert found.returncode == 1 and found.stdout == ""
    finally:
        log = daemon.stop()
    assert "nothing-matches-this -> exit 1" in log  # the daemon answered it
    assert (kb_repo.path / ".kb" / CACHE_NAME).is_file()


def test_a_dead_daemon_or_another_environment_falls_back_to_the_one_shot_search(
    kb_repo: KbRepo, env: dict[str, str]
) -> None:
    kb_repo.write("howto.md", card("Export data", "Use the export menu."))
    kb_repo.commit("card")
    daemon = Daemon(kb_repo.path, env)
    try:
        other = kb_process(
            kb_repo.path, {**env, "KB_SEARCH_LIMIT": "3"}, "search", "--paths-only", "export"
        )
        assert other.stdout.split() == ["howto.md"]
    finally:
        log = daemon.stop()
    assert " -> exit " not in log  # another KB_* environment: not answered there
    daemon = Daemon(kb_repo.path, env)
    daemon.process.kill()  # no clean-up: its socket file stays, nobody listens
    daemon.process.communicate()
    assert list((Path(env["XDG_RUNTIME_DIR"]) / "kb").glob("*.sock"))
    result = kb_process(kb_repo.path, env, "search", "--paths-only", "export")
    assert result.returncode == 0 and result.stdout.split() == ["howto.md"]
    Daemon(kb_repo.path, env).stop()  # a new daemon replaces the dead one's socket
