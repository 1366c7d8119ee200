"""Content rules: broken internal links and the sections a card's template requires.

Pure: the cards, a ``LinkResolver`` and the templates' required sections go in,
positioned findings come out. Archived cards are not checked (nobody reads them),
but links *to* them still resolve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from kbcli.core.cards import Card, Status
from kbcli.core.findings import Finding
from kbcli.core.link_scan import BodyScan, Heading, LinkKind, prose_mask
from kbcli.core.links import LinkResolver, Resolved
from kbcli.core.lints import FileMatcher, depends_on_findings, link_lints
from kbcli.core.rules import (
    BROKEN_LINK,
    EMPTY_SECTION,
    MISSING_SECTION,
    RULES,
    TEMPLATE_TAG,
    UNKNOWN_TEMPLATE,
)
from kbcli.core.sections import placeholder_free
from kbcli.core.site_paths import tag_position
from kbcli.core.template_tags import TemplateTag, find_tags

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_QUALIFIED = re.compile(r"\s*(?::|\s[-–—]\s|\()")
_UNDERLINE = re.compile(r"\A[ \t]*(=+|-+)[ \t]*$", re.MULTILINE)


def content_findings(
    card: Card,
    resolver: LinkResolver,
    required: Mapping[str, Sequence[str]],
    *,
    cards: Mapping[str, Card] | None = None,
    files: FileMatcher | None = None,
) -> list[Finding]:
    """Broken links and template sections of one card; with ``cards``, the link lints
    (public to internal, published to archived); with ``files``, depends_on globs that
    match nothing (``core/lints.py``).

    ``required`` maps every known template name to its required sections (empty
    when it declares none).
    """
    if card.meta.status is Status.ARCHIVED:
        return []
    resolved = resolver.resolve_all(card)  # once, for broken links and the link lints
    found = [broken_link(card, result) for result in resolved if not result.ok]
    found += template_tag_findings(card, resolver, resolved)
    if cards is not None:
        found += link_lints(card, resolved, cards)
    if files is not None:
        found += depends_on_findings(card, files)
    if card.meta.template:
        found += section_findings(card, resolver.scan(card), required)
    return found


def link_findings(card: Card, resolver: LinkResolver) -> list[Finding]:
    return [broken_link(card, result) for result in resolver.broken(card)]


def broken_link(card: Card, result: Resolved) -> Finding:
    """The finding for one broken link of ``card``."""
    severity = RULES[BROKEN_LINK].severity
    message = result.problem or "broken link"
    return Finding(
        BROKEN_LINK, severity, card.path, result.line, message, result.column, card.title
    )


def unrendered_tags(body: str) -> list[TemplateTag]:
    """The template tags of a body a reader would see raw, each block once (a tag that
    only closes a block, ``{% endalert %}``, is its opener's)."""
    if "{%" not in body and "{{" not in body:
        return []
    return [t for t in find_tags(body, prose_mask(body)) if t.args or not t.closes]


def template_tag_findings(
    card: Card, resolver: LinkResolver, resolved: Sequence[Resolved]
) -> list[Finding]:
    """One finding per card for its template tags kb does not render, at the first one:
    each tag's name, count and lines, and how many are links to cards (which ``kb adopt``
    rewrites). A tag that only closes a block (``{% endalert %}``) is its opener's."""
    if "{%" not in card.body and "{{" not in card.body:
        return []
    tags = unrendered_tags(card.body)
    if not tags:
        return []
    to_cards = {
        tag_position(r.link)
        for r in resolved
        if r.link.kind is LinkKind.SITE and r.target and resolver.card(r.target)
    }
    lines: dict[str, list[int]] = {}
    for tag in tags:
        lines.setdefault(tag.name, []).append(tag.line + card.body_line - 1)
    parts = []
    for name, at in lines.items():
        count = f" x{len(at)}" if len(at) > 1 else ""
        shown = ", ".join(str(n) for n in at[:5]) + (", ..." if len(at) > 5 else "")
        parts.append(f"{name}{count} (line{'s' if len(at) > 1 else ''} {shown})")
    message = (
        f"{len(tags)} template tag{'s' if len(tags) > 1 else ''} kb does not render: "
        + ", ".join(parts)
        + "; pages and search show each as its words"
    )
    links = sum(1 for t in tags if (t.line, t.column) in to_cards)
    if links:
        message += (
            f"; {links} {'is a link' if links == 1 else 'are links'} to cards that "
            "'kb adopt --apply' rewrites as markdown links"
        )
    first = tags[0]
    return [_finding(card, TEMPLATE_TAG, message, first.line + card.body_line - 1, first.column)]


def section_findings(
    card: Card, scanned: BodyScan, required: Mapping[str, Sequence[str]]
) -> list[Finding]:
    """A templated card's missing and empty required sections, or its unknown template."""
    name = card.meta.template
    if not name:
        return []
    line, column = card.position.of("template")
    if name not in required:
        known = ", ".join(sorted(required)) or "none"
        message = (
            f"template '{name}' does not exist (templates: {known}); fix the name or remove the key"
        )
        return [_finding(card, UNKNOWN_TEMPLATE, message, line, column)]
    by_text = _headings_by_text(scanned.headings)
    found = []
    missing = [s for s in required[name] if _norm(s) not in by_text]
    if missing:
        names = ", ".join(f"'## {s}'" for s in missing)
        message = (
            f"a '{name}' card needs the section{'s' if len(missing) > 1 else ''} {names}; "
            "add the heading and its text"
        )
        found.append(_finding(card, MISSING_SECTION, message, line, column))
    lines = card.body.split("\n")
    headings = list(scanned.headings)
    for section in required[name]:
        heading = by_text.get(_norm(section))
        if heading is None or _section_text(lines, headings, heading).strip():
            continue
        message = f"section '{heading.text}' is empty; write it before publishing"
        found.append(_finding(card, EMPTY_SECTION, message, heading.line + card.body_line - 1, 1))
    return found


def _finding(card: Card, rule: str, message: str, line: int, column: int) -> Finding:
    return Finding(rule, RULES[rule].severity, card.path, line, message, column, card.title)


def _headings_by_text(headings: Sequence[Heading]) -> dict[str, Heading]:
    """Normalised heading text to its first heading; a qualified heading ("Steps: SAML",
    "Resolution (Enterprise)") also fills its plain name ("Steps", "Resolution")."""
    by_text: dict[str, Heading] = {}
    for each in reversed(headings):
        by_text[_norm(each.text)] = each
        head = _QUALIFIED.split(each.text, maxsplit=1)[0]
        by_text.setdefault(_norm(head), each)
    return by_text


def _section_text(lines: list[str], headings: list[Heading], heading: Heading) -> str:
    """The text under ``heading`` up to the next heading of its level or higher, without
    placeholders and without a setext heading's own underline."""
    index = headings.index(heading)
    end = len(lines)
    for later in headings[index + 1 :]:
        if later.level <= heading.level:
            end = later.line - 1
            break
    text = placeholder_free("\n".join(lines[heading.line : end]))
    return _UNDERLINE.sub("", text, count=1)


def _norm(text: str) -> str:
    return text.strip().rstrip(":").strip().casefold()
