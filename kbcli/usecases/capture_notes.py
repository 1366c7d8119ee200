"""Capture from ticket notes or an e-mail: read the text, make the draft.

The draft itself (subject, first paragraph, notes to edit) is ``core.kcs_text``'s;
this reads the input a user names and refuses, in one sentence, what it cannot use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.kcs_draft import Draft
    from kbcli.workspace import Workspace


def read_text_input(file: str) -> str:
    """The notes to capture, from a file or ``-`` (stdin)."""
    import sys

    if file == "-":
        return sys.stdin.read()
    path = Path(file).expanduser()
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KbError(
            f"{file} does not exist: give a file of ticket notes, or - for stdin"
        ) from None
    except UnicodeDecodeError:
        raise KbError(f"{file} is not UTF-8 text; re-save it as UTF-8") from None
    except OSError as error:
        raise KbError(f"cannot read {file} ({error.strerror})") from None


def text_draft(workspace: Workspace, text: str, *, file: str, source: str | None) -> Draft:
    from kbcli.core.kcs_text import draft_from_text

    label = source or ("notes pasted on stdin" if file == "-" else Path(file).name)
    draft = draft_from_text(text, source=label, today=workspace.today)
    if not draft.issue.strip():
        raise KbError(f"{'stdin' if file == '-' else file} holds no text to capture")
    return draft
