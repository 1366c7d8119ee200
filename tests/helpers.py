"""Test helpers: run kb through its real entry point, and build real git repos."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_KB = REPO_ROOT / "example-kb"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_kb(*args: str, cwd: Path | None = None, stdin: str = "") -> Result:
    """Run ``kb ARGS`` in-process through ``kbcli.cli.app.run``: the same exit path users get."""
    from kbcli.cli.app import run

    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_stdin = Path.cwd(), sys.stdin
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO(stdin)
        with redirect_stdout(out), redirect_stderr(err):
            code = run(list(args))
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
    return Result(int(code), out.getvalue(), err.getvalue())


# kb as its console script runs it, for a child process (``python -c KB_MAIN ARGS``): the
# daemon tests need the real entry point (its fast paths) in a process of its own.
KB_MAIN = "import sys; from kbcli.cli.main import main; sys.argv = ['kb', *sys.argv[1:]]; main()"


def kb_process(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``kb ARGS`` run in ``root`` as a process of its own, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", KB_MAIN, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def start_kb_in_a_terminal(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """kb as a terminal starts it for Ctrl-C tests: a session of its own, and SIGINT at its
    default action. A shell running the suite in the background (``make test &``) starts it
    with SIGINT ignored, which every child inherits, and kb rightly keeps ignoring it."""
    import signal

    return subprocess.Popen(
        [sys.executable, "-m", "kbcli", *args],
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git and return stdout; fail the test with git's stderr on error."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr}"
    return result.stdout


@dataclass
class KbRepo:
    """A real knowledge repo in a temporary folder, with commits at chosen dates and authors."""

    path: Path

    def write(self, rel: str, text: str) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        return target

    def commit(
        self,
        message: str,
        *,
        when: str = "2026-01-05T10:00:00Z",
        author: str = "Ana Souza",
        email: str = "ana@example.test",
    ) -> str:
        git(self.path, "add", "-A")
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": when,
        }
        git(self.path, "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message, env=env)
        return git(self.path, "rev-parse", "HEAD").strip()


def make_repo(path: Path, *, kb_toml: str = "", people: str = "", git_init: bool = True) -> KbRepo:
    path.mkdir(parents=True, exist_ok=True)
    (path / "kb.toml").write_text(kb_toml, encoding="utf-8")
    if people:
        (path / "people.yaml").write_text(people, encoding="utf-8")
    if git_init:
        git(path, "init", "-q", "-b", "main")
    return KbRepo(path)


def copy_example(target: Path) -> Path:
    """A private copy of example-kb/ (tests must never write into the checkout)."""
    shutil.copytree(EXAMPLE_KB, target, ignore=shutil.ignore_patterns(".kb"))
    return target


def start_kb_serve(repo: KbRepo) -> tuple[subprocess.Popen[str], str]:
    """``kb serve --no-search`` on a free port: the process, and its address once it says
    it is serving ("" if it ended first; the caller terminates the process)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kbcli", "--kb", str(repo.path), "serve", "--port", "0",
         "--no-search"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Serving "):
            return process, line.split()[1]
    return process, ""


def search_answers(repo: KbRepo, queries: Sequence[str], limit: int) -> list[object]:
    """``kb search --json`` of each query in ``repo``: what a user would be shown, to
    compare two ways of building the same index."""
    found: list[object] = []
    for query in queries:
        result = run_kb("--kb", str(repo.path), "search", query, "--json", "--limit", str(limit))
        assert result.exit_code in (0, 1), result.output
        found.append(json.loads(result.stdout) if result.stdout.strip() else [])
    return found


def as_user(monkeypatch: pytest.MonkeyPatch, name: str, email: str) -> None:
    """Make the next git commits (kb verify's too) by ``name <email>``, author and committer."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", name)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", email)
