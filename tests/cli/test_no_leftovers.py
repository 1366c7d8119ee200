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
from tests.helpers import KbRepo, git, kb_process, make_repo, run_kb

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


# A pre-commit hook that SIGKILLs kb and the git running it: kb dies at the one point a
# crash can split a change, its cards written and its commit not made (git's index.lock
# still there), every run the same.
KILL_AT_COMMIT = """#!/bin/sh
kb=$(cut -d' ' -f4 /proc/$PPID/stat)
kill -9 "$kb" "$PPID"
"""


def _killed_at_its_commit(repo: KbRepo, *args: str) -> None:
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(KILL_AT_COMMIT)
    hook.chmod(0o755)
    done = kb_process(repo.path, dict(os.environ), "--today", TODAY, *args)
    hook.unlink()
    assert done.returncode == -9, done.stderr
    lock = repo.path / ".git" / "index.lock"
    if lock.exists():  # as old as a crash that happened a while ago
        os.utime(lock, (time.time() - 60, time.time() - 60))


def test_a_reassign_killed_before_its_commit_is_named_by_the_next_run(repo: KbRepo) -> None:
    """It said "no card has 'ana' as owner" (the files already named bo) and left six
    uncommitted cards and git's index.lock: now the next run says what happened and
    what to do, and removes the lock so the user's own commit works."""
    (repo.path / "people.yaml").write_text(PEOPLE + "bo: {name: Bo Lee}\n")
    repo.commit("bo joins", when="2026-01-11T10:00:00Z")
    _killed_at_its_commit(repo, "reassign", "--from", "ana", "--to", "bo")
    assert len(git(repo.path, "status", "--porcelain", "--", "billing").splitlines()) == 6

    again = run_kb("--today", TODAY, "reassign", "--from", "ana", "--to", "bo", cwd=repo.path)
    assert again.exit_code == 2, again.output
    assert "kb reassign" in again.stderr and "stopped before its commit" in again.stderr
    assert "6 file(s)" in again.stderr and "billing/credits.md" in again.stderr
    assert not (repo.path / ".git" / "index.lock").exists()

    git(repo.path, "commit", "-q", "-a", "-m", "the reassignment kb was killed in")
    listed = run_kb(
        "--today", TODAY, "verify", "billing/refunds.md", "--force", "--reason", "x", cwd=repo.path
    )
    assert listed.exit_code == 0, listed.output  # committed: nothing stops the next write


def test_a_verify_killed_before_its_commit_is_finished_by_running_it_again(repo: KbRepo) -> None:
    """kb verify commits every changed card it is given, so its own stopped run on the
    same cards is finished, not refused."""
    cards = ["billing/refunds.md", "billing/taxes.md"]
    _killed_at_its_commit(repo, "verify", *cards)
    again = run_kb("--today", TODAY, "verify", *cards, cwd=repo.path)
    assert again.exit_code == 0, again.output
    assert git(repo.path, "status", "--porcelain", "--", "billing") == ""
    assert sorted(git(repo.path, "show", "--name-only", "--format=", "HEAD").split()) == cards


def test_an_adoption_killed_before_its_commit_is_named_by_the_next_run(tmp_path: Path) -> None:
    """The next kb adopt counted the files the killed one had written as cards already,
    adopted nothing and said all was well, their front matter never committed."""
    repo = make_repo(tmp_path / "docs", kb_toml='[cards]\nfolders = ["guides"]\n')
    for name in ("setup", "billing", "accounts"):
        repo.write(f"guides/{name}.md", f"# {name.title()}\n\nHow it works.\n")
    repo.commit("docs", when="2026-01-10T10:00:00Z")
    _killed_at_its_commit(repo, "adopt", "--apply", "--yes")
    again = run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path)
    assert again.exit_code == 2, again.output
    assert "kb adopt" in again.stderr and "3 file(s) it changed are not committed" in again.stderr
