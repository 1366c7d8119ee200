"""``kb index`` without loading the CLI framework.

Parsing a command line with typer (and the pydantic it brings) costs about 0.2 s of CPU,
more than Tantivy takes to index a few hundred cards. ``main`` hands plain
``kb [--kb P] [--today D] index [--rebuild] [--wait S] [--json] [--quiet|-q]`` lines here.
Anything else (``--help``, an unknown, repeated or malformed option) returns None and
takes the typer path, so behaviour never differs: both call ``views.index.index_command``.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False  # not typing's: keep this module's imports to the minimum
if TYPE_CHECKING:
    from typing import Any

_FLAGS = {"--rebuild": "rebuild", "--json": "json", "--quiet": "quiet", "-q": "quiet"}
_GLOBAL = ("--kb", "--today")
_SECONDS = re.compile(r"[0-9]+(\.[0-9]*)?")


def parse(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``kb ... index ...`` line, or None to use typer."""
    options: dict[str, Any] = {
        "kb": os.environ.get("KB_DIR") or None,
        "today": os.environ.get("KB_TODAY") or None,
        "rebuild": False,
        "wait": 30.0,
        "json": False,
        "quiet": False,
    }
    seen: set[str] = set()
    i, command = 0, False
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if not command and argv[i] == "index":
            command = True
        elif command and name in _FLAGS and not eq and _FLAGS[name] not in seen:
            seen.add(_FLAGS[name])
            options[_FLAGS[name]] = True
        elif name in (("--wait",) if command else _GLOBAL) and name not in seen:
            if not eq:
                if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                    return None
                i, value = i + 1, argv[i + 1]
            seen.add(name)
            options[name[2:]] = value
        else:
            return None
        i += 1
    if not command:
        return None
    wait = options["wait"]
    if isinstance(wait, str):
        if not _SECONDS.fullmatch(wait):
            return None
        options["wait"] = float(wait)
    return options


def run(argv: list[str]) -> int | None:
    """Run a plain ``kb index`` and return its exit code; None when typer should handle argv."""
    options = parse(argv)
    if options is None:
        return None
    from kbcli.cli.context import RunContext
    from kbcli.cli.edge import guarded
    from kbcli.cli.views.index import index_command

    context = RunContext(kb_dir=options.pop("kb"), today_text=options.pop("today"))
    return guarded(lambda: index_command(context, **options))
