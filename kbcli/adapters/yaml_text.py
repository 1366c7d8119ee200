"""The one YAML loader for cards and the roster: libyaml speed, dates kept as text.

PyYAML turns ``2026-10-01`` into a date by itself, and a typo such as ``2026-13-01``
then raises a bare ValueError from deep inside the library. kb validates dates
itself (``cards.to_utc``) so that a bad date is a positioned problem and fails
closed; the loader therefore leaves timestamps as the text the person wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class TextDatesLoader(_BASE):  # type: ignore[valid-type,misc]
    """Safe loader without the implicit timestamp resolver."""


TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlProblem:
    """Why a YAML text could not be read, at a 0-based line and column of that text."""

    message: str
    line: int = 0
    column: int = 0


def load_yaml(text: str) -> tuple[Any, YamlProblem | None]:
    """Parse ``text``; never raises for bad input, returns ``(None, problem)`` instead."""
    import frontmatter

    try:
        return frontmatter.YAMLHandler().load(text, Loader=TextDatesLoader), None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, YamlProblem(what, mark.line if mark else 0, mark.column if mark else 0)
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        # Explicit tags (!!timestamp, !!int) construct values and can fail this way.
        return None, YamlProblem(f"a value cannot be read ({error})")
