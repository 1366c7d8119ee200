"""The build's process pool: every result in job order, whichever process did the job;
Ctrl-C during a build stops its workers quietly."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kbcli.usecases.handbook_workers import PER_WORKER, run_jobs, write_file
from tests.helpers import make_repo, start_kb_in_a_terminal


def _where(job: int) -> tuple[int, int]:
    return job, os.getpid()


def test_the_main_process_renders_a_share_itself_and_results_keep_their_order(
    tmp_path: Path,
) -> None:
    """With nothing else to do meanwhile, this process takes the first half of the jobs
    and forks one worker for the rest (a worker fewer to copy memory into)."""
    jobs = list(range(2 * PER_WORKER + 37))
    init: tuple[Any, ...] = (None, [], tmp_path)
    done = run_jobs(_where, jobs, 2, init)
    assert [job for job, _ in done] == jobs
    assert len({pid for _, pid in done}) == 2
    assert [job for job, pid in done if pid == os.getpid()] == jobs[: len(jobs) // 2]
    called: list[int] = []
    done = run_jobs(_where, jobs, 2, init, meanwhile=lambda: called.append(1))
    assert [job for job, _ in done] == jobs and called == [1]


def test_with_work_of_its_own_this_process_forks_one_worker_fewer_than_the_cores(
    tmp_path: Path,
) -> None:
    """The bodies step makes the related lists here while workers render: this process
    is busy on one of the cores, so on 2 cores one worker renders every body, on 3 two
    do."""
    jobs = list(range(4 * PER_WORKER))
    init: tuple[Any, ...] = (None, [], tmp_path)
    for cores, forked in ((2, 1), (3, 2)):
        seen: set[int] = set()

        def until_every_worker_began(forked: int = forked, seen: set[int] = seen) -> None:
            while len(seen) < forked:  # then this process may take the jobs left
                seen.add(int.from_bytes(os.read(_STARTED[0], 8), "big"))

        done = run_jobs(_tells_it_began, jobs, cores, init, meanwhile=until_every_worker_began)
        assert [job for job, _ in done] == jobs
        assert {pid for _, pid in done} - {os.getpid()} == seen and len(seen) == forked


_STARTED = os.pipe()  # the workers' pids, as they begin (inherited by the fork)
_TOLD: set[int] = set()


def _tells_it_began(job: int) -> tuple[int, int]:
    if os.getpid() != _PARENT and os.getpid() not in _TOLD:
        _TOLD.add(os.getpid())
        os.write(_STARTED[1], os.getpid().to_bytes(8, "big"))
    return _where(job)


_PARENT = os.getpid()
_BEGUN = multiprocessing.get_context("fork").Event()  # inherited by the forked worker


def _waits_for_this_process(job: int) -> tuple[int, int]:
    """In a worker, a job waits until this process has done one itself (a worker still
    busy when this process's own work is done)."""
    if os.getpid() == _PARENT:
        _BEGUN.set()
    else:
        _tells_it_began(job)
        _BEGUN.wait(60)
    return _where(job)


def test_after_its_own_work_this_process_takes_the_last_jobs_no_worker_has_begun(
    tmp_path: Path,
) -> None:
    """The bodies step: when the git facts and related lists are done before the worker
    has rendered every body, this process renders the last ones, and each job is done
    once, its result in its place."""
    _BEGUN.clear()
    jobs = list(range(2 * PER_WORKER + 37))
    init: tuple[Any, ...] = (None, [], tmp_path)
    began: list[int] = []

    def until_the_worker_began() -> None:
        began.append(int.from_bytes(os.read(_STARTED[0], 8), "big"))

    done = run_jobs(_waits_for_this_process, jobs, 2, init, meanwhile=until_the_worker_began)
    assert [job for job, _ in done] == jobs and len(began) == 1
    by_here = [pid == _PARENT for _, pid in done]
    assert by_here[-1] and not by_here[0], "the worker begins at the front, this process at the end"
    assert by_here == sorted(by_here), "a worker's jobs, then this process's: each done once"


def _first_where(job: tuple[int, Any]) -> tuple[int, int]:
    return _where(job[0])


def test_forked_workers_inherit_the_jobs_instead_of_receiving_them_pickled(
    tmp_path: Path,
) -> None:
    """A page's context is large (the card, its lists, its body): the workers, forked
    after the jobs exist, are sent only where their jobs are. A job that cannot be
    pickled at all (it holds a lock) is still done by a worker, in order."""
    lock = threading.Lock()
    jobs = [(n, lock) for n in range(2 * PER_WORKER + 11)]
    init: tuple[Any, ...] = (None, [], tmp_path)

    def until_the_worker_began() -> None:  # then this process may take the jobs left
        os.read(_STARTED[0], 8)

    for fn, meanwhile in ((_first_where, None), (_first_tells, until_the_worker_began)):
        done = run_jobs(fn, jobs, 2, init, meanwhile=meanwhile)
        assert [job for job, _ in done] == [n for n, _ in jobs]
        assert {pid for _, pid in done} - {os.getpid()}, "no job was done by a worker"


def _first_tells(job: tuple[int, Any]) -> tuple[int, int]:
    return _tells_it_began(job[0])


def test_write_file_replaces_the_whole_file(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"an older and longer page " * 1000)
    write_file(str(page), "<p>na\u00efve \u2014 caf\u00e9</p>\n".encode())
    assert page.read_text(encoding="utf-8") == "<p>na\u00efve \u2014 caf\u00e9</p>\n"
    big = os.urandom(3 << 20)  # more than one write may take
    write_file(str(tmp_path / "big.bin"), big)
    assert (tmp_path / "big.bin").read_bytes() == big


def _workers(pid: int) -> list[int]:
    """The forked workers of ``pid`` (its children running kb, not git)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = []
    for child in children:
        try:
            if b"kbcli" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
        except OSError:
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads workers from /proc")
def test_ctrl_c_during_a_build_stops_its_workers_without_a_traceback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    for i in range(3000):
        body = f"# Step {i}\n\nRefund the charge, then see [[Card {i + 1}]].\n\n" * 3
        repo.write(f"cards/c{i:04d}.md", f"---\ntitle: Card {i}\nowner: ana\n---\n\n{body}")
    repo.commit("cards")
    proc = start_kb_in_a_terminal(
        "--kb", str(repo.path), "build", "--no-search", "-j", "3", env=dict(os.environ)
    )
    deadline = time.monotonic() + 120
    while len(_workers(proc.pid)) < 2 and time.monotonic() < deadline:  # bodies, -j 3
        assert proc.poll() is None, "kb build finished before its workers were seen"
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: kb and its workers
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("kb build did not stop on Ctrl-C")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    deadline = time.monotonic() + 20
    while (left := _in_group(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:  # not to leave them to the next test
        os.killpg(proc.pid, signal.SIGKILL)
    assert not left, "a worker was left behind"
    assert not (repo.path / ".kb" / "site" / "index.html").exists()  # the build was cut short


def _in_group(group: int) -> list[int]:
    """The processes still in the process group ``group`` (kb's session)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == group:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found
