"""The index's schema: its fields, analyzers and how one card becomes one document.

Bump ``SCHEMA_VERSION`` when fields, analyzers or the Python-side analysis change: an
index built with another version is never opened, it is rebuilt (``tantivy_index``).
"""

# No ``from __future__ import annotations``: every search loads this module, and typing
# compiled IndexedCard's field types written as strings when the class was made (~1 ms).
import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from kbcli.adapters.text_analysis import Analysis
from kbcli.core.cards import Card, to_utc
from kbcli.core.patterns import lazy

if TYPE_CHECKING:
    import tantivy

# Bump when fields, analyzers or the Python-side analysis change: forces a rebuild.
SCHEMA_VERSION = 10  # 10: in-word mnemonics are letters ("[a]dd" is "add")
NEVER = 10**9  # day number of "never expires"
EPOCH = date(1970, 1, 1)

# BM25F by repetition: every part of a card goes into the one ``words`` field, the parts
# that name the card repeated, so one BM25 (one length norm, one idf) scores them all.
# Measured on bench/relevance's tuning halves (see bench/README.md).
REPEAT = {"title": 3, "tags": 2, "slug": 1, "head": 1, "lead": 1, "folders": 0}
WORDS = "words"
POINTS = "points"  # the title a pointer card names (core.pointers), lowercased


def day_number(day: date | None) -> int:
    return -1 if day is None else (day - EPOCH).days


def field_names() -> list[str]:
    """Schema field names in schema order (Tantivy's explanations name fields by number)."""
    return ["path", WORDS, "fm", "flags", "vday", "eday", "wday", "meta", "text", POINTS]


def build_analyzers() -> "dict[str, tantivy.TextAnalyzer]":
    import tantivy

    return {
        # Terms arrive analysed (adapters/text_analysis): split on spaces, nothing more.
        "kb_terms": tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build(),
        "kb_key": (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
            .filter(tantivy.Filter.remove_long(250))
            .filter(tantivy.Filter.lowercase())
            .build()
        ),
    }


def build_schema() -> "tantivy.Schema":
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("path", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field(WORDS, tokenizer_name="kb_terms")
    sb.add_json_field("fm", tokenizer_name="kb_key", index_option="basic")
    sb.add_text_field("flags", tokenizer_name="kb_key", index_option="basic")
    for name in ("vday", "eday", "wday"):
        sb.add_integer_field(name, indexed=True, fast=True)
    sb.add_bytes_field("meta", stored=True)
    sb.add_bytes_field("text", stored=True)
    sb.add_text_field(POINTS, tokenizer_name="raw", index_option="basic")
    return sb.build()


class IndexedCard(NamedTuple):
    """What kb needs to build one document: the card and its dates as day numbers.

    A NamedTuple, not a dataclass: every search loads this module, and making a
    dataclass compiles its methods then (~0.5 ms).
    """

    card: Card
    lang: str
    vday: int
    eday: int
    wday: int
    front: Mapping[str, Any]


def card_terms(analysis: Analysis, item: IndexedCard, body: str) -> str:
    """The ``words`` field of a card (``body``: its body without comments): its parts'
    terms, the naming parts repeated. The lead paragraph is analysed once, as the part
    of the body it is (``lead_span``): the same terms as analysing it apart."""
    from kbcli.core.pointers import lead_span

    card, meta, lang = item.card, item.card.meta, item.lang
    text = analysis.term_text
    title = text(lang, " ".join((meta.title, *meta.aliases)))
    tags = text(lang, " ".join(meta.tags))
    folder, _, name = card.path.rpartition("/")
    slug = text(lang, name.removesuffix(".md"))
    folders = text(lang, folder.replace("/", " ")) if REPEAT["folders"] else ""
    headings = text(
        lang,
        "\n".join(line.lstrip("#") for line in card.body.splitlines() if line.startswith("#")),
    )
    start, end = lead_span(body)
    lead = text(lang, body[start:end])
    parts = [title] * REPEAT["title"] + [tags] * REPEAT["tags"] + [slug] * REPEAT["slug"]
    parts += [lead] * REPEAT["lead"] + [headings] * REPEAT["head"]
    parts += [folders] * REPEAT["folders"]
    parts += (text(lang, body[:start]), lead, text(lang, body[end:]))
    return " ".join(part for part in parts if part)


# One card's document as plain values (``index_documents`` keeps them by content hash):
# (words, fm as JSON, unowned, vday, eday, wday, points, meta JSON bytes, text bytes).
Fields = tuple[str, str, bool, int, int, int, str, bytes, bytes]


def document_fields(analysis: Analysis, item: IndexedCard) -> Fields:
    """The values of one card's document: its terms, filter fields and stored fields."""
    # Here, not at the top: a search that finds the index current builds no document.
    from kbcli.core.pointers import pointer_reference
    from kbcli.core.sections import without_comments

    card, meta = item.card, item.card.meta
    body = without_comments(card.body)
    points = pointer_reference(card.body)
    stored = {
        "title": meta.title,
        "owner": meta.owner,
        "verified_at": meta.verified_at.isoformat() if meta.verified_at else None,
        "verify_every": item.front.get("verify_every"),
        "status": meta.status.value,
        "audience": meta.audience.value,
        "tags": list(meta.tags),
        "lang": item.lang,
        "aliases": list(meta.aliases),
        "points": points,
    }
    return (
        card_terms(analysis, item, body),
        json.dumps(_json_safe(dict(item.front)), ensure_ascii=False),
        not meta.owner,
        item.vday,
        item.eday,
        item.wday,
        points,
        json.dumps(stored, ensure_ascii=False).encode("utf-8"),
        body.encode("utf-8"),
    )


def to_document(path: str, fields: Fields) -> "tantivy.Document":
    """The Tantivy document of the card at ``path`` from its ``document_fields``."""
    import tantivy

    words, front, unowned, vday, eday, wday, points, meta, text = fields
    doc = tantivy.Document()
    doc.add_text("path", path)
    doc.add_text(WORDS, words)
    doc.add_json("fm", front)
    if unowned:
        doc.add_text("flags", "unowned")
    doc.add_integer("vday", vday)
    doc.add_integer("eday", eday)
    doc.add_integer("wday", wday)
    if points:
        doc.add_text(POINTS, points)
    doc.add_bytes("meta", meta)
    doc.add_bytes("text", text)
    return doc


def document(analysis: Analysis, item: IndexedCard) -> "tantivy.Document":
    """The Tantivy document of one card: its terms, filter fields and stored fields."""
    return to_document(item.card.path, document_fields(analysis, item))


_RFC3339 = lazy(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d")
_DROP = object()


def _json_safe(value: Any) -> Any:
    """Front-matter values without the date-time strings tantivy cannot hold.

    tantivy's JSON field reads any RFC 3339 string as a date and panics ("local datetime
    out of valid range") on ``9999-12-31T23:59:59-14:00``, taking the whole index down.
    Such a value (one Python cannot convert to UTC within 1900-2999) is left out of the
    ``key:value`` filter field; the card is still indexed and searchable.
    """
    if isinstance(value, str):
        return _DROP if _RFC3339.match(value) and to_utc(value) is None else value
    if isinstance(value, list):
        return [v for v in map(_json_safe, value) if v is not _DROP]
    if isinstance(value, dict):
        pairs = ((str(k), _json_safe(v)) for k, v in value.items())
        return {k: v for k, v in pairs if v is not _DROP}
    return value
