"""``kb index`` without loading the CLI framework.

Parsing a command line with typer (and the pydantic it brings) costs about 0.2 s of CPU,
more than Tantivy takes to index a few hundred cards. ``main`` hands plain
``kb [--kb P] [--today D] index [--rebuild] [--wait S] [--json] [--quiet|-q]`` lines here.
Anything else (``--help``, an unknown, repeated or malformed option: ``cli.fast_argv``)
returns None and takes the typer path, so behaviour never differs: both call
``views.index.index_command``.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing's: keep this module's imports to the minimum
if TYPE_CHECKING:
    from typing import Any

_FLAGS = {
    "--rebuild": ("rebuild", True),
    "--json": ("json", True),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
}
_DEFAULTS = {"rebuild": False, "wait": 30.0, "json": False, "quiet": False}
_SECONDS = re.compile(r"[0-9]+(\.[0-9]*)?")


def parse(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``kb ... index ...`` line, or None to use typer."""
    from kbcli.cli.fast_argv import parse_plain

    options = parse_plain(argv, "index", _FLAGS, {"--wait": "wait"}, _DEFAULTS)
    if options is None:
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
    from kbcli.cli.fast_argv import run_plain
    from kbcli.cli.views.index import index_command

    return run_plain(options, index_command)
