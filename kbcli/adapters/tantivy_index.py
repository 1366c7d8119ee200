"""The search index: a Tantivy index under ``.kb/index/``, kept in step with the card files.

Layout of ``.kb/index/``:

- ``tantivy-v<N>/``: the Tantivy index; a schema or analyzer change bumps N, so an old
  index is never opened with a new schema (it is rebuilt, then removed).
- ``manifest.json``: what the index holds, per card path: size, mtime_ns, content hash
  and language group, plus the settings the documents were built with.

Freshness: ``sync`` compares the card files' size and mtime with the manifest (stat
only, no parsing), hashes the files that differ to confirm a change, and re-indexes
just those (delete by the raw ``path`` term, add, commit). The manifest is written
after Tantivy's commit, so a run killed at any point leaves an index the next sync
repairs: files it does not know yet are re-indexed, and deleting by path first means
a re-indexed card is never duplicated.

Concurrency: Tantivy's writer lock (an OS file lock, released when a process dies)
guards both the index and the manifest. Writers wait for it with backoff; searches
never wait: with the lock busy they read the last committed index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.adapters.index_manifest import Manifest, ManifestFiles
from kbcli.adapters.text_analysis import Analysis
from kbcli.core.cards import Card, to_utc
from kbcli.core.languages import normalize_lang, typo_distance, within_edits
from kbcli.core.naming import shown_path
from kbcli.core.sections import without_comments

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.card_files import CardFiles

# Bump when fields, analyzers or the Python-side analysis change: forces a rebuild.
SCHEMA_VERSION = 5  # 5: hint comments are not indexed
HEAP_BYTES = 96_000_000
NEVER = 10**9  # day number of "never expires"
EPOCH = date(1970, 1, 1)

# BM25F by repetition: every part of a card goes into the one ``words`` field, the parts
# that name the card repeated, so one BM25 (one length norm, one idf) scores them all.
# Measured on bench/relevance's tuning halves (see bench/README.md).
REPEAT = {"title": 3, "tags": 2, "slug": 1, "head": 1}
WORDS = "words"


def day_number(day: date | None) -> int:
    return -1 if day is None else (day - EPOCH).days


def field_names() -> list[str]:
    """Schema field names in schema order (Tantivy's explanations name fields by number)."""
    return ["path", WORDS, "fm", "flags", "vday", "eday", "wday", "meta", "text"]


def _build_analyzers() -> dict[str, tantivy.TextAnalyzer]:
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


def _build_schema() -> tantivy.Schema:
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
    return sb.build()


def card_terms(analysis: Analysis, item: IndexedCard) -> list[str]:
    """The ``words`` field of a card: its parts' terms, the naming parts repeated."""
    card, meta, lang = item.card, item.card.meta, item.lang
    title = analysis.terms(lang, " ".join((meta.title, *meta.aliases)))
    tags = analysis.terms(lang, " ".join(meta.tags))
    slug = analysis.terms(lang, card.path.rsplit("/", 1)[-1].removesuffix(".md"))
    headings = analysis.terms(
        lang,
        "\n".join(line.lstrip("#") for line in card.body.splitlines() if line.startswith("#")),
    )
    parts = title * REPEAT["title"] + tags * REPEAT["tags"] + slug * REPEAT["slug"]
    return parts + headings * REPEAT["head"] + analysis.terms(lang, without_comments(card.body))


# --- scanning ------------------------------------------------------------------------


def scan_cards(card_files: CardFiles, known: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Every card path with (size, mtime_ns), by ``os.scandir``: one stat per card file.

    Paths the manifest already knows skip the ignore patterns (they passed them when
    indexed; a change of patterns changes the manifest key and forces a rebuild).
    """
    from kbcli.config import ALWAYS_IGNORED

    root = card_files.root.resolve()
    found: dict[str, tuple[int, int]] = {}
    ignore = None
    for folder in card_files.config.cards.folders:
        base = (root / folder).resolve()
        if not base.is_dir() or not base.is_relative_to(root):
            continue
        rel_base = base.relative_to(root).as_posix()
        stack = [(str(base), "" if rel_base == "." else rel_base)]
        while stack:
            directory, rel_dir = stack.pop()
            try:
                entries = os.scandir(directory)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    rel = f"{rel_dir}/{name}" if rel_dir else name
                    if entry.is_dir(follow_symlinks=False):
                        if not (rel_dir == "" and name in ALWAYS_IGNORED):
                            stack.append((entry.path, rel))
                        continue
                    if not name.endswith(".md"):
                        continue
                    if not rel.isascii():
                        rel = shown_path(rel)  # a name that is not UTF-8: as the reader
                    if rel in found:
                        continue
                    if rel not in known:
                        if ignore is None:
                            ignore = card_files.ignore
                        if ignore.match_file(rel):
                            continue
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    found[rel] = (st.st_size, st.st_mtime_ns)
    return found


# --- the index -----------------------------------------------------------------------


@dataclass
class SyncStats:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    busy: bool = False  # another process held the writer; the index may lag behind

    @property
    def touched(self) -> int:
        return self.added + self.changed + self.deleted


@dataclass(frozen=True)
class IndexedCard:
    """What kb needs to build one document: the card and its dates as day numbers."""

    card: Card
    lang: str
    vday: int
    eday: int
    wday: int
    front: Mapping[str, Any]


@dataclass(frozen=True)
class RawHit:
    score: float
    address: Any
    path: str
    meta: dict[str, Any]
    text: str


class CardIndex:
    """One knowledge repo's Tantivy index and its manifest."""

    def __init__(
        self,
        root: Path,
        directory: Path,
        settings_key: str,
        opened: ManifestFiles | None = None,
    ) -> None:
        """Open (or create) the index; ``opened`` are its manifest files opened earlier."""
        import tantivy

        self.root = root
        self.directory = directory
        self.key = f"v{SCHEMA_VERSION}:{settings_key}"
        self.data_dir = directory / f"tantivy-v{SCHEMA_VERSION}"
        self.schema = _build_schema()
        self.analysis = Analysis()
        self.names = field_names()
        directory.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        self.manifest = Manifest.load(directory, opened)
        try:
            self.index = tantivy.Index(self.schema, str(self.data_dir))
        except (OSError, ValueError):
            # Unreadable index (e.g. a disk filled up mid-write): start over.
            import shutil

            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir.mkdir()
            self.manifest = Manifest()
            self.index = tantivy.Index(self.schema, str(self.data_dir))
        # Custom analyzers live in the process, not the index: register on every open.
        for name, analyzer in _build_analyzers().items():
            self.index.register_tokenizer(name, analyzer)

    # -- writing --

    def _writer(self, wait: float) -> tantivy.IndexWriter | None:
        """The index writer, waiting up to ``wait`` seconds with backoff; None if still busy."""
        deadline = time.monotonic() + wait
        delay = 0.05
        # Leave a core to the Python thread that parses cards and feeds the writer: on two
        # cores, a second indexing thread only competes with it (more CPU, same wall time).
        threads = max(1, min(2, (os.cpu_count() or 1) - 1))
        while True:
            try:
                return self.index.writer(HEAP_BYTES, threads)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise
            if time.monotonic() >= deadline:
                return None
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 1.0)

    def sync(
        self,
        scan: Mapping[str, tuple[int, int]],
        prepare: Callable[[str, bytes], IndexedCard],
        *,
        rebuild: bool = False,
        wait: float = 0.0,
        progress: Callable[[int, int], None] | None = None,
        checked: Collection[str] | None = None,
        head: str = "",
        dirty: Collection[str] = (),
    ) -> SyncStats:
        """Bring the index in step with ``scan`` (path -> size, mtime_ns).

        With ``checked``, only those paths were looked at (git said the others are as
        committed at ``head``): ``scan`` holds the ones that exist. ``dirty`` are the
        paths git reports as changed, remembered so the next search re-checks them.
        Three steps: what differs from the manifest, the index writes, the manifest.
        """
        started = time.monotonic()
        stats = SyncStats()
        old = self.manifest
        full = rebuild or old.key != self.key
        candidates, deleted = self._diff(scan, full, checked)
        stats.unchanged = len(scan) - len(candidates)
        if not candidates and not deleted and head == old.head and set(dirty) == set(old.dirty):
            return stats
        writer = _LazyWriter(self, wait, full)
        if full and writer.get() is None:
            return _busy(stats)
        changes = self._write(scan, candidates, deleted, prepare, writer, stats, full, progress)
        if changes is None:
            return _busy(stats)
        if full:
            stats.rebuilt = True
            stats.deleted = len(set(old.files) - set(scan))
        new_manifest, body = self._next_manifest(changes, full, checked, head, dirty, stats)
        self._save(new_manifest, body, writer.writer)
        if full:
            self._remove_old_versions()
        stats.seconds = time.monotonic() - started
        return stats

    def _diff(
        self, scan: Mapping[str, tuple[int, int]], full: bool, checked: Collection[str] | None
    ) -> tuple[list[str], list[str]]:
        """(paths whose size or mtime differ from the manifest, paths gone since)."""
        if full:
            return sorted(scan), []
        known = self.manifest.entry  # the overlay first, then manifest.tsv
        candidates = [
            p
            for p, (size, mtime) in scan.items()
            if (entry := known(p)) is None or entry[0] != size or entry[1] != mtime
        ]
        if checked is None:
            deleted = [p for p in self.manifest.files if p not in scan]
        else:
            deleted = [p for p in checked if p not in scan and known(p) is not None]
        return candidates, deleted

    def _write(
        self,
        scan: Mapping[str, tuple[int, int]],
        candidates: list[str],
        deleted: list[str],
        prepare: Callable[[str, bytes], IndexedCard],
        writer: _LazyWriter,
        stats: SyncStats,
        full: bool,
        progress: Callable[[int, int], None] | None,
    ) -> dict[str, list[Any] | None] | None:
        """Delete and (re-)add documents; the new manifest entry of each path touched
        (None when deleted), or None when another process holds the writer."""
        import hashlib  # here: a search with nothing changed never hashes

        from kbcli.adapters.card_files import OutsideRepo, read_card_bytes

        changes: dict[str, list[Any] | None] = {}
        for p in deleted:
            w = writer.get()
            if w is None:
                return None
            w.delete_documents_by_term("path", p)
            changes[p] = None
            stats.deleted += 1
        root = os.fspath(self.root)
        known = self.manifest.entry
        total = len(candidates)
        for number, rel in enumerate(candidates, 1):
            if progress is not None:
                progress(number, total)
            try:
                data = read_card_bytes(root, rel)
            except OutsideRepo:
                if known(rel) is not None:  # indexed by a kb that still followed the link
                    w = writer.get()
                    if w is None:
                        return None
                    w.delete_documents_by_term("path", rel)
                    changes[rel] = None
                continue  # never indexed: kb check reports it as card-outside-repo
            except OSError:
                continue  # vanished since the scan: the next sync deletes it
            digest = hashlib.blake2b(data, digest_size=12).hexdigest()
            size, mtime = scan[rel]
            entry = None if full else known(rel)
            if entry is not None and entry[2] == digest:
                changes[rel] = [size, mtime, digest, entry[3]]  # touched, not changed
                stats.unchanged += 1
                continue
            w = writer.get()
            if w is None:
                return None
            indexed = prepare(rel, data)
            if not full:  # after delete_all_documents there is nothing to replace
                w.delete_documents_by_term("path", rel)
            w.add_document(self._document(indexed))
            changes[rel] = [size, mtime, digest, indexed.lang]
            if entry is None:
                stats.added += 1
            else:
                stats.changed += 1
        return changes

    def _next_manifest(
        self,
        changes: dict[str, list[Any] | None],
        full: bool,
        checked: Collection[str] | None,
        head: str,
        dirty: Collection[str],
        stats: SyncStats,
    ) -> tuple[Manifest, bool]:
        """The manifest after ``changes``, and whether manifest.tsv must be rewritten
        (only when what is not in the small overlay changed)."""
        old = self.manifest
        known = old.entry
        new_dirty: dict[str, list[Any]] = {}
        for p in dirty:
            entry = changes[p] if p in changes else (None if full else known(p))
            if entry is not None:
                new_dirty[p] = entry
        body = (
            full
            or checked is None
            or head != old.head
            or any(p not in new_dirty for p in changes)
            or any(p not in new_dirty for p in old.dirty)
        )
        if body:
            files = {} if full else dict(old.files)
            for p, entry in changes.items():
                if entry is None:
                    files.pop(p, None)
                else:
                    files[p] = entry
            new_manifest = Manifest(self.key, files, head=head, dirty=new_dirty)
        else:
            new_manifest = old
            new_manifest.dirty = new_dirty
            if new_manifest._files is not None:
                new_manifest._files.update(new_dirty)
            new_manifest._count = (old._count or 0) + stats.added - stats.deleted
        if not full and old.key != self.key:
            # manifest.tsv turned out unreadable while we read it: rebuild next time.
            new_manifest.key = ""
        return new_manifest, body

    def _save(self, manifest: Manifest, body: bool, writer: tantivy.IndexWriter | None) -> None:
        """Commit the documents, then write the manifest (see the module doc for why)."""
        if writer is not None:
            writer.commit()
            writer.wait_merging_threads()
            manifest.save(self.directory, body=body)
            self.index.reload()
        else:
            # Only stats or git's view changed: record them if nobody else is writing.
            w = self._writer(0.0)
            if w is not None:
                manifest.save(self.directory, body=body)
                del w
        self.manifest = manifest

    def _remove_old_versions(self) -> None:
        import shutil

        for child in self.directory.glob("tantivy-v*"):
            if child != self.data_dir and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)

    def _document(self, item: IndexedCard) -> tantivy.Document:
        import tantivy

        card, meta = item.card, item.card.meta
        doc = tantivy.Document()
        doc.add_text("path", card.path)
        doc.add_text(WORDS, " ".join(card_terms(self.analysis, item)))
        doc.add_json("fm", _json_safe(dict(item.front)))
        if not meta.owner:
            doc.add_text("flags", "unowned")
        doc.add_integer("vday", item.vday)
        doc.add_integer("eday", item.eday)
        doc.add_integer("wday", item.wday)
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
        }
        doc.add_bytes("meta", json.dumps(stored, ensure_ascii=False).encode("utf-8"))
        doc.add_bytes("text", without_comments(card.body).encode("utf-8"))
        return doc

    # -- reading --

    def groups(self) -> list[str]:
        """Languages of the indexed cards (a query word is analysed in each of its script)."""
        return self.manifest.groups() or ["en"]

    def search(
        self, query: tantivy.Query, limit: int, *, by_path: bool = False
    ) -> tuple[int, list[RawHit]]:
        """(total matches, top hits with their stored fields)."""
        import tantivy

        searcher = self.index.searcher()
        if by_path:
            result = searcher.search(query, limit, order_by_field="path", order=tantivy.Order.Asc)
        else:
            result = searcher.search(query, limit)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(
                RawHit(
                    float(score) if not by_path else 0.0,
                    address,
                    str(doc.get_first("path")),
                    json.loads(bytes(doc.get_first("meta") or b"{}")),
                    bytes(doc.get_first("text") or b"").decode("utf-8"),
                )
            )
        count = getattr(result, "count", None)  # not in tantivy's type stubs
        return int(count or 0), hits

    def count(self) -> int:
        return int(self.index.searcher().num_docs)

    def explain(self, query: tantivy.Query, address: Any) -> dict[str, Any]:
        return json.loads(query.explain(self.index.searcher(), address).to_json())

    def doc_freq(self, field_name: str, token: str) -> int:
        return int(self.index.searcher().doc_freq(field_name, token))

    # -- queries --

    def queries(self, groups: Iterable[str] | None = None) -> QueryBuilder:
        return QueryBuilder(self, list(groups or self.groups()))


class _LazyWriter:
    """The index writer, taken on first need: a sync that only records git's view never
    waits for it. A full rebuild starts by deleting every document."""

    def __init__(self, index: CardIndex, wait: float, full: bool) -> None:
        self.index, self.wait, self.full = index, wait, full
        self.writer: tantivy.IndexWriter | None = None

    def get(self) -> tantivy.IndexWriter | None:
        if self.writer is None:
            self.writer = self.index._writer(self.wait)
            if self.writer is not None and self.full:
                self.writer.delete_all_documents()
        return self.writer


def _busy(stats: SyncStats) -> SyncStats:
    stats.busy = True
    stats.added = stats.changed = stats.deleted = 0
    return stats


class QueryBuilder:
    """Builds Tantivy queries from query-language parts, for every language present."""

    def __init__(self, index: CardIndex, groups: list[str]) -> None:
        import tantivy

        self.t = tantivy
        self.index = index
        self.schema = index.schema
        self.analysis = index.analysis
        self.groups = groups
        self.searcher = index.index.searcher()

    def terms(self, word: str) -> list[str]:
        """The index terms one query word can match (one per present language of its script)."""
        return self.analysis.query_terms(word, self.groups)

    def known(self, term: str) -> bool:
        return int(self.searcher.doc_freq(WORDS, term)) > 0

    def near_terms(self, term: str, most: int = 3) -> list[str]:
        """Vocabulary terms within a typo of ``term`` (same first letter), most frequent first.

        Tantivy's fuzzy query would score every neighbour alike; listing them from the term
        dictionary lets each be scored as the real term it is, with a penalty.
        """
        distance = typo_distance(term)
        if not distance:
            return []
        found = []
        for candidate, count in self.searcher.terms_with_prefix(WORDS, term[0]):
            near = abs(len(candidate) - len(term)) <= distance and candidate != term
            if near and within_edits(candidate, term, distance):
                found.append((candidate, int(count)))
        found.sort(key=lambda item: (not within_edits(item[0], term, 1), -item[1]))
        return [candidate for candidate, _ in found[:most]]

    def any_term(self, terms: list[str], boost: float = 1.0) -> tantivy.Query:
        """The best-scoring of alternative terms (a word's readings must not add up)."""
        t = self.t
        queries = [t.Query.term_query(self.schema, WORDS, term) for term in terms]
        if not queries:
            return t.Query.empty_query()
        q = queries[0] if len(queries) == 1 else t.Query.disjunction_max_query(queries)
        return t.Query.boost_query(q, boost) if boost != 1.0 else q

    def phrase(self, text: str) -> tantivy.Query:
        """An exact phrase (after analysis), read in each present language of its script."""
        t = self.t
        words = self.analysis.words_of(text)
        parts = []
        for lang in self.groups:
            tokens = [term for w in words for term in self.analysis.query_terms(w, [lang])[:1]]
            if not tokens:
                continue
            if len(tokens) == 1:
                parts.append(t.Query.term_query(self.schema, WORDS, tokens[0]))
                continue
            # Hebrew indexes every reading of a word, so its phrases need slack.
            slop = len(tokens) if lang == "he" else 0
            parts.append(t.Query.phrase_query(self.schema, WORDS, list[Any](tokens), slop))
        if not parts:
            return t.Query.empty_query()
        return parts[0] if len(parts) == 1 else t.Query.disjunction_max_query(parts)

    def word(self, word: str) -> tantivy.Query:
        """Cards with a word (any reading, no typos): for ``-word`` exclusions."""
        return self.any_term(self.terms(word))

    def key(self, key: str, value: str) -> tantivy.Query:
        """``key:value`` on the front matter (values compared case-insensitively)."""
        if key == "lang":
            value = normalize_lang(value)
        return self.t.Query.term_query(self.schema, f"fm.{key}", value.strip().lower())

    def flag(self, name: str) -> tantivy.Query:
        return self.t.Query.term_query(self.schema, "flags", name)

    def day_range(self, name: str, low: int | None, high: int | None) -> tantivy.Query:
        return self.t.Query.range_query(self.schema, name, self.t.FieldType.Integer, low, high)

    def state(self, state: str, today: int) -> tantivy.Query:
        """Cards in a trust state on day number ``today`` (dates were indexed, not states)."""
        t = self.t
        valid = self.day_range("vday", 0, today)
        if state == "unowned":
            return self.flag("unowned")
        if state in ("draft", "requested", "published", "archived"):
            return self.key("status", state)
        if state == "unverified":
            return t.Query.boolean_query(
                [
                    (t.Occur.Should, self.day_range("vday", None, -1)),
                    (t.Occur.Should, self.day_range("vday", today + 1, None)),
                ]
            )
        if state == "verified":
            rest = [self.day_range("wday", today + 1, None)]
        elif state == "due":
            rest = [self.day_range("wday", None, today), self.day_range("eday", today + 1, None)]
        else:  # expired
            rest = [self.day_range("eday", None, today)]
        return t.Query.boolean_query([(t.Occur.Must, q) for q in (valid, *rest)])

    def all(self) -> tantivy.Query:
        return self.t.Query.all_query()

    def path(self, path: str) -> tantivy.Query:
        return self.t.Query.term_query(self.schema, "path", path)

    def combine(
        self,
        must: list[tantivy.Query],
        should: list[tantivy.Query] | None = None,
        must_not: list[tantivy.Query] | None = None,
        filters: list[tantivy.Query] | None = None,
        min_should: int | None = None,
    ) -> tantivy.Query:
        """A boolean query; filters constrain without changing scores."""
        t = self.t
        clauses = [(t.Occur.Must, q) for q in must]
        clauses += [(t.Occur.Should, q) for q in should or ()]
        clauses += [(t.Occur.MustNot, q) for q in must_not or ()]
        clauses += [(t.Occur.Must, t.Query.const_score_query(q, 0.0)) for q in filters or ()]
        if not must and not should:
            clauses.append((t.Occur.Must, t.Query.const_score_query(t.Query.all_query(), 0.0)))
        return t.Query.boolean_query(clauses, min_should)


def iter_terms(explanation: Mapping[str, Any], factor: float = 1.0) -> Iterator[tuple[str, float]]:
    """(term context, contribution) of each term-level node of a Tantivy explanation."""
    description = str(explanation.get("description", ""))
    if description.startswith("Boost x"):
        with contextlib.suppress(IndexError, ValueError):
            factor *= float(description.split()[1][1:])
    if explanation.get("context"):
        value = float(explanation.get("value", 0.0))
        yield " ".join(explanation["context"]), value * factor
        return
    for child in explanation.get("details", ()) or ():
        yield from iter_terms(child, factor)


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d")
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
