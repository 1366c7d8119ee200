"""A card as passages for dense retrieval: split at headings, about 200 words each.

A sentence-embedding model reads a few hundred tokens at most and blurs a long page
into one vague vector; a passage per section keeps "how do I rotate the key" close to
the one section that answers it. Each passage starts with the card's title (and its
section's heading), so a short section still says what it is about. Headings inside
fenced code are text, not section breaks.

With the recipe ``PROSE`` (kb's recipe) a short card that has command lines (a cheat sheet: a
description, then examples each with its command) gets a second passage: its prose
alone, without the code and markdown marks (``prose``). The model reads
``{{path/to/file}}`` and flags as noise that drowns the few words saying what the
commands do; the card ranks by the better of its two passages (bench/README,
"session 8": better on a tldr sample's tuning half in en/ru/uk). Pure.
"""

from __future__ import annotations

import re

WORDS_PER_PASSAGE = 200
# How a card becomes passages (``passages``): part of the key its vectors are kept under
# (``recipe_digest``), so a new recipe makes kb index re-key every card, never mixing.
SECTIONS, PROSE = "sections-200", "sections-200+prose"
RECIPE = PROSE  # the recipe kb index embeds with
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<name>.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_FRONT = re.compile(r"\A---\r?\n.*?\r?\n---[ \t]*\r?\n", re.DOTALL)


def recipe_digest(content_hash: str) -> str:
    """The key a card's vectors are kept under: its content hash with the recipe (the
    first recipe's is the hash alone, as kept before recipes were part of the key)."""
    return content_hash if RECIPE == SECTIONS else f"{content_hash}+{RECIPE}"


def passages(
    title: str, body: str, words: int = WORDS_PER_PASSAGE, recipe: str | None = None
) -> list[str]:
    """The passages of one card, in order (``RECIPE`` unless ``recipe`` says); a card
    with no text is one passage (its title)."""
    found: list[str] = []
    for heading, lines in _sections(_FRONT.sub("", body, count=1)):
        head = f"{title} — {heading}" if heading and heading != title else title
        chunk: list[str] = []
        for word in " ".join(lines).split():
            chunk.append(word)
            if len(chunk) >= words:
                found.append(f"{head}: {' '.join(chunk)}")
                chunk = []
        if chunk or (heading and not found):
            found.append(f"{head}: {' '.join(chunk)}" if chunk else head)
    if len(found) == 1 and (recipe or RECIPE) == PROSE:
        found += prose(title, body, words)
    return found or [title]


_CODE_LINE = re.compile(r"^`[^`]+`$")
_MARKER = re.compile(r"^(?:[>*+-]|\d+[.)])\s*")
_LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\))?")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]*>")


def prose(title: str, body: str, words: int = WORDS_PER_PASSAGE) -> list[str]:
    """The card's words without its code as one passage, when it has code lines (a
    fenced block, or a line that is only inline code) and fits one passage; else []."""
    lines, code = [], False
    for heading, section in _sections(_FRONT.sub("", body, count=1), keep_code=False):
        lines += [heading] if heading and heading != title else []
        for line in section:
            if _CODE_LINE.match(line) or line == _FENCED:
                code = True
                continue
            text = _AUTOLINK.sub("", _LINK.sub(r"\1", _MARKER.sub("", line))).replace("`", "")
            lines += [text.strip()] if text.strip() else []
    text = " ".join(" ".join(lines).split())
    if not code or not text or len(text.split()) > words:
        return []
    return [f"{title}: {text}"]


_FENCED = "\x00"  # stands for a fenced block's lines in ``_sections(keep_code=False)``


def _sections(body: str, keep_code: bool = True) -> list[tuple[str, list[str]]]:
    """(heading, lines) per section; the text before the first heading has heading "".
    Without ``keep_code``, a fenced block's lines are one ``_FENCED`` line."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            if in_fence and not keep_code:
                sections[-1][1].append(_FENCED)
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group("name").strip(), []))
        elif line.strip() and (keep_code or not in_fence):
            sections[-1][1].append(line.strip())
    return [(h, lines) for h, lines in sections if lines or h]


def passage_key(model: str, text: str) -> str:
    """The cache key of one passage's vector: the model and the exact text it embedded."""
    import hashlib  # here: a search without vectors never loads OpenSSL

    return hashlib.blake2b(f"{model}\x00{text}".encode(), digest_size=12).hexdigest()
