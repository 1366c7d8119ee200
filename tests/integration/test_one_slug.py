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


def _page_ids(card: Card) -> list[str]:
    """The heading ids of the card's handbook page: its body as the page shows it."""
    from kbcli.core.sections import without_title_heading

    shown, _ = without_title_heading(card.body, card.title)
    renderer = BodyRenderer(SiteLinks(LinkResolver([card]), frozenset({card.path})))
    return [h["id"] for h in renderer.render(card.path, shown).headings]


def test_hidden_title_heading_is_no_anchor_and_takes_no_slug() -> None:
    """The page hides a leading ``# Title`` equal to the title (the page prints the title);
    kb check used to count it: ``#refunds-1`` passed check and was broken on the page."""
    body = "# Refunds\n\nIntro.\n\n## Refunds\n\nSee [below](#refunds) and [more](#refunds-1).\n"
    card = Card("a.md", CardMeta(title="Refunds"), body)
    resolver = LinkResolver([card])
    anchors = resolver.scan(card).anchors
    assert sorted(anchors) == _page_ids(card) == ["refunds"]
    broken = resolver.broken(card)
    assert [r.link.anchor for r in broken] == ["refunds-1"]
    assert broken[0].line == 7


def test_link_to_the_hidden_title_says_so() -> None:
    target = Card("b.md", CardMeta(title="Travel"), "# Travel\n\nBook early.\n")
    card = Card("a.md", CardMeta(title="A"), "See [travel](b.md#travel).\n")
    (broken,) = LinkResolver([card, target]).broken(card)
    assert "page's title" in (broken.problem or "")
    assert "without #travel" in (broken.problem or "")


def test_a_title_heading_that_differs_from_the_title_stays() -> None:
    body = "# Refund policy\n\n## Steps\n"
    card = Card("a.md", CardMeta(title="Refunds"), body)
    assert sorted(LinkResolver([card]).scan(card).anchors) == _page_ids(card)
    assert _page_ids(card) == ["refund-policy", "steps"]


def test_duplicate_reference_label_only_the_first_counts() -> None:
    """``[guide]: a.md`` then ``[Guide]: gone.md``: markdown uses the first (labels match
    case-insensitively); kb check used to report the second, a link nobody can follow."""
    body = "Read the [guide][guide].\n\n[guide]: b.md\n[Guide]:  gone.md\n"
    card = Card("a.md", CardMeta(title="A"), body)
    other = Card("b.md", CardMeta(title="B"), "text\n")
    resolver = LinkResolver([card, other])
    assert [link.target for link in resolver.links(card) if link.target] == ["b.md"]
    assert resolver.broken(card) == []
    rendered = BodyRenderer(SiteLinks(resolver, frozenset({"a.md", "b.md"}))).render("a.md", body)
    assert "gone" not in rendered.html
