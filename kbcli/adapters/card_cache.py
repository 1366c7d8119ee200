"""Every card as last parsed, kept in ``.kb/cards.marshal`` so a warm command parses
only the cards that changed.

Reading 100,000 cards' front matter again on every ``kb report``, ``kb check`` or
``kb list`` was more than half of their time. Each card is kept with the stat of its
file (size, mtime, ctime, inode, as git's own stat cache) and a hash of its bytes:

- same stat, and the file is older than the cache by more than ``RACY_SECONDS``: the
  card as kept, without opening the file;
- otherwise (an edited file, a checkout, or an edit within the same clock tick as the
  last write: git's "racily clean" case) the file is read; same hash: the card as
  kept; else it is parsed again.

Cards are kept as parsed without ``today`` (a future ``verified_at`` is the one thing
that depends on the day): such a card is parsed again with the day of the run.

The whole file carries a checksum, kb's version and a fingerprint of the parser's own
modules; a missing, truncated, damaged, foreign or older file, or one written by
another kb, means parsing every card again (and writing a good file), never a wrong
card. Writes are atomic (a temporary file renamed over), so concurrent writers leave
one whole file or the other. Nothing is written where ``.kb/`` does not exist yet (a
command that only reads, such as ``kb verify``, leaves no new folder behind).
"""

from __future__ import annotations

import marshal
import os
import stat
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kbcli.adapters.card_bodies import BodyStore, KeptCard, kept_card
from kbcli.core.cards import Audience, Card, CardMeta, Position, Status
from kbcli.core.durations import Duration
from kbcli.core.findings import Finding, Severity

FILE = "cards.marshal"
VERSION = 2  # 2: bodies kept apart (card_bodies), links kept with each card
# A file changed less than this before the cache was written may change again within
# the same mtime tick: it is checked by its bytes next time, not by its stat alone.
RACY_SECONDS = 2.0
_MAGIC = b"kbcards2"

# path -> ((size, mtime_ns, ctime_ns, inode), digest, encoded card)
Entry = tuple[tuple[int, int, int, int], bytes, tuple[Any, ...]]
Parse = Callable[[str, bytes, "date | None"], Card]
Load = Callable[[str], "bytes | Card"]


def _fingerprint() -> str:
    """kb's and PyYAML's versions and the parser's modules (size, mtime): a changed parser
    is a new cache."""
    from kbcli import __version__
    from kbcli.adapters.checked_file import module_files

    # report: the links kept with each card (card_refs); rules: a reading finding's
    # severity; the YAML reader a card's header may go through (most runs never need it).
    adapters = ["card_bodies", "card_cache", "card_files"]
    core = ["cards", "durations", "findings", "front_matter", "quick_front", "report", "rules"]
    adapters.append("yaml_text")
    names = [*(f"kbcli.adapters.{n}" for n in adapters), *(f"kbcli.core.{n}" for n in core)]
    files = module_files([*names, "yaml"])
    parts = [__version__, str(VERSION)]
    from kbcli.adapters.checked_file import stamps

    return "|".join([*parts, *stamps(files)])


class CardCache:
    """The cards of one repo as last parsed; ``cards`` answers, ``save`` keeps them."""

    def __init__(
        self, cache_dir: Path, settings: str = "", read: Callable[[str], Card] | None = None
    ) -> None:
        """``settings``: what else a parse depends on (kb.toml's front-matter limit);
        ``read(rel)``: the card parsed from its file, for a kept card whose body is not
        kept (``card_bodies``)."""
        self.path = cache_dir / FILE
        self.fingerprint = f"{_fingerprint()}|{settings}"
        self.written_ns = 0
        self.bodies = BodyStore(cache_dir, self.fingerprint)
        if read is not None:
            self.bodies.reread = lambda rel: read(rel).body
        self.entries: dict[str, Entry] = self._load()
        self.fresh: dict[str, Entry] = {}
        self.changed = False
        self.parsed = 0  # cards parsed in this run (the rest came from the cache)
        # Cards parsed again for the day of the run (a future verified_at), from a second
        # read of their file: their card may not be the one their kept hash describes.
        self.reread: set[str] = set()

    def _load(self) -> dict[str, Entry]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        header = len(_MAGIC) + 4
        if len(data) < header or data[: len(_MAGIC)] != _MAGIC:
            return {}
        body = memoryview(data)[header:]
        if zlib.crc32(body) != int.from_bytes(data[len(_MAGIC) : header], "big"):
            return {}
        try:
            stored = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return {}
        if (
            not isinstance(stored, tuple)
            or len(stored) != 3
            or stored[0] != self.fingerprint
            or not isinstance(stored[1], int)
            or not isinstance(stored[2], dict)
        ):
            return {}
        self.written_ns = stored[1]
        return stored[2]

    def cards(
        self,
        paths: Iterable[str],
        root: Path,
        load: Load,
        parse: Parse,
        today: date | None,
    ) -> list[Card]:
        """The card at each path, from the cache where the file is unchanged.

        ``load(rel)`` gives a file's bytes, or the stand-in card for a file that cannot
        be read (never kept); ``parse(rel, data, today)`` turns bytes into a card.
        """
        found: list[Card] = []
        base = os.path.join(os.fspath(root), "")  # + a relative path: os.path.join's answer

        def reread(rel: str) -> str:
            data = load(rel)
            return data.body if isinstance(data, Card) else parse(rel, data, None).body

        self.bodies.reread = reread
        racy_after = self.written_ns - int(RACY_SECONDS * 1e9)
        for rel in paths:
            found.append(self._card(rel, base, racy_after, load, parse, today))
        return found

    def card_from(
        self, rel: str, data: bytes, parse: Parse, today: date | None, digest: bytes | None = None
    ) -> Card:
        """The card whose file holds ``data`` (read already, e.g. to hash it): the kept
        card when the bytes are the same (by hash), else parsed and kept."""
        digest = digest or _digest(data)
        entry = self.entries.get(rel)
        self.changed = True
        if entry is not None and entry[1] == digest:
            card = self._decoded(rel, entry[2], digest)
            if card is not None:
                self.fresh[rel] = entry
                return self._today(card, lambda _rel: data, parse, today)
        self.parsed += 1
        card = parse(rel, data, None)
        # No stat at hand: (-1, ...) never matches a file's, so the next run compares bytes.
        self._keep(rel, (-1, -1, -1, -1), digest, card)
        return self._today(card, lambda _rel: data, parse, today)

    def _keep(self, rel: str, key: tuple[int, int, int, int], digest: bytes, card: Card) -> None:
        self.fresh[rel] = (key, digest, encode(card))
        self.bodies.put(rel, digest, card.body)

    def _decoded(self, rel: str, value: Any, digest: bytes) -> Card | None:
        """The card kept as ``value``; None when it cannot be (a damaged entry)."""
        try:
            return decode(rel, value, self.bodies, digest)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            return None

    def _card(
        self, rel: str, base: str, racy_after: int, load: Load, parse: Parse, today: date | None
    ) -> Card:
        try:
            st = os.stat(base + rel, follow_symlinks=False)
        except OSError:
            st = None
        # A link's target has its own stat; a name that is not UTF-8 is judged by load.
        if st is None or stat.S_ISLNK(st.st_mode) or "\\x" in rel:
            self.changed = True
            data = load(rel)
            return data if isinstance(data, Card) else parse(rel, data, today)
        entry = self.entries.get(rel)
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if entry is not None and entry[0] == key and max(key[1], key[2]) < racy_after:
            card = self._decoded(rel, entry[2], entry[1])
            if card is not None:
                self.fresh[rel] = entry
                return self._today(card, load, parse, today)
        self.changed = True
        data = load(rel)
        if isinstance(data, Card):
            return data
        digest = _digest(data)
        if entry is not None and entry[1] == digest:
            card = self._decoded(rel, entry[2], digest)
            if card is not None:
                self.fresh[rel] = (key, digest, entry[2])
                return self._today(card, lambda _rel: data, parse, today)
        self.parsed += 1
        card = parse(rel, data, None)
        self._keep(rel, key, digest, card)
        return self._today(card, lambda _rel: data, parse, today)

    def take_new(self) -> tuple[Any, ...]:
        """What this cache gained since the last call (cards kept, their bodies, the
        count parsed), forgotten here: a worker process hands it to ``add_new``."""
        new = (self.fresh, self.bodies.added, self.parsed, self.reread)
        self.fresh, self.bodies.added, self.parsed, self.reread = {}, {}, 0, set()
        return new

    def add_new(self, new: tuple[Any, ...]) -> None:
        """Keep what another process's cache gained (``take_new``), as if met here."""
        fresh, bodies, parsed, reread = new
        self.fresh.update(fresh)
        for index, added in bodies.items():
            self.bodies.added.setdefault(index, {}).update(added)
        self.parsed += parsed
        self.reread |= reread
        self.changed = self.changed or bool(fresh)

    def digests(self) -> dict[str, bytes]:
        """The hash of the bytes each card met in this run was read from (cards read
        twice, unreadable files and links have none)."""
        return {rel: entry[1] for rel, entry in self.fresh.items() if rel not in self.reread}

    def _today(self, card: Card, load: Load, parse: Parse, today: date | None) -> Card:
        """The card on ``today``: kept cards are parsed without a day, and a future
        ``verified_at`` (rare) needs the day of the run, so that card is parsed again."""
        verified = card.meta.verified_at
        if today is None or verified is None or verified.date() <= today:
            return card
        self.reread.add(card.path)
        data = load(card.path)
        return data if isinstance(data, Card) else parse(card.path, data, today)

    def save(self, *, keep_unseen: bool = False) -> None:
        """Keep the cards met in this run; cards not met are dropped (a run that read
        every card) or kept as they were (``keep_unseen``: a run that read only some)."""
        if not self.changed and len(self.fresh) == len(self.entries):
            return
        if not self.path.parent.is_dir():  # kb keeps nothing where it has no .kb/ yet
            return
        from kbcli.adapters.atomic_file import replace_cache

        kept = {**self.entries, **self.fresh} if keep_unseen else self.fresh
        written = time.time_ns()
        try:
            body = marshal.dumps((self.fingerprint, written, kept))
        except ValueError:  # a value marshal cannot store: keep nothing
            return
        checksum = zlib.crc32(body).to_bytes(4, "big")
        replace_cache(self.path, _MAGIC + checksum + body)
        self.bodies.save(kept)


def _digest(data: bytes) -> bytes:
    """The hash kept for a file's bytes (the search index's manifest keeps the same one)."""
    import hashlib

    return hashlib.blake2b(data, digest_size=12).digest()


# -- the card as marshal-able values --------------------------------------------------


def encode(card: Card) -> tuple[Any, ...]:
    """A card as plain values (the card parsed without ``today``), its body's links
    (``core.report.card_refs``) in place of its body (kept apart: ``card_bodies``)."""
    from kbcli.core.report import card_refs

    meta = card.meta
    every = meta.verify_every
    return (
        meta.title,
        meta.owner,
        meta.verifiers,
        meta.verified_at.isoformat() if meta.verified_at is not None else None,
        (every.count, every.unit) if every is not None else None,
        meta.tags,
        meta.status.value,
        meta.audience.value,
        meta.lang,
        meta.aliases,
        meta.depends_on,
        meta.template,
        dict(meta.extra),
        card_refs(card.body),
        tuple(
            (p.rule, p.severity.value, p.path, p.line, p.message, p.column, p.title)
            for p in card.problems
        ),
        dict(card.position.lines),
        dict(card.position.columns),
        card.position.end_line,
        card.body_line,
    )


# Enum members by value: a dict look-up, not the Enum call (100,000 cards per run).
_STATUS = {s.value: s for s in Status}
_AUDIENCE = {a.value: a for a in Audience}
_SEVERITY = {s.value: s for s in Severity}


def decode(rel: str, value: Sequence[Any], bodies: BodyStore, digest: bytes) -> KeptCard:
    """The card ``encode`` made ``value`` from, its body in ``bodies`` under ``digest``
    (raises on a value of another shape)."""
    (
        title,
        owner,
        verifiers,
        verified_at,
        every,
        tags,
        status,
        audience,
        lang,
        aliases,
        depends_on,
        template,
        extra,
        refs,
        problems,
        lines,
        columns,
        end_line,
        body_line,
    ) = value
    meta = CardMeta(
        title,
        owner,
        verifiers,
        datetime.fromisoformat(verified_at) if verified_at is not None else None,
        Duration(*every) if every is not None else None,
        tags,
        _STATUS[status],
        _AUDIENCE[audience],
        lang,
        aliases,
        depends_on,
        template,
        extra,
    )
    wikis, links = refs
    if not all(isinstance(x, str) for x in (*wikis, *links)):
        raise TypeError("links of another shape")
    return kept_card(
        rel,
        meta,
        tuple(
            Finding(rule, _SEVERITY[level], path, line, message, column, title)
            for rule, level, path, line, message, column, title in problems
        )
        if problems
        else (),
        Position(lines, columns, end_line),
        body_line,
        bodies,
        digest,
        (wikis, links),
    )
