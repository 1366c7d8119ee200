"""Nothing a killed or racing kb leaves behind outlives the next run: its temporary files
are named recognisably and swept, git's lock is waited for, and a crashed git's lock
file is removed (the kill -9 and race trials themselves: bench/leftover_trials.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbcli.adapters import atomic_file, git_runner
from tests.helpers import KbRepo, git, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = "ana: {name: Ana Souza, emails: [ana@example.test]}\n"
CARD = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-01-10\n---\n# {title}\n\nSteps.\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KbRepo:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Ana Souza")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ana@example.test")
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    for title in ("Refunds", "Invoices", "Taxes", "Credits", "Disputes", "Payouts"):
        repo.write(f"billing/{title.lower()}.md", CARD.format(title=title))
    repo.commit("import", when="2026-01-10T10:00:00Z")
    return repo


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_writers_temporary_file_is_gone_after_the_next_run(repo: KbRepo) -> None:
    folder = repo.path / "billing"
    dead = folder / f".refunds.md.kb-{_dead_pid()}-1-0.tmp"
    dead.write_text("half a card")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as live:
        writing = folder / f".taxes.md.kb-{live.pid}-1-0.tmp"
        writing.write_text("being written right now")
        foreign = folder / ".notes.tmp"  # not kb's: never touched
        foreign.write_text("mine")
        result = run_kb("--today", TODAY, "list", cwd=repo.path)
        live.kill()
    assert result.exit_code == 0, result.output
    assert not dead.exists()
    assert writing.exists() and foreign.exists()


def test_temporary_files_are_recognisably_kbs_and_swept_on_the_next_write(tmp_path: Path) -> None:
    name = atomic_file.temporary_name("index.json")
    assert name.startswith(".index.json.kb-") and name.endswith(".tmp")
    assert atomic_file.leftover_pid(name) == os.getpid()
    assert atomic_file.leftover_pid(".index.json.tmp") is None
    stale = tmp_path / f".cache.bin.kb-{_dead_pid()}-7-3.tmp"
    stale.write_bytes(b"x")
    atomic_file.replace_file(tmp_path / "cache.bin", b"new", durable=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.bin"]


def test_a_crashed_gits_index_lock_is_removed_and_the_verification_lands(repo: KbRepo) -> None:
    lock = repo.path / ".git" / "index.lock"
    lock.write_bytes(b"")
    old = time.time() - 60
    os.utime(lock, (old, old))  # no process has it open: what a killed git leaves
    result = run_kb("--today", TODAY, "verify", "refunds", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert not lock.exists()
    assert "verified_at: 2026-11-22" in git(repo.path, "show", "HEAD:billing/refunds.md")


def test_a_killed_partial_commits_index_lock_is_gone_after_the_next_commit(repo: KbRepo) -> None:
    # `git commit -- PATHS` writes .git/next-index-PID.lock; git killed mid-commit leaves
    # it, and no git ever removes another pid's (seen in the kill -9 trials of kb verify).
    git_dir = repo.path / ".git"
    dead = git_dir / f"next-index-{_dead_pid()}.lock"
    dead.write_bytes(b"DIRC")
    old = time.time() - 60
    os.utime(dead, (old, old))
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as live:
        running = git_dir / f"next-index-{live.pid}.lock"  # a commit still in progress
        running.write_bytes(b"DIRC")
        os.utime(running, (old, old))
        result = run_kb("--today", TODAY, "verify", "refunds", cwd=repo.path)
        live.kill()
    assert result.exit_code == 0, result.output
    assert "verified_at: 2026-11-22" in git(repo.path, "show", "HEAD:billing/refunds.md")
    assert not dead.exists()
    assert running.exists()


def _hold(lock: Path, seconds: float) -> subprocess.Popen[bytes]:
    """A process that holds ``lock`` open as git does, then deletes it."""
    code = (
        "import os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY)\n"
        "print('held', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "os.unlink(sys.argv[1])\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(lock), str(seconds)], stdout=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    return holder


def test_a_verify_waits_for_another_commits_lock(repo: KbRepo) -> None:
    lock = repo.path / ".git" / "index.lock"
    holder = _hold(lock, 1.5)
    result = run_kb("--today", TODAY, "verify", "refunds", cwd=repo.path)
    holder.wait()
    assert result.exit_code == 0, result.output
    assert "verified_at: 2026-11-22" in git(repo.path, "show", "HEAD:billing/refunds.md")


def test_a_lock_held_for_good_names_the_file_and_why_it_is_safe(
    repo: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(git_runner, "LOCK_WAIT", 0.5)
    lock = repo.path / ".git" / "index.lock"
    holder = _hold(lock, 20)
    try:
        result = run_kb("--today", TODAY, "verify", "refunds", cwd=repo.path)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert str(lock) in message and "safe to delete" in message
    assert "Traceback" not in result.output


def test_concurrent_verifies_both_land(repo: KbRepo) -> None:
    kb = [sys.executable, "-m", "kbcli", "--today", TODAY, "verify", "-q"]
    pairs = [("refunds", "invoices"), ("taxes", "credits"), ("disputes", "payouts")]
    for first, second in pairs:
        before = int(git(repo.path, "rev-list", "--count", "HEAD"))
        runs = [
            subprocess.Popen([*kb, card], cwd=repo.path, stderr=subprocess.PIPE)
            for card in (first, second)
        ]
        errors = [(p.wait(), p.stderr.read() if p.stderr else b"") for p in runs]
        assert [code for code, _ in errors] == [0, 0], errors
        assert int(git(repo.path, "rev-list", "--count", "HEAD")) == before + 2
    assert git(repo.path, "status", "--porcelain") == ""
