"""The command line and environment of every git process kb starts (``git_runner`` runs
them and translates their failures).

Apart so that the search's status check, which starts ``git status`` before anything
heavy is imported, loads only ``os`` to build it: ``git_runner`` brings ``kbcli.errors``
(and ``enum``), ~4 ms of CPU that would delay git's start.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: see above
if TYPE_CHECKING:
    from collections.abc import Mapping

OPTIONS = (
    "-c",
    "core.quotepath=off",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=never",
)
READ_ONLY = ("--no-optional-locks",)


def argv(*args: str, read_only: bool = False) -> list[str]:
    """The command line of ``git ARGS`` with kb's shared options."""
    return ["git", *(READ_ONLY if read_only else ()), *OPTIONS, *args]


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every git process: English messages, no prompt for a password."""
    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE"}
    env["LC_ALL"] = "C.UTF-8"
    env["GIT_TERMINAL_PROMPT"] = "0"
    if extra:
        env.update(extra)
    return env
