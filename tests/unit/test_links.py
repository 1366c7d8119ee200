"""Link extraction and resolution: what kb check calls a broken link, and what it never does."""

from __future__ import annotations

import pytest

from kbcli.core.cards import Card, CardMeta
from kbcli.core.link_scan import LinkKind, github_slug, headings, scan
from kbcli.core.links import LinkResolver


def card(path: str, body: str, title: str = "", aliases: tuple[str, ...] = ()) -> Card:
    meta = CardMeta(title=title or path.rpartition("/")[2].removesuffix(".md"), aliases=aliases)
    return Card(path, meta, body, body_line=5)


@pytest.mark.parametrize(
    "heading, slug",
    [
        ("Step 2: Refund!", "step-2-refund"),
        ("What's new in v1.2?", "whats-new-in-v12"),
        ("Привет, мир", "привет-мир"),
        ("snake_case and `code`", "snake_case-and-code"),
        ("  Trailing  spaces ", "trailing--spaces"),
    ],
)
def test_github_slugs(heading: str, slug: str):
    assert github_slug(heading) == slug


def test_repeated_headings_get_numbered_slugs_and_markup_is_dropped():
    found = headings("# A\n\n## Steps\n\n## Steps\n\n## The **[refund](x.md)** `flow`\n")
    assert [h.slug for h in found] == ["a", "steps", "steps-1", "the-refund-flow"]


def test_setext_headings_count_but_thematic_breaks_do_not():
    found = headings("Title\n=====\n\ntext\n\n---\n\nSub\n---\n")
    assert [(h.level, h.text) for h in found] == [(1, "Title"), (2, "Sub")]


def test_links_in_code_comments_and_escapes_are_not_links():
    body = (
        "```md\n[a](fenced.md)\n```\n\n"
        "~~~~\n[b](tilde.md)\n~~~~\n\n"
        "    [c](indented.md)\n\n"
        "text `[d](span.md)` and ``[e](double.md)``\n"
        "<!-- [f](comment.md) -->\n"
        "\\[g](escaped.md)\n"
        "[real](real.md)\n"
    )
    assert [link.target for link in scan(body).links] == ["real.md"]


def test_links_keep_their_body_position_and_source():
    body = "intro\n\nsee [the refund card](../billing/refunds.md#steps 'title') now\n"
    (link,) = scan(body).links
    assert (link.line, link.column) == (3, 5)
    assert link.kind is LinkKind.PATH
    assert (link.target, link.anchor) == ("../billing/refunds.md", "steps")
    assert link.source == "[the refund card](../billing/refunds.md#steps 'title')"


def test_external_links_and_autolinks_are_ignored():
    body = "[a](https://x.test/a.md) [b](mailto:x@y.test) <https://z.test> [c](//cdn/x.md)\n"
    assert scan(body).links == ()


def test_wikilink_forms():
    links = scan("[[Refunds]] [[refund-dupe|label]] [[Refunds#Steps]] [[#Local]]").links
    assert [(link.kind, link.target, link.anchor) for link in links] == [
        (LinkKind.WIKI, "Refunds", None),
        (LinkKind.WIKI, "refund-dupe", None),
        (LinkKind.WIKI, "Refunds", "Steps"),
        (LinkKind.WIKI, "", "Local"),
    ]


@pytest.fixture
def resolver() -> LinkResolver:
    cards = [
        card("billing/refunds.md", "# Refunds\n\n## Steps\n\ndo it\n", "Refunds", ("refund-dupe",)),
        card("billing/new-home.md", "# Moved\n", "Moved", ("billing/old-home.md",)),
        card("faq/a.md", "# Same title\n", "Same title"),
        card("faq/b.md", "# Same title\n", "Same title"),
    ]
    return LinkResolver(cards, files={"billing/img/chart.png", "README.md"})


def problems(resolver: LinkResolver, body: str, path: str = "faq/source.md") -> list[str]:
    return [r.problem or "" for r in resolver.broken(card(path, body))]


def test_working_links_resolve(resolver: LinkResolver):
    body = (
        "[a](../billing/refunds.md) [b](../billing/refunds.md#steps) [c](/billing/refunds.md)\n"
        "[[Refunds]] [[refund-dupe]] [[refunds#Steps]] [[billing/refunds]]\n"
        "![chart](../billing/img/chart.png) [readme](../README.md) [dir](../billing/)\n"
        "## Local\n[up](#local) [[#Local]] [encoded](../billing/refunds.md#STEPS)\n"
    )
    assert problems(resolver, body) == []


def test_missing_file_is_broken_with_a_suggestion(resolver: LinkResolver):
    (problem,) = problems(resolver, "[x](refund.md)", "billing/source.md")
    assert "leads to billing/refund.md, which does not exist" in problem
    assert "did you mean refunds.md?" in problem


def test_link_to_a_moved_card_names_the_new_path(resolver: LinkResolver):
    (problem,) = problems(resolver, "[x](old-home.md)", "billing/source.md")
    assert "moved to billing/new-home.md: link to new-home.md" in problem


def test_missing_anchor_and_image(resolver: LinkResolver):
    found = problems(resolver, "[x](../billing/refunds.md#step) ![y](nope.png)")
    assert "has no such heading; did you mean #steps?" in found[0]
    assert "image to nope.png" in found[1]


def test_wikilinks_unknown_and_ambiguous(resolver: LinkResolver):
    found = problems(resolver, "[[Refundz]] [[Same title]] [[Refunds#Nope]]")
    assert "matches no card" in found[0] and "did you mean Refunds?" in found[0]
    assert "matches 2 cards (faq/a.md, faq/b.md)" in found[1]
    assert "#Nope" in found[2]


def test_file_lines_add_the_front_matter(resolver: LinkResolver):
    (result,) = resolver.broken(card("faq/x.md", "one\n[x](gone.md)\n"))
    assert (result.line, result.column) == (6, 1)  # body starts on file line 5


def test_links_outside_the_repo_are_not_judged(resolver: LinkResolver):
    assert problems(resolver, "[x](../../../elsewhere.md)") == []


@pytest.mark.parametrize("indent", ["", "    code\n\n"])
def test_heading_lines_with_and_without_code_blocks(indent: str):
    body = f"{indent}# One\n\ntext\n\n## Two\n\n> ## Quoted\n"
    offset = indent.count("\n")
    assert [(h.text, h.line - offset) for h in headings(body)] == [
        ("One", 1),
        ("Two", 5),
        ("Quoted", 7),
    ]
