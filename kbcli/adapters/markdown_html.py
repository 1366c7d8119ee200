"""A card body's HTML written straight from markdown-it-pyrs's tree.

Before this module, ``markdown_compiled`` turned the compiled parser's tree into
markdown-it-py's tokens for markdown-it-py's renderer: two thirds of a body's render
time went to making and walking those Token objects. This module writes the HTML from the
tree directly, byte for byte, with kb's own steps made on the way: heading ids (the
anchors plugin's unique GitHub slugs), the card-link rewriting of ``BodyRenderer``,
table alignment classes, Pygments for fenced code, ``<del>`` for strikethrough.

Line feeds follow markdown-it-py's ``renderToken``: a block opening tag ends a line
unless the next token is inline content, a hidden (tight-list) paragraph or its own
closing tag, and a block tag right after a hidden token starts a new line. A tree this
module does not know raises ``Elsewhere``: markdown-it-py then parses and renders the
body. tests/integration/test_markdown_compiled.py compares this HTML with markdown-it-py's
own parse and kb's renderer on the spec examples and awkward bodies, and
bench/render_identity.py on every body of a repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mdit_py_plugins.anchors.index import unique_slug

from kbcli.adapters.markdown_compiled import INLINE, MAX_DEPTH, Elsewhere
from kbcli.adapters.markdown_render import RenderedBody, highlight
from kbcli.core.heading_ids import heading_id
from kbcli.core.link_scan import github_slug

if TYPE_CHECKING:
    from kbcli.adapters.markdown_render import BodyRenderer

_TAGS = {"em": "em", "strong": "strong", "strikethrough": "del"}
_ALIGNED = frozenset({"left", "center", "right"})


def escape(raw: str) -> str:
    """markdown-it-py's ``escapeHtml``: ``& < > "`` (not the single quote)."""
    if "&" in raw:
        raw = raw.replace("&", "&amp;")
    if "<" in raw:
        raw = raw.replace("<", "&lt;")
    if ">" in raw:
        raw = raw.replace(">", "&gt;")
    if '"' in raw:
        raw = raw.replace('"', "&quot;")
    return raw


def render(nodes: list[Any], renderer: BodyRenderer, card_path: str) -> RenderedBody | None:
    """The body's HTML (not yet sanitized), card links and headings; None when the tree
    holds something this module does not write (markdown-it-py renders the body)."""
    writer = _Writer(renderer, card_path)
    try:
        for node in nodes:
            writer.block(node, 0)
    except Elsewhere:
        return None
    writer.next_token("end")
    writer.result.html = "".join(writer.out)
    return writer.result


class _Writer:
    def __init__(self, renderer: BodyRenderer, card_path: str) -> None:
        self.renderer = renderer
        self.card_path = card_path
        self.result = RenderedBody("")
        self.out: list[str] = []
        self.pending = -1  # the block opening tag whose line feed waits for the next token
        self.pending_tag = ""
        self.hidden = False  # the previous token was a hidden paragraph's
        self.slugs: set[str] = set()

    # Block tokens, as markdown-it-py's renderToken writes them.

    def next_token(self, kind: str, tag: str = "") -> None:
        """The pending opening tag ends its line unless this token is inline content, a
        hidden one or its own closing tag."""
        if self.pending >= 0:
            own_close = kind == "close" and tag == self.pending_tag
            if kind not in ("inline", "hidden") and not own_close:
                self.out[self.pending] += "\n"
            self.pending = -1

    def open(self, tag: str, attrs: str = "") -> int:
        self.next_token("open")
        self.out.append(("\n<" if self.hidden else "<") + tag + attrs + ">")
        self.hidden = False
        self.pending = len(self.out) - 1
        self.pending_tag = tag
        return self.pending

    def close(self, tag: str) -> None:
        self.next_token("close", tag)
        self.out.append("</" + tag + ">\n")
        self.hidden = False

    def leaf(self, html: str, follows_hidden: bool = True) -> None:
        """A block token without children: ``<hr />`` (renderToken's, so after a hidden
        token it starts a line) or a fence, code block or HTML block (own rules, never)."""
        self.next_token("leaf")
        self.out.append("\n" + html if follows_hidden and self.hidden else html)
        self.hidden = False

    def hidden_token(self) -> None:
        self.next_token("hidden")
        self.hidden = True

    def block(self, node: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise Elsewhere("nesting")
        name = node.name
        if name == "paragraph":
            self.open("p")
            self.inline(node.children)
            self.close("p")
        elif name in ("heading", "lheading"):
            self.heading(node)
        elif name in ("blockquote", "bullet_list"):
            tag = "ul" if name == "bullet_list" else "blockquote"
            self.open(tag)
            for child in node.children:
                self.block(child, depth + 1)
            self.close(tag)
        elif name == "ordered_list":
            start = node.meta["start"]
            self.open("ol", f' start="{escape(str(start))}"' if start != 1 else "")
            for child in node.children:
                self.block(child, depth + 1)
            self.close("ol")
        elif name == "list_item":
            self.list_item(node, depth)
        elif name == "hr":
            self.leaf("<hr />\n")
        elif name == "code_block":
            code = escape(node.meta["content"])
            self.leaf("<pre><code>" + code + "</code></pre>\n", follows_hidden=False)
        elif name == "html_block":
            self.leaf(node.meta["content"], follows_hidden=False)
        elif name == "fence":
            self.leaf(_fence(node.meta), follows_hidden=False)
        elif name == "table":
            self.table(node)
        elif name != "definition":  # a link reference definition writes nothing
            raise Elsewhere(name)

    def heading(self, node: Any) -> None:
        level = node.meta["level"]
        tag = f"h{level}"
        at = self.open(tag)
        title: list[str] = []
        self.inline(node.children, title)
        text = "".join(title)
        shown, own_id = heading_id(text)
        if own_id is not None:
            written, tail = "".join(self.out[at + 1 :]), escape(text[len(shown) :])
            if written.endswith(tail):  # plain text, not inside a code span or emphasis
                self.out[at + 1 :] = [written[: -len(tail)]]
                text = shown
            else:
                own_id = None
        slug = unique_slug(github_slug(text), self.slugs)  # as the anchors plugin does
        slug = own_id or slug
        self.out[at] = self.out[at][:-1] + f' id="{escape(slug)}">'
        self.close(tag)
        self.result.headings.append({"level": level, "id": slug, "text": text})

    def list_item(self, node: Any, depth: int) -> None:
        """A tight list's paragraphs are not in the tree: its runs of inline nodes are
        the hidden paragraphs markdown-it-py makes."""
        self.open("li")
        run: list[Any] = []
        for child in node.children:
            if child.name in INLINE:
                run.append(child)
                continue
            if run:
                self.hidden_run(run)
                run = []
            self.block(child, depth + 1)
        if run:
            self.hidden_run(run)
        self.close("li")

    def hidden_run(self, run: list[Any]) -> None:
        self.hidden_token()
        self.inline(run)
        self.hidden_token()

    def table(self, node: Any) -> None:
        aligns = node.meta.get("alignments", [])
        self.open("table")
        for section in node.children:
            kind = section.name
            if kind not in ("thead", "tbody"):
                raise Elsewhere(kind)
            cell = "th" if kind == "thead" else "td"
            self.open(kind)
            for row in section.children:
                self.open("tr")
                for index, child in enumerate(row.children):
                    align = aligns[index] if index < len(aligns) else "none"
                    if align in _ALIGNED:
                        attrs = f' class="align-{align}"'
                    else:
                        attrs = f' style="text-align:{escape(align)}"' if align != "none" else ""
                    self.open(cell, attrs)
                    self.inline(child.children)
                    self.close(cell)
                self.close("tr")
            self.close(kind)
        self.close("table")

    # Inline content: one inline token's children.

    def inline(self, nodes: list[Any], title: list[str] | None = None) -> None:
        """markdown-it-py strips a paragraph's, heading's or cell's text with Python's
        ``str.strip`` (no-break spaces too), markdown-it-pyrs only ASCII space."""
        self.next_token("inline")
        self.hidden = False
        last = len(nodes) - 1
        for index, node in enumerate(nodes):
            if node.name in ("text", "text_special"):
                text = node.meta["content"]
                if index == 0:
                    text = text.lstrip()
                if index == last:
                    text = text.rstrip()
                if title is not None:
                    title.append(text)
                self.out.append(escape(text))
            else:
                self.inline_node(node, title, 0)

    def inline_node(self, node: Any, title: list[str] | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise Elsewhere("nesting")
        name = node.name
        out = self.out
        if name in ("text", "text_special"):
            text = node.meta["content"]
            if title is not None:
                title.append(text)
            out.append(escape(text))
        elif name in _TAGS:
            tag = _TAGS[name]
            out.append(f"<{tag}>")
            for child in node.children:
                self.inline_node(child, title, depth + 1)
            out.append(f"</{tag}>")
        elif name == "code_inline":
            text = "".join(child.meta["content"] for child in node.children)
            if title is not None:
                title.append(text)
            out.append("<code>" + escape(text) + "</code>")
        elif name in ("link", "autolink"):
            self.link(node, title, depth)
        elif name == "image":
            out.append(self.image(node, depth))
        elif name == "html_inline":
            out.append(node.meta["content"])
        elif name == "hardbreak":
            out.append("<br />\n")
        elif name == "softbreak":
            out.append("\n")
        else:
            raise Elsewhere(name)

    def link(self, node: Any, title: list[str] | None, depth: int) -> None:
        meta = node.meta
        href = meta["url"]
        mode, attrs = self.renderer.link_target(self.card_path, href, None, self.result)
        if attrs is None:
            attrs = {"href": href}
            if meta.get("title") is not None:
                attrs["title"] = meta["title"]
        tag = "span" if mode == "span" else "a"
        if mode != "drop":
            self.out.append(f"<{tag}{_attrs(attrs)}>")
        if node.name == "autolink":  # shown as markdown-it-py shows it: percent-decoded
            text = _autolink_text(node)
            if title is not None:
                title.append(text)
            self.out.append(escape(text))
        else:
            for child in node.children:
                self.inline_node(child, title, depth + 1)
        if mode != "drop":
            self.out.append(f"</{tag}>")

    def image(self, node: Any, depth: int) -> str:
        meta = node.meta
        alt = "".join(_alt_text(child, depth + 1) for child in node.children)
        attrs = {"src": meta["url"], "alt": alt}
        if meta.get("title") is not None:
            attrs["title"] = meta["title"]
        return f"<img{_attrs(attrs)} />"


def _attrs(attrs: dict[str, Any]) -> str:
    return "".join(f' {escape(key)}="{escape(str(value))}"' for key, value in attrs.items())


def _alt_text(node: Any, depth: int) -> str:
    """An image's ``alt``: its content as plain text (markdown-it-py's
    ``renderInlineAsText`` over its parse of the same content)."""
    if depth > MAX_DEPTH:
        raise Elsewhere("nesting")
    name = node.name
    if name in ("text", "text_special", "html_inline"):
        return str(node.meta["content"])
    if name == "code_inline":
        return "".join(child.meta["content"] for child in node.children)
    if name in ("hardbreak", "softbreak"):
        return "\n"
    if name == "autolink":
        return _autolink_text(node)
    if name in _TAGS or name in ("link", "image"):
        return "".join(_alt_text(child, depth + 1) for child in node.children)
    raise Elsewhere(name)


def _autolink_text(node: Any) -> str:
    from markdown_it.common.normalize_url import normalizeLinkText

    return str(normalizeLinkText("".join(child.meta["content"] for child in node.children)))


def _fence(meta: dict[str, Any]) -> str:
    """markdown-it-py's fence rule with kb's Pygments highlighter. An info string with
    escapes or entities goes to markdown-it-py (the two parsers unescape it differently)."""
    from markdown_it.common.utils import MD_TRIM_RE, mdTrim

    info = meta.get("info", "")
    if "\\" in info or "&" in info:
        raise Elsewhere("fence info")
    info = mdTrim(info) if info else ""
    lang, attrs = "", ""
    if info:
        parts = MD_TRIM_RE.split(info, maxsplit=1)
        lang = parts[0]
        attrs = parts[1] if len(parts) == 2 else ""
    content = meta["content"]
    code = highlight(content, lang, attrs) or escape(content)
    if code.startswith("<pre"):
        return code + "\n"
    if info:
        return f'<pre><code class="{escape("language-" + lang)}">{code}</code></pre>\n'
    return f"<pre><code>{code}</code></pre>\n"
