"""Output formats of ``kb check``: each renders one ``CheckResult``.

``text`` prints for people (grouped by card, coloured on a terminal); the others
are read by machines and are tested against their consumer's schema or documented
shape: ``json`` (kb's own, documented in the README), ``github`` (workflow
commands that annotate the pull request), ``junit`` (Jenkins junit-10.xsd, GitLab
test reports), ``sarif`` (SARIF 2.1.0 for code-scanning dashboards) and ``gitlab``
(GitLab Code Quality). ``summary`` is the markdown table appended to
``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbcli.core.gate import CheckResult

FORMATS = ("text", "json", "github", "junit", "sarif", "gitlab")


def renderer(name: str) -> Callable[[CheckResult], str]:
    """The function that renders format ``name`` as a string (``text`` without colour)."""
    from kbcli.cli.formats import github, gitlab, junit, sarif, text
    from kbcli.cli.formats import json as json_format

    table: dict[str, Callable[[CheckResult], str]] = {
        "text": text.render,
        "json": json_format.render,
        "github": github.render,
        "junit": junit.render,
        "sarif": sarif.render,
        "gitlab": gitlab.render,
    }
    return table[name]
