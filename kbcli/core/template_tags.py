"""Static-site generators' template tags in a card body: find them, read them.

A team that adopts kb over the docs of a Jekyll, Hugo, Eleventy or MkDocs-macros site
brings pages full of ``{% page "/travel/" %}``, ``{% link docs/a.md %}``,
``{{< relref "setup" >}}``, ``{% slack_channel "help" %}`` and ``{{ site.baseurl }}``.
kb runs no generator, so it never expands them; what it can do is know them:

* a tag that is a link's destination and names a page of the site (``links.py``
  resolves the site path to a card) is a link kb understands: ``kb adopt`` rewrites it
  as a plain relative markdown link;
* every other tag is shown as its words (``reading``: ``slack channel help``), never as
  raw braces and never dropped, and ``kb check`` names it once per card.

Tags in code (fenced, indented, inline), in HTML comments, inside ``{% comment %}`` and
``{% raw %}`` blocks are text, not tags. Pure: offsets into the body in, tags out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbcli.core.patterns import lazy

# The generators' own link forms, whose target must exist (Jekyll and Hugo fail the build
# otherwise): one that names no card is a broken link. A site's own link tags (18F's
# ``page``) are known by their argument resolving to a card, and only then.
GENERATOR_LINK_TAGS = frozenset({"link", "post_url", "ref", "relref"})

# Tags that only open, close or branch a block: they carry no words of their own (the
# text between them is shown), so a reader loses nothing when they are left out.
_STRUCTURE = frozenset({"raw", "endraw", "comment", "endcomment", "else", "elif", "elsif"})

# ``{% name args %}`` (Liquid, Nunjucks, Jinja, MkDocs macros), ``{{< name args >}}`` and
# ``{{% name args %}}`` (Hugo shortcodes), ``{{ expression }}``. A tag may run over lines
# (``{% include "x.html"`` then one argument a line) but never over a blank line: an
# unclosed ``{%`` must not swallow the rest of the card.
_SPAN = r"(?:[^\n]|\n(?![ \t]*\n))*?"
_TAG = lazy(
    r"\{\{<\s*(?P<hugo>/?[\w.-]+)(?P<hugo_args>" + _SPAN + r")\s*/?>\}\}"
    r"|\{\{%\s*(?P<hugo2>/?[\w.-]+)(?P<hugo2_args>" + _SPAN + r")\s*%\}\}"
    r"|\{%-?\s*(?P<name>[\w.-]+)(?P<args>" + _SPAN + r")-?%\}"
    r"|\{\{-?\s*(?P<expr>" + _SPAN + r")\s*-?\}\}",
    re.DOTALL,
)
_ARG = lazy(r""""([^"]*)"|'([^']*)'|([^\s,"'()]+)""")
_RAW_BLOCK = lazy(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_EXPR_NAME = lazy(r"[\w.]+")


@dataclass(frozen=True)
class TemplateTag:
    """One tag of a body, at 0-based offsets ``start``/``end`` and a 1-based line/column."""

    name: str  # "page", "slack_channel", "relref"; an expression's first name: "site.baseurl"
    args: tuple[str, ...]  # the arguments, quotes removed, in order
    source: str  # the tag as written
    start: int
    end: int
    line: int
    column: int
    expression: bool = False  # {{ value }}: a value kb cannot know, not a tag
    # The arguments that are named parameters (``steps: travel.steps``, Eleventy's and
    # Nunjucks' form): a bare ``key:`` and the value after it, by position. Not words.
    named: frozenset[int] = frozenset()

    @property
    def closes(self) -> bool:
        """Whether it only ends or branches a block (``{% endalert %}``, ``{{< /note >}}``)."""
        return self.name.startswith(("end", "/")) or self.name in _STRUCTURE

    @property
    def reading(self) -> str:
        """What a reader is shown in its place: the tag's name as words, then its quoted
        arguments (``{% slack_channel "help" %}`` -> ``slack channel help``). The name
        stays because the arguments alone lose what they are (a channel, an image); file
        names and options are no words (``{% image "a.png" "a map" %}`` -> ``image a
        map``). A tag with no such argument reads as nothing: it is the site's layout
        (``{% include "nav.html" %}``) or opens or closes a block whose text is shown
        anyway (``{% alert %}``); so does an expression, whose value kb cannot know."""
        shown = [a for at, a in enumerate(self.args) if at not in self.named and _words(a)]
        if self.expression or self.closes or not shown:
            return ""
        words = self.name.replace("_", " ").replace("-", " ").strip()
        return " ".join([words, *shown])


def _words(arg: str) -> bool:
    """Whether an argument is words for a reader: not a file or a page's path
    (``_img/a.png``, ``nav.html``), nor an option (``level:2``, ``class=x``)."""
    arg = arg.strip()
    if not arg or "=" in arg or ":" in arg[:-1] or "/" in arg:
        return False
    return not _FILE_NAME.fullmatch(arg)


_FILE_NAME = lazy(r"[\w.-]+\.[A-Za-z0-9]{1,5}")


def parse_tag(text: str) -> TemplateTag | None:
    """The tag ``text`` is as a whole (``{% page "/a/" %}``), or None."""
    found = _TAG.fullmatch(text.strip())
    return _tag(found, 0, 1, 1) if found else None


def find_tags(body: str, masked: str) -> list[TemplateTag]:
    """The tags of ``body``; ``masked`` is the same body with code and comments blanked
    (``link_scan.prose_mask``), so a tag shown in code is text."""
    if "{%" not in masked and "{{" not in masked:
        return []
    if "raw" in masked:
        masked = _RAW_BLOCK.sub(_keep_markers, masked)
    tags = []
    line, at = 1, 0
    for found in _TAG.finditer(masked):
        start = found.start()
        line += masked.count("\n", at, start)
        at = start
        column = start - masked.rfind("\n", 0, start)
        tag = _tag(found, start, line, column, body[start : found.end()])
        if tag is not None:
            tags.append(tag)
    return tags


def _tag(
    found: re.Match[str], start: int, line: int, column: int, source: str | None = None
) -> TemplateTag | None:
    source = found.group(0) if source is None else source
    end = start + len(found.group(0))
    expr = found.group("expr")
    if expr is not None:
        named = _EXPR_NAME.match(expr.strip())
        if named is None:
            return None
        return TemplateTag(named.group(0), (), source, start, end, line, column, expression=True)
    for name_group, args_group in (
        ("name", "args"),
        ("hugo", "hugo_args"),
        ("hugo2", "hugo2_args"),
    ):
        written = found.group(name_group)
        if written is not None:
            matches = list(_ARG.finditer(found.group(args_group)))
            args = tuple(_argument(arg) for arg in matches)
            params = _named(matches)
            return TemplateTag(written, args, source, start, end, line, column, named=params)
    return None


def _named(matches: list[re.Match[str]]) -> frozenset[int]:
    """Positions of named parameters: a bare (unquoted) ``key:`` and the argument after it;
    a quoted "Note:" is words."""
    named: set[int] = set()
    for at, arg in enumerate(matches):
        if arg.group(3) is not None and _KEY.fullmatch(arg.group(3)):
            named.update((at, at + 1))
    return frozenset(named)


_KEY = lazy(r"[A-Za-z_][\w-]*:")


def _argument(arg: re.Match[str]) -> str:
    return next(group for group in arg.groups() if group is not None)


def _keep_markers(block: re.Match[str]) -> str:
    """A ``{% raw %}`` block with its content blanked: the content is text, the two
    markers stay tags (structure, read as nothing)."""
    text = block.group(0)
    opener = text.index("%}") + 2
    closer = text.rindex("{%")
    inner = "".join(c if c == "\n" else " " for c in text[opener:closer])
    return text[:opener] + inner + text[closer:]


def site_path(tag_source: str) -> tuple[str, str | None] | None:
    """The site path and anchor a link destination written with template syntax names:
    ``{% page "/travel/#per-diem" %}`` -> ``("/travel/", "per-diem")``; ``{% link
    docs/a.md %}``, ``{{< relref "setup" >}}``; ``{{ site.baseurl }}/travel/`` (a base
    URL expression then a path). None when it names no path (``{{ page.url }}``)."""
    text = tag_source.strip()
    found = _TAG.match(text)
    if found is None:
        return None
    tag = _tag(found, 0, 1, 1)
    rest = text[found.end() :]
    if tag is None:
        return None
    if tag.expression:
        path = rest.strip()
        if not path.startswith("/") or "{" in path:
            return None
    elif rest.strip() or not tag.args:
        return None
    else:
        path = tag.args[0]
    if not path or "{" in path or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", path):
        return None
    path, hash_, anchor = path.strip().partition("#")
    return path.partition("?")[0], anchor.strip() if hash_ else None


def tag_end(text: str) -> int:
    """Where the tag that starts ``text`` ends (0 when it starts with none)."""
    found = _TAG.match(text)
    return found.end() if found else 0


def tag_name(tag_source: str) -> str:
    """The name of the tag a destination starts with (``page``, ``site.baseurl``)."""
    found = _TAG.match(tag_source.strip())
    tag = _tag(found, 0, 1, 1) if found else None
    return tag.name if tag else ""


def tag_shown(tag_source: str) -> str:
    """The tag a destination starts with, named in the syntax it was written in: a Hugo
    shortcode ``{{< ref >}}`` or ``{{% ref %}}``, a Liquid tag ``{% link %}``."""
    name = tag_name(tag_source)
    source = tag_source.strip()
    for opening, closing in (("{{<", ">}}"), ("{{%", "%}}")):
        if source.startswith(opening):
            return f"{opening} {name} {closing}"
    return f"{{% {name} %}}"
