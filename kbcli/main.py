"""The ``kb`` entry point: answer ``--version`` before loading the CLI framework.

Typer and its dependencies take most of kb's start-up time; scripts and shell
prompts that ask for the version should not pay for them.
"""

from __future__ import annotations

import sys
from typing import NoReturn


def main() -> NoReturn:
    if sys.argv[1:] == ["--version"]:
        from kbcli import __version__

        sys.stdout.write(f"kb {__version__}\n")
        sys.exit(0)
    from kbcli.app import run

    sys.exit(run())
