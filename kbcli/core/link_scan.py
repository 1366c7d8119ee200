"""Finding links and headings in a card body: one pass over the markdown, pure.

What counts as a link (``links.py`` resolves them):

* relative markdown links and images, ``[text](../billing/refunds.md#steps)``, and
  reference definitions ``[id]: refunds.md``;
* wikilinks ``[[Refund a duplicate charge]]``, ``[[refund-dupe|the refund card]]``,
  ``[[Title#Heading]]`` and ``[[#Heading]]``;
* anchors: GitHub-style heading slugs (``github_slug``, the one slug function: the
  handbook renders the same ids) and explicit ``<a name>`` / ``id`` anchors.

Links inside fenced or indented code blocks, inline code and HTML comments are not
links. ``Link.line`` and ``Link.column`` are 1-based positions in the *body*.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from kbcli.core.heading_ids import heading_id
from kbcli.core.link_targets import LinkKind, destination, wiki_target
from kbcli.core.sections import title_heading_line


@dataclass(frozen=True)
class Link:
    """One link in a card body, at a 1-based line and column of that body."""

    kind: LinkKind
    target: str  # path (decoded, without #anchor/?query) or wikilink target; "" = same card
    anchor: str | None  # the part after '#', decoded; None when there is none
    source: str  # the link as written, e.g. "[steps](refunds.md#steps)"
    line: int
    column: int
    image: bool = False

    @property
    def ref(self) -> str:
        """Where the link points, as a reader would name it: ``refunds.md#steps``, ``Title``."""
        return self.target + (f"#{self.anchor}" if self.anchor is not None else "")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # the heading's plain text (inline markup removed)
    slug: str  # its GitHub anchor, made unique within the card
    line: int  # 1-based line in the body


@dataclass(frozen=True)
class BodyScan:
    """Everything link checking needs from one body, found in one pass."""

    links: tuple[Link, ...]
    headings: tuple[Heading, ...]
    anchors: frozenset[str]  # heading slugs plus explicit <a name>/id anchors


# --- scanning -----------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_QUOTE = re.compile(r"^(?: {0,3}>[ ]?)+")
_ITEM_START = frozenset("-*+0123456789")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Liquid's (Jekyll) and Nunjucks's (Eleventy) comment block: the author's note to other
# authors, which those site generators never show; handbooks moved into kb keep them.
_TEMPLATE_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
_BLOCK_SYNTAX = re.compile(r"^(?: {0,3}(?:`{3,}|~{3,})|    |\t| {0,3}(?:=+|-+)[ \t]*\r?$)", re.M)
_ATX_LINE = re.compile(r"^(?: {0,3}>[ ]?)* {0,3}#.*$", re.M)
# Inline code: a run of N backticks up to the next run of exactly N, within a paragraph.
# The run starts with a backtick (none before it: the look-behind comes after it, so the
# search skips to backticks; 2.7x faster on the tldr bodies, the same spans).
_CODE_SPAN = re.compile(
    r"(`(?<!``)`*)(?!`)(?:[^`\n]++|\n(?![ \t]*\n)|(?!\1(?!`))`++)*?(?<!`)\1(?!`)"
)
_ESCAPED = re.compile(r"\\[\[\]\\`]")
# ``[[mirror]](url)`` is a markdown link whose text is "[mirror]", not a wikilink.
# A "!" right before a link's "[" makes it an image: it is looked at apart (``_bang``),
# as a pattern that starts with an optional "!" is tried at every position of a body
# (2-7x slower on the tldr and 18F bodies, the same links found).
_WIKI = re.compile(r"\[\[([^\[\]\n]*?)\]\](?!\()")
# A destination may be a template tag with spaces in it (``({% page "/a/" %})``): a site
# generator's link, which ``template_tags.site_path`` reads.
_DEST_TAG = r"\{%[^\n]*?%\}|\{\{[^\n]*?\}\}"
_INLINE = re.compile(
    r"\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\(\s*"
    r"(<[^<>\n]*>|(?:" + _DEST_TAG + r"|[^\s()\\]|\\.|\([^\s()]*\))*)"
    r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)"""
)
_REF_DEF = re.compile(
    r"^ {0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*(<[^<>\n]*>|(?:" + _DEST_TAG + r")\S*|\S+)",
    re.MULTILINE,
)
_HTML_ANCHOR = re.compile(r"""<[a-zA-Z][^>]*?\b(?:name|id)\s*=\s*["']([^"']+)["']""")
_INLINE_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]+>|[*~`]|(?<!\w)_+|_+(?!\w)")


def scan(body: str, *, with_headings: bool = True, title: str | None = None) -> BodyScan:
    """Find the links, headings and anchors of a card body (code and comments skipped).

    ``with_headings=False`` skips what only anchors need, when just the links are
    wanted (headings and anchors may then be incomplete). With the card's ``title``, a
    leading ``# Title`` equal to it is no heading and no anchor, and takes no slug from
    the headings after it: the handbook hides it (``sections.title_heading_line``).
    """
    hidden = title_heading_line(body, title) if title is not None and with_headings else 0
    masked, headings = _mask_code(body, with_headings, hidden)
    may_link = "](" in masked or "[[" in masked or "]:" in masked
    if not may_link and (not with_headings or "<" not in masked):
        return BodyScan((), tuple(headings), frozenset(h.slug.lower() for h in headings))
    masked = _blank_comments_and_spans(masked)
    if "\\" in masked:
        masked = _ESCAPED.sub(_blank, masked)
    anchors = {h.slug.lower() for h in headings}
    if with_headings and "<" in masked:
        anchors.update(a.lower() for a in _HTML_ANCHOR.findall(masked))
    if not may_link or "[" not in masked:
        return BodyScan((), tuple(headings), frozenset(anchors))
    starts = _line_starts(masked)
    links: list[Link] = []
    for match in _WIKI.finditer(masked):
        links.append(_wikilink(match, body, starts, _bang(masked, match.start())))
    for match in _INLINE.finditer(masked):
        image = _bang(masked, match.start())
        span = (match.start() - image, match.end())
        link = _inline(match.group(2), span, body, starts, image=image)
        if link:
            links.append(link)
    labels: set[str] = set()
    for match in _REF_DEF.finditer(masked) if "]:" in masked else ():
        # A label defined twice: the first definition is the one markdown uses (labels
        # match case-insensitively, whitespace collapsed); the others lead nowhere.
        label = " ".join(match.group(1).split()).casefold()
        if label in labels:
            continue
        labels.add(label)
        link = _inline(match.group(2), match.span(), body, starts, image=False)
        if link:
            links.append(link)
    links.sort(key=lambda link: (link.line, link.column))
    return BodyScan(tuple(links), tuple(headings), frozenset(anchors))


def headings(body: str) -> list[Heading]:
    """The headings of a card body (ATX ``#`` and setext underlined), with unique slugs."""
    return list(scan(body).headings)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading: ``"Step 2: Refund!"`` -> ``"step-2-refund"``."""
    kept = [c for c in text.strip().lower() if c in "-_ " or unicodedata.category(c)[0] in "LNM"]
    return "".join(kept).replace(" ", "-")


def without_template_comments(body: str) -> str:
    """The body without its ``{% comment %}...{% endcomment %}`` blocks, but those shown
    in code: what the author hid from readers stays hidden (in a public help center too)."""
    if "{%" not in body or "comment" not in body:
        return body
    masked, _ = _mask_code(body, with_headings=False)
    if "`" in masked:
        masked = _CODE_SPAN.sub(_blank, masked)
    kept, at = [], 0
    for found in _TEMPLATE_COMMENT.finditer(masked):
        kept.append(body[at : found.start()])
        at = found.end()
    return "".join(kept) + body[at:] if kept else body


def plain_heading(text: str) -> str:
    """Heading text as rendered: links become their text, emphasis and code marks go."""
    return _INLINE_MARKUP.sub(lambda m: m.group(1) or "", text).strip()


def _blank(match: re.Match[str]) -> str:
    text = match.group(0)
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(part) for part in text.split("\n"))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    import bisect

    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


def _mask_code(body: str, with_headings: bool = True, hidden: int = 0) -> tuple[str, list[Heading]]:
    """Blank out fenced and indented code blocks; collect headings on the way (but the
    one on line ``hidden``, the card's title heading)."""
    if not _BLOCK_SYNTAX.search(body):
        # No fence, no indented line, no setext underline: only ATX headings to find.
        return body, (_atx_headings(body, hidden) if with_headings else [])
    lines = body.split("\n")
    out: list[str] = []
    found: list[tuple[int, str, int]] = []  # (level, text, line)
    fence: tuple[str, int] | None = None  # (char, length) of the open fence
    previous_blank = True
    in_list = False
    paragraph = False  # the previous line continues a paragraph (setext candidate)
    for number, line in enumerate(lines, start=1):
        # Cheap tests first: most lines are prose and need no regular expression.
        rest = line.lstrip(" ")
        first = rest[:1]
        indent = len(line) - len(rest)
        if fence is not None or (first in ("`", "~") and indent <= 3):
            fence, fenced = _fence_step(fence, line, rest, indent)
            if fenced:
                out.append(" " * len(line))
                previous_blank, paragraph = False, False
                continue
        if not rest.strip():
            out.append(line)
            previous_blank, paragraph = True, False
            continue
        indented = indent >= 4 or line.startswith("\t")
        if indented and previous_blank and not in_list:
            out.append(" " * len(line))  # an indented code block
            continue
        is_item = first in _ITEM_START and bool(_LIST_ITEM.match(line))
        if not indented:
            in_list = is_item or (in_list and not previous_blank)
        out.append(line)
        previous_blank = False
        if with_headings:
            unquoted = _QUOTE.sub("", line) if first == ">" else line
            paragraph = _heading_step(unquoted, line, is_item, lines, number, out, paragraph, found)
    return "\n".join(out), _unique_headings(found, hidden)


def _atx_headings(body: str, hidden: int) -> list[Heading]:
    """The ATX headings of a body without code blocks or setext underlines."""
    atx_found: list[tuple[int, str, int]] = []
    for match in _ATX_LINE.finditer(body):
        atx = _ATX.match(_QUOTE.sub("", match.group(0)))
        if atx:
            number = body.count("\n", 0, match.start()) + 1
            atx_found.append((len(atx.group(1)), atx.group(2) or "", number))
    return _unique_headings(atx_found, hidden)


def _fence_step(
    fence: tuple[str, int] | None, line: str, rest: str, indent: int
) -> tuple[tuple[str, int] | None, bool]:
    """(the fence still open after ``line``, whether ``line`` belongs to a fenced block)."""
    first = rest[:1]
    if fence is not None:
        char, length = fence
        if first == char and indent <= 3:
            stripped = rest.rstrip()
            if set(stripped) == {char} and len(stripped) >= length:
                return None, True
        return fence, True
    opened = _FENCE_OPEN.match(line)
    if opened and not (opened.group(2)[0] == "`" and "`" in opened.group(3)):
        return (opened.group(2)[0], len(opened.group(2))), True
    return None, False


def _heading_step(
    unquoted: str,
    line: str,
    is_item: bool,
    lines: list[str],
    number: int,
    out: list[str],
    paragraph: bool,
    found: list[tuple[int, str, int]],
) -> bool:
    """Add the heading ``line`` makes (ATX, or setext under the paragraph line above it)
    to ``found``; return whether the next line continues a paragraph."""
    head = unquoted.lstrip(" ")[:1]
    atx = _ATX.match(unquoted) if head == "#" else None
    setext = _SETEXT.match(unquoted) if head in ("=", "-") else None
    if atx:
        found.append((len(atx.group(1)), atx.group(2) or "", number))
        return False
    if setext and paragraph and found_line_ok(out[:-1]):
        level = 1 if setext.group(1)[0] == "=" else 2
        found.append((level, _QUOTE.sub("", lines[number - 2]).strip(), number - 1))
        return False
    item = is_item if unquoted is line else bool(_LIST_ITEM.match(unquoted))
    return not item


def found_line_ok(out: list[str]) -> bool:
    """A setext underline needs a text line right above it (not a blanked code line)."""
    return bool(out) and bool(out[-1].strip())


def _unique_headings(found: Iterable[tuple[int, str, int]], hidden: int = 0) -> list[Heading]:
    seen: set[str] = set()
    result = []
    for level, raw, line in found:
        if line == hidden:
            continue
        shown, own_id = heading_id(raw.strip())
        text = plain_heading(shown)
        base = github_slug(text)
        slug, n = base, 0
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)  # as the renderers do: the text's slug is taken even with an own id
        result.append(Heading(level, text, own_id or slug, line))
    return result


def _bang(text: str, at: int) -> bool:
    """Whether a "!" comes right before ``at``: the link there is an image."""
    return at > 0 and text[at - 1] == "!"


def _wikilink(match: re.Match[str], body: str, starts: list[int], image: bool) -> Link:
    target, anchor = wiki_target(match.group(1))
    start = match.start() - image
    line, column = _position(starts, start)
    return Link(LinkKind.WIKI, target, anchor, body[start : match.end()], line, column, image=image)


def prose_mask(body: str) -> str:
    """``body`` with its code (fenced, indented, inline), HTML comments and ``{% comment %}``
    blocks blanked, every offset kept: what is left is what a reader sees as text."""
    return _blank_comments_and_spans(_mask_code(body, with_headings=False)[0])


def _blank_comments_and_spans(masked: str) -> str:
    """HTML comments, ``{% comment %}`` blocks and code spans blanked (offsets kept) in a
    body whose code blocks ``_mask_code`` blanked already."""
    if "<!--" in masked:
        masked = _COMMENT.sub(_blank, masked)
    if "{%" in masked:
        masked = _TEMPLATE_COMMENT.sub(_blank, masked)
    if "`" in masked:
        masked = _CODE_SPAN.sub(_blank, masked)
    return masked


def wiki_slug(heading: str) -> str:
    """The anchor ``[[Card#Heading text]]`` leads to: the slug of that heading."""
    return github_slug(plain_heading(heading))


def _inline(
    dest: str, span: tuple[int, int], body: str, starts: list[int], *, image: bool
) -> Link | None:
    found = destination(dest)
    if found is None:
        return None
    kind, path, anchor = found
    if kind is LinkKind.SITE and not path:
        return None  # a tag that names no page: kb check reports it as a template tag
    line, column = _position(starts, span[0])
    return Link(kind, path, anchor, body[span[0] : span[1]], line, column, image=image)
