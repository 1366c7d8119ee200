"""The error edge: bugs exit 3 with a traceback, colour only on terminals."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import EXAMPLE_KB, REPO_ROOT, run_kb


def test_a_bug_in_kb_exits_3_with_its_traceback(monkeypatch: pytest.MonkeyPatch):
    from kbcli.usecases import health

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(health, "judged", explode)  # what kb list calls to judge its cards
    result = run_kb("--kb", str(EXAMPLE_KB), "list")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr and "RuntimeError: boom" in result.stderr
    assert "bug in kb" in result.stderr


def test_piped_output_has_no_colour_codes_even_without_no_color():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "--kb", str(EXAMPLE_KB), "--today", "2026-11-22", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    assert "expired" in done.stdout and "verified" in done.stdout


def test_python_m_kbcli_and_version_fast_path_agree():
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("kb ")
    assert run_kb("--version").stdout == done.stdout


def test_a_deleted_current_folder_is_a_clear_error(tmp_path):
    script = f'mkdir gone && cd gone && rmdir ../gone && exec "{sys.executable}" -m kbcli list'
    done = subprocess.run(
        ["sh", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 2, done.stderr
    assert "no longer exists" in done.stderr and "Traceback" not in done.stderr


def test_a_panic_that_is_not_an_exception_still_exits_3(monkeypatch: pytest.MonkeyPatch):
    from kbcli.usecases import health

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(health, "judged", panic)
    result = run_kb("--kb", str(EXAMPLE_KB), "list")
    assert result.exit_code == 3 and "bug in kb" in result.stderr


def test_a_question_whose_input_ended_is_a_usage_error_not_an_interruption(tmp_path):
    """``kb new`` without --title in a script (stdin empty) said "interrupted" and exit 130,
    as if someone pressed Ctrl-C: it is the caller's usage, exit 2, saying what to pass."""
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "new", "--no-edit"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=repo.path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 2, done.stderr
    assert "interrupted" not in done.stderr and "option" in done.stderr
    assert not list(repo.path.rglob("*.md"))


@pytest.mark.parametrize("wait", ["-5", "nan"])
def test_a_wait_that_is_not_a_number_of_seconds_is_a_usage_error(tmp_path, wait):
    """``kb index --wait -5`` was accepted; ``nan`` passes any range check and, with another
    kb writing the index, made the wait spin forever (no comparison with nan is true)."""
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    result = run_kb("index", "--wait", wait, cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert "--wait" in result.stderr
    assert not (repo.path / ".kb" / "index").exists()


@pytest.mark.parametrize("command", [["search", "refund"], ["suggest", "refund"]])
def test_a_limit_beyond_any_number_of_cards_lists_them_all(tmp_path, command):
    """``--limit 99999999999999999999999`` overflowed tantivy (exit 3); a billion made it
    abort: no search can return more hits than there are cards."""
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    repo.write("cards/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nrefund steps\n")
    repo.commit("card")
    for limit in ("99999999999999999999999", "2000000000"):
        result = run_kb(*command, "--limit", limit, "--json", cwd=repo.path)
        assert result.exit_code == 0, result.output
        assert "cards/refunds.md" in result.stdout
