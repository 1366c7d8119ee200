"""Keeping the index in step with the card files: one writer, then the manifest.

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

import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from kbcli.adapters.index_manifest import Manifest
from kbcli.adapters.tantivy_schema import Fields, IndexedCard, document_fields, to_document

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.index_documents import DocumentCache
    from kbcli.adapters.tantivy_index import CardIndex

HEAP_BYTES = 96_000_000


def writer_lock(index: CardIndex) -> str:
    """Tantivy's file locked while a writer is open: a process forked meanwhile must let
    go of it (``forked_map``'s ``release``), or the lock outlives a killed kb."""
    return os.fspath(index.data_dir / ".tantivy-writer.lock")


class SyncStats:
    """What one sync did, counted as it goes."""

    def __init__(self) -> None:
        self.added = 0
        self.changed = 0
        self.deleted = 0
        self.unchanged = 0
        self.seconds = 0.0
        self.rebuilt = False
        self.busy = False  # another process held the writer; the index may lag behind

    def __repr__(self) -> str:
        return f"SyncStats({self.__dict__})"

    @property
    def touched(self) -> int:
        return self.added + self.changed + self.deleted


def open_writer(index: CardIndex, wait: float, light: bool = False) -> tantivy.IndexWriter | None:
    """The index writer, waiting up to ``wait`` seconds with backoff; None if still busy.

    Leave a core to the Python thread that parses cards and feeds the writer: on two
    cores, a second indexing thread only competes with it (more CPU, same wall time).
    ``light``: the documents are mostly kept ones (``index_documents``), the Python
    thread has little to do, and two indexing threads finish sooner.
    """
    deadline = time.monotonic() + wait
    delay = 0.05
    cores = os.cpu_count() or 1
    threads = max(1, min(2, cores if light else cores - 1))
    while True:
        try:
            return index.index.writer(HEAP_BYTES, threads)
        except ValueError as error:
            if "LockBusy" not in str(error):
                raise
        if time.monotonic() >= deadline:
            return None
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)


class LazyWriter:
    """The index writer, taken on first need: a sync that only records git's view never
    waits for it. A full rebuild starts by deleting every document."""

    def __init__(self, index: CardIndex, wait: float, full: bool, light: bool = False) -> None:
        self.index, self.wait, self.full, self.light = index, wait, full, light
        self.writer: tantivy.IndexWriter | None = None

    def free(self) -> bool:
        """Whether the writer can be had (waiting as ``get`` does), left free: a whole
        rebuild takes it once its workers are forked, so they never hold its lock."""
        if self.writer is not None:
            return True
        taken = open_writer(self.index, self.wait, self.light)
        free = taken is not None
        del taken  # the lock ends with the writer
        return free

    def get(self) -> tantivy.IndexWriter | None:
        if self.writer is None:
            self.writer = open_writer(self.index, self.wait, self.light)
            if self.writer is not None and self.full:
                self.writer.delete_all_documents()
        return self.writer


# How the documents of the cards to (re-)index are built: ``spread(build, items, count)``
# gives ``(item, build(item))`` for each item, in order (``count``: about how many need
# building); the default builds them here, one after the other.
Spread = Callable[[Callable[[Any], Any], Iterator[Any], int], Iterator[tuple[Any, Any]]]


def one_by_one(
    build: Callable[[Any], Any], items: Iterator[Any], count: int
) -> Iterator[tuple[Any, Any]]:
    return ((item, build(item)) for item in items)


def busy(stats: SyncStats) -> SyncStats:
    stats.busy = True
    stats.added = stats.changed = stats.deleted = 0
    return stats


def sync(
    index: CardIndex,
    scan: Mapping[str, tuple[int, int]],
    prepare: Callable[[str, bytes], IndexedCard],
    *,
    rebuild: bool = False,
    wait: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
    checked: Collection[str] | None = None,
    head: str = "",
    dirty: Collection[str] = (),
    documents: DocumentCache | None = None,
    spread: Spread = one_by_one,
) -> SyncStats:
    """Bring the index in step with ``scan`` (path -> size, mtime_ns).

    With ``checked``, only those paths were looked at (git said the others are as
    committed at ``head``): ``scan`` holds the ones that exist. ``dirty`` are the
    paths git reports as changed, remembered so the next search re-checks them.
    ``documents``: documents built earlier, reused for cards whose bytes are the same.
    ``spread``: how the documents to build are built (``Spread``).
    Three steps: what differs from the manifest, the index writes, the manifest.
    """
    started = time.monotonic()
    stats = SyncStats()
    old = index.manifest
    full = rebuild or old.key != index.key
    candidates, deleted = _diff(index, scan, full, checked)
    stats.unchanged = len(scan) - len(candidates)
    if not candidates and not deleted and head == old.head and set(dirty) == set(old.dirty):
        return stats
    light = documents is not None and 2 * len(documents.entries) >= len(candidates)
    writer = LazyWriter(index, wait, full, light)
    if full and not writer.free():
        return busy(stats)
    make = _maker(index, prepare)
    changes = _write(
        index, scan, candidates, deleted, make, writer, stats, full, progress, documents, spread
    )
    if changes is None:
        return busy(stats)
    if full:
        stats.rebuilt = True
        stats.deleted = len(set(old.files) - set(scan))
    new_manifest, body = _next_manifest(index, changes, full, checked, head, dirty, stats)
    _save(index, new_manifest, body, writer.writer)
    if full:
        _remove_old_versions(index)
    stats.seconds = time.monotonic() - started
    return stats


def _diff(
    index: CardIndex,
    scan: Mapping[str, tuple[int, int]],
    full: bool,
    checked: Collection[str] | None,
) -> tuple[list[str], list[str]]:
    """(paths whose size or mtime differ from the manifest, paths gone since)."""
    if full:
        return sorted(scan), []
    known = index.manifest.entry  # the overlay first, then manifest.tsv
    candidates = [
        p
        for p, (size, mtime) in scan.items()
        if (entry := known(p)) is None or entry[0] != size or entry[1] != mtime
    ]
    if checked is None:
        deleted = [p for p in index.manifest.files if p not in scan]
    else:
        deleted = [p for p in checked if p not in scan and known(p) is not None]
    return candidates, deleted


def _write(
    index: CardIndex,
    scan: Mapping[str, tuple[int, int]],
    candidates: list[str],
    deleted: list[str],
    make: Callable[[str, bytes], tuple[Fields, str]],
    writer: LazyWriter,
    stats: SyncStats,
    full: bool,
    progress: Callable[[int, int], None] | None,
    documents: DocumentCache | None = None,
    spread: Spread = one_by_one,
) -> dict[str, list[Any] | None] | None:
    """Delete and (re-)add documents, in the order of ``candidates``; the new manifest
    entry of each path touched (None when deleted), or None when another process holds
    the writer. ``make(rel, data)``: a card's document fields and language."""
    changes: dict[str, list[Any] | None] = {}
    if not _delete(writer, deleted, changes, stats):
        return None
    reading = _Reading(index, scan, full, writer, changes, stats, documents)
    todo = sum(1 for rel in candidates if documents is None or rel not in documents.entries)
    total = len(candidates)
    added = spread(lambda item: item[4] or make(item[0], item[1]), reading.cards(candidates), todo)
    for number, ((rel, data, digest, entry, found), built) in enumerate(added, 1):
        if progress is not None:
            progress(number, total)
        w = writer.get()
        if w is None:
            return None
        fields, lang = built
        if found is None and documents is not None:
            documents.put(rel, digest, data, fields, lang)
        if not full:  # after delete_all_documents there is nothing to replace
            w.delete_documents_by_term("path", rel)
        w.add_document(to_document(rel, fields))
        size, mtime = scan[rel]
        changes[rel] = [size, mtime, digest, lang]
        if entry is None:
            stats.added += 1
        else:
            stats.changed += 1
    if reading.busy:
        return None
    if progress is not None and total:
        progress(total, total)  # the cards found unchanged were never counted
    return changes


class _Reading:
    """The cards to (re-)index, read and hashed: those whose bytes did not change are
    recorded as touched, links out of the repo dropped, and kept documents found."""

    def __init__(
        self,
        index: CardIndex,
        scan: Mapping[str, tuple[int, int]],
        full: bool,
        writer: LazyWriter,
        changes: dict[str, list[Any] | None],
        stats: SyncStats,
        documents: DocumentCache | None,
    ) -> None:
        self.index, self.scan, self.full, self.writer = index, scan, full, writer
        self.changes, self.stats, self.documents = changes, stats, documents
        self.busy = False

    def cards(self, candidates: list[str]) -> Iterator[tuple[str, bytes, str, Any, Any]]:
        """(path, bytes, hash, manifest entry, kept fields and language or None) of each
        card whose document must be added."""
        import hashlib  # here: a search with nothing changed never hashes

        from kbcli.adapters.card_files import OutsideRepo, read_card_bytes

        root = os.fspath(self.index.root)
        known = self.index.manifest.entry
        for rel in candidates:
            try:
                data = read_card_bytes(root, rel)
            except OutsideRepo:
                if known(rel) is not None:  # indexed by a kb that still followed the link
                    w = self.writer.get()
                    if w is None:
                        self.busy = True
                        return
                    w.delete_documents_by_term("path", rel)
                    self.changes[rel] = None
                continue  # never indexed: kb check reports it as card-outside-repo
            except OSError:
                continue  # vanished since the scan: the next sync deletes it
            digest = hashlib.blake2b(data, digest_size=12).hexdigest()
            size, mtime = self.scan[rel]
            entry = None if self.full else known(rel)
            if entry is not None and entry[2] == digest:
                self.changes[rel] = [size, mtime, digest, entry[3]]  # touched, not changed
                self.stats.unchanged += 1
                continue
            documents = self.documents
            found = documents.get(rel, digest, data) if documents is not None else None
            yield rel, data, digest, entry, found


def _maker(
    index: CardIndex, prepare: Callable[[str, bytes], IndexedCard]
) -> Callable[[str, bytes], tuple[Fields, str]]:
    """``make(rel, data)``: a card's document fields and language."""

    def make(rel: str, data: bytes) -> tuple[Fields, str]:
        indexed = prepare(rel, data)
        return document_fields(index.analysis, indexed), indexed.lang

    return make


def _delete(
    writer: LazyWriter,
    deleted: list[str],
    changes: dict[str, list[Any] | None],
    stats: SyncStats,
) -> bool:
    """Delete the documents of cards gone since; False when another process holds the writer."""
    for p in deleted:
        w = writer.get()
        if w is None:
            return False
        w.delete_documents_by_term("path", p)
        changes[p] = None
        stats.deleted += 1
    return True


def _next_manifest(
    index: CardIndex,
    changes: dict[str, list[Any] | None],
    full: bool,
    checked: Collection[str] | None,
    head: str,
    dirty: Collection[str],
    stats: SyncStats,
) -> tuple[Manifest, bool]:
    """The manifest after ``changes``, and whether manifest.tsv must be rewritten
    (only when what is not in the small overlay changed)."""
    old = index.manifest
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
        new_manifest = Manifest(index.key, files, head=head, dirty=new_dirty)
    else:
        new_manifest = old
        new_manifest.dirty = new_dirty
        if new_manifest._files is not None:
            new_manifest._files.update(new_dirty)
        new_manifest._count = (old._count or 0) + stats.added - stats.deleted
    if not full and old.key != index.key:
        # manifest.tsv turned out unreadable while we read it: rebuild next time.
        new_manifest.key = ""
    return new_manifest, body


def _save(
    index: CardIndex, manifest: Manifest, body: bool, writer: tantivy.IndexWriter | None
) -> None:
    """Commit the documents, then write the manifest (see the module doc for why)."""
    if writer is not None:
        writer.commit()
        writer.wait_merging_threads()
        manifest.save(index.directory, body=body)
        index.index.reload()
    else:
        # Only stats or git's view changed: record them if nobody else is writing.
        w = open_writer(index, 0.0)
        if w is not None:
            manifest.save(index.directory, body=body)
            del w
    index.manifest = manifest


def _remove_old_versions(index: CardIndex) -> None:
    for child in index.directory.glob("tantivy-v*"):
        if child != index.data_dir and child.is_dir():
            import shutil  # here: most rebuilds find no old version (and shutil costs)

            shutil.rmtree(child, ignore_errors=True)
