"""How every kb command line ends: the exit code for what escaped the command.

One place for the three outcomes that `kb`, the fast search path and the fast build path
share: a ``KbError`` prints its message and exits with its code, Ctrl-C prints
"interrupted" (exit 130), and anything else (a Rust panic inside tantivy arrives as
pyo3's ``PanicException``, a ``BaseException``) prints the traceback and exits 3, never 1,
which reads as "findings". Light on purpose: the fast paths run it before typer loads.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: the fast paths import this module
if TYPE_CHECKING:
    from collections.abc import Callable


def guarded(command: Callable[[], int]) -> int:
    """Run ``command`` and return its exit code, or the code for what escaped it."""
    from kbcli.errors import ExitCode, KbError

    try:
        return command()
    except KbError as error:
        _error(error.message)
        return error.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return ExitCode.INTERRUPTED
    except (SystemExit, GeneratorExit):
        raise
    except BaseException:
        return bug()


def bug() -> int:
    """Report the exception being handled as a bug in kb: its traceback, then exit 3."""
    import traceback

    from kbcli import __version__
    from kbcli.errors import ExitCode

    traceback.print_exc()
    _error(f"this is a bug in kb {__version__}; please report it with the traceback above")
    return ExitCode.BUG


def _error(message: str) -> None:
    from kbcli.cli.output import print_error

    print_error(message)
