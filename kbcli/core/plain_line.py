"""One line of a card's markdown as a reader sees it: the syntax around the words dropped.

A snippet is shown in a terminal, in JSON, in Slack and in editors, none of which render
markdown, let alone the Liquid or Hugo tags of a handbook: ``[Get reimbursed]({% page
"/travel/" %})`` has to read ``Get reimbursed``. The words matched in the raw line have to
be found again in the plain one, so the cleaning is a list of edits (what was dropped or
replaced, where) rather than a new string alone.
"""

from collections.abc import Iterable

from kbcli.core.patterns import lazy

Edit = tuple[int, int, str]  # (start, end, replacement) in the raw line

# One alternative per construct; at a position the first that matches wins, so the ones
# whose text must be kept whole (code spans) or dropped whole come before the markers.
_MARKUP = lazy(
    r"(?P<refdef>^\s*\[[^\]]+\]:\s.*)"  # [ref]: target (a link's definition)
    r"|(?P<code>(?P<ticks>`+)(?P<inner>.+?)(?P=ticks))"  # `code`: its text kept as is
    r"|(?P<auto><(?P<url>(?:https?|mailto):[^\s<>]*)>)"  # <https://...>: the address kept
    r"|(?P<tag>\{%.*?%\}|\{\{.*?\}\})"  # a template tag: read as its words (template_tags)
    r"|(?P<drop><!--.*?(?:-->|$)"  # an HTML comment
    r"|\{%.*?$|\{\{.*?$"  # a tag that goes on past the line
    r"|\]\((?:[^()\n]|\([^()\n]*\))*\)"  # a link's target: ](url), ]({% page "..." %})
    r"|\]\[[^\]]*\]"  # a reference link's label: ][ref]
    r"|\[\^[^\]]*\]"  # a footnote mark: [^1]
    r"|!?\[(?=[^\]]*(?:\][(\[]|$))"  # a link's or image's opening bracket (also wrapped)
    r"|\[\[|\]\]"  # wiki links
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^<>]*)?>"  # an HTML tag
    r"|\*\*|__|~~"  # strong emphasis, strikethrough
    r"|(?<![\w*\\])[*_](?=[^\s*_])|(?<=[^\s*_\\])[*_](?![\w*])"  # *em*, not 2 * 3, a_b
    r"|\\(?=[\\`*_{}\[\]()#+\-.!<>|~]))"  # a backslash escape: the character kept
    r"|(?P<entity>&(?:amp|lt|gt|quot|nbsp|#39);)"
)
# The characters the constructs above start with: a line without any (hard-wrapped prose,
# mostly) needs no regex, nor its compiling (~7M instructions, a one-shot search's 3%).
_TRIGGERS = "[]{}<>`*_~&\\!"
_BREAK = lazy(r"<[bB][rR]\s*/?>")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&nbsp;": " ", "&#39;": "'"}


# Constructs that may go on over lines (``{% include "x.html"`` then its arguments, one a
# line): a line inside one is not text up to the closer.
_SPANNING = (("{%", "%}"), ("{{", "}}"), ("<!--", "-->"))


def open_construct(text: str, start: int) -> str | None:
    """The closer of a tag or comment that is still open at ``start`` of ``text``, if any."""
    for opener, closer in _SPANNING:
        opened = text.rfind(opener, 0, start)
        if opened >= 0 and text.find(closer, opened, start) < 0:
            return closer
    return None


def markup_edits(line: str, inside: str | None = None, *, blocks: bool = True) -> list[Edit]:
    """The edits that turn ``line`` into what a reader sees, in order, never overlapping.
    ``inside``: the closer of a construct that began on an earlier line (``open_construct``);
    ``blocks=False``: ``line`` is no line of a body, so ``1. `` or ``- `` starting it is text."""
    if inside is not None:
        closed = line.find(inside)
        if closed < 0:
            return [(0, len(line), "")]
        closed += len(inside)
        rest = markup_edits(line[closed:])
        return [(0, closed, ""), *((s + closed, e + closed, r) for s, e, r in rest)]
    lead = _lead_end(line) if blocks else 0
    edits: list[Edit] = [(0, lead, "")] if lead else []
    if not any(c in line for c in _TRIGGERS):
        return edits
    for match in _MARKUP.finditer(line):
        kind = match.lastgroup
        start, end = match.span()
        if start < lead:
            if end <= lead:
                continue
            start = lead  # a definition line that the lead's spaces began
        if kind in ("code", "auto"):  # the markers go, the text between stays as it is
            inner_start, inner_end = match.span("inner" if kind == "code" else "url")
            edits.append((start, inner_start, ""))
            edits.append((inner_end, end, ""))
        elif kind == "tag":
            edits.append((start, end, _tag_reading(match.group())))
        elif kind == "entity":
            edits.append((start, end, _ENTITIES[match.group()]))
        elif kind == "drop" and _BREAK.fullmatch(match.group()):
            edits.append((start, end, " "))  # a line break between two words
        else:
            edits.append((start, end, ""))
    return edits


def _tag_reading(text: str) -> str:
    """A template tag as a reader is shown it on pages too: ``slack channel help``."""
    from kbcli.core.template_tags import parse_tag

    tag = parse_tag(text)
    return tag.reading if tag is not None else ""


def _lead_end(line: str) -> int:
    """Where the text of ``line`` starts after its indent and block markers (``## ``,
    ``> ``, ``- ``, ``12. ``): a number not followed by ``.`` or ``)`` and a space is text."""
    pos = 0
    size = len(line)
    while True:
        while pos < size and line[pos] in " \t":
            pos += 1
        mark = pos
        if mark < size and line[mark] == "#":
            while mark < size and line[mark] == "#" and mark - pos < 6:
                mark += 1
        elif mark < size and line[mark] in ">-*+":
            mark += 1
        else:
            while mark < size and line[mark].isdigit() and line[mark].isascii():
                mark += 1
            if mark in (pos, size) or line[mark] not in ".)":
                return pos
            mark += 1
        if mark < size and line[mark] not in " \t":
            return pos
        pos = mark


def plain_line(line: str) -> str:
    """``line`` without its markup: link text without the link, no tags, no markers."""
    return apply_edits(line, markup_edits(line))


def display_title(title: str) -> str:
    """A card's title as every surface shows it, as plain text: front matter written for
    a site that renders HTML (``Get set up <em>before</em> onboarding``, ``Logging in
    &amp; Networks``) reads as its words, in a terminal, on a handbook page (which escapes
    it once, as any text), in Slack and to an assistant. The title as written is what
    the search index keeps, and titles are matched by their shown words (``title_key``),
    so only what is shown changes. A title that is nothing but markup is shown as written."""
    if not any(c in title for c in _TRIGGERS):
        return title  # most titles: no regex
    edits = [e for e in markup_edits(title, blocks=False) if not _literal(title[e[0] : e[1]])]
    if not edits:
        return title
    shown = " ".join(apply_edits(title, edits).split())
    return shown or title


def title_key(text: str) -> str:
    """What a title, or a name someone typed for one, is matched by: its shown words in
    any case, so ``A &amp; B`` and ``A & B`` are one title to wikilinks, ``kb show`` and
    the editor (which offers titles as they are shown)."""
    return " ".join(display_title(text).split()).casefold()


# The inline tags a title may be marked up with, whose words stay: any other ``<name>``
# in a title is text its writer meant (``Set KB_DIR=<path>``, ``Refunds <fast>``), and a
# handbook escapes it as text.
_INLINE_WORDS = "a abbr b br cite code del dfn em i ins kbd mark q s samp small span strong sub"
_INLINE_TAGS = frozenset((*_INLINE_WORDS.split(" "), "sup", "u", "var"))
_TAG_NAME = lazy(r"</?([A-Za-z][A-Za-z0-9-]*)[\s/>]")


def _literal(dropped: str) -> bool:
    """Whether markup ``dropped`` from a title is a tag name kept as text."""
    tag = _TAG_NAME.match(dropped)
    return tag is not None and tag.group(1).lower() not in _INLINE_TAGS


def apply_edits(line: str, edits: Iterable[Edit]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        out.append(line[pos:start])
        out.append(replacement)
        pos = end
    out.append(line[pos:])
    return "".join(out)


def moved_spans(edits: list[Edit], spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` of the raw line (sorted, not overlapping) as offsets in the plain one; a
    span that an edit touches is gone (a word inside a link's target or a tag is not
    something a reader sees)."""
    moved: list[tuple[int, int]] = []
    shift = 0
    at = 0  # the first edit not wholly before the current span
    for start, end in spans:
        while at < len(edits) and edits[at][1] <= start:
            edit_start, edit_end, replacement = edits[at]
            shift += len(replacement) - (edit_end - edit_start)
            at += 1
        if at < len(edits) and edits[at][0] < end:
            continue
        moved.append((start + shift, end + shift))
    return moved
