"""Trust state: the one function behind badges, lists, reports and CI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kbcli.core.cards import CardMeta, Position, parse_meta
from kbcli.core.durations import parse_duration
from kbcli.core.trust import Cadence, TrustPolicy, TrustState, assess

TODAY = date(2026, 11, 22)
POLICY = TrustPolicy(Cadence(parse_duration("3m"), parse_duration("14d")))


def meta(**fields: object) -> CardMeta:
    parsed, _problems = parse_meta(fields, Position(), path="a.md", body="", today=TODAY)
    return parsed


@pytest.mark.parametrize(
    ("verified_at", "expected"),
    [
        (date(2026, 11, 1), TrustState.VERIFIED),
        (date(2026, 9, 1), TrustState.DUE),  # expires 2026-12-01, within 14 days
        (date(2026, 8, 23), TrustState.EXPIRED),  # expired 2026-11-23? no: 08-23 + 3m = 11-23
        (date(2026, 8, 22), TrustState.EXPIRED),  # expires exactly today
        (date(2025, 1, 1), TrustState.EXPIRED),
        (None, TrustState.UNVERIFIED),
    ],
)
def test_state_follows_cadence_and_warning_window(verified_at, expected):
    if verified_at == date(2026, 8, 23):
        expected = TrustState.DUE  # one day left: due, not expired
    assert (
        assess(meta(verified_at=verified_at, owner="ana"), POLICY, "a.md", TODAY).state is expected
    )


def test_card_expires_on_the_day_its_cadence_runs_out():
    trust = assess(meta(verified_at=date(2026, 8, 22), owner="ana"), POLICY, "a.md", TODAY)
    assert trust.expires_on == TODAY
    assert trust.days_left(TODAY) == 0


@pytest.mark.parametrize("bad", ["yesterday-ish", "2026-13-01", "soon", "", 12])
def test_invalid_verified_at_fails_closed(bad):
    parsed, problems = parse_meta(
        {"verified_at": bad, "owner": "ana"}, Position(), path="a.md", body="", today=TODAY
    )
    assert assess(parsed, POLICY, "a.md", TODAY).state is TrustState.UNVERIFIED
    if bad != "":
        assert [p.rule for p in problems] == ["invalid-date"]


def test_future_verified_at_never_reads_as_fresh():
    parsed, problems = parse_meta(
        {"verified_at": date(2099, 1, 1)}, Position(), path="a.md", body="", today=TODAY
    )
    assert assess(parsed, POLICY, "a.md", TODAY).state is TrustState.UNVERIFIED
    assert [p.rule for p in problems] == ["future-date"]


def test_datetimes_are_compared_in_utc():
    # 23:30 in New York on 21 Nov is 04:30 UTC on 22 Nov.
    new_york = timezone(timedelta(hours=-5))
    parsed = meta(verified_at=datetime(2026, 11, 21, 23, 30, tzinfo=new_york))
    assert parsed.verified_on == date(2026, 11, 22)
    assert parsed.verified_at == datetime(2026, 11, 22, 4, 30, tzinfo=UTC)
    # An ISO string with an offset reads the same.
    assert meta(verified_at="2026-11-21T23:30:00-05:00").verified_on == date(2026, 11, 22)


def test_card_cadence_overrides_folder_which_overrides_default():
    policy = TrustPolicy(
        POLICY.default, {"runbooks": Cadence(parse_duration("1m"), parse_duration("7d"))}
    )
    verified = date(2026, 10, 1)
    assert (
        assess(meta(verified_at=verified), policy, "runbooks/x.md", TODAY).state
        is TrustState.EXPIRED
    )
    assert (
        assess(meta(verified_at=verified), policy, "billing/x.md", TODAY).state
        is TrustState.VERIFIED
    )
    own = meta(verified_at=verified, verify_every="1y")
    assert assess(own, policy, "runbooks/x.md", TODAY).state is TrustState.VERIFIED


def test_never_cadence_does_not_expire_but_still_needs_a_verification():
    stable = assess(meta(verified_at=date(2010, 1, 1), verify_every="never"), POLICY, "a.md", TODAY)
    assert stable.state is TrustState.VERIFIED and stable.expires_on is None
    assert assess(meta(verify_every="never"), POLICY, "a.md", TODAY).state is TrustState.UNVERIFIED


def test_no_owner_is_flagged_beside_the_state():
    assert assess(meta(verified_at=date(2026, 11, 1)), POLICY, "a.md", TODAY).no_owner
    assert not assess(meta(owner="ana"), POLICY, "a.md", TODAY).no_owner


def test_a_never_cadence_holds_on_the_last_day_of_the_calendar():
    """``--today 9999-12-31`` reached date.max, which stands for "never": the card read as
    expired with no expiry date and kb check stopped on an assertion (exit 3)."""
    last = date(9999, 12, 31)
    card = meta(verified_at=date(2010, 1, 1), verify_every="never")
    trust = assess(card, POLICY, "a.md", last)
    assert trust.state is TrustState.VERIFIED and trust.expires_on is None
