"""The ``## Section`` structure of a card body: find, fill and extend sections.

Capture fills a template's sections, ``kb publish`` checks the required ones hold
more than the template's ``<!-- hint -->`` comments, and ``--append-to`` adds a
paragraph at the end of one section. Headings inside fenced code are not
sections. Everything works on text and keeps the rest of the file byte for byte.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
import re
from collections.abc import Mapping
from typing import NamedTuple

from kbcli.core.patterns import lazy

_HEADING = lazy(r"^(?P<marks>#{1,6})[ \t]+(?P<name>.+?)[ \t]*#*[ \t]*$")
_FENCE = lazy(r"^[ \t]{0,3}(```|~~~)")
_COMMENT = lazy(r"<!--.*?-->", re.DOTALL)


class Section(NamedTuple):
    """A level-2 section: its name and the character span of its content."""

    name: str
    heading_start: int
    start: int  # first character after the heading line
    end: int  # where the next level-1/2 heading (or the text) starts


def sections(text: str) -> list[Section]:
    """Every ``## Name`` section of ``text``, in order."""
    found: list[tuple[str, int, int, int]] = []  # name, level, heading start, content start
    in_fence = False
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if _FENCE.match(stripped):
            in_fence = not in_fence
        elif not in_fence:
            match = _HEADING.match(stripped)
            if match and len(match.group("marks")) <= 2:
                level = len(match.group("marks"))
                found.append((match.group("name").strip(), level, offset, offset + len(line)))
        offset += len(line)
    result = []
    for index, (name, level, heading, start) in enumerate(found):
        end = found[index + 1][2] if index + 1 < len(found) else len(text)
        if level == 2:
            result.append(Section(name, heading, start, end))
    return result


def find(text: str, name: str) -> Section | None:
    wanted = name.strip().casefold()
    for section in sections(text):
        if section.name.casefold() == wanted:
            return section
    return None


# A list item or checkbox with nothing after it: a template's "1. <!-- step -->".
_BARE_ITEM = lazy(r"^[ \t]*(?:[-*+]|\d+[.)])(?:[ \t]+\[[ xX]?\])?[ \t]*$", re.MULTILINE)


def placeholder_free(content: str) -> str:
    """``content`` without what a template leaves behind: hint comments, and list items
    or checkboxes that held only a hint."""
    return _BARE_ITEM.sub("", _COMMENT.sub("", content))


def without_comments(text: str) -> str:
    """``text`` without ``<!-- hint -->`` comments (never indexed: a hint is no answer)."""
    return _COMMENT.sub("", text) if "<!--" in text else text


def is_filled(content: str) -> bool:
    """True when a section says something beyond the template's placeholders."""
    return bool(placeholder_free(content).strip())


def title_heading_line(body: str, title: str) -> int:
    """The 1-based line of a leading ``# Title`` equal to the card's title; 0 when there is
    none. The handbook and ``kb show`` print the title already, so that heading is hidden
    (``without_title_heading``), and ``kb check`` counts it as no heading and no anchor
    (``link_scan.scan``): one rule, so that check and the page agree."""
    start, number = 0, 1
    while True:
        end = body.find("\n", start)
        line = body[start:] if end < 0 else body[start:end]
        if line.strip():
            break
        if end < 0:
            return 0
        start, number = end + 1, number + 1
    match = _HEADING.match(line.rstrip("\r"))
    if not match or len(match.group("marks")) != 1:
        return 0
    if " ".join(match.group("name").split()).casefold() != " ".join(title.split()).casefold():
        return 0
    return number


def without_title_heading(body: str, title: str) -> tuple[str, int]:
    """``body`` without a leading ``# Title`` equal to the card's title (and the blank
    lines after it), and the number of lines dropped."""
    rest = title_heading_line(body, title)
    if not rest:
        return body, 0
    lines = body.split("\n")
    while rest < len(lines) and not lines[rest].strip():
        rest += 1
    return "\n".join(lines[rest:]), rest


def missing(text: str, required: tuple[str, ...]) -> list[str]:
    """Required sections that are absent or hold only hints, in the given order."""
    gaps = []
    for name in required:
        section = find(text, name)
        if section is None or not is_filled(text[section.start : section.end]):
            gaps.append(name)
    return gaps


def fill(text: str, contents: Mapping[str, str], after: Mapping[str, str] | None = None) -> str:
    """Replace the content of each named section; add absent ones.

    An absent section goes after the section named in ``after`` (when present),
    else at the end. Sections whose new content is empty keep the template's hint.
    """
    after = after or {}
    for name, content in contents.items():
        if not content.strip():
            continue
        block = content.strip("\n") + "\n\n"
        section = find(text, name)
        if section is not None:
            text = text[: section.start] + "\n" + block + text[section.end :]
            continue
        anchor = find(text, after[name]) if name in after else None
        new = f"## {name}\n\n{block}"
        if anchor is not None:
            before = text[: anchor.end].rstrip("\n") + "\n\n"
            text = before + new + text[anchor.end :]
        else:
            text = text.rstrip("\n") + "\n\n" + new
    return text.rstrip("\n") + "\n"


def append(text: str, name: str, addition: str) -> str:
    """Add ``addition`` as new paragraphs at the end of section ``name`` (created if absent).

    Only lines are inserted: the existing text is not touched, so the diff shows
    exactly what was added.
    """
    block = addition.strip("\n") + "\n"
    section = find(text, name)
    if section is None:
        ending = "" if text.endswith("\n") else "\n"
        return f"{text}{ending}\n## {name}\n\n{block}"
    content = text[section.start : section.end]
    if not content.strip():
        # An empty section: the new paragraph goes right under the heading.
        if section.end == len(text):
            return text[: section.start] + "\n" + block
        return text[: section.start] + "\n" + block + (content or "\n") + text[section.end :]
    kept = content.rstrip()
    insert_at = section.start + len(kept)
    tail = text[insert_at:]
    if section.end == len(text) and not tail.endswith("\n"):
        tail += "\n"
    return text[:insert_at] + "\n\n" + block.rstrip("\n") + tail
