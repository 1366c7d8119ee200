"""Open a file in the user's editor ($VISUAL, then $EDITOR), as git does."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from kbcli.errors import KbError


def open_in_editor(path: Path) -> None:
    """Run the editor on ``path`` and wait; skip quietly when there is no terminal."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        if not sys.stdin.isatty():
            return
        command = "vi"
    try:
        subprocess.run([*shlex.split(command), str(path)], check=False)
    except FileNotFoundError:
        raise KbError(f"editor '{command}' was not found: set $EDITOR, or pass --no-edit") from None
