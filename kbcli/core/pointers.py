"""Pointer cards: a short card whose lead names one other card and says little else.

An alias page ("This command is an alias of `docker container logs`."), a redirect
("Moved to [Travel guide](travel.md)."): the card answers what its target answers, in
the target's words, which it does not repeat. Search puts such a card in the reader's
language where its target exists only in other languages (``usecases/search_pointers``).
The reference is the one code span or link text of the card's lead paragraph; it names
a card by its title (a command line names its command: `gzip --decompress` is the card
`gzip`).
"""

from __future__ import annotations

from kbcli.core.languages import ASCII_WORD, WORD
from kbcli.core.patterns import lazy

POINTER_WORDS = 40  # a card with more words than this says something of its own
_REFERENCE = lazy(r"`([^`\n]+)`|\[([^\]\n]+)\]\([^)\n]*\)")


def lead_paragraph(body: str) -> str:
    """The first paragraph of text under the title: what most cards say they are about."""
    lines: list[str] = []
    for line in body.splitlines():
        text = line.strip().lstrip(">").strip()
        if not text or text.startswith(("#", "```")):
            if lines:
                break
            continue
        lines.append(text)
    return " ".join(lines)


def lead_span(body: str) -> tuple[int, int]:
    """Where ``lead_paragraph``'s lines are in ``body``: (start, end) offsets, (0, 0) when
    there is none. The paragraph's words are the words of ``body[start:end]`` (it only
    drops ``>`` and spaces at line starts and joins lines), so terms made for the body
    can be made for the lead in the same pass."""
    start = end = offset = 0
    for line in body.splitlines(keepends=True):
        text = line.strip().lstrip(">").strip()
        if not text or text.startswith(("#", "```")):
            if end:
                break
        else:
            if not end:
                start = offset
            end = offset + len(line)
        offset += len(line)
    return start, end


def pointer_reference(body: str) -> str:
    """The title a pointer card names (lowercased), or "" when the card is no pointer."""
    words = 0
    find = (ASCII_WORD if body.isascii() else WORD).findall
    for line in body.splitlines():  # counted line by line: most cards stop early
        if not line.lstrip().startswith("#"):
            words += len(find(line))
            if words > POINTER_WORDS:
                return ""
    found = {
        _command((m.group(1) or m.group(2)).split()).lower()
        for m in _REFERENCE.finditer(lead_paragraph(body))
    }
    return found.pop() if len(found) == 1 else ""


def _command(words: list[str]) -> str:
    """The card a reference names: a command line (`id --user --name`) names its command,
    the words before its first option (`id`)."""
    cut = next((i for i, w in enumerate(words) if i and w.startswith("-")), len(words))
    return " ".join(words[:cut])
