"""Leave the process at once once stdout and stderr are flushed.

Nothing in kb needs the interpreter's teardown (no atexit handler, no file left open for
writing), and tearing down the modules and objects of a big command costs real time: ~15 ms
of CPU for a one-shot search, far more after ``kb report`` at 100k cards. Kept apart (only
``os`` and ``sys``) so the search path a daemon answers imports nothing else for it.
"""

import os
import sys

TYPE_CHECKING = False  # not typing's: this sits on the search's start-up path
if TYPE_CHECKING:
    from typing import NoReturn


def leave(code: int) -> "NoReturn":
    """Exit with ``code`` without the interpreter's teardown; a closed pipe takes the
    ordinary exit, which reports it."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)
