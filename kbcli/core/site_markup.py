"""A site generator's block markup written as plain Markdown, for ``kb adopt``.

MkDocs (Python-Markdown admonitions, pymdownx details and tabs) and Docusaurus
(``:::note`` admonitions) write blocks that CommonMark reads as text: on kb's pages an
admonition was one paragraph ``!!! note "Heads up" This page moved...``, and every
further paragraph of it, indented four spaces, a code block; search indexed it so too.
Each becomes the Markdown any renderer shows (GitHub, kb, the generator itself):

* ``!!! note "Heads up"`` + indented text: a blockquote opening with ``**Heads up**``
  (the kind, ``**Note**``, when there is no title; no title line for ``""``);
* ``??? note "More"`` (``???+`` open): ``<details>`` with ``<summary>More</summary>``;
* ``=== "Tab"`` + indented text: ``**Tab**`` and the text, one tab after the other;
* ``:::note Title`` / ``:::note[Title]`` ... ``:::``: the blockquote above.

Every word is kept; fenced code is never touched; a block inside a block is converted
too. Pure: text in, text out.
"""

from __future__ import annotations

import re
from html import escape

from kbcli.core.front_matter import locate

MKDOCS = "MkDocs"
DOCUSAURUS = "Docusaurus"
SHAPES = (MKDOCS, DOCUSAURUS)

_MKDOCS_BLOCK = re.compile(
    r"(?P<indent> *)(?P<mark>!!!|\?\?\?\+?|===[+!]?)"
    r"(?:[ \t]+(?P<kind>[\w-]+(?:[ \t]+[\w-]+)*))?"
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*\Z'
)
_DOCUSAURUS_OPEN = re.compile(
    r"(?P<indent> *)(?P<colons>:{3,})(?P<kind>[A-Za-z][\w-]*)"
    r"(?:\[(?P<label>[^\]\n]*)\]|[ \t]+(?P<title>[^{\n]*?))?[ \t]*(?:\{[^}\n]*\})?[ \t]*\Z"
)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def plain_markup(body: str, shape: str) -> str:
    """``body`` with the block markup of ``shape`` (``MkDocs``, ``Docusaurus``) written
    as plain Markdown; unchanged for any other shape or when it has none."""
    if shape == MKDOCS and ("!!!" in body or "???" in body or "===" in body):
        convert = _mkdocs
    elif shape == DOCUSAURUS and ":::" in body:
        convert = _docusaurus
    else:
        return body
    newline = "\r\n" if "\r\n" in body else "\n"
    lines = body.replace("\r\n", "\n").split("\n")
    return newline.join(convert(lines))


def with_plain_markup(text: str, shape: str) -> str:
    """A card file's text with its body's block markup converted, its header as it is."""
    span = locate(text)
    if span is not None and not span.closed:
        return text
    start = span.body if span is not None else 0
    return text[:start] + plain_markup(text[start:], shape)


def _mkdocs(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    fence = ""
    while index < len(lines):
        line = lines[index]
        fence = _fence_state(line, fence)
        found = None if fence else _MKDOCS_BLOCK.match(line)
        if found is None or (not found["kind"] and found["title"] is None):
            out.append(line)
            index += 1
            continue
        indent = found["indent"]
        inner, index = _indented(lines, index + 1, len(indent) + 4)
        out += _mkdocs_block(found, indent, _mkdocs(inner))
        _apart(out, lines, index)
    return out


def _mkdocs_block(found: re.Match[str], indent: str, inner: list[str]) -> list[str]:
    mark, kind, title = found["mark"], found["kind"] or "", found["title"]
    if mark.startswith("==="):
        return [f"{indent}**{(title or kind).strip()}**", "", *_indent(inner, indent)]
    heading = _title(kind, title)
    if mark.startswith("???"):
        opening = "<details open>" if mark.endswith("+") else "<details>"
        summary = f"<summary>{escape(heading or kind.capitalize(), quote=False)}</summary>"
        return [
            f"{indent}{opening}",
            f"{indent}{summary}",
            "",
            *_indent(inner, indent),
            "",
            f"{indent}</details>",
        ]
    return _quoted(heading, inner, indent)


def _docusaurus(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    fence = ""
    while index < len(lines):
        line = lines[index]
        fence = _fence_state(line, fence)
        found = None if fence else _DOCUSAURUS_OPEN.match(line)
        end = _closing(lines, index + 1, found["colons"]) if found else None
        if found is None or end is None:
            out.append(line)
            index += 1
            continue
        indent = found["indent"]
        inner = [_unindent(line, len(indent)) for line in lines[index + 1 : end]]
        while inner and not inner[0].strip():
            inner.pop(0)
        while inner and not inner[-1].strip():
            inner.pop()
        title = found["label"] if found["label"] is not None else found["title"]
        out += _quoted(_title(found["kind"], title), _docusaurus(inner), indent)
        index = end + 1
        _apart(out, lines, index)
    return out


def _apart(out: list[str], lines: list[str], index: int) -> None:
    """A blank line after a converted block when text follows at once: a line right
    after a blockquote would otherwise continue it."""
    if index < len(lines) and lines[index].strip():
        out.append("")


def _closing(lines: list[str], start: int, colons: str) -> int | None:
    """The line that closes a ``:::`` block opened with ``colons``, outside code."""
    fence = ""
    for index in range(start, len(lines)):
        fence = _fence_state(lines[index], fence)
        if not fence and lines[index].strip() == colons:
            return index
    return None


def _title(kind: str, title: str | None) -> str:
    """The block's own title; its kind (``Note``) when it has none; ``""`` kept empty."""
    if title is None:
        return kind.split()[0].capitalize() if kind else ""
    return title.strip()


def _quoted(heading: str, inner: list[str], indent: str) -> list[str]:
    body = ([f"**{heading}**", ""] if heading else []) + inner
    return [f"{indent}> {line}" if line.strip() else f"{indent}>" for line in body]


def _indented(lines: list[str], start: int, width: int) -> tuple[list[str], int]:
    """The lines indented at least ``width`` (blank lines among them) from ``start``,
    dedented, and the index of the first line after them."""
    end = start
    last = start
    while end < len(lines):
        line = lines[end].replace("\t", "    ", 1) if lines[end].startswith("\t") else lines[end]
        if line.strip():
            if len(line) - len(line.lstrip(" ")) < width:
                break
            last = end + 1
        end += 1
    inner = [_unindent(lines[i], width) for i in range(start, last)]
    return inner, last


def _unindent(line: str, width: int) -> str:
    if line.startswith("\t"):
        line = "    " + line[1:]
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(width, spaces) :]


def _indent(lines: list[str], indent: str) -> list[str]:
    return [indent + line if line.strip() else "" for line in lines]


def _fence_state(line: str, fence: str) -> str:
    """The code fence open after ``line`` (``""`` outside code)."""
    found = _FENCE.match(line)
    if fence:
        closes = found and found[1][0] == fence[0] and len(found[1]) >= len(fence)
        return "" if closes and not line.strip().strip(fence[0]) else fence
    return found[1] if found else ""
