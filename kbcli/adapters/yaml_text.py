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
    # What YAML was reading when it failed, when that began on an earlier line (an
    # unclosed bracket or quote): the line a person has to fix, not where YAML noticed.
    began: str = ""
    began_line: int | None = None

    def opened(self, first_line: int) -> str:
        """`` (in the [ list that began on line 4)``, or "" (``first_line``: the file's
        line number of the text's first line)."""
        if self.began_line is None:
            return ""
        return f" ({self.began} that began on line {self.began_line + first_line})"


MAX_BYTES = 64 * 1024
"""Largest front matter read (characters): a card header is a few hundred bytes."""
MAX_VALUES = 10_000
"""Most values a header may expand to, aliases counted each time they are used: a
441-byte alias bomb expands to billions, and every later walk (search, JSON) would hang."""
MAX_DEPTH = 64
"""Deepest nesting: ~600 levels overflowed the recursion of every later walk."""
ROSTER_MAX_BYTES = 16 * 1024 * 1024
ROSTER_MAX_VALUES = 2_000_000
"""people.yaml is one file for the whole company, not a header: ``kb people suggest``
on the tldr-pages bundle lists 2,658 authors (293 KB, ~16,000 values), which the
card limits refused. These limits still stop an alias bomb or a runaway file."""


@dataclass(frozen=True)
class Limits:
    """Bounds for one kind of YAML text, and what to call it in a problem."""

    max_bytes: int = MAX_BYTES
    max_values: int = MAX_VALUES
    what: str = "the front matter"
    advice: str = "move long text into the card body"


CARD_LIMITS = Limits()
ROSTER_LIMITS = Limits(ROSTER_MAX_BYTES, ROSTER_MAX_VALUES, "people.yaml", "split it up")


def load_yaml(text: str, limits: Limits = CARD_LIMITS) -> tuple[Any, YamlProblem | None]:
    """Parse ``text``; never raises for bad input, returns ``(None, problem)`` instead.

    Bounded: a header over ``MAX_BYTES``, a value nested deeper than ``MAX_DEPTH``, a
    recursive alias or more than ``MAX_VALUES`` values once aliases are expanded is a
    problem, never a hang or a crash later on.
    """
    if len(text) > limits.max_bytes:
        return None, YamlProblem(
            f"{limits.what} is {len(text):,} characters, over the limit of "
            f"{limits.max_bytes:,}; {limits.advice}"
        )
    try:
        value = yaml.load(text, Loader=TextDatesLoader)
    except yaml.YAMLError as error:
        return None, _syntax_problem(error)
    except Exception as error:
        # Explicit tags (!!timestamp, !!bool maybe) construct values and fail in many ways.
        return None, YamlProblem(f"a value cannot be read ({type(error).__name__}: {error})")
    problem = _bounds_problem(value, limits)
    return (None, problem) if problem else (value, None)


# PyYAML's words for what was left open, as a person editing a header reads them.
_OPENED = {
    "while parsing a flow sequence": "in the [ list",
    "while parsing a flow mapping": "in the { mapping",
    "while scanning a quoted scalar": "in the quoted value",
}


def _syntax_problem(error: yaml.YAMLError) -> YamlProblem:
    mark = getattr(error, "problem_mark", None)
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    line, column = (mark.line, mark.column) if mark else (0, 0)
    context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
    if isinstance(context, str) and opened is not None and opened.line < line:
        began = _OPENED.get(context, context.removeprefix("while "))
        return YamlProblem(what, line, column, began, opened.line)
    return YamlProblem(what, line, column)


def _bounds_problem(value: Any, limits: Limits) -> YamlProblem | None:
    """Walk the loaded value once with a budget (iteratively, so depth cannot overflow)."""
    count = 0
    stack: list[tuple[Any, int, frozenset[int]]] = [(value, 0, frozenset())]
    while stack:
        item, depth, path = stack.pop()
        count += 1
        if count > limits.max_values:
            return YamlProblem(
                f"{limits.what} expands to more than {limits.max_values:,} values "
                "(aliases count each time they are used); write the values out"
            )
        if depth > MAX_DEPTH:
            return YamlProblem(f"{limits.what} nests deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            children: list[Any] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if id(item) in path:
            return YamlProblem("an alias refers to itself (a recursive value); remove it")
        inner = path | {id(item)}
        stack.extend((child, depth + 1, inner) for child in children)
    return None
