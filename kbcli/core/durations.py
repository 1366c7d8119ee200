"""Verification cadences such as ``30d``, ``6w``, ``3m``, ``1y`` or ``never``.

Months and years are calendar months (3m after 31 Jan is 30 Apr), because that is
what people mean when they write "every three months".
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from kbcli.core.patterns import lazy

_PATTERN = lazy(r"^\s*(\d{1,9})\s*([dwmy])\s*$", re.IGNORECASE)
_UNIT_NAMES = {"d": "day", "w": "week", "m": "month", "y": "year"}
_LONGEST = {"d": 36_525, "w": 5_218, "m": 1_200, "y": 100}
"""A hundred years in each unit: longer cadences overflowed date arithmetic (3000000d);
write ``never`` for a card that needs no re-verification."""


class Duration:
    """A count of days, weeks, months or years; ``never`` is ``count == 0, unit == ''``.

    A plain class (a value: equal and hashed by count and unit), not a dataclass: it is
    on every command's import path, and not a tuple: JSON output writes it as ``3m``."""

    __slots__ = ("count", "unit")

    def __init__(self, count: int, unit: str) -> None:
        self.count = count
        self.unit = unit

    def __repr__(self) -> str:
        return f"Duration(count={self.count!r}, unit={self.unit!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.count == other.count and self.unit == other.unit

    def __hash__(self) -> int:
        return hash((self.count, self.unit))

    @property
    def is_never(self) -> bool:
        return self.unit == ""

    def after(self, start: date) -> date:
        """The date this long after ``start``; ``date.max`` for ``never``."""
        if self.is_never:
            return date.max
        if self.unit == "d":
            return start + timedelta(days=self.count)
        if self.unit == "w":
            return start + timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        return add_months(start, months)

    def before(self, end: date) -> date:
        """The date this long before ``end`` (used for "due within" windows)."""
        if self.is_never:
            return date.min
        if self.unit == "d":
            return end - timedelta(days=self.count)
        if self.unit == "w":
            return end - timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        return add_months(end, -months)

    def __str__(self) -> str:
        return "never" if self.is_never else f"{self.count}{self.unit}"

    def describe(self) -> str:
        if self.is_never:
            return "never"
        name = _UNIT_NAMES[self.unit]
        return f"{self.count} {name}{'' if self.count == 1 else 's'}"


NEVER = Duration(0, "")


def parse_duration(text: object) -> Duration:
    """Parse ``30d``/``6w``/``3m``/``1y``/``never``; raise ValueError with the accepted forms."""
    if isinstance(text, str):
        if text.strip().lower() == "never":
            return NEVER
        match = _PATTERN.match(text)
        if match and 0 < int(match.group(1)) <= _LONGEST[match.group(2).lower()]:
            return Duration(int(match.group(1)), match.group(2).lower())
    raise ValueError(
        f"{text!r} is not a duration: write a number and a unit up to a hundred years, "
        "such as 30d, 6w, 3m or 1y, or never"
    )


def add_months(start: date, months: int) -> date:
    """Calendar-month arithmetic, clamping the day (31 Jan + 1 month = 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    day = min(start.day, _days_in_month(year, month + 1))
    return date(year, month + 1, day)


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # calendar.monthrange also computes a weekday: a measurable cost at 100k cards.
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS[month - 1]
