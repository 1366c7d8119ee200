"""The compiled parse (markdown-it-pyrs) gives the same card pages as markdown-it-py.

The compiled path writes HTML straight from markdown-it-pyrs's tree (markdown_html).

Every body below is rendered twice, once the way a build renders it (straight from the
compiled parser's tree where it can) and once through markdown-it-py alone, and the
HTML, the card links and the headings must be equal: a reader cannot tell which parser
made a page. Bodies with what only kb's markdown-it-py rules parse (wiki links,
footnotes, task lists), and deep or delimiter-heavy bodies, must go to markdown-it-py:
the tests ask ``BodyRenderer.direct``, the build's own decision.
"""

from __future__ import annotations

import pytest

from kbcli.adapters.markdown_render import BodyRenderer
from kbcli.core.cards import Card, CardMeta
from kbcli.core.handbook import SiteLinks
from kbcli.core.links import LinkResolver
from tests.integration.test_markdown_render import SPEC

CARDS = (
    Card("billing/refunds.md", CardMeta(title="Refunds"), ""),
    Card("billing/tax.md", CardMeta(title="Tax rules"), ""),
    Card("accounts/sso.md", CardMeta(title="SSO"), ""),
)

AWKWARD = [
    "## Guiding Principles\u00a0\n\ntext\u00a0\n",  # no-break space at the end of a line
    "More information: <https://example.com/Quick%20Start.html#%28x%29>.\n",
    "Mail <someone@example.com> or <mailto:a@b.c>.\n",
    "# Same\n\n## Same\n\n### Same `code` &amp; *em*\n\nSetext\n---\n",
    "- a\n- b\n  - c\n\n    d\n- e\n\n1. x\n2. y\n\n7. seven\n8. eight\n",
    "- tight `{{x}}`\n- list\n\n  loose after all\n\n-\n- after an empty item\n",
    "> quote\n> - in a list\n>\n> > nested\n\n> lazy\ncontinuation\n",
    "| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 |\n\n| only | head |\n|---|---|\n",
    "```python {.x}\nx = 1\n```\n\n```\nplain < & >\n```\n\n    indented\n",
    "<div class='x'>\n*raw*\n</div>\n\ninline <kbd>Ctrl</kbd> and <span>x</span>\n",
    '![alt *em* `c`](pic.png "Title") [t](https://x.y "T \\"q\\"") [e]()\n',
    "line one  \nline two\\\nline three\nsoft\n",
    "[a](refunds.md) [b](../accounts/sso.md#setup) [c](missing.md) [d](#here)\n",
    "[ref] and [other][ref]\n\n[ref]: refunds.md 'Title'\n",
    "&copy; &#35; &nbsp; \\* \\_ ~~gone~~ ***both*** __strong__ _em_\n",
    "Text with ünïcödé, emoji 🎉 and Ключ.\n\n## Заголовок\n",
    "***\n___\n\nfoo\n===\n",
    # Line feeds around tight lists' hidden paragraphs, empty containers, headings.
    "- a\n  ***\n- b\n  ```\n  code\n  ```\n- <div>\n  x\n  </div>\n- c\n      indented\n",
    "- a\n  > quoted\n- b\n  # heading\n- | x |\n  |---|\n  | 1 |\n",
    "> [def]: /url\n\n>\n\n- \n\n1.\n\n#\n\n## Same\n\n## Same\n\n## Same-1\n",
    "## [Refunds](refunds.md) and <https://x.y> `c` ![img *a*](p.png)\n\n| h |\n|:-:|\n",
    '![a ![b `c`](d) [e](f) <https://g.h> <i>j</i>\nk](l "t")\n',
    "[one](refunds.md 'kept title') [y](nowhere.md 'T') [z](https://ext.io 'E')\n",
    # A heading's own id (kramdown, Hugo, Eleventy): shown without its braces.
    "## Set up {#setup}\n\n## Set up\n\n## `c` {#Up_1}\n\n## *em {#no}*\n\n## {#only}\n",
]


def _renderer(compiled: bool = True) -> BodyRenderer:
    return BodyRenderer(
        SiteLinks(LinkResolver(CARDS), frozenset(c.path for c in CARDS)), compiled=compiled
    )


def _render(body: str, compiled: bool) -> tuple[str, list[str], list[dict[str, object]]]:
    result = _renderer(compiled).render("billing/tax.md", body)
    return result.html, result.links, result.headings


def _written_directly(body: str) -> bool:
    """The build's own decision: is this body's HTML written straight from the tree?"""
    return _renderer().direct("billing/tax.md", body) is not None


@pytest.mark.parametrize("body", [m for m, _ in SPEC] + AWKWARD, ids=lambda b: repr(b[:30]))
def test_compiled_parse_gives_the_same_page(body: str) -> None:
    assert _render(body, compiled=True) == _render(body, compiled=False)


def test_the_compiled_parse_is_used_for_plain_bodies() -> None:
    """The bodies above without kb-only syntax really take the compiled path (a venv
    made before markdown-it-pyrs became a dependency renders them all with
    markdown-it-py: ``make venv`` installs it)."""
    pytest.importorskip("markdown_it_pyrs")
    written = [body for body in AWKWARD if _written_directly(body)]
    assert written == AWKWARD


@pytest.mark.parametrize(
    "body",
    [
        "See [[Tax rules]].\n",
        "Text[^1].\n\n[^1]: Note.\n",
        "- [x] done\n- [ ] todo\n",
        "a\r\nb\r\n",
        "\tindented by a tab\n",
    ],
)
def test_kb_only_syntax_goes_to_markdown_it_py(body: str) -> None:
    assert not _written_directly(body)
    assert _render(body, compiled=True) == _render(body, compiled=False)


@pytest.mark.parametrize(
    "body",
    [
        ">" * 40 + " deep quote\n",  # markdown-it-py stops nesting at 20 levels
        "".join("  " * level + "- item\n" for level in range(30)),
        "![" * 30 + "x" + "](a.png)" * 30 + "\n",
        "*a " * 1200 + "b" + " a*" * 1200 + "\n",  # the compiled parser is quadratic here
        "~~a " * 1200 + "b" + " a~~" * 1200 + "\n",
    ],
    ids=["quotes", "lists", "images", "emphasis", "strikethrough"],
)
def test_deep_or_delimiter_heavy_bodies_go_to_markdown_it_py(body: str) -> None:
    """A hostile card cannot make the compiled parse differ, recurse without end or take
    quadratic time: such bodies are markdown-it-py's, with the same page."""
    assert not _written_directly(body)
    assert _render(body, compiled=True) == _render(body, compiled=False)
