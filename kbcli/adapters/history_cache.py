"""The history pass's cache in ``.kb/history/``: one base file and an append-only journal.

The base file holds a whole pass: magic, header length, the marshalled header (commits,
every file's last touching commit, authors, the card paths), then every card's
marshalled changes back to back. The header is decoded at once; a card's changes are
memory-mapped and decoded only when a pass or a report asks for that card.

A later run that only adds commits does not rewrite the base (tens of megabytes at
100,000 cards): it appends one journal record with what those commits changed (the new
commits, touched files and authors, the cards they changed, the cards they deleted).
Reading applies the records in order. Each record names the tip and commit count it
starts from, and the journal names the base it extends, so a record written against
another state (a concurrent run, a base rewritten meanwhile) is never applied: reading
stops there and the pass recomputes from the last state that chains. When the journal
grows past a share of the base, the next run folds it into a new base.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# 8: committer and roster-change flag per commit; 9: blobs with a byte order mark have
# front matter (one grammar)
CACHE_VERSION = 9
CACHE_NAME = "history/state.marshal"
JOURNAL_NAME = "journal.marshal"
_MAGIC = b"KBHIST07"
_JOURNAL_MAGIC = b"KBJRNL07"
# Fold the journal into a new base past this many records, or when it is both larger
# than this share of the base and than _MIN_FOLD bytes (small bases are cheap to keep).
_MAX_RECORDS = 64
_MAX_SHARE = 8
_MIN_FOLD = 1 << 20


class Store:
    """The base file's card section, memory-mapped: one card's changes are read on demand."""

    def __init__(self, data: Any, start: int, offsets: array[int]) -> None:
        self.data = data
        self.start = start
        self.offsets = offsets

    def raw(self, index: int) -> bytes:
        return bytes(
            self.data[self.start + self.offsets[index] : self.start + self.offsets[index + 1]]
        )


def changes_of(raw: Any, store: Store | None) -> Any:
    """A card's change list: a list, marshalled bytes, or an index into the base file."""
    if isinstance(raw, int):
        assert store is not None
        raw = store.raw(raw)
    return marshal.loads(raw) if isinstance(raw, bytes) else raw


def encode(raw: Any, store: Store | None) -> bytes:
    if isinstance(raw, int):
        assert store is not None
        return store.raw(raw)
    return raw if isinstance(raw, bytes) else marshal.dumps(raw)


# The big parts of a state, decoded only when something asks for them.
SECTIONS = ("commits", "touched", "authors", "deleted", "live")


class LazyState(dict[str, Any]):
    """A cached state whose big sections are decoded (and the journal records applied to
    them) on first use: a run with nothing new to walk decodes none of them."""

    def __init__(self, meta: dict[str, Any], sections: dict[str, bytes]) -> None:
        super().__init__(meta)
        self.sections = sections
        self.records: list[dict[str, Any]] = []

    def __missing__(self, key: str) -> Any:
        raw = self.sections.pop(key, None)
        if raw is None:
            raise KeyError(key)
        if key == "live":
            paths = marshal.loads(raw)
            value: Any = dict(zip(paths, range(len(paths)), strict=True))
        else:
            value = marshal.loads(raw)
        for record in self.records:
            _APPLY[key](value, record)
        self[key] = value
        return value


def commit_count(state: dict[str, Any]) -> int:
    """How many commits a state covers, without decoding them when the cache knows."""
    return len(state["commits"]) if "commits" in state else int(state["count"])


def card_count(state: dict[str, Any]) -> int:
    return len(state["live"]) if "live" in state else int(state["cards"])


def first_commit(state: dict[str, Any]) -> Any:
    if "commits" in state:
        return state["commits"][0] if state["commits"] else None
    first: Any = state["first"]
    return first


def read_state(cache: Path, prefix: str, shallow: bool) -> dict[str, Any] | None:
    """The cached state (base plus the journal records that chain onto it), or None when
    missing, unreadable, stale in format or made for another place."""
    try:
        with cache.open("rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if data[:8] != _MAGIC:
            return None
        length = int.from_bytes(data[8:16], "little")
        header = marshal.loads(data[16 : 16 + length])
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(header, dict) or header.get("version") != CACHE_VERSION:
        return None
    if header.get("prefix") != prefix or header.get("shallow") != shallow:
        return None
    offsets = array("q")
    offsets.frombytes(header.pop("offsets"))
    state = LazyState(header, header.pop("sections"))
    state["store"] = Store(data, 16 + length, offsets)
    state["journal"] = _read_journal(cache.with_name(JOURNAL_NAME), state)
    return state


def write_state(cache: Path, state: dict[str, Any]) -> None:
    """Write a new base atomically and drop the journal; a cache that cannot be written
    only costs time next run."""
    store = state.get("store")
    live = state["live"]
    parts, offsets = _card_section(live.values(), store)
    sections = {
        "commits": marshal.dumps(state["commits"]),
        "touched": marshal.dumps(state["touched"]),
        "authors": marshal.dumps(state["authors"]),
        "deleted": marshal.dumps([encode(raw, store) for raw in state["deleted"]]),
        "live": marshal.dumps(list(live)),
    }
    header = {key: state[key] for key in ("version", "prefix", "tip", "shallow")}
    header |= {"id": os.urandom(8), "count": len(state["commits"]), "cards": len(live)}
    header |= {"first": first_commit(state), "sections": sections, "offsets": offsets.tobytes()}
    head = marshal.dumps(header)
    from kbcli.adapters.atomic_file import replace_cache

    data = b"".join((_MAGIC, len(head).to_bytes(8, "little"), head, *parts))
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
    if replace_cache(cache, data):
        with contextlib.suppress(OSError):
            cache.with_name(JOURNAL_NAME).unlink()


def append_state(
    cache: Path,
    state: dict[str, Any],
    start: tuple[str, int, int],
    dirty: set[str],
) -> None:
    """Record what a pass added on top of the state read from ``cache``.

    ``start`` is (tip, commit count, deleted count) before the pass and ``dirty`` the
    card paths it changed. Rewrites the base instead when the journal has grown.
    """
    journal = state.get("journal")
    store = state.get("store")
    if journal is None or store is None:
        write_state(cache, state)
        return
    records, size = journal
    if records >= _MAX_RECORDS or (size > _MIN_FOLD and size * _MAX_SHARE > len(store.data)):
        write_state(cache, state)
        return
    tip, commit_count, deleted_count = start
    live = state["live"]
    record = {
        "from": (tip, commit_count),
        "tip": state["tip"],
        "commits": state["commits"][commit_count:],
        "touched": {k: v for k, v in state["touched"].items() if v >= commit_count},
        "authors": {k: v for k, v in state["authors"].items() if v >= commit_count},
        "cards": [(path, encode(raw, store)) for path, raw in live.items() if path in dirty],
        "removed": [path for path in dirty if path not in live],
        "cards_count": len(live),
        "deleted": [encode(raw, store) for raw in state["deleted"][deleted_count:]],
    }
    payload = marshal.dumps(record)
    path = cache.with_name(JOURNAL_NAME)
    try:
        if size and path.stat().st_size == size:
            # One write at the end: a reader sees the record whole or not at all.
            with path.open("ab") as handle:
                handle.write(_framed(payload))
            return
        # A new journal for this base, or one with a tail that did not chain (a
        # concurrent run): keep the records that were applied, drop the rest.
        from kbcli.adapters.atomic_file import replace_cache

        kept = path.read_bytes()[:size] if size else _JOURNAL_MAGIC + state["id"]
        replace_cache(path, kept + _framed(payload))
    except OSError:
        pass


def _framed(payload: bytes) -> bytes:
    return len(payload).to_bytes(8, "little") + payload


def _read_journal(path: Path, state: LazyState) -> tuple[int, int]:
    """Queue the journal records that chain onto ``state`` (applied to each section as it
    is decoded); (records kept, bytes read). Stops at the first record that is torn or
    starts from another state."""
    try:
        data = path.read_bytes()
    except OSError:
        return 0, 0
    if data[:8] != _JOURNAL_MAGIC or data[8:16] != state.get("id"):
        return 0, 0
    position = 16
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 8], "little")
        end = position + 8 + length
        if end > len(data):
            break
        try:
            record = marshal.loads(data[position + 8 : end])
        except (EOFError, ValueError, TypeError):
            break
        if not isinstance(record, dict) or record.get("from") != (state["tip"], state["count"]):
            break
        state.records.append(record)
        state["tip"] = record["tip"]
        state["count"] += len(record["commits"])
        state["cards"] = record["cards_count"]
        if state["first"] is None and record["commits"]:
            state["first"] = record["commits"][0]
        position = end
    return len(state.records), position


def _apply_live(live: dict[str, Any], record: dict[str, Any]) -> None:
    """A card a pass changed moves to the end of ``live``, as the pass itself moved it,
    so the cards keep the order a fresh extension gives."""
    for path in record["removed"]:
        live.pop(path, None)
    for path, raw in record["cards"]:
        live.pop(path, None)
        live[path] = raw


_APPLY: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "commits": lambda commits, record: commits.extend(record["commits"]),
    "touched": lambda touched, record: touched.update(record["touched"]),
    "authors": lambda authors, record: authors.update(record["authors"]),
    "deleted": lambda deleted, record: deleted.extend(record["deleted"]),
    "live": _apply_live,
}


def _card_section(values: Iterable[Any], store: Store | None) -> tuple[list[Any], array[int]]:
    """The cards' bytes for the base file and their offsets. Cards a pass did not touch
    are copied from the old file in runs of neighbours, not one by one."""
    parts: list[Any] = []
    offsets = array("q", [0])
    run_start = run_end = -1
    total = 0

    def close_run() -> None:
        if run_start >= 0 and store is not None:
            begin, end = store.offsets[run_start], store.offsets[run_end]
            parts.append(store.data[store.start + begin : store.start + end])

    for raw in values:
        if isinstance(raw, int) and store is not None:
            if raw != run_end:
                close_run()
                run_start = raw
            run_end = raw + 1
            total += store.offsets[raw + 1] - store.offsets[raw]
        else:
            close_run()
            run_start = run_end = -1
            data = raw if isinstance(raw, bytes) else marshal.dumps(raw)
            parts.append(data)
            total += len(data)
        offsets.append(total)
    close_run()
    return parts, offsets
