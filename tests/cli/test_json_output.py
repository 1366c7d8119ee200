"""``--json`` output (orjson, with a fallback for what it cannot encode) reads back as the
standard library's ``json.dumps`` text does: the fast path gives what the plain one did."""

from __future__ import annotations

import enum
import json
import random
from datetime import UTC, date, datetime

import pytest

from kbcli.cli.output import print_json


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


SCALARS: list[object] = [
    None,
    True,
    False,
    0,
    -7,
    10**30,
    1.5,
    -0.0,
    1e300,
    "",
    "plain",
    'quote " and \\ backslash',
    "line\nbreak\ttab",
    "ünïcödé ✔ \u2028 \x00",
    Colour.RED,
    Level.HIGH,
    date(2026, 11, 22),
    datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
]


def random_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        return rng.choice(SCALARS)
    if roll < 0.7:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.75:
        return tuple(random_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    keys: list[object] = ["a", "b", "ключ", "", 1, 2.5, True, None, Colour.RED]
    return {rng.choice(keys): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


@pytest.mark.slow
def test_json_output_means_what_the_standard_library_would_write(capsys):
    """--json output (orjson, with a fallback for what it cannot encode, such as integers
    beyond 64 bits from a card's front matter) reads back as json.dumps's text does."""
    rng = random.Random(4)
    for _ in range(3000):
        value = random_value(rng)
        print_json(value)
        text = capsys.readouterr().out
        assert text.endswith("\n")
        expected = json.loads(json.dumps(value, ensure_ascii=False, default=str))
        assert json.loads(text) == expected, value


def test_json_output_is_valid_json_even_for_not_a_number(capsys):
    print_json({"ratio": float("nan"), "big": float("inf"), "n": [1, 2]})
    assert json.loads(capsys.readouterr().out) == {"ratio": None, "big": None, "n": [1, 2]}
