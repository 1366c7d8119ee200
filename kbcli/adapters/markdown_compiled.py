"""The compiled parse of a card body: markdown-it-pyrs's tree as markdown-it-py's tokens.

markdown-it-pyrs (markdown-it ported to Rust) parses CommonMark, GFM tables and
strikethrough 10-15x faster than markdown-it-py, but its parser rules cannot be written
in Python. So it only parses: its node tree becomes the token stream markdown-it-py
would have made, and everything after the parse is markdown-it-py's and kb's own (the
core rules after ``inline``: heading ids, table alignment classes; kb's link rewriting;
the HTML renderer with Pygments). A body that uses what only kb's markdown-it-py rules
parse (wiki links, footnotes, task lists) or where the two parsers are known to differ
is left to markdown-it-py: ``tokens`` then returns None. The HTML is the same either way
(tests/integration/test_markdown_compiled.py compares them on the CommonMark and GFM
spec examples and on awkward bodies).

A build now writes the HTML straight from ``tree`` (``markdown_html``); ``tokens`` is
the path it replaced, kept as the reference bench/render_identity.py compares it with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# What markdown-it-pyrs does not parse as kb does: wiki links ``[[``, footnotes ``[^``,
# task-list boxes, and characters both parsers normalise differently (CR, NUL), tabs
# (column arithmetic), entities and backslashes in fence info strings (handled below).
_ELSEWHERE = re.compile(r"\[\[|\[\^|\[[ xX]\]|[\r\0\t]")
# markdown-it-py stops nesting at 20 levels (its maxNesting), markdown-it-pyrs does not: a
# deeper body is markdown-it-py's. And markdown-it-pyrs takes quadratic time over runs of
# emphasis or strikethrough delimiters (30,000 ``*a `` took 23 s, markdown-it-py 1.2 s) and
# is slower on thousands of link definitions: over DELIMITERS ``*``, ``_``, ``~`` or ``]:``
# (no tldr or 18F body has more than 518 of one), markdown-it-py parses the body.
MAX_DEPTH = 12
DELIMITERS = 1000

INLINE = frozenset(
    {
        *("text", "text_special", "em", "strong", "code_inline", "link", "autolink"),
        *("image", "html_inline", "hardbreak", "softbreak", "strikethrough"),
    }
)
_PAIRS = {"em": ("em_open", "em_close", "em"), "strong": ("strong_open", "strong_close", "strong")}
_PAIRS["strikethrough"] = ("s_open", "s_close", "s")


class Elsewhere(Exception):
    """A node this conversion does not know: markdown-it-py parses the body instead."""


@lru_cache(maxsize=1)
def _engine() -> Any:
    """markdown-it-pyrs with the CommonMark preset, tables and strikethrough; None when
    it is not installed (every body then goes to markdown-it-py)."""
    try:
        import markdown_it_pyrs
    except ImportError:
        return None
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


def tokens(md: MarkdownIt, body: str, env: dict[str, Any]) -> list[Token] | None:
    """markdown-it-py's tokens for ``body`` (``md.parse(body, env)``), or None when this
    body is markdown-it-py's to parse."""
    nodes = tree(body)
    if nodes is None:
        return None
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

    out: list[Token] = []
    try:
        for node in nodes:
            _block(node, out, Token)
    except Elsewhere:
        return None
    state = StateCore(body, md, env, out)
    for rule in _after_inline(md):
        rule(state)
    return state.tokens


def tree(body: str) -> list[Any] | None:
    """markdown-it-pyrs's top-level nodes of ``body``, or None when this body is
    markdown-it-py's to parse (kb-only syntax, known differences, delimiter floods)."""
    engine = _engine()
    if engine is None or _ELSEWHERE.search(body):
        return None
    if any(body.count(mark) > DELIMITERS for mark in ("*", "_", "~", "]:")):
        return None
    return list(engine.tree(body).children)


def _after_inline(md: MarkdownIt) -> list[Any]:
    """The enabled core rules that run after the inline parse (footnote tail, text_join,
    heading anchors, kb's alignment classes). Not the task-list rule: a body with a
    task-list box never comes here."""
    rules = md.core.ruler.__rules__
    names = [rule.name for rule in rules]
    after = rules[names.index("inline") + 1 :]
    return [rule.fn for rule in after if rule.enabled and rule.name != "github-tasklists"]


def _block(node: Any, out: list[Token], token: type[Token], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Elsewhere("nesting")
    name = node.name
    if name == "paragraph":
        _wrapped(node, out, token, "paragraph", "p")
    elif name in ("heading", "lheading"):
        _wrapped(node, out, token, "heading", f"h{node.meta['level']}")
    elif name == "blockquote":
        _container(node, out, token, "blockquote", "blockquote", {}, depth)
    elif name == "bullet_list":
        _container(node, out, token, "bullet_list", "ul", {}, depth)
    elif name == "ordered_list":
        start = node.meta["start"]
        attrs = {"start": start} if start != 1 else {}
        _container(node, out, token, "ordered_list", "ol", attrs, depth)
    elif name == "list_item":
        _list_item(node, out, token, depth)
    elif name == "hr":
        out.append(token("hr", "hr", 0, block=True))
    elif name in ("code_block", "html_block"):
        out.append(token(name, "code" if name == "code_block" else "", 0, block=True))
        out[-1].content = node.meta["content"]
    elif name == "fence":
        _fence(node, out, token)
    elif name == "table":
        _table(node, out, token)
    elif name != "definition":  # a link reference definition renders as nothing
        raise Elsewhere(name)


def _fence(node: Any, out: list[Token], token: type[Token]) -> None:
    meta = node.meta
    info = meta.get("info", "")
    if "\\" in info or "&" in info:
        raise Elsewhere("fence info")  # escapes: which parser unescapes them differs
    fence = token("fence", "code", 0, block=True, info=info, content=meta["content"])
    out.append(fence)


def _wrapped(node: Any, out: list[Token], token: type[Token], kind: str, tag: str) -> None:
    out.append(token(f"{kind}_open", tag, 1, block=True))
    out.append(_inline(node.children, token))
    out.append(token(f"{kind}_close", tag, -1, block=True))


def _container(
    node: Any,
    out: list[Token],
    token: type[Token],
    kind: str,
    tag: str,
    attrs: dict[str, Any],
    depth: int,
) -> None:
    out.append(token(f"{kind}_open", tag, 1, attrs=attrs, block=True))
    for child in node.children:
        _block(child, out, token, depth + 1)
    out.append(token(f"{kind}_close", tag, -1, block=True))


def _list_item(node: Any, out: list[Token], token: type[Token], depth: int) -> None:
    """A tight list's paragraphs are not in the tree: its runs of inline nodes become
    the hidden paragraphs markdown-it-py makes."""
    out.append(token("list_item_open", "li", 1, block=True))
    run: list[Any] = []
    for child in node.children:
        if child.name in INLINE:
            run.append(child)
            continue
        if run:
            _hidden_paragraph(run, out, token)
            run = []
        _block(child, out, token, depth + 1)
    if run:
        _hidden_paragraph(run, out, token)
    out.append(token("list_item_close", "li", -1, block=True))


def _hidden_paragraph(run: list[Any], out: list[Token], token: type[Token]) -> None:
    out.append(token("paragraph_open", "p", 1, block=True, hidden=True))
    out.append(_inline(run, token))
    out.append(token("paragraph_close", "p", -1, block=True, hidden=True))


def _table(node: Any, out: list[Token], token: type[Token]) -> None:
    aligns = node.meta.get("alignments", [])
    out.append(token("table_open", "table", 1, block=True))
    for section in node.children:
        kind = section.name  # thead, tbody
        if kind not in ("thead", "tbody"):
            raise Elsewhere(kind)
        cell = "th" if kind == "thead" else "td"
        out.append(token(f"{kind}_open", kind, 1, block=True))
        for row in section.children:
            out.append(token("tr_open", "tr", 1, block=True))
            for index, child in enumerate(row.children):
                align = aligns[index] if index < len(aligns) else "none"
                attrs: dict[str, Any] = {"style": f"text-align:{align}"} if align != "none" else {}
                out.append(token(f"{cell}_open", cell, 1, attrs=attrs, block=True))
                out.append(_inline(child.children, token))
                out.append(token(f"{cell}_close", cell, -1, block=True))
            out.append(token("tr_close", "tr", -1, block=True))
        out.append(token(f"{kind}_close", kind, -1, block=True))
    out.append(token("table_close", "table", -1, block=True))


def _inline(nodes: list[Any], token: type[Token]) -> Token:
    """One inline token. markdown-it-py strips a paragraph's, heading's or cell's text
    with Python's ``str.strip`` (no-break spaces too), markdown-it-pyrs only ASCII space."""
    children: list[Token] = []
    for node in nodes:
        _inline_node(node, children, token)
    if children and children[0].type == "text":
        children[0].content = children[0].content.lstrip()
    if children and children[-1].type == "text":
        children[-1].content = children[-1].content.rstrip()
    return token("inline", "", 0, block=True, children=children)


def _inline_node(node: Any, out: list[Token], token: type[Token], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Elsewhere("nesting")
    name = node.name
    if name in ("text", "text_special"):
        out.append(token("text", "", 0, content=node.meta["content"]))
    elif name in _PAIRS:
        opening, closing, tag = _PAIRS[name]
        out.append(token(opening, tag, 1))
        for child in node.children:
            _inline_node(child, out, token, depth + 1)
        out.append(token(closing, tag, -1))
    elif name == "code_inline":
        text = "".join(child.meta["content"] for child in node.children)
        out.append(token("code_inline", "code", 0, content=text))
    elif name in ("link", "autolink"):
        _link(node, out, token, depth)
    elif name == "image":
        _image(node, out, token, depth)
    elif name == "html_inline":
        out.append(token("html_inline", "", 0, content=node.meta["content"]))
    elif name == "hardbreak":
        out.append(token("hardbreak", "br", 0))
    elif name == "softbreak":
        out.append(token("softbreak", "br", 0))
    else:
        raise Elsewhere(name)


def _link(node: Any, out: list[Token], token: type[Token], depth: int) -> None:
    meta = node.meta
    attrs: dict[str, Any] = {"href": meta["url"]}
    if meta.get("title") is not None:
        attrs["title"] = meta["title"]
    out.append(token("link_open", "a", 1, attrs=attrs))
    if node.name == "autolink":  # shown as markdown-it-py shows it: percent-decoded
        from markdown_it.common.normalize_url import normalizeLinkText

        text = "".join(child.meta["content"] for child in node.children)
        out.append(token("text", "", 0, content=normalizeLinkText(text)))
    else:
        for child in node.children:
            _inline_node(child, out, token, depth + 1)
    out.append(token("link_close", "a", -1))


def _image(node: Any, out: list[Token], token: type[Token], depth: int) -> None:
    meta = node.meta
    attrs: dict[str, Any] = {"src": meta["url"], "alt": ""}
    if meta.get("title") is not None:
        attrs["title"] = meta["title"]
    children: list[Token] = []
    for child in node.children:
        _inline_node(child, children, token, depth + 1)
    out.append(token("image", "img", 0, attrs=attrs, children=children))
