"""A search that ranks by meaning starts the repo's kb daemon; later searches use it.

Real processes throughout: ``kb search`` as a user runs it, the daemon it starts in the
background, the real model of kbcli[semantic] for the vectors. The suite turns the
start off for every other test (conftest); each test here stops what it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbcli.adapters import daemon_lock
from kbcli.cli import search_client
from tests.helpers import KB_MAIN, REPO_ROOT, kb_process, make_repo, run_kb
from tests.integration.test_handbook_build import card

CARDS = {
    "accounts/closing.md": ("Closing a customer account", "An admin removes the workspace."),
    "office/plants.md": ("Office plants", "Ana waters the ferns on Mondays."),
    "it/vpn.md": ("VPN access", "Install the client and sign in with your laptop password."),
    "hr/payroll.md": ("Payroll dates", "Salaries arrive on the 25th; payslips are in the portal."),
}
QUERY = ("search", "--json", "--explain", "when is my salary paid")
_prepared: dict[str, Path] = {}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment of a user with kbcli[semantic] and the defaults: semantic search
    on, a search may start a daemon. Sockets in a short private folder."""
    folder = tempfile.mkdtemp(prefix="kbd")
    monkeypatch.setenv("XDG_RUNTIME_DIR", folder)  # so search_client finds the sockets too
    monkeypatch.delenv("KB_SEARCH_SEMANTIC")
    monkeypatch.delenv("KB_SEARCH_START_DAEMON")
    yield {**os.environ, "PYTHONPATH": str(REPO_ROOT), "KB_TODAY": "2026-11-22"}
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def repo(
    env: dict[str, str], tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A knowledge repo whose cards have vectors (embedded once for this module)."""
    if "repo" not in _prepared:
        made = make_repo(tmp_path_factory.mktemp("semantic") / "kb")
        for rel, (title, body) in CARDS.items():
            made.write(rel, card(title, body))
        made.commit("cards")
        assert run_kb("--kb", str(made.path), "index").exit_code == 0
        assert (made.path / ".kb" / "vector-rows.bin").is_file()
        _prepared["repo"] = made.path
    root = tmp_path / "kb"
    shutil.copytree(_prepared["repo"], root, symlinks=True)
    yield root.resolve()
    for pid in started_daemons(root.resolve()):  # whatever a failing test left
        os.kill(pid, signal.SIGKILL)


def started_daemons(root: Path) -> list[int]:
    """The live ``kb daemon`` processes that searches started for ``root``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            argv = (Path("/proc") / name / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--started-by-search" in argv and os.fsencode(root) in argv:
            found.append(int(name))
    return found


def wait_for(
    what: str, condition: Callable[[], bool], seconds: float = 90.0, log: Path | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        said = log.read_text() if log is not None and log.exists() else ""
        assert time.monotonic() < deadline, f"never: {what} (daemon.log: {said!r})"
        time.sleep(0.1)


def listening(root: Path) -> bool:
    """Whether the repo's daemon accepts searches (it listens once it has loaded)."""
    import socket

    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(search_client.socket_path(os.fspath(root)))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def answered(root: Path) -> int:
    found = daemon_lock.holder(os.fspath(root))
    return found.answered if found else -1


def test_the_first_search_answers_itself_and_starts_the_daemon_that_answers_the_next(
    repo: Path, env: dict[str, str]
) -> None:
    alone = kb_process(repo, {**env, "KB_DAEMON": "off"}, *QUERY)  # one-shot, starts nothing
    assert alone.returncode == 0, alone.stderr
    assert daemon_lock.holder(os.fspath(repo)) is None
    first = kb_process(repo, env, *QUERY)
    assert (first.returncode, first.stdout, first.stderr) == (0, alone.stdout, alone.stderr)
    log = repo / ".kb" / "daemon.log"
    said = log.read_text() if log.exists() else "(no daemon.log)"
    assert len(started_daemons(repo)) == 1, said  # started before the search ended
    wait_for("the daemon listens", lambda: listening(repo), log=log)
    for _ in range(2):
        again = kb_process(repo, env, *QUERY)
        assert (again.returncode, again.stdout, again.stderr) == (0, alone.stdout, alone.stderr)
    assert answered(repo) == 2  # both went through the daemon
    assert started_daemons(repo) == [daemon_lock.holder(os.fspath(repo)).pid]  # type: ignore[union-attr]
    status = kb_process(repo, env, "daemon", "--status")
    assert status.returncode == 0 and "a search started it" in status.stdout
    stopped = kb_process(repo, env, "daemon", "--stop")
    assert stopped.returncode == 0 and "stopped kb daemon" in stopped.stdout, stopped.stderr
    assert not listening(repo)
    wait_for("the daemon ends", lambda: not started_daemons(repo))  # (it let go of the lock)
    assert kb_process(repo, env, "daemon", "--status").returncode == 1


def test_searches_racing_start_one_daemon(repo: Path, env: dict[str, str]) -> None:
    racing = [
        subprocess.Popen(
            [sys.executable, "-c", KB_MAIN, *QUERY],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(4)
    ]
    assert [p.wait(timeout=120) for p in racing] == [0, 0, 0, 0]
    wait_for("the daemon listens", lambda: listening(repo))
    assert len(started_daemons(repo)) == 1
    kb_process(repo, env, "daemon", "--stop")


def test_a_daemon_a_search_started_exits_when_idle(repo: Path, env: dict[str, str]) -> None:
    idle = {**env, "KB_SEARCH_DAEMON_IDLE_MINUTES": "0.02"}  # 1.2 s
    assert kb_process(repo, idle, *QUERY).returncode == 0
    assert started_daemons(repo)
    wait_for("the idle daemon exits", lambda: not started_daemons(repo))
    assert daemon_lock.holder(os.fspath(repo)) is None and not listening(repo)
    assert "stopped: no search for" in (repo / ".kb" / "daemon.log").read_text()


def test_a_daemon_stops_when_its_repo_is_gone(repo: Path, env: dict[str, str]) -> None:
    assert kb_process(repo, env, *QUERY).returncode == 0
    wait_for("the daemon listens", lambda: listening(repo))
    (repo / "kb.toml").unlink()
    wait_for("the daemon exits", lambda: not started_daemons(repo))


@pytest.mark.parametrize(
    "opt_out",
    [{"KB_DAEMON": "off"}, {"KB_SEARCH_START_DAEMON": "false"}, {"kb.toml": "start_daemon"}],
    ids=["KB_DAEMON=off", "KB_SEARCH_START_DAEMON=false", "kb.toml"],
)
def test_no_daemon_is_started_when_the_user_opted_out(
    repo: Path, env: dict[str, str], opt_out: dict[str, str]
) -> None:
    if "kb.toml" in opt_out:
        (repo / "kb.toml").write_text("[search]\nstart_daemon = false\n", encoding="utf-8")
        opt_out = {}
    assert kb_process(repo, {**env, **opt_out}, *QUERY).returncode == 0
    # A daemon is started (and the lock taken for it) before the search ends.
    assert daemon_lock.holder(os.fspath(repo)) is None and started_daemons(repo) == []


def test_no_daemon_is_started_when_search_ranks_by_words_only(
    repo: Path, env: dict[str, str]
) -> None:
    off = {**env, "KB_SEARCH_SEMANTIC": "false"}  # vectors there, semantic search off
    assert kb_process(repo, off, *QUERY).returncode == 0
    assert daemon_lock.holder(os.fspath(repo)) is None and started_daemons(repo) == []
    for name in ("vectors.marshal", "vector-rows.bin"):  # no vectors made: words only
        (repo / ".kb" / name).unlink()
    assert kb_process(repo, env, *QUERY).returncode == 0
    assert daemon_lock.holder(os.fspath(repo)) is None and started_daemons(repo) == []


def test_a_killed_daemon_is_replaced_by_the_next_search(repo: Path, env: dict[str, str]) -> None:
    alone = kb_process(repo, {**env, "KB_DAEMON": "off"}, *QUERY)
    assert kb_process(repo, env, *QUERY).returncode == 0
    wait_for("the daemon listens", lambda: listening(repo))
    (killed,) = started_daemons(repo)
    os.kill(killed, signal.SIGKILL)  # its socket file stays behind; the kernel frees the lock
    wait_for("the daemon is gone", lambda: not started_daemons(repo))
    assert os.path.exists(search_client.socket_path(os.fspath(repo)))
    after = kb_process(repo, env, *QUERY)  # refused by the dead socket: answers itself, starts one
    assert (after.returncode, after.stdout, after.stderr) == (0, alone.stdout, alone.stderr)
    wait_for("a new daemon listens", lambda: listening(repo), log=repo / ".kb" / "daemon.log")
    (new,) = started_daemons(repo)
    assert new != killed
    assert kb_process(repo, env, *QUERY).stdout == alone.stdout and answered(repo) == 1
    kb_process(repo, env, "daemon", "--stop")


def test_a_daemon_by_hand_is_refused_while_one_runs(repo: Path, env: dict[str, str]) -> None:
    assert kb_process(repo, env, *QUERY).returncode == 0
    wait_for("the daemon listens", lambda: listening(repo))
    second = kb_process(repo, env, "daemon")
    assert second.returncode == 2 and "already answers searches" in second.stderr
    kb_process(repo, env, "daemon", "--stop")


def test_a_daemon_that_failed_to_start_is_not_started_again_at_once(
    repo: Path, env: dict[str, str]
) -> None:
    log = repo / ".kb" / "daemon.log"
    log.write_text("error: the configuration has 1 problem(s)\n", encoding="utf-8")
    assert kb_process(repo, env, *QUERY).returncode == 0  # answers; the failure just now stands
    assert daemon_lock.holder(os.fspath(repo)) is None and started_daemons(repo) == []
    an_hour_ago = time.time() - 3600
    os.utime(log, (an_hour_ago, an_hour_ago))
    assert kb_process(repo, env, *QUERY).returncode == 0
    assert len(started_daemons(repo)) == 1
    wait_for("the daemon listens", lambda: listening(repo))
    kb_process(repo, env, "daemon", "--stop")
    assert "kb daemon: stopped" in log.read_text()
