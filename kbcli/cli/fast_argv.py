"""The plain command lines kb runs without typer (``fast_build``, ``fast_index``).

Parsing a command line with typer (and the pydantic it brings) costs 0.15-0.2 s of CPU,
more than a ``kb index`` of a few hundred cards or a ``kb build`` after one edit. A
fast path reads ``kb [--kb P] [--today D] COMMAND [OPTIONS]`` itself, options spelled
out as typer takes them (``--name V``, ``--name=V``, flags, short aliases). Anything
else (``--help``, an unknown, repeated or malformed option, a missing value) reads as
None and the caller hands the line to typer, so behaviour never differs.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: keep this module's imports to the minimum
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_GLOBAL: dict[str, str] = {"--kb": "kb", "--today": "today"}


def parse_plain(
    argv: list[str],
    command: str,
    flags: dict[str, tuple[str, bool]],
    values: dict[str, str],
    defaults: dict[str, Any],
) -> dict[str, Any] | None:
    """The options of a plain ``kb ... COMMAND ...`` line (``kb``, ``today`` and the
    command's, over ``defaults``), or None to use typer. ``flags``: a flag's name ->
    (its option, the value it gives); ``values``: an option's name -> its option.
    Values stay text: the caller checks them as typer would."""
    options: dict[str, Any] = {
        "kb": os.environ.get("KB_DIR") or None,
        "today": os.environ.get("KB_TODAY") or None,
        **defaults,
    }
    i = _read(argv, 0, options, {}, _GLOBAL)
    if i is None or i >= len(argv) or argv[i] != command:
        return None
    end = _read(argv, i + 1, options, flags, values)
    return options if end == len(argv) else None


def _read(
    argv: list[str],
    i: int,
    options: dict[str, Any],
    flags: dict[str, tuple[str, bool]],
    values: dict[str, str],
) -> int | None:
    """Read options from ``argv[i:]`` into ``options`` up to the first word that is not
    one; its index, or None when an option is unknown, malformed or given twice."""
    seen: set[str] = set()
    while i < len(argv) and argv[i].startswith("-"):
        name, eq, given = argv[i].partition("=")
        value: str | bool = given
        if name in flags:
            if eq:
                return None
            slot, value = flags[name]
        elif name in values:
            slot = values[name]
            if not eq:
                if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                    return None
                i, value = i + 1, argv[i + 1]
        else:
            return None
        if slot in seen:
            return None
        seen.add(slot)
        options[slot] = value
        i += 1
    return i


def run_plain(options: dict[str, Any], command: Callable[..., int]) -> int:
    """Run ``command(context, **options)`` behind kb's one error edge, as typer would
    (``options`` as ``parse_plain`` read them, checked by the caller)."""
    from kbcli.cli.context import RunContext
    from kbcli.cli.edge import guarded

    context = RunContext(kb_dir=options.pop("kb"), today_text=options.pop("today"))
    return guarded(lambda: command(context, **options))
