"""``kb build`` skips the CLI framework for plain command lines (``cli/fast_build``): the
same site, messages and exit code as through typer, and anything unusual goes to typer."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from tests.helpers import KbRepo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n---\n{body}\n"


def _fast(*argv: str) -> tuple[int | None, str, str]:
    from kbcli.cli.fast_build import run

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(list(argv))
    return code, out.getvalue(), err.getvalue()


def _site(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _repo(kb_repo: KbRepo) -> Path:
    kb_repo.write("billing/refunds.md", CARD.format(title="Refunds", body="See [x](gone.md)."))
    kb_repo.write("billing/invoices.md", CARD.format(title="Invoices", body="Download them."))
    kb_repo.commit("cards")
    return kb_repo.path


def test_a_plain_build_says_and_writes_what_the_typer_path_does(kb_repo: KbRepo) -> None:
    root = _repo(kb_repo)
    fast_out, typer_out = root.parent / "fast", root.parent / "typer"
    common = ("--kb", str(root), "--today", "2026-11-05", "build", "--no-search", "--strict")
    code, stdout, stderr = _fast(*common, "-o", str(fast_out))
    slow = run_kb(*common, "-o", str(typer_out))
    assert code == slow.exit_code == 1  # --strict and a broken link
    assert "gone.md" in stderr and stderr == slow.stderr
    times = re.compile(r" in [0-9.]+s")
    assert times.sub("", stdout.replace(str(fast_out), "OUT")) == times.sub(
        "", slow.stdout.replace(str(typer_out), "OUT")
    )
    assert _site(fast_out) == _site(typer_out)
    public = str(root.parent / "public")
    quiet = _fast(*common[:-1], "--out", public, "-q", "--audience", "public", "-j", "1")
    # No public card: nothing broken (the internal links are not shown), but a public
    # site without a card page is said, on the fast path too.
    assert quiet[:2] == (0, "") and "no card is in the public site" in quiet[2]


def test_unusual_command_lines_are_left_to_typer() -> None:
    from kbcli.cli.fast_build import parse

    assert parse(["--kb", "x", "build", "--out=site", "--no-related", "-v"]) is not None
    for argv in (
        ["build", "--help"],
        ["build", "--no-serach"],  # a typo: typer suggests the right name
        ["build", "--search", "--no-search"],
        ["build", "--jobs", "0"],
        ["build", "--audience", "everyone"],
        ["build", "-vq"],
        ["build", "--out"],
        ["build", "extra"],
        ["--verbose", "build"],
        ["search", "build"],
    ):
        assert parse(argv) is None, argv


def test_the_kb_command_routes_a_build_through_the_fast_path_and_typos_to_typer(
    kb_repo: KbRepo,
) -> None:
    root = _repo(kb_repo)
    kb = [sys.executable, "-m", "kbcli", "--kb", str(root), "build"]
    typo = subprocess.run([*kb, "--no-serach"], capture_output=True, text=True)
    assert typo.returncode == 2 and "--no-search" in typo.stderr
    built = subprocess.run(
        [*kb, "--no-search", "--out", str(root.parent / "site")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert "Built the internal handbook: 2 cards" in built.stdout


def test_a_bug_on_the_fast_path_exits_3_with_its_traceback(
    kb_repo: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path ends as ``kb`` does (``cli/edge``): a crash is exit 3, never 1."""
    from kbcli.cli.views import handbook

    def explode(*args: object, **kwargs: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(handbook, "build_command", explode)
    root = _repo(kb_repo)
    code, _out, err = _fast("--kb", str(root), "build", "--out", str(root.parent / "site"))
    assert code == 3
    assert "RuntimeError: boom" in err and "bug in kb" in err


@pytest.mark.parametrize("folder", ["site", "site [draft]", "site :smile: x"])
def test_the_summary_without_rich_is_what_rich_prints(kb_repo: KbRepo, folder: str) -> None:
    # A build with nothing for stderr prints its summary without importing rich (stdout
    # not a terminal): the very text rich prints, brackets in the path included; a path
    # rich would print differently (an emoji code) is left to rich.
    from kbcli.cli.context import RunContext
    from kbcli.cli.views.handbook import _plain_summary, _rich_summary
    from kbcli.usecases.handbook import run_build

    kb_repo.write("billing/invoices.md", CARD.format(title="Invoices", body="Download them."))
    kb_repo.commit("cards")
    workspace = RunContext(kb_dir=str(kb_repo.path), today_text="2026-11-05").workspace
    report = run_build(workspace, kb_repo.path.parent / folder, "internal", search=False)
    for timings in (False, True):
        plain, rich = io.StringIO(), io.StringIO()
        with redirect_stdout(plain):
            done = _plain_summary(report, quiet=False, timings=timings, serving=False)
        with redirect_stdout(rich):
            _rich_summary(report, quiet=False, timings=timings, serving=False)
        assert "Built the internal handbook: 1 card, " in rich.getvalue()
        assert done == (":smile:" not in folder)
        assert plain.getvalue() == (rich.getvalue() if done else "")


@pytest.mark.parametrize("quiet", [False, True])
def test_broken_links_and_warnings_without_rich_are_what_rich_prints(
    kb_repo: KbRepo, quiet: bool
) -> None:
    # Broken links and warnings go to stderr without importing rich too when neither
    # stream is a terminal: the same text as rich prints; a broken link on line 100 reads
    # "x.md:100:" both ways (rich's emoji codes used to make it "x.md💯").
    from kbcli.cli.context import RunContext
    from kbcli.cli.views.handbook import _plain_summary, _rich_summary
    from kbcli.usecases.handbook import run_build

    body = "\n" * 94 + "See [x](gone[draft].md) and ![pic](missing.png)."
    kb_repo.write("billing/refunds.md", CARD.format(title="Refunds", body=body))
    kb_repo.commit("cards")
    workspace = RunContext(kb_dir=str(kb_repo.path), today_text="2026-11-05").workspace
    report = run_build(workspace, kb_repo.path.parent / "site", "internal", search=False)
    assert report.broken and report.warnings
    outputs = []
    for show in (_plain_summary, _rich_summary):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            done = show(report, quiet=quiet, timings=True, serving=False)
        assert done is not False
        outputs.append((out.getvalue(), err.getvalue()))
    assert outputs[0] == outputs[1]
    assert "billing/refunds.md:100: broken link 'gone[draft].md'" in outputs[0][1]
    assert "kb: warning:" in outputs[0][1] and "missing.png" in outputs[0][1]
    assert ("listed above" in outputs[0][0]) is not quiet
