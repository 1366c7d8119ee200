"""``kb build`` without loading the CLI framework: the rebuild after each edit.

Parsing a command line with typer (and the pydantic it brings) costs about 0.15 s of
CPU, a third of a fresh ``kb build`` after one edit. ``main`` hands plain
``kb [--kb P] [--today D] build [OPTIONS]`` lines here, options being those of
``kb build`` spelled out (``--out P``, ``-o P``, ``--out=P``, ``--audience A``,
``--[no-]search``, ``--[no-]related``, ``--jobs N``, ``-j N``, ``-v``, ``-q``,
``--strict``, ``--allow-shallow``, ``--force``). Anything else (``--help``, an unknown,
repeated-in-one or malformed option, a value typer would refuse) returns None and
takes the typer path, so behaviour never differs: both call
``views.handbook.build_command``.
"""

from __future__ import annotations

import os

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
}
_VALUES = {"--out": "out", "-o": "out", "--audience": "audience", "--jobs": "jobs", "-j": "jobs"}
_GLOBAL = ("--kb", "--today")


def parse(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``kb ... build ...`` line, or None to use typer."""
    options: dict[str, Any] = {
        "kb": os.environ.get("KB_DIR") or None,
        "today": os.environ.get("KB_TODAY") or None,
        "audience": "internal",
    }
    i = _options(argv, 0, options, _GLOBAL)
    if i is None or i >= len(argv) or argv[i] != "build":
        return None
    end = _options(argv, i + 1, options, (*_VALUES, *_FLAGS))
    if end != len(argv) or options["audience"] not in ("internal", "public"):
        return None
    jobs = options.get("jobs")
    if jobs is not None:
        if not jobs.isdigit() or int(jobs) < 1:
            return None
        options["jobs"] = int(jobs)
    return options


def _options(
    argv: list[str], i: int, options: dict[str, Any], known: tuple[str, ...]
) -> int | None:
    """Read ``known`` options from ``argv[i:]`` into ``options`` up to the first word that
    is not one; its index, or None when an option is malformed or given twice."""
    seen: set[str] = set()
    while i < len(argv) and argv[i].startswith("-"):
        name, eq, value = argv[i].partition("=")
        given: str | bool = value
        if name not in known:
            return None
        if name in _FLAGS:
            if eq:
                return None
            slot, given = _FLAGS[name]
        else:
            slot = _VALUES.get(name, name[2:])
            if not eq:
                if i + 1 >= len(argv):
                    return None
                i, given = i + 1, argv[i + 1]
        if slot in seen:
            return None
        seen.add(slot)
        options[slot] = given
        i += 1
    return i


def run(argv: list[str]) -> int | None:
    """Run a plain ``kb build`` and return its exit code; None when typer should handle argv."""
    options = parse(argv)
    if options is None:
        return None
    from pathlib import Path

    from kbcli.cli.context import RunContext
    from kbcli.cli.edge import guarded
    from kbcli.cli.views.handbook import build_command

    context = RunContext(kb_dir=options.pop("kb"), today_text=options.pop("today"))
    out = None if (given := options.pop("out", None)) is None else Path(given)
    audience = options.pop("audience")
    return guarded(lambda: build_command(context, out, audience, **options))
