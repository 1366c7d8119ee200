"""The link scanner against markdown-it on generated markdown.

``kb check`` reads links and headings with ``core/link_scan.scan`` (regular expressions,
fast enough for every check); the handbook renders with markdown-it. A link one sees
and the other does not, or a heading id the page lacks, is a check/build disagreement.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.adapters.markdown_render import BodyRenderer, parser
from kbcli.core.cards import Card, CardMeta
from kbcli.core.handbook import SiteLinks
from kbcli.core.link_scan import scan
from kbcli.core.link_targets import LinkKind, destination
from kbcli.core.links import LinkResolver

WORDS = ["Straße", "prüfen", "שָׁלוֹם", "İstanbul", "ﬁle", "Refund", "step 2", "Ünïcödé", "SSO"]
word = st.sampled_from(WORDS)
text = st.lists(word, min_size=1, max_size=3).map(" ".join)
target = st.sampled_from(["beta.md", "gamma.md", "sub/x.md", "beta.md#refund-steps"])

heading = st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 6), text)
inline_link = st.builds(lambda t, d: f"[{t}]({d})", text, target)
wiki = st.builds(
    lambda t, h: f"[[{t}#{h}]]" if h else f"[[{t}]]",
    st.sampled_from(["Beta", "Gamma"]),
    st.one_of(st.none(), text),
)
code_span = st.builds(lambda d: f"`[x]({d})` and `[[Beta]]`", target)
fence = st.builds(lambda d: f"```\n[x]({d})\n# not a heading\n```", target)
# One label per destination: a second definition of a label is dead text to markdown,
# while the scanner judges every definition (see the note of issue 11).
reference = st.builds(lambda t, d: f"[{t}][{d}]\n\n[{d}]: {d}", text, target)
mirror = st.just("[[mirror]](https://mirror.example/x)")
block = st.one_of(heading, inline_link, wiki, code_span, fence, reference, mirror, text)
body = st.lists(block, min_size=1, max_size=8).map("\n\n".join)


def _markdown_it_links(source: str) -> tuple[list[str], list[str]]:
    """(relative destinations, wikilink targets) as markdown-it's tokens hold them."""
    paths, wikis = [], []
    for token in parser().parse(source, {}):
        for child in token.children or ():
            if child.type != "link_open":
                continue
            if child.meta and "wikilink" in child.meta:
                wikis.append(child.meta["wikilink"])
            elif destination(str(child.attrGet("href") or "")) is not None:
                paths.append(str(child.attrGet("href")))
    return paths, wikis


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(body)
def test_scanner_agrees_with_markdown_it(source: str) -> None:
    scanned = scan(source)
    card = Card("alpha.md", CardMeta(title="Alpha"), source)
    renderer = BodyRenderer(SiteLinks(LinkResolver([card]), frozenset({"alpha.md"})))
    ids = [h["id"] for h in renderer.render("alpha.md", source).headings]
    assert ids == [h.slug for h in scanned.headings]
    paths, wikis = _markdown_it_links(source)
    scanned_wikis = [link for link in scanned.links if link.kind is LinkKind.WIKI]
    scanned_paths = [link for link in scanned.links if link.kind is not LinkKind.WIKI]
    # Sets: the scanner reads a reference link at its definition, markdown-it at each use.
    assert {link.ref for link in scanned_paths} == set(paths)
    assert [link.ref for link in scanned_wikis] == wikis
