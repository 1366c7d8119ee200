"""Every card's index document as last built, kept in ``.kb/index/documents.marshal``
so a whole rebuild analyses only the cards that changed since.

Building a document is kb's own work on top of Tantivy's: parsing the card, finding its
language and turning its text into stemmed terms (``tantivy_schema.document_fields``);
it was most of ``kb index --rebuild``. A document depends on the card's bytes, its path
(its slug is indexed, its folder sets its verification cadence), the index's settings
and kb's code, so each is kept by path with the hash of the bytes it was built from,
and the whole file carries the index key, a fingerprint of the modules that build
documents and a checksum: a missing, truncated, damaged or foreign file, or a document
of other bytes, means building that document again, never a wrong one.

The stored text is most often the file's own tail (no front matter, no comments):
then only where it starts is kept, not the text again. The file is written in records
of a few thousand documents, each made as it is written (``written``).
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

from kbcli.adapters.tantivy_schema import Fields

FILE = "documents.marshal"
_MAGIC = b"kbdocs2\n"  # 2: written in records (``written``)

# path -> (content hash, language, fields with the text as bytes or an offset into the file)
Entry = tuple[str, str, tuple[Any, ...]]


def _fingerprint(sources: tuple[str, ...]) -> str:
    """kb's version and the modules a document depends on (size, mtime), the stemmer's and
    the language guesser's included, and the caller's ``sources``: changed code is a new
    cache."""
    from kbcli import __version__
    from kbcli.adapters import card_cache
    from kbcli.adapters.checked_file import module_files

    adapters = ["card_cache", "language_id", "tantivy_schema", "text_analysis"]
    core = ["durations", "languages", "pointers", "sections", "trust", "word_forms"]
    files = module_files(
        [*(f"kbcli.adapters.{n}" for n in adapters), *(f"kbcli.core.{n}" for n in core)]
    )
    files += sources
    files += module_files(["Stemmer", "py3langid"])
    parts = [__version__, card_cache._fingerprint()]
    from kbcli.adapters.checked_file import stamps

    return "|".join([*parts, *stamps(files)])


class DocumentCache:
    """The documents of one index as last built; ``get`` answers, ``save`` keeps them."""

    def __init__(self, directory: Path, key: str, sources: tuple[str, ...] = ()) -> None:
        """``key``: the index's (schema and settings); ``sources``: the files of the
        caller's code that builds documents too."""
        self.path = directory / FILE
        self.fingerprint = f"{_fingerprint(sources)}|{key}"
        self.entries = self._load()
        self.fresh: dict[str, Entry] = {}
        self.built = 0  # documents built in this run (the rest came from the cache)

    def _load(self) -> dict[str, Entry]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        return parse(data, self.fingerprint)

    def get(self, rel: str, digest: str, data: bytes) -> tuple[Fields, str] | None:
        """(the document's fields, its language) as kept for the card at ``rel`` whose file
        holds ``data`` (hash ``digest``); None when there is none for these bytes."""
        entry = self.entries.get(rel)
        if entry is None:
            return None
        try:
            kept, lang, values = entry
            if kept != digest or not isinstance(lang, str) or len(values) != 9:
                return None
            text = values[8]
            if isinstance(text, int):
                text = data[text:]
            elif not isinstance(text, bytes):
                return None
        except (TypeError, ValueError):
            return None
        self.fresh[rel] = entry
        fields: Fields = (*values[:8], text)
        return fields, lang

    def put(self, rel: str, digest: str, data: bytes, fields: Fields, lang: str) -> None:
        """Keep the document just built for the card at ``rel`` from ``data``."""
        self.built += 1
        text = fields[8]
        start = len(data) - len(text)
        kept: Any = start if start >= 0 and data.endswith(text) else text
        self.fresh[rel] = (digest, lang, (*fields[:8], kept))

    def save(self) -> None:
        """Keep the documents of this rebuild (cards gone since are dropped)."""
        if not self.built and len(self.fresh) == len(self.entries):
            return
        if not self.path.parent.is_dir():
            return
        from kbcli.adapters.atomic_file import replace_cache

        try:
            replace_cache(self.path, written(self.fingerprint, self.fresh))
        except ValueError:  # a value marshal cannot store: keep nothing
            return


CHUNK = 2048  # documents per record: the file is written without one copy of it all


def written(fingerprint: str, entries: dict[str, Entry]) -> Iterator[bytes]:
    """The file's parts: the magic, then records (a 4-byte length and a marshal value:
    the fingerprint, then the entries ``CHUNK`` at a time), then a crc32 of the records.
    Each record is made as the file is written, so writing 38,000 documents never holds
    a second copy of them all (it was 100 MB of a rebuild's peak memory)."""
    yield _MAGIC
    crc = 0
    items = iter(entries.items())
    values: Iterator[Any] = chain((fingerprint,), iter(lambda: dict(islice(items, CHUNK)), {}))
    for value in values:
        record = marshal.dumps(value)
        head = len(record).to_bytes(4, "big")
        crc = zlib.crc32(record, zlib.crc32(head, crc))
        yield head
        yield record
    yield crc.to_bytes(4, "big")


def parse(data: bytes, fingerprint: str) -> dict[str, Entry]:
    """The entries of a file ``written`` for ``fingerprint``; empty when the file is
    damaged, truncated or written for another fingerprint."""
    start = len(_MAGIC)
    if len(data) < start + 4 or data[:start] != _MAGIC:
        return {}
    body = memoryview(data)[start:-4]
    if zlib.crc32(body) != int.from_bytes(data[-4:], "big"):
        return {}
    entries: dict[str, Entry] = {}
    at = 0
    try:
        while at < len(body):
            size = int.from_bytes(body[at : at + 4], "big")
            value = marshal.loads(body[at + 4 : at + 4 + size])
            if at == 0 and value != fingerprint:
                return {}
            if at:
                entries.update(value)
            at += 4 + size
    except (EOFError, ValueError, TypeError):
        return {}
    return entries
