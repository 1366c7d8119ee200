"""Content rules: template sections and broken links, as findings at file lines."""

from __future__ import annotations

from kbcli.core.cards import Card, CardMeta, Position, Status
from kbcli.core.content import content_findings
from kbcli.core.links import LinkResolver

REQUIRED = {"kcs": ("Issue", "Environment", "Resolution"), "note": ()}


def card(body: str, template: str | None = "kcs", status: Status = Status.PUBLISHED) -> Card:
    meta = CardMeta(title="T", template=template, status=status)
    position = Position({"template": 6}, {"template": 11}, 7)
    return Card("kb/t.md", meta, body, position=position, body_line=8)


def check(c: Card) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.message) for f in content_findings(c, LinkResolver([c]), REQUIRED)]


def test_missing_sections_are_one_finding_on_the_template_line():
    ((rule, line, message),) = check(card("# T\n\n## Issue\n\ntext\n"))
    assert (rule, line) == ("missing-section", 6)
    assert "'## Environment', '## Resolution'" in message


def test_qualified_headings_count_and_empty_sections_warn_at_their_heading():
    body = (
        "## Issue\n\nx\n\n## Environment (cloud)\n\n<!-- fill me -->\n\n## Resolution: steps\n\ny\n"
    )
    found = check(card(body))
    assert [(r, line) for r, line, _ in found] == [("empty-section", 12)]


def test_setext_and_subsections_are_content():
    body = "Issue\n-----\n\nx\n\n## Environment\n\n### Details\n\nz\n\n## Resolution\n\ny\n"
    assert check(card(body)) == []


def test_unknown_template_and_archived_cards():
    ((rule, line, message),) = check(card("x", template="kcss"))
    assert rule == "unknown-template" and line == 6 and "kcs" in message
    assert check(card("[x](gone.md)", status=Status.ARCHIVED)) == []
    assert check(card("[x](gone.md)", template=None))[0][0] == "broken-link"
