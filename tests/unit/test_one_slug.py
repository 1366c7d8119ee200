"""One slug function: the ids the handbook gives headings are the anchors kb check accepts."""

from __future__ import annotations

import pytest

from kbcli.adapters.markdown_render import BodyRenderer
from kbcli.core.cards import Card, CardMeta
from kbcli.core.handbook import SiteLinks
from kbcli.core.link_scan import scan
from kbcli.core.links import LinkResolver


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Straße prüfen: Schritte", "straße-prüfen-schritte"),  # no casefold to "strasse"
        ("שָׁלוֹם עולם", "שָׁלוֹם-עולם"),  # niqqud are marks, and GitHub keeps them
        ("İstanbul office", "i̇stanbul-office"),  # lower(), as GitHub's toLowerCase
        ("ﬁle a ticket", "ﬁle-a-ticket"),  # the ligature stays one letter
        ("Step 2: Refund!", "step-2-refund"),
    ],
)
def test_rendered_ids_are_the_anchors_check_accepts(heading: str, slug: str) -> None:
    body = f"## {heading}\n\nText.\n\n## {heading}\n"
    card = Card("a.md", CardMeta(title="A"), body)
    rendered = BodyRenderer(SiteLinks(LinkResolver([card]), frozenset({"a.md"}))).render(
        "a.md", body
    )
    ids = [h["id"] for h in rendered.headings]
    assert ids == [h.slug for h in scan(body).headings] == [slug, f"{slug}-1"]
