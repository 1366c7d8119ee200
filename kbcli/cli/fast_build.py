"""``kb build`` without loading the CLI framework: the rebuild after each edit.

Parsing a command line with typer (and the pydantic it brings) costs about 0.15 s of
CPU, a third of a fresh ``kb build`` after one edit. ``main`` hands plain
``kb [--kb P] [--today D] build [OPTIONS]`` lines here, options being those of
``kb build`` spelled out (``--out P``, ``-o P``, ``--out=P``, ``--audience A``,
``--[no-]search``, ``--[no-]related``, ``--jobs N``, ``-j N``, ``-v``, ``-q``,
``--strict``, ``--allow-shallow``, ``--force``, ``--full``). Anything else (``--help``, an unknown,
repeated-in-one or malformed option, a value typer would refuse) returns None and
takes the typer path, so behaviour never differs: both call
``views.handbook.build_command``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: keep this module's imports to the minimum
if TYPE_CHECKING:
    from typing import Any

_FLAGS: dict[str, tuple[str, bool]] = {
    "--search": ("search", True),
    "--no-search": ("search", False),
    "--related": ("related", True),
    "--no-related": ("related", False),
    "--verbose": ("verbose", True),
    "-v": ("verbose", True),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
    "--strict": ("strict", True),
    "--allow-shallow": ("allow_shallow", True),
    "--force": ("force", True),
    "--full": ("full", True),
}
_VALUES = {"--out": "out", "-o": "out", "--audience": "audience", "--jobs": "jobs", "-j": "jobs"}


def parse(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``kb ... build ...`` line, or None to use typer."""
    from kbcli.cli.fast_argv import parse_plain

    options = parse_plain(argv, "build", _FLAGS, _VALUES, {"out": None, "audience": "internal"})
    if options is None or options["audience"] not in ("internal", "public"):
        return None
    jobs = options.get("jobs")
    if jobs is not None:
        if not jobs.isdigit() or int(jobs) < 1:
            return None
        options["jobs"] = int(jobs)
    return options


def run(argv: list[str]) -> int | None:
    """Run a plain ``kb build`` and return its exit code; None when typer should handle argv."""
    options = parse(argv)
    if options is None:
        return None
    from pathlib import Path

    from kbcli.cli.fast_argv import run_plain
    from kbcli.cli.views.handbook import build_command

    if options.get("out") is not None:
        options["out"] = Path(options["out"])
    return run_plain(options, build_command)
