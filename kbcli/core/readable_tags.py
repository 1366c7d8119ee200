"""A card body as a handbook page shows it: a site generator's template tags resolved
or read, never shown raw.

kb runs no generator, so it never expands a tag; it reads it. A tag that is a link's
destination stays, its spaces percent-encoded, so a markdown parser takes it as one
destination and ``link_targets.destination`` reads it back as the site path (a link to
the card, or a broken link, as ``kb check`` says). Every other tag outside code reads as
its words (``template_tags.reading``: ``slack channel help``); one the author escaped out
of a link (``\\[label]({% page "/a/" %})``) shows the path the generator would have put
there. Newlines are kept, so no line moves. Pure.
"""

from __future__ import annotations

import re

from kbcli.core.link_scan import prose_mask, scan
from kbcli.core.link_targets import LinkKind
from kbcli.core.site_paths import tag_position
from kbcli.core.template_tags import find_tags, site_path

_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>{}#|~!]")


def readable_tags(body: str) -> str:
    """``body`` with each template tag outside code made readable (see the module)."""
    if "{%" not in body and "{{" not in body:
        return body
    links = {
        tag_position(k) for k in scan(body, with_headings=False).links if k.kind is LinkKind.SITE
    }
    kept, at = [], 0
    for tag in find_tags(body, prose_mask(body)):
        kept.append(body[at : tag.start])
        at = tag.end
        if (tag.line, tag.column) in links:
            kept.append(tag.source.replace(" ", "%20"))
            continue
        named = site_path(tag.source) if body[: tag.start].endswith("](") else None
        words = named[0] + (f"#{named[1]}" if named[1] else "") if named else tag.reading
        kept.append(_MARKDOWN_SPECIAL.sub(r"\\\g<0>", words) + "\n" * tag.source.count("\n"))
    return "".join(kept) + body[at:]
