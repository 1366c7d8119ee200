"""Links between cards: find them in a card body, resolve them, say which are broken.

Used by ``kb check`` (broken-link findings) and the handbook (rewriting links into
page URLs). Pure: it works on card bodies and paths already in memory.

What counts as a link:

* relative markdown links and images, ``[text](../billing/refunds.md#steps)``, and
  reference definitions ``[id]: refunds.md`` (``/billing/x.md`` is relative to the
  knowledge repo root, as on GitHub);
* wikilinks ``[[Refund a duplicate charge]]``, ``[[refund-dupe|the refund card]]``,
  ``[[Title#Heading]]`` and ``[[#Heading]]``, resolved by path, alias, title or file
  name;
* anchors ``#heading-slug``, matched against GitHub-style heading slugs (lower case,
  punctuation dropped, spaces to ``-``, ``-1``/``-2`` for repeated headings) and
  explicit ``<a name>`` / ``id`` anchors.

Links inside fenced or indented code blocks, inline code and HTML comments are not
links. External URLs (``https:``, ``mailto:``, ``//host``) are never checked.

Typical use::

    resolver = LinkResolver(cards, files=other_files)
    for result in resolver.broken(card):
        print(card.path, result.link.line, result.problem)

``Link.line`` and ``Link.column`` are 1-based positions in the *body*;
``LinkResolver`` reports file lines (``card.body_line`` added).
"""

from __future__ import annotations

import difflib
import posixpath
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from urllib.parse import unquote

from kbcli.core.cards import Card


class LinkKind(StrEnum):
    PATH = "path"  # a relative markdown link or image: [text](dest)
    WIKI = "wiki"  # [[Target]]
    ANCHOR = "anchor"  # [text](#heading) into the same card


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
_BLOCK_SYNTAX = re.compile(r"^(?: {0,3}(?:`{3,}|~{3,})|    |\t| {0,3}(?:=+|-+)[ \t]*\r?$)", re.M)
_ATX_LINE = re.compile(r"^(?: {0,3}>[ ]?)* {0,3}#.*$", re.M)
# Inline code: a run of N backticks up to the next run of exactly N, within a paragraph.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:[^`\n]++|\n(?![ \t]*\n)|(?!\1(?!`))`++)*?(?<!`)\1(?!`)")
_ESCAPED = re.compile(r"\\[\[\]\\`]")
# ``[[mirror]](url)`` is a markdown link whose text is "[mirror]", not a wikilink.
_WIKI = re.compile(r"!?\[\[([^\[\]\n]*?)\]\](?!\()")
_INLINE = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\(\s*"
    r"(<[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"
    r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)"""
)
_REF_DEF = re.compile(r"^ {0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*(<[^<>\n]*>|\S+)", re.MULTILINE)
_HTML_ANCHOR = re.compile(r"""<[a-zA-Z][^>]*?\b(?:name|id)\s*=\s*["']([^"']+)["']""")
_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|//)")
_INLINE_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]+>|[*~`]|(?<!\w)_+|_+(?!\w)")


def scan(body: str, *, with_headings: bool = True) -> BodyScan:
    """Find the links, headings and anchors of a card body (code and comments skipped).

    ``with_headings=False`` skips what only anchors need, when just the links are
    wanted (headings and anchors may then be incomplete).
    """
    masked, headings = _mask_code(body, with_headings)
    may_link = "](" in masked or "[[" in masked or "]:" in masked
    if not may_link and (not with_headings or "<" not in masked):
        return BodyScan((), tuple(headings), frozenset(h.slug for h in headings))
    if "<!--" in masked:
        masked = _COMMENT.sub(_blank, masked)
    if "`" in masked:
        masked = _CODE_SPAN.sub(_blank, masked)
    if "\\" in masked:
        masked = _ESCAPED.sub(_blank, masked)
    anchors = {h.slug for h in headings}
    if with_headings and "<" in masked:
        anchors.update(a.lower() for a in _HTML_ANCHOR.findall(masked))
    if not may_link or "[" not in masked:
        return BodyScan((), tuple(headings), frozenset(anchors))
    starts = _line_starts(masked)
    links: list[Link] = []
    for match in _WIKI.finditer(masked):
        links.append(_wikilink(match, body, starts))
    for match in _INLINE.finditer(masked):
        link = _inline(match.group(3), match, body, starts, image=bool(match.group(1)))
        if link:
            links.append(link)
    for match in _REF_DEF.finditer(masked):
        link = _inline(match.group(2), match, body, starts, image=False)
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


def _mask_code(body: str, with_headings: bool = True) -> tuple[str, list[Heading]]:
    """Blank out fenced and indented code blocks; collect headings on the way."""
    if not _BLOCK_SYNTAX.search(body):
        if not with_headings:
            return body, []
        # No fence, no indented line, no setext underline: only ATX headings to find.
        atx_found: list[tuple[int, str, int]] = []
        for match in _ATX_LINE.finditer(body):
            atx = _ATX.match(_QUOTE.sub("", match.group(0)))
            if atx:
                number = body.count("\n", 0, match.start()) + 1
                atx_found.append((len(atx.group(1)), atx.group(2) or "", number))
        return body, _unique_headings(atx_found)
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
        if fence is not None:
            char, length = fence
            if first == char and indent <= 3:
                stripped = rest.rstrip()
                if set(stripped) == {char} and len(stripped) >= length:
                    fence = None
            out.append(" " * len(line))
            previous_blank, paragraph = False, False
            continue
        if first in ("`", "~") and indent <= 3:
            opened = _FENCE_OPEN.match(line)
            if opened and not (opened.group(2)[0] == "`" and "`" in opened.group(3)):
                fence = (opened.group(2)[0], len(opened.group(2)))
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
        if not with_headings:
            continue
        unquoted = _QUOTE.sub("", line) if first == ">" else line
        head = unquoted.lstrip(" ")[:1]
        atx = _ATX.match(unquoted) if head == "#" else None
        setext = _SETEXT.match(unquoted) if head in ("=", "-") else None
        if atx:
            found.append((len(atx.group(1)), atx.group(2) or "", number))
            paragraph = False
        elif setext and paragraph and found_line_ok(out[:-1]):
            level = 1 if setext.group(1)[0] == "=" else 2
            found.append((level, _QUOTE.sub("", lines[number - 2]).strip(), number - 1))
            paragraph = False
        else:
            item = is_item if unquoted is line else bool(_LIST_ITEM.match(unquoted))
            paragraph = not item
    return "\n".join(out), _unique_headings(found)


def found_line_ok(out: list[str]) -> bool:
    """A setext underline needs a text line right above it (not a blanked code line)."""
    return bool(out) and bool(out[-1].strip())


def _unique_headings(found: Iterable[tuple[int, str, int]]) -> list[Heading]:
    seen: set[str] = set()
    result = []
    for level, raw, line in found:
        text = plain_heading(raw)
        base = github_slug(text)
        slug, n = base, 0
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        result.append(Heading(level, text, slug, line))
    return result


def _wikilink(match: re.Match[str], body: str, starts: list[int]) -> Link:
    target, anchor = wiki_target(match.group(1))
    line, column = _position(starts, match.start())
    return Link(
        LinkKind.WIKI,
        target,
        anchor,
        body[match.start() : match.end()],
        line,
        column,
        image=match.group(0).startswith("!"),
    )


def destination(dest: str) -> tuple[LinkKind, str, str | None] | None:
    """What a markdown link destination names: ``(kind, path, anchor)``, both decoded.

    None for links kb never judges: other sites (``https:``, ``mailto:``, ``//host``)
    and empty destinations. Shared by the scanner and the handbook renderer, so both
    read ``refunds.md#steps`` the same way.
    """
    dest = dest.strip()
    if dest.startswith("<") and dest.endswith(">"):
        dest = dest[1:-1].strip()
    dest = re.sub(r"\\(.)", r"\1", dest)
    if not dest or _SCHEME.match(dest):
        return None
    path, hash_, anchor = dest.partition("#")
    path = path.partition("?")[0]
    kind = LinkKind.PATH if path else LinkKind.ANCHOR
    return kind, unquote(path), unquote(anchor) if hash_ else None


def wiki_target(inner: str) -> tuple[str, str | None]:
    """``Title#Heading|label`` -> ``("Title", "Heading")``; the anchor is None without ``#``."""
    target, _, _label = inner.partition("|")
    target, hash_, anchor = target.partition("#")
    return target.strip(), anchor.strip() if hash_ else None


def wiki_slug(heading: str) -> str:
    """The anchor ``[[Card#Heading text]]`` leads to: the slug of that heading."""
    return github_slug(plain_heading(heading))


def _inline(
    dest: str, match: re.Match[str], body: str, starts: list[int], *, image: bool
) -> Link | None:
    found = destination(dest)
    if found is None:
        return None
    kind, path, anchor = found
    line, column = _position(starts, match.start())
    return Link(kind, path, anchor, body[match.start() : match.end()], line, column, image=image)


# --- resolving ----------------------------------------------------------------------

# Above this many cards, "did you mean" over all titles costs more than it helps.
_SUGGEST_LIMIT = 3000


@dataclass(frozen=True)
class Resolved:
    """Where one link leads. ``problem`` says why it is broken (None: it works)."""

    card: str  # path of the card holding the link
    link: Link
    line: int  # file line of the link (body line + card.body_line - 1)
    column: int
    target: str | None  # repo-relative path it leads to (broken path links: the path sought)
    anchor: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class LinkResolver:
    """Resolves links between the cards of one knowledge repo.

    ``files`` are the repo-relative paths of other files (images, attachments,
    README.md files that are not cards); a link to one of them is fine. When
    ``files`` is None, links to anything but a card are not judged.
    """

    cards: Sequence[Card]
    files: Collection[str] | None = None
    _by_path: dict[str, Card] = field(init=False)
    _scans: dict[str, BodyScan] = field(init=False, default_factory=dict)
    _links: dict[str, tuple[Link, ...]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._by_path = {card.path: card for card in self.cards}

    # The indexes below are built on first use: most cards link to little or nothing.

    @cached_property
    def _folders(self) -> dict[str, list[str]]:
        folders: dict[str, list[str]] = {}
        for path in self._by_path:
            folders.setdefault(posixpath.dirname(path), []).append(path)
        return folders

    @cached_property
    def _file_dirs(self) -> set[str]:
        dirs: set[str] = set()
        for path in [*(self.files or ()), *self._by_path]:
            parent = posixpath.dirname(path)
            while parent and parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        return dirs

    @cached_property
    def _alias_paths(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for card in self.cards:
            for alias in card.meta.aliases:
                aliases.setdefault(alias.removeprefix("/"), card.path)
        return aliases

    @cached_property
    def _by_name(self) -> dict[str, list[Card]]:
        names: dict[str, list[Card]] = {}
        for card in self.cards:
            keys = {card.title.casefold(), card.stem.casefold(), card.path.casefold()}
            keys.add(card.path.removesuffix(".md").casefold())
            keys.update(alias.casefold() for alias in card.meta.aliases)
            for key in keys:
                names.setdefault(key, []).append(card)
        return names

    def card(self, path: str) -> Card | None:
        """The card at a repo-relative path, if there is one."""
        return self._by_path.get(path)

    def scan(self, card: Card) -> BodyScan:
        """The (cached) scan of a card's body."""
        cached = self._scans.get(card.path)
        if cached is None:
            cached = self._scans[card.path] = scan(card.body)
        return cached

    def links(self, card: Card) -> tuple[Link, ...]:
        """The (cached) links of a card's body."""
        cached = self._scans.get(card.path)
        if cached is not None:
            return cached.links
        found = self._links.get(card.path)
        if found is None:
            found = self._links[card.path] = scan(card.body, with_headings=False).links
        return found

    def refresh(self, card: Card) -> None:
        """Take a card's new text (an editor's unsaved buffer) in place of the old one.

        Only its own scan is dropped: the name indexes keep the saved title and aliases,
        which only links from other cards to this one depend on.
        """
        self._by_path[card.path] = card
        self._scans.pop(card.path, None)
        self._links.pop(card.path, None)

    def resolve_all(self, card: Card) -> list[Resolved]:
        """Every link of ``card``, resolved."""
        return [self.resolve(card, link) for link in self.links(card)]

    def broken(self, card: Card) -> list[Resolved]:
        """The links of ``card`` that lead nowhere, with the reason and a fix."""
        return [r for r in self.resolve_all(card) if not r.ok]

    def resolve(self, card: Card, link: Link) -> Resolved:
        line, column = link.line + card.body_line - 1, link.column
        if link.kind is LinkKind.ANCHOR:
            return self._anchored(card, link, line, column, card)
        if link.kind is LinkKind.WIKI:
            return self._wiki(card, link, line, column)
        return self._path(card, link, line, column)

    def find(self, name: str) -> list[Card]:
        """Cards a wikilink target names: a path, an alias, a title or a file name."""
        key = name.strip().removeprefix("/").casefold()
        hits = self._by_name.get(key) or self._by_name.get(key + ".md") or []
        unique = {card.path: card for card in hits}
        return list(unique.values())

    def _wiki(self, card: Card, link: Link, line: int, column: int) -> Resolved:
        if not link.target:
            return self._anchored(card, link, line, column, card)
        hits = self.find(link.target)
        if len(hits) == 1:
            return self._anchored(card, link, line, column, hits[0])
        if hits:
            paths = ", ".join(sorted(c.path for c in hits))
            problem = (
                f"wikilink [[{link.target}]] matches {len(hits)} cards ({paths}); "
                "link by path or alias instead"
            )
        else:
            problem = f"wikilink [[{link.target}]] matches no card by title, alias or path"
            if len(self.cards) <= _SUGGEST_LIMIT:
                problem += self._suggest(link.target, [c.title for c in self.cards])
        return Resolved(card.path, link, line, column, None, link.anchor, problem)

    def _path(self, card: Card, link: Link, line: int, column: int) -> Resolved:
        target = link.target
        if target.startswith("/"):
            joined = target.lstrip("/")
        else:
            joined = posixpath.join(card.folder, target)
        resolved = posixpath.normpath(joined)
        if resolved.startswith("../") or resolved == "..":
            # Outside the knowledge repo: nothing here can say whether it exists.
            return Resolved(card.path, link, line, column, None, link.anchor)
        candidates = [resolved]
        if not resolved.endswith(".md"):
            candidates.append(resolved.rstrip("/") + ".md")
        for candidate in candidates:
            if candidate in self._by_path:
                return self._anchored(card, link, line, column, self._by_path[candidate])
        if self.files is not None and (
            resolved in self.files or resolved.rstrip("/") in self._file_dirs
        ):
            return Resolved(card.path, link, line, column, resolved, link.anchor)
        if self.files is None and not resolved.endswith(".md"):
            return Resolved(card.path, link, line, column, None, link.anchor)
        what = "image" if link.image else "link"
        problem = f"{what} to {target} leads to {resolved}, which does not exist"
        moved = self._alias_paths.get(resolved) or self._alias_paths.get(
            resolved.removesuffix(".md")
        )
        if moved:
            fix = posixpath.relpath(moved, card.folder or ".")
            problem += f"; the card moved to {moved}: link to {fix}"
        elif resolved.endswith(".md"):
            siblings = self._folders.get(posixpath.dirname(resolved), [])
            problem += self._suggest(resolved, siblings, relative_to=card.folder)
        return Resolved(card.path, link, line, column, resolved, link.anchor, problem)

    def _anchored(self, card: Card, link: Link, line: int, column: int, target: Card) -> Resolved:
        if link.anchor is None or link.anchor == "":
            return Resolved(card.path, link, line, column, target.path, link.anchor)
        scanned = self.scan(target)
        wanted = link.anchor.lower()
        if link.kind is LinkKind.WIKI:
            wanted = wiki_slug(link.anchor)
        if wanted in scanned.anchors:
            return Resolved(card.path, link, line, column, target.path, link.anchor)
        where = "this card" if target.path == card.path else target.path
        problem = f"{link.source} points to #{link.anchor}, but {where} has no such heading"
        problem += self._suggest(wanted, sorted(scanned.anchors), prefix="#")
        return Resolved(card.path, link, line, column, target.path, link.anchor, problem)

    @staticmethod
    def _suggest(
        wanted: str, choices: Sequence[str], *, prefix: str = "", relative_to: str | None = None
    ) -> str:
        close = difflib.get_close_matches(wanted, choices, n=1, cutoff=0.6)
        if not close:
            return ""
        best = close[0]
        if relative_to is not None:
            best = posixpath.relpath(best, relative_to or ".")
        return f"; did you mean {prefix}{best}?"
