"""Card bodies to safe HTML: markdown-it-py, pygments, link rewriting, then nh3 sanitizing.

Anyone can contribute a card, so the output of the markdown step is treated as
untrusted: nh3 keeps only an allowlist of tags, attributes and URL schemes. Links
between cards are resolved here, from the token stream, so that a link inside a
code block is never rewritten and every broken link is reported once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from kbcli.core.handbook import SiteLinks, card_url, relative_url
from kbcli.core.heading_ids import heading_id
from kbcli.core.link_scan import github_slug, without_template_comments
from kbcli.core.link_targets import wiki_sides
from kbcli.core.readable_tags import readable_tags

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

# 9: a tag's named parameters (steps: x) are no words;
# 8: a tag naming a file of the repo links to it (copied), a broken tag's title as written;
# 7: site paths ({{site.baseurl}}/a/, {% page "/a/" %}) lead to cards, other template tags
# read as words; 6: {% comment %} hidden;
# 5: a heading's own {#id}; 4: class allowlist
RENDERER_VERSION = "9"

ALLOWED_TAGS = {
    *("a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt"),
    *("em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "kbd", "li", "mark"),
    *("ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "sub", "summary", "sup"),
    *("table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "figure"),
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height"},
    "input": {"checked", "disabled"},
    "li": {"id"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "section": set(),
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# The only classes a card body keeps: the ones this renderer itself writes (links, task
# lists, footnotes, table alignment, code highlighting). The theme's badge, status and
# review classes are not among them, so a card cannot draw the real "Verified" badge;
# every other class is dropped. No style attribute survives either: the page's CSP
# (style-src 'self') would block it, so table alignment travels as an align-* class.
BODY_CLASSES = frozenset(
    {
        *("card-link", "broken-link", "highlight"),
        *("contains-task-list", "task-list-item", "task-list-item-checkbox"),
        *("footnote-ref", "footnotes-sep", "footnotes", "footnotes-list", "footnote-item"),
        *("footnote-backref", "align-left", "align-center", "align-right"),
    }
)
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}\Z")


@dataclass
class RenderedBody:
    """One card body as HTML plus what the renderer learnt about its links and headings.

    Broken links are not collected here: the build reports what ``kb check``'s resolver
    reports, so the two always name the same links."""

    html: str
    links: list[str] = field(default_factory=list)  # card paths this body links to
    headings: list[dict[str, Any]] = field(default_factory=list)  # {"level", "id", "text"}


@lru_cache(maxsize=1)
def _code_classes() -> frozenset[str]:
    """Pygments' token classes (``k``, ``nf``, ``s2`` ...), for highlighted code blocks."""
    from pygments.token import STANDARD_TYPES

    return frozenset(name for name in STANDARD_TYPES.values() if name)


def _keep_classes(value: str) -> str | None:
    code = _code_classes()
    kept = [
        name
        for name in value.split()
        if name in BODY_CLASSES or name in code or _LANGUAGE_CLASS.match(name)
    ]
    return " ".join(kept) or None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return _keep_classes(value)
    if tag == "input" and attribute == "disabled":
        return "disabled"
    return value


@lru_cache(maxsize=1)
def _cleaner() -> Any:
    import nh3

    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "noscript", "template", "iframe", "object"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        # One forced attribute only: nh3 adds several in hash order, and two builds of the
        # same repo must be byte-identical. Task-list boxes come with disabled="disabled".
        set_tag_attribute_values={"input": {"type": "checkbox"}},
        strip_comments=True,
    )


def sanitize(html: str) -> str:
    """Keep only the allowlisted markup: no script, no event handler, no javascript: URL."""
    return str(_cleaner().clean(html))


@lru_cache(maxsize=64)
def _lexer(lang: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def highlight(code: str, lang: str, attrs: str) -> str:
    """Pygments HTML for a fenced block with a known language; "" lets markdown-it escape it."""
    name = (lang or "").strip().split()[0] if lang and lang.strip() else ""
    lexer = _lexer(name.lower()) if name else None
    if lexer is None:
        return ""
    from html import escape

    from pygments import highlight as pyg_highlight

    body = pyg_highlight(code, lexer, _formatter())
    return f'<pre class="highlight"><code class="language-{escape(name)}">{body}</code></pre>\n'


def pygments_css() -> str:
    """Light and dark code colours (the dark set applies under prefers-color-scheme: dark)."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2)
    if end < 0:
        return False
    inner = src[pos + 2 : end]
    if not inner.strip() or "[" in inner or "\n" in inner:
        return False
    if src.startswith("(", end + 2):
        return False  # [[mirror]](url): a markdown link whose text is "[mirror]"
    if not silent:
        label = wiki_sides(inner, bool(state.env.get("wiki_text_first")))[1]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": ""}
        token.meta = {"wikilink": inner}  # SiteLinks.wiki reads the sides as the repo does
        text = state.push("text", "", 0)
        text.content = label.strip()
        state.push("link_close", "a", -1)
    state.pos = end + 2
    return True


_ALIGN_STYLE = re.compile(r"text-align:\s*(left|center|right)\Z")


def _alignment_classes(state: Any) -> None:
    """GFM column alignment as an ``align-*`` class: the CSP blocks inline styles."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            found = _ALIGN_STYLE.match(str(token.attrs.pop("style")))
            if found:
                token.attrs["class"] = f"align-{found.group(1)}"


def _heading_ids(state: StateCore) -> None:
    """``## Set up {#setup}``: the reader sees "Set up", the heading's id is "setup"
    (``BodyRenderer`` sets it once the anchors plugin gave its own)."""
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        children = tokens[index + 1].children if token.type == "heading_open" else None
        if not children or children[-1].type != "text":
            continue
        text = "".join(c.content for c in children if c.type in ("text", "code_inline"))
        shown, own_id = heading_id(text)
        if own_id is not None and children[-1].content.endswith(text[len(shown) :]):
            children[-1].content = children[-1].content[: len(shown) - len(text)]
            token.meta["own_id"] = own_id


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark plus GFM tables and strikethrough, task lists, footnotes, heading anchors."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"highlight": highlight, "html": True})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=github_slug, permalink=False)
    md.core.ruler.before("anchor", "heading_ids", _heading_ids)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.push("align_classes", _alignment_classes)
    # GFM writes strikethrough as <del>, markdown-it as <s>.
    md.add_render_rule("s_open", lambda *args: "<del>")
    md.add_render_rule("s_close", lambda *args: "</del>")
    _quiet_block_rules()
    return md


def _quiet_block_rules() -> None:
    """markdown-it's block rules call ``LOGGER.debug`` each time they are tried (about
    170 calls per tldr card, 10% of parsing one): their module loggers become a no-op,
    unless someone asked for markdown-it's debug messages. Output is unchanged."""
    import importlib
    import logging
    from types import SimpleNamespace

    if logging.getLogger("markdown_it").isEnabledFor(logging.DEBUG):
        return
    quiet = SimpleNamespace(debug=lambda *args, **kwargs: None)
    rules = ("blockquote", "code", "fence", "heading", "hr", "html_block", "lheading", "list")
    for name in (*rules, "paragraph", "reference"):
        module = importlib.import_module(f"markdown_it.rules_block.{name}")
        if isinstance(getattr(module, "LOGGER", None), logging.Logger):
            setattr(module, "LOGGER", quiet)  # noqa: B010 (a module global, by name)


class BodyRenderer:
    """Renders the bodies of one build: the same link index and audience for every card."""

    def __init__(self, links: SiteLinks, *, compiled: bool = True) -> None:
        self.links = links
        self.compiled = compiled  # markdown-it-pyrs parses what it can (markdown_compiled)

    def render(self, card_path: str, body: str) -> RenderedBody:
        """Straight from the compiled parser's tree when it can (``markdown_html``),
        else through markdown-it-py's tokens and renderer: the same HTML either way."""
        body = readable_tags(without_template_comments(body))
        done = self.direct(card_path, body) if self.compiled else None
        if done is not None:
            done.html = sanitize(done.html)
            return done
        md = parser()
        env: dict[str, Any] = {"wiki_text_first": self.links.resolver.wiki_text_first}
        tokens = md.parse(body, env)
        result = RenderedBody("")
        self._rewrite(card_path, tokens, result)
        html = md.renderer.render(tokens, md.options, env)
        result.html = sanitize(html)
        return result

    def direct(self, card_path: str, body: str) -> RenderedBody | None:
        """The body written straight from markdown-it-pyrs's tree (HTML not yet
        sanitized), or None when the body is markdown-it-py's to parse and render."""
        from kbcli.adapters.markdown_compiled import tree
        from kbcli.adapters.markdown_html import render

        nodes = tree(body)
        return render(nodes, self, card_path) if nodes is not None else None

    def _rewrite(self, card_path: str, tokens: list[Token], result: RenderedBody) -> None:
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and index + 1 < len(tokens):
                if token.meta.get("own_id"):
                    token.attrSet("id", token.meta["own_id"])
                inline = tokens[index + 1]
                result.headings.append(
                    {
                        "level": int(token.tag[1]),
                        "id": token.attrGet("id"),
                        "text": "".join(
                            c.content
                            for c in inline.children or ()
                            if c.type in ("text", "code_inline")
                        ),
                    }
                )
            if token.children:
                token.children = self._links(card_path, token.children, result)

    def _links(self, card_path: str, children: list[Token], result: RenderedBody) -> list[Token]:
        kept: list[Token] = []
        mode = "keep"  # what to do with the current link's closing token (links never nest)
        for child in children:
            if child.type == "link_open":
                mode = self._link_open(card_path, child, result)
                if mode != "drop":
                    kept.append(child)
            elif child.type == "link_close":
                if mode == "span":
                    child.tag = "span"
                if mode != "drop":
                    kept.append(child)
                mode = "keep"
            else:
                kept.append(child)
        return kept

    def _link_open(self, card_path: str, token: Token, result: RenderedBody) -> str:
        wikilink = token.meta.get("wikilink") if token.meta else None
        href = str(token.attrGet("href") or "")
        mode, attrs = self.link_target(card_path, href, wikilink, result)
        if attrs is not None:
            token.attrs = attrs
        if mode == "span":
            token.tag = "span"
        return mode

    def link_target(
        self, card_path: str, href: str, wikilink: str | None, result: RenderedBody
    ) -> tuple[str, dict[str, Any] | None]:
        """What a link to ``href`` (or the wiki link ``wikilink``) becomes: "keep" (with
        new attributes for a card, None to leave it as written), "drop" (an internal card
        in a public build: its text stays, plain) or "span" (a broken link)."""
        if wikilink is not None:
            found = self.links.wiki(card_path, wikilink)
        else:
            found = self.links.href(card_path, href) if href else None
        if found is None:
            return "keep", None
        if found.kind == "card":
            url = relative_url(card_url(card_path), card_url(found.target))
            result.links.append(found.target)
            fragment = "#" + found.fragment if found.fragment else ""
            return "keep", {"href": url + fragment, "class": "card-link"}
        if found.kind == "file":
            fragment = "#" + found.fragment if found.fragment else ""
            return "keep", {"href": relative_url(card_url(card_path), found.target) + fragment}
        if found.kind == "hidden":
            return "drop", None
        # A tag reaches here percent-encoded ({% download "a.pdf" %}): shown as written.
        if wikilink is not None:
            shown = wiki_sides(wikilink, self.links.resolver.wiki_text_first)[0].strip()
        else:
            shown = unquote(href) if "{" in unquote(href) else href
        return "span", {"class": "broken-link", "title": f"broken link: {shown}"}
