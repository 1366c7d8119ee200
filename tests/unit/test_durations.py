from __future__ import annotations

from datetime import date

import pytest

from kbcli.core.durations import add_months, parse_duration


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("30d", date(2026, 1, 1), date(2026, 1, 31)),
        ("6w", date(2026, 1, 1), date(2026, 2, 12)),
        ("3m", date(2026, 1, 31), date(2026, 4, 30)),
        ("1m", date(2024, 1, 31), date(2024, 2, 29)),
        ("1y", date(2024, 2, 29), date(2025, 2, 28)),
        ("2Y", date(2026, 5, 1), date(2028, 5, 1)),
    ],
)
def test_cadence_lands_on_the_calendar_day_people_expect(text, start, end):
    assert parse_duration(text).after(start) == end


def test_never_never_ends():
    assert parse_duration("never").after(date(2026, 1, 1)) == date.max
    assert str(parse_duration("Never")) == "never"


@pytest.mark.parametrize("bad", ["", "3", "0d", "-1d", "3 months", "1h", None, 30, ["3m"]])
def test_bad_durations_name_the_accepted_forms(bad):
    with pytest.raises(ValueError, match="30d, 6w, 3m or 1y"):
        parse_duration(bad)


def test_add_months_backwards():
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert parse_duration("14d").before(date(2026, 12, 1)) == date(2026, 11, 17)
