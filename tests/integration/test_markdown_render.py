"""The card renderer: CommonMark and GFM examples, links between cards, and sanitizing.

The CommonMark spec's JSON is not available offline here, so the examples below are
a representative set copied from the spec (0.31) and the GFM spec, one or more per
block and inline construct, compared after the renderer's own additions (heading
ids, ``rel`` on links, HTML5 void tags) are normalized away. Raw HTML examples are
only those whose tags are on the sanitizer's allowlist.
"""

from __future__ import annotations

import re

import pytest

from kbcli.adapters.markdown_render import BodyRenderer, sanitize
from kbcli.core.cards import Card, CardMeta
from kbcli.core.handbook import SiteLinks
from kbcli.core.links import LinkResolver

SPEC = [
    # tabs
    ("\tfoo\tbaz\t\tbim\n", "<pre><code>foo\tbaz\t\tbim\n</code></pre>\n"),
    ("  - foo\n\n\tbar\n", "<ul>\n<li>\n<p>foo</p>\n<p>bar</p>\n</li>\n</ul>\n"),
    # backslash escapes and entities
    ("\\*not emphasized*\n", "<p>*not emphasized*</p>\n"),
    ("foo\\\nbar\n", "<p>foo<br />\nbar</p>\n"),
    ("&amp; &copy; &AElig; &Dcaron;\n", "<p>&amp; © Æ Ď</p>\n"),
    ("&#35; &#1234; &#992; &#0;\n", "<p># Ӓ Ϡ \ufffd</p>\n"),
    # thematic breaks
    ("***\n---\n___\n", "<hr />\n<hr />\n<hr />\n"),
    ("+++\n", "<p>+++</p>\n"),
    (" ***\n  ***\n   ***\n", "<hr />\n<hr />\n<hr />\n"),
    ("Foo\n***\nbar\n", "<p>Foo</p>\n<hr />\n<p>bar</p>\n"),
    # ATX headings
    (
        "# foo\n## foo\n### foo\n#### foo\n##### foo\n###### foo\n",
        "<h1>foo</h1>\n<h2>foo</h2>\n<h3>foo</h3>\n<h4>foo</h4>\n<h5>foo</h5>\n<h6>foo</h6>\n",
    ),
    ("####### foo\n", "<p>####### foo</p>\n"),
    ("#5 bolt\n\n#hashtag\n", "<p>#5 bolt</p>\n<p>#hashtag</p>\n"),
    ("# foo *bar* \\*baz\\*\n", "<h1>foo <em>bar</em> *baz*</h1>\n"),
    ("## foo ##\n  ###   bar    ###\n", "<h2>foo</h2>\n<h3>bar</h3>\n"),
    # setext headings
    (
        "Foo *bar*\n=========\n\nFoo *bar*\n---------\n",
        "<h1>Foo <em>bar</em></h1>\n<h2>Foo <em>bar</em></h2>\n",
    ),
    ("Foo\nbar\n===\n", "<h1>Foo\nbar</h1>\n"),
    # indented and fenced code
    (
        "    a simple\n      indented code block\n",
        "<pre><code>a simple\n  indented code block\n</code></pre>\n",
    ),
    ("```\n<\n >\n```\n", "<pre><code>&lt;\n &gt;\n</code></pre>\n"),
    ("~~~\naaa\n```\n~~~\n", "<pre><code>aaa\n```\n</code></pre>\n"),
    ("````\naaa\n```\n``````\n", "<pre><code>aaa\n```\n</code></pre>\n"),
    ("```nosuchlang\nx\n```\n", '<pre><code class="language-nosuchlang">x\n</code></pre>\n'),
    # paragraphs, blank lines, block quotes
    ("aaa\n\nbbb\n", "<p>aaa</p>\n<p>bbb</p>\n"),
    ("  aaa\n bbb\n", "<p>aaa\nbbb</p>\n"),
    (
        "> # Foo\n> bar\n> baz\n",
        "<blockquote>\n<h1>Foo</h1>\n<p>bar\nbaz</p>\n</blockquote>\n",
    ),
    ("> bar\nbaz\n> foo\n", "<blockquote>\n<p>bar\nbaz\nfoo</p>\n</blockquote>\n"),
    # list items and lists
    ("- one\n\n two\n", "<ul>\n<li>one</li>\n</ul>\n<p>two</p>\n"),
    ("- one\n\n  two\n", "<ul>\n<li>\n<p>one</p>\n<p>two</p>\n</li>\n</ul>\n"),
    (
        "1. foo\n2. bar\n3) baz\n",
        '<ol>\n<li>foo</li>\n<li>bar</li>\n</ol>\n<ol start="3">\n<li>baz</li>\n</ol>\n',
    ),
    (
        "- a\n- b\n\n- c\n",
        "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>\n",
    ),
    (
        "- foo\n  - bar\n    - baz\n",
        "<ul>\n<li>foo\n<ul>\n<li>bar\n<ul>\n<li>baz</li>\n</ul>\n</li>\n</ul>\n</li>\n</ul>\n",
    ),
    (
        "The number of windows in my house is\n14.  The number of doors is 6.\n",
        "<p>The number of windows in my house is\n14.  The number of doors is 6.</p>\n",
    ),
    # code spans
    ("`` foo ` bar ``\n", "<p><code>foo ` bar</code></p>\n"),
    ("*foo`*`\n", "<p>*foo<code>*</code></p>\n"),
    # emphasis
    ("*foo bar*\n", "<p><em>foo bar</em></p>\n"),
    ("a * foo bar*\n", "<p>a * foo bar*</p>\n"),
    ("**foo bar**\n", "<p><strong>foo bar</strong></p>\n"),
    ("*foo**bar**baz*\n", "<p><em>foo<strong>bar</strong>baz</em></p>\n"),
    ("_foo_bar\n", "<p>_foo_bar</p>\n"),
    # links and reference definitions
    ('[link](/uri "title")\n', '<p><a href="/uri" title="title">link</a></p>\n'),
    ("[link](</my uri>)\n", '<p><a href="/my%20uri">link</a></p>\n'),
    ("[link](foo(and(bar)))\n", '<p><a href="foo(and(bar))">link</a></p>\n'),
    ('[foo]: /url "title"\n\n[foo]\n', '<p><a href="/url" title="title">foo</a></p>\n'),
    ("[FOO]\n\n[foo]: /url\n", '<p><a href="/url">FOO</a></p>\n'),
    # images
    ('![foo](/url "title")\n', '<p><img src="/url" alt="foo" title="title" /></p>\n'),
    # autolinks
    ("<http://foo.bar.baz>\n", '<p><a href="http://foo.bar.baz">http://foo.bar.baz</a></p>\n'),
    (
        "<foo@bar.example.com>\n",
        '<p><a href="mailto:foo@bar.example.com">foo@bar.example.com</a></p>\n',
    ),
    # raw HTML on the allowlist
    ("<del>*foo*</del>\n", "<p><del><em>foo</em></del></p>\n"),
    # hard and soft line breaks
    ("foo  \nbaz\n", "<p>foo<br />\nbaz</p>\n"),
    ("foo\nbaz\n", "<p>foo\nbaz</p>\n"),
    # GFM: tables and strikethrough
    (
        "| foo | bar |\n| --- | --- |\n| baz | bim |\n",
        "<table>\n<thead>\n<tr>\n<th>foo</th>\n<th>bar</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
        "<td>baz</td>\n<td>bim</td>\n</tr>\n</tbody>\n</table>\n",
    ),
    (
        "| a | b |\n|:-|-:|\n| 1 | 2 |\n",
        # GFM writes style="text-align:..."; the handbook's CSP blocks inline styles, so
        # kb writes the alignment as a class the theme's stylesheet aligns.
        '<table>\n<thead>\n<tr>\n<th class="align-left">a</th>\n'
        '<th class="align-right">b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n'
        '<td class="align-left">1</td>\n<td class="align-right">2</td>\n'
        "</tr>\n</tbody>\n</table>\n",
    ),
    ("~~Hi~~ Hello, world!\n", "<p><del>Hi</del> Hello, world!</p>\n"),
]


def _normalize(html: str) -> str:
    html = re.sub(r'(<h[1-6]) id="[^"]*"', r"\1", html)
    html = html.replace(' rel="noopener noreferrer"', "")
    return html.replace(" />", ">").replace("&nbsp;", "\u00a0")


def _renderer(*cards: Card, shown: set[str] | None = None) -> BodyRenderer:
    visible = shown if shown is not None else {c.path for c in cards}
    return BodyRenderer(SiteLinks(LinkResolver(cards), frozenset(visible)))


@pytest.mark.parametrize(("markdown", "expected"), SPEC, ids=[str(i) for i in range(len(SPEC))])
def test_commonmark_and_gfm_examples(markdown: str, expected: str) -> None:
    html = _renderer().render("card.md", markdown).html
    assert _normalize(html) == _normalize(expected)


def test_task_lists_footnotes_anchors_and_highlighting() -> None:
    body = (
        "# Über uns\n\n- [x] done\n- [ ] todo\n\nText[^1].\n\n[^1]: Note.\n\n"
        "```python\nx = 1\n```\n"
    )
    result = _renderer().render("card.md", body)
    assert '<h1 id="über-uns">' in result.html
    assert 'type="checkbox"' in result.html and 'checked="checked"' in result.html
    assert 'disabled="disabled"' in result.html  # a reader cannot tick them
    assert 'class="footnotes"' in result.html and 'href="#fn1"' in result.html
    assert '<pre class="highlight"><code class="language-python">' in result.html
    assert '<span class="n">x</span>' in result.html
    assert result.headings == [{"level": 1, "id": "über-uns", "text": "Über uns"}]


def test_links_between_cards_are_rewritten_and_broken_ones_reported() -> None:
    cards = (
        Card("billing/refunds.md", CardMeta(title="Refunds", aliases=("KB-12",)), ""),
        Card("billing/tax.md", CardMeta(title="Tax rules"), ""),
        Card("accounts/sso.md", CardMeta(title="SSO"), ""),
    )
    body = (
        "[a](refunds.md) [b](../accounts/sso.md#setup) [[Tax rules]] [[kb-12|the refund card]]\n"
        "[c](missing.md) [[No such card]] [site](https://example.com/x.md) `[[code]]`\n"
    )
    result = _renderer(*cards).render("billing/tax.md", body)
    html = result.html
    assert '<a href="refunds.html" class="card-link"' in html
    assert '<a href="../accounts/sso.html#setup" class="card-link"' in html
    assert '<a href="tax.html" class="card-link"' in html
    assert ">the refund card</a>" in html
    assert 'href="https://example.com/x.md"' in html  # other sites' links are left alone
    assert "<code>[[code]]</code>" in html
    assert html.count('class="broken-link"') == 2
    assert 'title="broken link: missing.md"' in html and 'title="broken link: No such card"' in html
    assert result.links == ["billing/refunds.md", "accounts/sso.md", "billing/tax.md",
                            "billing/refunds.md"]  # fmt: skip


def test_links_to_cards_outside_the_build_become_plain_text() -> None:
    cards = (
        Card("public.md", CardMeta(title="Public"), ""),
        Card("secret.md", CardMeta(title="Secret runbook"), ""),
    )
    html = _renderer(*cards, shown={"public.md"}).render(
        "public.md", "See [the runbook](secret.md) or [[Secret runbook]]."
    )
    assert _normalize(html.html) == "<p>See the runbook or Secret runbook.</p>\n"
    assert html.links == []


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="alert(1)">',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<details open ontoggle="alert(1)">x</details>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        '<object data="javascript:alert(1)"></object>',
        '<form action="javascript:alert(1)"><button>x</button></form>',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "[x](javascript:alert(1))",
        '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    ],
)
def test_sanitizer_removes_every_way_to_run_script(payload: str) -> None:
    html = _renderer().render("card.md", payload + "\n").html
    lowered = html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered.replace("[x](javascript", "")
    assert not re.search(r"<[^>]+\son\w+\s*=", lowered)
    for tag in ("<iframe", "<object", "<form", "<svg", "<meta", "<style", "<math", "data:text"):
        assert tag not in lowered


def test_sanitize_keeps_the_markup_cards_need() -> None:
    kept = '<p><a href="https://x.test/">x</a> <code>c</code> <kbd>K</kbd></p>'
    assert sanitize(kept) == kept.replace('">x', '" rel="noopener noreferrer">x')


def _theme_classes() -> set[str]:
    from kbcli.adapters.resources import templates_dir  # the shipped theme

    root = templates_dir() / "handbook"
    css = (root / "static" / "handbook.css").read_text(encoding="utf-8")
    templates = "".join(p.read_text(encoding="utf-8") for p in root.glob("*.html"))
    return set(re.findall(r"\.([A-Za-z][\w-]*)", css)) | set(
        name for value in re.findall(r'class="([^"{]*)', templates) for name in value.split()
    )


def test_a_card_cannot_borrow_the_themes_badge_or_status_classes() -> None:
    fake = (
        '<span class="badge badge-verified" data-trust="verified">✔ Verified</span> '
        '<div class="review-box trust status warn">x</div> '
        '<p class="card-link highlight bogus">y</p>'
    )
    html = _renderer().render("card.md", fake + "\n").html
    assert "badge" not in html and "review-box" not in html and "data-trust" not in html
    assert "status" not in html and "warn" not in html and "bogus" not in html
    assert 'class="card-link highlight"' in html  # the renderer's own classes stay


def test_no_class_a_card_keeps_is_one_the_theme_uses_outside_card_bodies() -> None:
    from kbcli.adapters.markdown_render import BODY_CLASSES, _code_classes

    # Styled on purpose, for card bodies only:
    renderer_own = {"broken-link", "task-list-item", "align-left", "align-center", "align-right"}
    leaked = (BODY_CLASSES | _code_classes()) & (_theme_classes() - renderer_own)
    assert leaked == set()


def test_style_attributes_never_survive_and_tables_align_by_class() -> None:
    body = '<p style="color:red">x</p>\n\n| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |\n'
    html = _renderer().render("card.md", body).html
    assert "style=" not in html
    assert [m for m in re.findall(r'<td class="(align-\w+)"', html)] == [
        "align-left",
        "align-center",
        "align-right",
    ]


@pytest.mark.slow
def test_sanitized_html_is_the_same_bytes_in_every_process() -> None:
    """nh3 adds forced attributes in hash order; each process hashes differently."""
    import subprocess
    import sys

    script = (
        "from kbcli.adapters.markdown_render import parser, sanitize\n"
        "print(sanitize(parser().render('- [x] a\\n- [ ] b\\n\\n<input checked>\\n')))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(10)
    }
    assert len(outputs) == 1, outputs
    assert 'disabled="disabled" type="checkbox"' in outputs.pop()
