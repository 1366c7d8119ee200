"""A heading's own id, as site generators write it after the heading's text."""

from __future__ import annotations

import re

# A heading's own id, written after its text as kramdown, Pandoc, Hugo and Eleventy's
# markdown-it-attrs do: ``## Set up {#setup-phase}``. Handbooks moved into kb keep them.
_HEADING_ID = re.compile(r"[ \t]+\{#([^\s{}#]+)\}$")


def heading_id(text: str) -> tuple[str, str | None]:
    """(the heading's text without its ``{#id}``, that id or None): a reader sees the
    text, and links to ``#id`` land on the heading."""
    found = _HEADING_ID.search(text)
    if found is None or not text[: found.start()].strip():
        return text, None
    return text[: found.start()], found.group(1)
