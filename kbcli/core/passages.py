"""A card as passages for dense retrieval: split at headings, about 200 words each.

A sentence-embedding model reads a few hundred tokens at most and blurs a long page
into one vague vector; a passage per section keeps "how do I rotate the key" close to
the one section that answers it. Each passage starts with the card's title (and its
section's heading), so a short section still says what it is about. Headings inside
fenced code are text, not section breaks. Pure: text in, text out.
"""

from __future__ import annotations

import re

WORDS_PER_PASSAGE = 200
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<name>.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_FRONT = re.compile(r"\A---\r?\n.*?\r?\n---[ \t]*\r?\n", re.DOTALL)


def passages(title: str, body: str, words: int = WORDS_PER_PASSAGE) -> list[str]:
    """The passages of one card, in order; a card with no text is one passage (its title)."""
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
    return found or [title]


def _sections(body: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) per section; the text before the first heading has heading ""."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group("name").strip(), []))
        elif line.strip():
            sections[-1][1].append(line.strip())
    return [(h, lines) for h, lines in sections if lines or h]


def passage_key(model: str, text: str) -> str:
    """The cache key of one passage's vector: the model and the exact text it embedded."""
    import hashlib  # here: a search without vectors never loads OpenSSL

    return hashlib.blake2b(f"{model}\x00{text}".encode(), digest_size=12).hexdigest()
