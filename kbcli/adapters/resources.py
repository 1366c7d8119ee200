"""Where kb's packaged files live: ``kbcli/templates`` in a wheel, ``templates/`` in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def templates_dir() -> Path:
    """The built-in templates (card templates in ``cards/``, the handbook in ``handbook/``)."""
    installed = _PACKAGE / "templates"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "templates"
