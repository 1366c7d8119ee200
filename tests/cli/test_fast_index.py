"""``kb index`` skips the CLI framework for plain command lines (``cli/fast_index``): the
same index, messages and exit code as through typer, and anything unusual goes to typer."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

from tests.helpers import KbRepo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\n---\n{body}\n"


def _fast(*argv: str) -> tuple[int | None, str, str]:
    from kbcli.cli.fast_index import run

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(list(argv))
    return code, out.getvalue(), err.getvalue()


def _without_seconds(text: str) -> dict[str, object]:
    found = json.loads(text)
    found.pop("seconds")
    return found


def test_a_plain_index_says_and_builds_what_the_typer_path_does(kb_repo: KbRepo) -> None:
    kb_repo.write("billing/refunds.md", CARD.format(title="Refunds", body="Refund twice."))
    kb_repo.write("billing/invoices.md", CARD.format(title="Invoices", body="Download them."))
    kb_repo.commit("cards")
    common = ("--kb", str(kb_repo.path), "--today", "2026-11-05", "index")
    code, stdout, stderr = _fast(*common, "--rebuild", "--json", "--wait", "5")
    slow = run_kb(*common, "--rebuild", "--json", "--wait", "5")
    assert code == slow.exit_code == 0 and stderr == slow.stderr == ""
    assert _without_seconds(stdout) == _without_seconds(slow.stdout)
    assert _without_seconds(stdout)["cards"] == 2
    assert _fast(*common, "-q") == (0, "", "")
    found = run_kb("--kb", str(kb_repo.path), "search", "refund", "--paths-only")
    assert found.stdout.split() == ["billing/refunds.md"]
    bad = _fast("--kb", str(kb_repo.path / "nowhere"), "index")
    assert bad[0] == run_kb("--kb", str(kb_repo.path / "nowhere"), "index").exit_code == 2


def test_unusual_command_lines_are_left_to_typer() -> None:
    from kbcli.cli.fast_index import parse

    assert parse(["--kb", "x", "index", "--rebuild", "--wait=2.5", "-q", "--json"]) is not None
    for argv in (
        ["index", "--help"],
        ["index", "--rebiuld"],  # a typo: typer suggests the right name
        ["index", "--rebuild", "--rebuild"],
        ["index", "--wait", "soon"],
        ["index", "--wait"],
        ["index", "--quiet=yes"],
        ["index", "extra"],
        ["--verbose", "index"],
        ["index", "--kb", "x"],
        ["search", "index"],
    ):
        assert parse(argv) is None, argv


def test_the_kb_command_routes_an_index_through_the_fast_path(kb_repo: KbRepo) -> None:
    kb_repo.write("billing/refunds.md", CARD.format(title="Refunds", body="Refund twice."))
    kb_repo.commit("cards")
    run = [sys.executable, "-m", "kbcli", "--kb", str(kb_repo.path), "index"]
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "1 added" in done.stdout
    typo = subprocess.run([*run, "--rebiuld"], capture_output=True, text=True, check=False)
    assert typo.returncode == 2 and "--rebuild" in typo.stderr


def test_an_interactive_index_shows_it_reads_the_history_behind_trust(kb_repo: KbRepo) -> None:
    """The history pass ``kb index`` makes for the first search can take seconds on a big
    repository: a person at a terminal sees a row for it, and ``--json`` stays clean."""
    import os
    import pty

    from kbcli.cli.views.index import HISTORY_ROW

    kb_repo.write("billing/refunds.md", CARD.format(title="Refunds", body="Refund twice."))
    kb_repo.commit("cards")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env |= {"KB_PROGRESS_AFTER": "0", "TERM": "xterm", "COLUMNS": "120"}
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "index", "--json"],
        cwd=kb_repo.path,
        env=env,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=120,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert done.returncode == 0, seen.decode(errors="replace")
    assert HISTORY_ROW.encode() in seen
    assert json.loads(done.stdout)["cards"] == 1  # the bar never mixes into machine output
