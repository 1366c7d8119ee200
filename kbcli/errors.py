"""User-facing errors and exit codes.

One error type reaches the user: ``KbError`` carries a one-sentence message that
says what to do. ``app.main`` prints it on stderr and exits with its code; anything
else is a bug in kb and keeps its traceback (exit 3), so a crash never reads as
"findings" in CI.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes shared by every command (documented in the README)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    BUG = 3
    INTERRUPTED = 130


class KbError(Exception):
    """A problem the user can fix: bad usage, bad config, environment trouble."""

    exit_code: int = ExitCode.USAGE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class ConfigError(KbError):
    """kb.toml, people.yaml or the environment hold values kb cannot use."""


class NotAKnowledgeRepo(KbError):
    """No kb.toml was found from the current folder upwards."""


class CardNotFound(KbError):
    """A CARD argument matched no card by path, file name or alias."""
