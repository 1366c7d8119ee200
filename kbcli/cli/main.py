"""The ``kb`` entry point: answer ``--version`` before loading the CLI framework.

Typer and its dependencies take most of kb's start-up time; scripts and shell
prompts that ask for the version should not pay for them.
"""

import sys

# Without ``from __future__ import annotations`` (the __future__ module is an import of its
# own): a search a daemon answers imports only kb's entry modules.
TYPE_CHECKING = False  # not typing's: importing typing here would delay the search's git status
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> "NoReturn":
    try:
        _run()
    except KeyboardInterrupt:
        # Ctrl-C while kb is still importing, before a command's own guard (cli/edge.py)
        # is in place: the same one line and exit code, not an import's traceback.
        sys.stderr.write("kb: error: interrupted\n")
        sys.exit(130)


def _run() -> "NoReturn":
    if sys.argv[1:] == ["--version"]:
        from kbcli import __version__

        sys.stdout.write(f"kb {__version__}\n")
        sys.exit(0)
    if "search" in sys.argv[1:4]:  # kb search skips the CLI framework (kbcli/cli/fast_search.py)
        from kbcli.cli.fast_search import run as fast_search

        code = fast_search(sys.argv[1:])
        if code is not None:  # ended at once, as gc_pause.end does (kbcli/cli/quick_exit.py)
            from kbcli.cli.quick_exit import leave

            leave(code)
    if "build" in sys.argv[1:6]:  # so does a plain kb build (kbcli/cli/fast_build.py)
        from kbcli.cli.fast_build import run as fast_build

        code = fast_build(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    if "index" in sys.argv[1:6]:  # and a plain kb index (kbcli/cli/fast_index.py)
        from kbcli.cli.fast_index import run as fast_index

        code = fast_index(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    from kbcli.cli.app import run
    from kbcli.cli.gc_pause import end

    end(run())
