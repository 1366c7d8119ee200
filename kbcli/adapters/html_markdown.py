"""HTML from other tools as GitHub-flavoured markdown: sanitised with nh3, converted with
html-to-markdown.

Why html-to-markdown and not markdownify: on a table with a ``|`` inside a cell (in
code and in text), html-to-markdown 3.21 escaped it (``a \\| b``) and kept the row's
two columns, where markdownify 1.2.3 wrote the bare ``|`` and the row gained a column.
Both were tried on the same HTML (tests/integration/test_imports.py keeps that case).
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(
    r"<h([1-6])\b[^>]*?\bid\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</h\1\s*>", re.I | re.S
)
_TAG = re.compile(r"<[^>]*>")

# What survives sanitising: structure, tables, code, links and images; no script,
# style, iframe or event handler ever reaches a card.
_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "div", "span", "sub", "sup", "kbd",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"}}


def html_to_markdown(html: str) -> str:
    """Sanitised markdown of ``html``, ending with one newline."""
    import nh3

    try:
        import html_to_markdown as converter
    except ImportError:
        from kbcli.errors import KbError

        raise KbError(
            "importing HTML pages needs the import extra: pip install 'kbcli[import]'"
        ) from None

    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, link_rel=None)
    options = converter.ConversionOptions(heading_style="atx", bullets="-")
    result = converter.convert(clean, options)
    text = result.content if hasattr(result, "content") else str(result)
    return (text or "").strip() + "\n"


def heading_ids(page: str) -> dict[str, str]:
    """``id`` of each heading of ``page`` -> the heading's text, for anchor links.

    Help centers and wikis give headings their own ids (``h_01H...``, ``Page-Section``)
    that a markdown heading loses; kb's anchor is made from the text instead.
    """
    found: dict[str, str] = {}
    for match in _HEADING.finditer(page):
        text = " ".join(html.unescape(_TAG.sub("", match.group(3))).split())
        found.setdefault(match.group(2), text)
    return found
