"""Zendesk Guide (Help Center) articles, as saved from its REST API, as imported cards.

Zendesk has no export button: a team saves the Help Center API's JSON, so the export
is a folder or zip of ``*.json`` files, named as they like, each a response of:

- List Articles (``{"articles": [...]}``, one file per page) or Show Article
  (``{"article": {...}}``); with ``?include=users,sections,categories`` the same file
  also holds ``users``, ``sections`` and ``categories``, else they come in their own files;
- List Article Attachments (``{"article_attachments": [...]}``), optional, with the
  files themselves saved at ``article_attachments/ID/FILE_NAME`` (the path of their
  ``content_url``).

An article's ``body`` (HTML) becomes the card body; ``title``, ``author_id`` (through
``users`` to a handle of people.yaml), ``label_names`` (tags), ``locale`` (lang) and
``draft`` (status) and ``edited_at`` (``source_updated``: when the text last
changed there, not a verification) become front matter. Help Center articles are published to
customers, so they become ``audience: public``, except those restricted to a user
segment (``user_segment_id``): those stay internal, failing closed. The section tree
(``parent_section_id``, under the section's category) becomes folders. Links to
other articles (``/hc/LOCALE/articles/ID-slug``, any host) point at their cards, and
attachment URLs at the copies next to the card.
"""

from __future__ import annotations

import json
import posixpath
import re
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from kbcli.adapters.export_archive import ExportSource
from kbcli.adapters.html_markdown import heading_ids, html_to_markdown
from kbcli.core.imports import ImportedCard, ImportedExport, ImportNote
from kbcli.core.naming import slugify
from kbcli.core.people import Roster
from kbcli.errors import KbError

_ARTICLE_PATH = re.compile(r"^/hc/(?:([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)/)?articles/(\d+)(?:[-/]|$)")
_ATTACHMENT_PATH = re.compile(r"^/hc/(?:[A-Za-z-]+/)?article_attachments/(\d+)(?:/([^/]+))?$")


def read_zendesk(source: ExportSource, roster: Roster, notes: list[ImportNote]) -> ImportedExport:
    data = _collect(source)
    if not data["articles"]:
        raise KbError(
            f"{source.label}: no Help Center articles found (no JSON file with an "
            '"articles" or "article" key): is it Zendesk Help Center API JSON?'
        )
    users = {_key(u.get("id")): u for u in data["users"]}
    folders = _section_folders(data["sections"], data["categories"])
    attachments = _attachments(data["article_attachments"])
    locales = {(str(a.get("id")), str(a.get("locale") or "").lower()) for a in data["articles"]}
    cards = []
    for article in data["articles"]:
        article_id, locale = str(article.get("id")), str(article.get("locale") or "")
        where = f"articles/{article_id}" + (f" ({locale})" if locale else "")
        section = _key(article.get("section_id"))
        folder = folders.get(section, "")
        if section and section not in folders:
            notes.append(ImportNote(where, f"section {section} is not in the export; card at top"))
        title = str(article.get("title") or article.get("name") or f"Article {article_id}")
        html = str(article.get("body") or "")
        body = html_to_markdown(html)
        body += _attachment_list(attachments.get(article_id, []), body)
        cards.append(
            ImportedCard(
                source=where,
                folder=folder,
                title=title,
                meta=_front_matter(article, title, users, roster, notes, where),
                body=body,
                keys=(f"zendesk:article:{article_id}:{locale.lower()}",)
                + ((f"zendesk:article:{article_id}",) if _is_source(article) else ()),
                anchors=heading_ids(html),
            )
        )
    return ImportedExport(cards, canonical=lambda target: _canonical(target, locales, attachments))


def _collect(source: ExportSource) -> dict[str, list[dict[str, Any]]]:
    """Every list of the API's responses, merged across files; articles deduplicated."""
    data: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("articles", "users", "sections", "categories", "article_attachments")
    }
    seen: set[tuple[str, str]] = set()
    for name in source.names():
        if not name.endswith(".json"):
            continue
        raw = source.read(name) or b""
        try:
            loaded = json.loads(raw.decode("utf-8-sig", errors="replace") or "null")
        except json.JSONDecodeError as error:
            raise KbError(f"{source.label}: {name} is not valid JSON ({error})") from None
        if not isinstance(loaded, dict):
            continue
        if isinstance(loaded.get("article"), dict):
            loaded = {**loaded, "articles": [loaded["article"]]}
        for key, items in data.items():
            found = loaded.get(key)
            for item in found if isinstance(found, list) else []:
                if not isinstance(item, dict):
                    continue
                if key == "articles":
                    ident = (str(item.get("id")), str(item.get("locale") or ""))
                    if ident in seen:
                        continue
                    seen.add(ident)
                items.append(item)
    data["articles"].sort(key=lambda a: (str(a.get("id")), str(a.get("locale") or "")))
    return data


def _front_matter(
    article: dict[str, Any],
    title: str,
    users: dict[str, dict[str, Any]],
    roster: Roster,
    notes: list[ImportNote],
    where: str,
) -> dict[str, object]:
    front: dict[str, object] = {"title": title}
    author_id = _key(article.get("author_id"))
    author = users.get(author_id) if author_id else None
    if author is None and author_id:
        notes.append(ImportNote(where, f"author {author_id} is not among the export's users"))
    elif author is not None:
        handle = roster.handle_for(author.get("name"), author.get("email"))
        if handle:
            front["owner"] = handle
        else:
            who = author.get("email") or author.get("name") or author_id
            notes.append(ImportNote(where, f"author {who} is not in people.yaml"))
    raw_labels = article.get("label_names") or []
    labels = (
        [
            slugify(str(label))
            for label in ([raw_labels] if isinstance(raw_labels, str) else raw_labels)
            if isinstance(label, (str, int)) and str(label).strip()
        ]
        if isinstance(raw_labels, (list, str))
        else []
    )
    if labels:
        front["tags"] = labels
    front["status"] = "draft" if article.get("draft") else "published"
    if article.get("user_segment_id") is None:
        front["audience"] = "public"
    else:
        notes.append(
            ImportNote(
                where,
                f"visible only to user segment {article['user_segment_id']}; kept internal",
            )
        )
    edited = str(article.get("edited_at") or article.get("updated_at") or "")
    try:
        front["source_updated"] = date.fromisoformat(edited[:10])
    except ValueError:
        if edited:
            notes.append(ImportNote(where, f"edited_at {edited!r} is not a date"))
    if article.get("locale"):
        front["lang"] = str(article["locale"]).lower()
    front["imported_from"] = f"zendesk {article.get('html_url') or where}"
    return front


def _section_folders(
    sections: list[dict[str, Any]], categories: list[dict[str, Any]]
) -> dict[str, str]:
    """section id -> ``category/parent-section/section`` (slugs)."""
    by_id = {_key(s.get("id")): s for s in sections}
    category_names = {_key(c.get("id")): str(c.get("name") or c.get("id")) for c in categories}
    folders: dict[str, str] = {}
    for section_id, section in by_id.items():
        parts: list[str] = []
        current: dict[str, Any] | None = section
        seen: set[str] = set()
        top = section
        while current is not None and _key(current.get("id")) not in seen:
            seen.add(_key(current.get("id")))
            parts.insert(0, slugify(str(current.get("name") or current.get("id"))))
            top = current
            current = by_id.get(_key(current.get("parent_section_id")) or "-")
        category = category_names.get(_key(top.get("category_id")) or "-")
        if category:
            parts.insert(0, slugify(category))
        folders[section_id] = "/".join(parts)
    return folders


def _attachments(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """article id -> its attachments, each with ``path`` (where the file is in the export)."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        name = str(item.get("file_name") or "")
        if not name or "/" in name or name in (".", ".."):
            continue
        entry = {**item, "path": f"article_attachments/{item.get('id')}/{name}"}
        by_article.setdefault(str(item.get("article_id")), []).append(entry)
    return by_article


def _attachment_list(items: list[dict[str, Any]], body: str) -> str:
    """Attachments Zendesk lists below the article (not inline) as links, so they come too."""
    listed = [
        f"- [{a['file_name']}]({a['path']})"
        for a in items
        if not a.get("inline") and a["path"] not in body
    ]
    return "\n## Attachments\n\n" + "\n".join(listed) + "\n" if listed else ""


def _key(value: Any) -> str:
    """An id as the API gives it (a number, sometimes a string) as a lookup key; "" else."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return ""
    return str(value)


def _is_source(article: dict[str, Any]) -> bool:
    locale, source_locale = article.get("locale"), article.get("source_locale")
    return not source_locale or str(locale).lower() == str(source_locale).lower()


def _canonical(
    target: str, locales: set[tuple[str, str]], attachments: dict[str, list[dict[str, Any]]]
) -> str | None:
    """A link into the help center as a card key or an export path; None for others."""
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https") or (not parts.netloc and target[:1] != "/"):
        return None
    path = unquote(parts.path)
    if article := _ARTICLE_PATH.match(path):
        locale, article_id = (article.group(1) or "").lower(), article.group(2)
        if (article_id, locale) in locales:
            return f"zendesk:article:{article_id}:{locale}"
        return f"zendesk:article:{article_id}"
    if attachment := _ATTACHMENT_PATH.match(path):
        attachment_id, name = attachment.group(1), attachment.group(2)
        if not name:
            found = [a for items in attachments.values() for a in items]
            name = next((a["file_name"] for a in found if str(a.get("id")) == attachment_id), "")
        return posixpath.join("article_attachments", attachment_id, name or "file")
    return None
