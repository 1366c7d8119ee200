"""Lints for the blind spots of trust: rules that can never fire, and links that leak.

- ``depends-on-matches-nothing``: a ``depends_on`` glob that matches no file can never
  raise ``dependency-changed``, so the card looks safer than it is.
- ``public-links-internal``: a public card links to an internal one (the help center
  would print an internal title, or a dead link).
- ``links-archived``: a published card sends readers to an archived card.
- ``near-duplicate``: two published cards say much the same (cosine similarity of the
  term vectors ``core/related.py`` builds for related cards, title and body), so one of
  them will be forgotten and go stale while the other is kept up to date.

Pure: the cards, their resolved links and the repo's file list go in, findings come out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from kbcli.core.cards import Audience, Card, Status
from kbcli.core.findings import Finding
from kbcli.core.history import glob_regex
from kbcli.core.links import Resolved
from kbcli.core.rules import (
    DEPENDS_ON_NOTHING,
    LINKS_ARCHIVED,
    NEAR_DUPLICATE,
    PUBLIC_LINKS_INTERNAL,
    RULES,
)

_GLOB = re.compile(r"[*?\[]")


class FileMatcher:
    """Which ``depends_on`` patterns match a file, each distinct pattern judged once."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = frozenset(files)
        self.known: dict[str, bool] = {}

    def matches(self, pattern: str) -> bool:
        found = self.known.get(pattern)
        if found is None:
            found = self.known[pattern] = self._matches(pattern.strip().strip("/"))
        return found

    def _matches(self, pattern: str) -> bool:
        if not _GLOB.search(pattern):
            prefix = pattern + "/"
            return pattern in self.files or any(f.startswith(prefix) for f in self.files)
        regex = glob_regex(pattern)
        return any(regex.match(f) for f in self.files)


def depends_on_findings(card: Card, files: FileMatcher) -> list[Finding]:
    """One finding per ``depends_on`` pattern of ``card`` that matches no file.

    Patterns outside the knowledge repo (``../``) are not judged: kb lists only the
    files under its root here."""
    if card.meta.status is Status.ARCHIVED or not card.meta.depends_on:
        return []
    line, column = card.position.of("depends_on")
    found = []
    for pattern in card.meta.depends_on:
        if pattern.startswith("../") or files.matches(pattern):
            continue
        found.append(
            Finding(
                DEPENDS_ON_NOTHING,
                RULES[DEPENDS_ON_NOTHING].severity,
                card.path,
                line,
                f"depends_on '{pattern}' matches no file, so a change to what the card "
                "depends on would go unnoticed; fix the path or the glob",
                column,
                card.title,
            )
        )
    return found


def link_lints(
    card: Card, resolved: Iterable[Resolved], cards: Mapping[str, Card]
) -> list[Finding]:
    """Public-to-internal and published-to-archived links of one card."""
    if card.meta.status is not Status.PUBLISHED:
        return []
    public = card.meta.audience is Audience.PUBLIC
    found = []
    for result in resolved:
        target = cards.get(result.target or "") if result.ok else None
        if target is None or target.path == card.path:
            continue
        if public and target.meta.audience is Audience.INTERNAL:
            rule, text = (
                PUBLIC_LINKS_INTERNAL,
                f"this public card links to the internal card {target.path}; link to a "
                "public card instead, or make the target public",
            )
        elif target.meta.status is Status.ARCHIVED:
            rule, text = (
                LINKS_ARCHIVED,
                f"links to {target.path}, which is archived; link to the card that replaced "
                "it, or drop the link",
            )
        else:
            continue
        severity = RULES[rule].severity
        found.append(
            Finding(rule, severity, card.path, result.line, text, result.column, card.title)
        )
    return found


def near_duplicates(
    cards: Sequence[tuple[str, Mapping[str, float]]], threshold: float
) -> list[tuple[str, str, float]]:
    """Pairs (earlier path, later path, similarity) of cards at least ``threshold`` alike.

    ``cards`` are (path, term counts) as ``core.related`` takes them; the similarity is
    the cosine of the same tf x idf vectors that pick a card's related cards.
    """
    from kbcli.core.related import weigh

    ordered = sorted(cards, key=lambda c: c[0])
    vectors = weigh(ordered)
    postings: dict[str, list[tuple[int, float]]] = {}
    pairs = []
    for number, vector in enumerate(vectors):
        scores: dict[int, float] = {}
        for term, weight in vector.items():
            for other, other_weight in postings.get(term, ()):
                scores[other] = scores.get(other, 0.0) + weight * other_weight
            postings.setdefault(term, []).append((number, weight))
        for other, score in sorted(scores.items()):
            if score >= threshold:
                pairs.append((ordered[other][0], ordered[number][0], round(score, 3)))
    return pairs


def duplicate_findings(
    pairs: Iterable[tuple[str, str, float]], cards: Mapping[str, Card]
) -> list[Finding]:
    """One finding per near-duplicate pair, on the later card (by path), naming the other."""
    found = []
    for first, second, score in pairs:
        card = cards[second]
        line, column = card.position.of("title")
        found.append(
            Finding(
                NEAR_DUPLICATE,
                RULES[NEAR_DUPLICATE].severity,
                card.path,
                line,
                f"says much the same as {first} (similarity {score:.2f}); merge the two "
                "cards, or make them distinct and link one to the other",
                column,
                card.title,
            )
        )
    return found
