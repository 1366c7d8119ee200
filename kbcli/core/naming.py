"""Safe, unique file names for new cards, from any title (unicode included).

A title like "Réinitialiser le mot de passe" or "Сброс пароля" must give a name that
still says what the card is about, so letters of every script are kept; only what
is unsafe in a path or a URL is replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable

from kbcli.core.patterns import lazy

_UNSAFE = lazy(r"[^\w]+", re.UNICODE)
MAX_STEM = 80


def slugify(title: str) -> str:
    """``"Refund: duplicate charge!"`` -> ``"refund-duplicate-charge"``."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = _UNSAFE.sub("-", text).replace("_", "-")
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if len(text) > MAX_STEM:
        text = text[:MAX_STEM].rsplit("-", 1)[0] or text[:MAX_STEM]
    return text or "card"


def unique_name(stem: str, taken: Container[str]) -> str:
    """``stem.md``, else ``stem-2.md``, ``stem-3.md``... whichever is free."""
    name, number = f"{stem}.md", 2
    while name in taken:
        name, number = f"{stem}-{number}.md", number + 1
    return name


def shown_path(path: str) -> str:
    """A file name as people, JSON and HTML see it: bytes that are not UTF-8 (which Python
    keeps as lone surrogates, and git gives as they are) shown as ``\\xNN``, so every
    output stays valid UTF-8. Any other name is returned unchanged."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def raw_path(shown: str) -> str:
    """The file name ``shown_path`` showed (``\\xNN`` back to the byte, as a surrogate)."""
    return re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m.group(1), 16)), shown)


_PLAIN = lazy(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def plain_names(patterns: Iterable[str]) -> frozenset[str] | None:
    """The names, when every gitignore pattern is a plain file name (kb.toml's default
    ``README.md``...): such a pattern ignores that name at any depth, as a file or as a
    folder, so a path is ignored when one of its parts is one of them. None when any
    pattern needs gitignore's rules (a slash, a wildcard, a negation)."""
    names = set()
    for pattern in patterns:
        if not pattern.strip() or pattern.startswith("#"):
            continue
        if not _PLAIN.fullmatch(pattern):
            return None
        names.add(pattern)
    return frozenset(names)
