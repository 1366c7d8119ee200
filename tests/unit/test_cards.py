"""Card metadata: types, defaults, unknown keys, and a positioned problem for each bad value."""

from __future__ import annotations

from datetime import date

from kbcli.core.cards import Audience, Position, Status, parse_meta, title_from

POS = Position(
    lines={"owner": 3, "tags": 4, "status": 5, "verified_at": 6},
    columns={"owner": 8, "tags": 7, "status": 9, "verified_at": 14},
)


def parse(raw: dict, body: str = "") -> tuple:
    return parse_meta(
        raw, POS, path="billing/refund-duplicate.md", body=body, today=date(2026, 11, 22)
    )


def test_defaults_and_title_fallbacks():
    meta, problems = parse({}, body="intro\n# Refund a duplicate charge\ntext")
    assert problems == []
    assert meta.title == "Refund a duplicate charge"
    assert meta.status is Status.PUBLISHED and meta.audience is Audience.INTERNAL
    assert parse({})[0].title == "Refund duplicate"


def test_unknown_keys_are_kept_json_friendly():
    meta, problems = parse(
        {"product_area": "invoicing", "launched": date(2026, 3, 1), "ticket_refs": ["SUP-1"]}
    )
    assert problems == []
    assert meta.extra == {
        "product_area": "invoicing",
        "launched": "2026-03-01",
        "ticket_refs": ["SUP-1"],
    }


def test_wrong_types_point_at_the_key_line_and_column():
    meta, problems = parse({"owner": ["ana", "bob"], "tags": {"a": 1}, "status": "live"})
    found = {(p.rule, p.line, p.column) for p in problems}
    assert found == {("invalid-field", 3, 8), ("invalid-field", 4, 7), ("unknown-status", 5, 9)}
    # An unknown status fails closed: "live" is not "published".
    assert meta.owner is None and meta.tags == () and meta.status is Status.DRAFT
    assert all(
        "; " in p.message or " use " in p.message or "must be" in p.message for p in problems
    )


def test_a_single_tag_string_is_one_tag():
    assert parse({"tags": "billing"})[0].tags == ("billing",)


def test_verifiers_default_to_the_owner():
    assert parse({"owner": "ana"})[0].effective_verifiers == ("ana",)
    assert parse({"owner": "ana", "verifiers": ["bob"]})[0].effective_verifiers == ("bob",)


def test_title_from_heading_ignores_deeper_headings():
    assert title_from("## Not this\n# This one #\n", "x.md") == "This one"


def test_reading_problems_are_findings_of_the_card():
    """One type for what is wrong with a card: reading it gives the same ``Finding`` that
    kb check lists (path, line, column, registry severity), not a second shape."""
    from kbcli.core.findings import Finding
    from kbcli.core.rules import RULES, Severity

    _, problems = parse({"verified_at": "last tuesday"})
    (problem,) = problems
    assert isinstance(problem, Finding)
    assert problem.path == "billing/refund-duplicate.md"
    assert (problem.line, problem.column) == (6, 14)
    assert problem.severity is RULES[problem.rule].severity is Severity.ERROR
    assert problem.at().startswith("billing/refund-duplicate.md:6:14: ")
