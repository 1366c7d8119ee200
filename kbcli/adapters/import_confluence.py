"""A Confluence space HTML export (Space settings > Export space > HTML) as imported cards.

The zip holds one folder per space: ``index.html`` (the space overview, skipped), one
``Title_PAGEID.html`` per page, ``attachments/PAGEID/ATTACHMENTID.ext``, ``images/``
(icons, emoticons) and ``styles/``. Each page carries:

- ``<ol id="breadcrumbs">``: the space (``index.html``), then the page's ancestors,
  which become folders (the space's home page, when it is the only top-level page,
  is not a folder: its children sit at the top, as they do in the space's sidebar);
- ``<span id="title-text">SPACE : Title</span>``: the title;
- ``<div class="page-metadata">Created by <span class='author'>NAME</span>, last
  modified [by NAME] on Mon DD, YYYY</div>``: the author (a name in people.yaml)
  becomes the owner, the date ``source_updated``;
- ``<div id="main-content">``: the body;
- an "Attachments:" section listing every attachment by its original name: those the
  body does not show are linked under "Attachments" so they are copied too.
"""

from __future__ import annotations

import html
import posixpath
import re
from datetime import datetime
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from kbcli.adapters.export_archive import ExportSource
from kbcli.adapters.html_markdown import heading_ids, html_to_markdown
from kbcli.core.imports import ImportedCard, ImportedExport, ImportNote
from kbcli.core.naming import slugify
from kbcli.core.people import Roster
from kbcli.errors import KbError

_PAGE_ID = re.compile(r"(?:^|_)(\d+)\.html?$")
_TAG = re.compile(r"<[^>]*>")
_ANCHOR = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a\s*>", re.I | re.S)
_BREADCRUMBS = re.compile(
    r"<ol\b[^>]*\bid\s*=\s*[\"']breadcrumbs[\"'][^>]*>(.*?)</ol\s*>", re.I | re.S
)
_TITLE_TEXT = re.compile(
    r"<span\b[^>]*\bid\s*=\s*[\"']title-text[\"'][^>]*>(.*?)</span\s*>", re.I | re.S
)
_HEAD_TITLE = re.compile(r"<title>(.*?)</title\s*>", re.I | re.S)
_METADATA = re.compile(
    r"<div\b[^>]*\bclass\s*=\s*[\"']page-metadata[\"'][^>]*>(.*?)</div\s*>", re.I | re.S
)
_AUTHOR = re.compile(r"Created by\s+(.+?)(?:,\s*last (?:modified|updated)|\s+on\s+[A-Z]|$)", re.I)
_DATE = re.compile(r"\b([A-Z][a-z]{2} \d{1,2}, \d{4})\b")
_ALIAS = re.compile(r"<img\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*[\"']([^\"']*)[\"']")
_MAIN = r"id\s*=\s*[\"']main-content[\"']"
_DIV = re.compile(r"<(/?)div\b[^>]*>", re.I)


class _Page(NamedTuple):
    name: str
    title: str
    crumbs: list[tuple[str, str]]  # (href, text) of each ancestor page
    html: str


def read_confluence(
    source: ExportSource, roster: Roster, notes: list[ImportNote]
) -> ImportedExport:
    pages: list[_Page] = []
    space = ""
    for name in source.names():
        if not name.endswith((".html", ".htm")) or "/" in name:
            continue
        text = (source.read(name) or b"").decode("utf-8-sig", errors="replace")
        body = _inner_div(text, _MAIN)
        if body is None:
            if posixpath.basename(name) != "index.html":
                notes.append(ImportNote(name, "not a Confluence page (no main-content); skipped"))
            continue
        crumbs = _breadcrumbs(text)
        space = space or next((t for h, t in crumbs if h == "index.html"), "")
        pages.append(_Page(name, _title(text, name, crumbs), crumbs, text))
    if not pages:
        raise KbError(
            f"{source.label}: no Confluence pages found (HTML files with a main-content "
            "block): is it a Confluence space HTML export?"
        )
    known = {p.name for p in pages}
    home = _home(pages)
    cards, names = [], {}
    for page in pages:
        ancestors = [(h, t) for h, t in page.crumbs if h != "index.html" and h != home]
        for href, _ in ancestors:
            if href not in known:
                notes.append(ImportNote(page.name, f"parent page {href} is not in the export"))
        content = _inner_div(page.html, _MAIN) or ""
        attachments = _attachments(page.html)
        names.update(attachments)
        names.update(_image_aliases(content))
        body = html_to_markdown(content)
        unlisted = [
            f"- [{original}]({path})" for path, original in attachments.items() if path not in body
        ]
        if unlisted:
            body += "\n## Attachments\n\n" + "\n".join(unlisted) + "\n"
        page_id = _PAGE_ID.search(page.name)
        cards.append(
            ImportedCard(
                source=page.name,
                folder="/".join(slugify(text) for _, text in ancestors),
                title=page.title,
                meta=_front_matter(page, roster, notes),
                body=body,
                keys=tuple(
                    k
                    for k in (
                        f"confluence:page:{page_id.group(1)}" if page_id else "",
                        f"confluence:title:{page.title.casefold()}",
                    )
                    if k
                ),
                anchors=heading_ids(content),
            )
        )
    return ImportedExport(cards, canonical=_canonical, names=names)


def _front_matter(page: _Page, roster: Roster, notes: list[ImportNote]) -> dict[str, object]:
    front: dict[str, object] = {"title": page.title}
    match = _METADATA.search(page.html)
    metadata = " ".join(html.unescape(_TAG.sub("", match.group(1))).split()) if match else ""
    author = _AUTHOR.search(metadata)
    if author:
        name = author.group(1).strip()
        handle = roster.handle_for(name, None)
        if handle:
            front["owner"] = handle
        else:
            notes.append(ImportNote(page.name, f"author {name} is not in people.yaml"))
    dates = _DATE.findall(metadata)
    if dates:
        try:
            front["source_updated"] = datetime.strptime(dates[-1], "%b %d, %Y").date()
        except ValueError:
            notes.append(ImportNote(page.name, f"last modified {dates[-1]!r} is not a date"))
    front["status"] = "published"
    front["imported_from"] = f"confluence {page.name}"
    return front


def _home(pages: list[_Page]) -> str | None:
    """The space's home page: the one top-level page, when there is exactly one."""
    top = [p.name for p in pages if all(h == "index.html" for h, _ in p.crumbs)]
    return top[0] if len(top) == 1 else None


def _breadcrumbs(page: str) -> list[tuple[str, str]]:
    match = _BREADCRUMBS.search(page)
    if not match:
        return []
    return [(unquote(href), _text(inner)) for href, inner in _ANCHOR.findall(match.group(1))]


def _title(page: str, name: str, crumbs: list[tuple[str, str]]) -> str:
    match = _TITLE_TEXT.search(page) or _HEAD_TITLE.search(page)
    title = _text(match.group(1)) if match else ""
    space = next((t for h, t in crumbs if h == "index.html"), "")
    for prefix in (f"{space} : ", f"{space}: "):
        if space and title.startswith(prefix):
            title = title[len(prefix) :]
    if title:
        return title
    stem = _PAGE_ID.sub("", posixpath.basename(name)).rsplit(".", 1)[0]
    return stem.replace("-", " ").replace("_", " ").strip() or name


def _attachments(page: str) -> dict[str, str]:
    """The page's "Attachments:" section: export path -> original file name."""
    start = page.find('id="attachments"')
    section = _inner_div(page, r"class\s*=\s*[\"']greybox[\"']", start) if start >= 0 else None
    found: dict[str, str] = {}
    for href, inner in _ANCHOR.findall(section or ""):
        path = unquote(href)
        if path.startswith("attachments/") and ".." not in path.split("/"):
            found[path] = _text(inner)
    return found


def _image_aliases(content: str) -> dict[str, str]:
    """Embedded images: ``src`` -> their original name (``data-linked-resource-default-alias``)."""
    found = {}
    for tag in _ALIAS.findall(content):
        attributes = dict(_ATTRIBUTE.findall(tag))
        src, alias = attributes.get("src", ""), attributes.get("data-linked-resource-default-alias")
        if alias and src.startswith("attachments/"):
            found[unquote(src.split("?", 1)[0])] = html.unescape(alias)
    return found


def _inner_div(page: str, attribute: str, start: int = 0) -> str | None:
    """The HTML inside the first ``<div>`` (from ``start``) whose attributes match
    ``attribute`` (a pattern), its nested divs balanced."""
    match = re.compile(rf"<div\b[^>]*\b{attribute}[^>]*>", re.I).search(page, start)
    if not match:
        return None
    depth = 1
    for tag in _DIV.finditer(page, match.end()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return page[match.end() : tag.start()]
    return page[match.end() :]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def _canonical(target: str) -> str | None:
    """Links into Confluence itself (any host): by page id, or by space and title."""
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https"):
        return None
    path = unquote(parts.path)
    if path.endswith("/viewpage.action"):
        page_id = parse_qs(parts.query).get("pageId", [""])[0]
        return f"confluence:page:{page_id}" if page_id.isdigit() else None
    if match := re.search(r"/spaces/[^/]+/pages/(\d+)(?:/|$)", path):
        return f"confluence:page:{match.group(1)}"
    if match := re.search(r"/display/[^/]+/([^/]+)$", parts.path):
        return f"confluence:title:{unquote_plus(match.group(1)).casefold()}"
    return None
