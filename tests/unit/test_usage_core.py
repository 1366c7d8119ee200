"""Knowledge gaps and reuse counted from usage-log lines (pure, fixed events)."""

from __future__ import annotations

from kbcli.core.usage import SearchEvent, from_line, gaps, to_line, uses


def _event(at: str, query: str, *results: str, surface: str = "slack") -> SearchEvent:
    return SearchEvent(at, surface, query, tuple(results))


def test_gaps_most_frequent_first_and_counted_across_spellings() -> None:
    events = [
        _event("2026-12-01T10:00:00Z", "sso for okta"),
        _event("2026-12-01T11:00:00Z", "Export to CSV"),
        _event("2026-12-02T09:00:00Z", "export  to csv", surface="mcp"),
        _event("2026-12-03T09:00:00Z", "EXPORT to CSV"),
        _event("2026-12-03T10:00:00Z", "refund", "billing/refund.md"),
    ]
    found = gaps(events)
    assert [(g.query, g.count) for g in found] == [("EXPORT to CSV", 3), ("sso for okta", 1)]
    assert found[0].surfaces == ("slack", "mcp")


def test_a_question_answered_since_is_no_longer_a_gap() -> None:
    events = [
        _event("2026-12-01T10:00:00Z", "vat reverse charge"),
        _event("2026-12-02T10:00:00Z", "vat reverse charge", "billing/vat.md"),
    ]
    assert gaps(events) == []


def test_a_search_leads_to_its_first_result() -> None:
    events = [
        _event("2026-12-01T10:00:00Z", "refund", "billing/refund.md", "billing/vat.md"),
        _event("2026-12-02T10:00:00Z", "charge twice", "billing/refund.md", "billing/vat.md"),
        _event("2026-12-03T10:00:00Z", "vat", "billing/vat.md"),
        _event("2026-12-03T11:00:00Z", "nothing"),
    ]
    assert [(u.path, u.count) for u in uses(events)] == [
        ("billing/refund.md", 2),
        ("billing/vat.md", 1),
    ]


def test_log_lines_round_trip_and_damaged_lines_read_as_none() -> None:
    event = SearchEvent("2026-12-01T10:00:00Z", "cli", "naïve query", ("a.md",), user="U1")
    assert from_line(to_line(event)) == event
    assert from_line("{not json") is None
    assert from_line('{"at": 1, "surface": "x", "query": "q"}') is None
    assert from_line("[]") is None


def test_one_record_stays_under_the_atomic_append_size() -> None:
    event = SearchEvent(
        "2026-12-01T10:00:00Z", "cli", "q" * 10_000, tuple("p" * 900 for _ in range(50))
    )
    assert len(to_line(event).encode()) < 4096
