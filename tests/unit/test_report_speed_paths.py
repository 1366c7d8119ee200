"""The fast paths behind ``kb report`` and ``kb check`` give exactly what the plain ones did.

Each fast path is compared with a straightforward version of the same computation
(the one kb used before it was made fast) on many generated inputs. The JSON output's
fast path is the cli's: ``tests/cli/test_json_output.py``.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from kbcli.core.cards import CardMeta, Status
from kbcli.core.durations import parse_duration
from kbcli.core.history import CardHistory, Change, Commit
from kbcli.core.trend import _trust_meta, trust_trend
from kbcli.core.trust import Cadence, TrustPolicy, assess

# -- trust trend -----------------------------------------------------------------------------


def plain_trend(
    histories: Sequence[CardHistory],
    policy: TrustPolicy,
    days: Sequence[date],
    is_card: Callable[[str], bool],
) -> list[tuple[date, float]]:
    """Every card's front matter replayed, then ``assess`` for every card and every day."""
    timelines = []
    for history in histories:
        moments: list[date] = []
        states: list[tuple[str, CardMeta] | None] = []
        values: dict[str, str | None] = {}
        for change in history.changes:
            values.update(change.values)
            state = None if change.deleted else (change.path, _trust_meta(values))
            if moments and moments[-1] >= change.commit.day:
                states[-1] = state
            else:
                moments.append(change.commit.day)
                states.append(state)
        timelines.append((moments, states))
    points = []
    for day in days:
        fresh = published = 0
        for moments, states in timelines:
            index = bisect.bisect_right(moments, day) - 1
            if index < 0:
                continue
            state = states[index]
            if state is None or not is_card(state[0]):
                continue
            path, meta = state
            if meta.status is not Status.PUBLISHED:
                continue
            if meta.verified_on is not None and meta.verified_on > day:
                meta = CardMeta(title="", status=meta.status, verify_every=meta.verify_every)
            published += 1
            fresh += assess(meta, policy, path, day).is_fresh
        if published:
            points.append((day, fresh / published))
    return points


POLICY = TrustPolicy(
    Cadence(parse_duration("3m"), parse_duration("14d")),
    {
        "ops": Cadence(parse_duration("1m"), parse_duration("7d")),
        "ops/incidents": Cadence(parse_duration("2w"), parse_duration("3d")),
        "legal": Cadence(parse_duration("never"), parse_duration("14d")),
    },
)
START = datetime(2025, 1, 1, 12, tzinfo=UTC)


def random_history(rng: random.Random, first_seq: int) -> CardHistory:
    changes = []
    path = rng.choice(["a.md", "ops/b.md", "ops/incidents/c.md", "legal/d.md", "other/e.md"])
    when = START + timedelta(days=rng.randint(0, 500))
    for index in range(rng.randint(1, 6)):
        # Mostly forward in time; sometimes the same day, sometimes a clock that went back.
        when += timedelta(days=rng.choice([-3, 0, 0, 1, 5, 20, 40, 90]))
        values: dict[str, str | None] = {}
        if index == 0 or rng.random() < 0.6:
            values["verified_at"] = rng.choice(
                [
                    None,
                    (when - timedelta(days=rng.randint(0, 30))).date().isoformat(),
                    (when + timedelta(days=10)).date().isoformat(),  # stamped ahead
                    "'2025-06-01'",
                    "2025-02-30",
                    "soon",
                ]
            )
        if rng.random() < 0.3:
            values["status"] = rng.choice([None, "published", "draft", "archived", "Nonsense"])
        if rng.random() < 0.3:
            values["verify_every"] = rng.choice([None, "30d", "6w", "1y", "never", "often"])
        if rng.random() < 0.15:
            path = rng.choice(["a.md", "ops/moved.md", "other/x.md"])
        deleted = index > 0 and rng.random() < 0.1
        commit = Commit(f"{first_seq + index:040x}", "Ana", "ana@x", when, first_seq + index)
        changes.append(Change(commit, path, created=index == 0, deleted=deleted, values=values))
    return CardHistory(path, tuple(changes))


# One seed in the inner loop, all four in the full run.
@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in (1, 2, 3))])
def test_trust_trend_matches_assessing_every_card_on_every_day(seed: int):
    rng = random.Random(seed)
    histories = [random_history(rng, n * 10) for n in range(200)]
    end = date(2026, 6, 1)
    days = [end - timedelta(weeks=k) for k in range(40, -1, -1)]

    def is_card(path: str) -> bool:
        return not path.startswith("other/")

    fast = trust_trend(histories, POLICY, days, is_card)
    assert fast == plain_trend(histories, POLICY, days, is_card)
    assert len(fast) > 20  # the comparison covered real points


def test_trust_trend_with_no_days_or_no_cards():
    assert trust_trend([], POLICY, [date(2026, 1, 1)], lambda p: True) == []
    rng = random.Random(1)
    assert trust_trend([random_history(rng, 0)], POLICY, [], lambda p: True) == []


# -- cadence per folder ----------------------------------------------------------------------


def plain_cadence(policy: TrustPolicy, path: str) -> Cadence:
    best, best_len = policy.default, -1
    for folder, cadence in policy.folders.items():
        prefix = folder.strip("/")
        if (path.startswith(prefix + "/") or prefix in ("", ".")) and len(prefix) > best_len:
            best, best_len = cadence, len(prefix)
    return best


def test_cadence_for_is_the_longest_matching_folder_for_every_path():
    policy = TrustPolicy(
        POLICY.default,
        {
            **POLICY.folders,
            "/ops/incidents/": Cadence(parse_duration("5d"), parse_duration("1d")),
            "op": Cadence(parse_duration("9d"), parse_duration("1d")),
            "x.md": Cadence(parse_duration("8d"), parse_duration("1d")),
        },
    )
    paths = [
        "a.md",
        "x.md",
        "x.md/y.md",
        "ops.md",
        "ops/a.md",
        "opsx/a.md",
        "op/a.md",
        "ops/incidents/a.md",
        "ops/incidents/deep/b.md",
        "legal/sub/c.md",
    ]
    for path in paths * 2:  # the second round answers from the per-folder memo
        assert policy.cadence_for(path) is plain_cadence(policy, path), path
    with_root = TrustPolicy(POLICY.default, {".": Cadence(parse_duration("2d"), NEVER_WARN)})
    assert with_root.cadence_for("a.md") is with_root.folders["."]
    assert with_root.cadence_for("b/a.md") is with_root.folders["."]


NEVER_WARN = parse_duration("never")
