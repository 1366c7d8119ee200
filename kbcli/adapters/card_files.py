"""Cards on disk: find the card files of a knowledge repo and read each into a ``Card``.

Reading never raises for a bad card: every problem becomes a positioned ``Finding``
on that card, so one broken file cannot hide the others.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.adapters.atomic_file import remove_if_leftover
from kbcli.config import ALWAYS_IGNORED, KbConfig
from kbcli.core import front_matter, rules
from kbcli.core.cards import Card, CardMeta, Position, Status, parse_meta, title_from
from kbcli.core.findings import Finding, on_card
from kbcli.core.naming import plain_names, raw_path, shown_path
from kbcli.core.quick_front import quick_front
from kbcli.core.settings import CardsSettings

if TYPE_CHECKING:
    import pathspec

    from kbcli.adapters.card_cache import CardCache
    from kbcli.core.report import Refs


class CardFiles:
    """The card files of one knowledge repo, as configured in kb.toml."""

    def __init__(self, config: KbConfig) -> None:
        self.config = config
        self.root = config.root
        self._ignore: pathspec.PathSpec | None = None
        # Card path -> (the card, hash of the bytes it was read from), by the last
        # ``load_all``: what the findings cache keys each card's findings by.
        self._digests: dict[str, tuple[Card, bytes]] = {}

    @property
    def ignore(self) -> pathspec.PathSpec:
        if self._ignore is None:
            import pathspec

            self._ignore = pathspec.GitIgnoreSpec.from_lines(self.config.cards.ignore)
        return self._ignore

    def paths(self) -> list[str]:
        """Repo-relative POSIX paths of every card, sorted, each once."""
        found: set[str] = set()
        for folder in self.config.cards.folders:
            base = (self.root / folder).resolve()
            if not base.is_dir() or not base.is_relative_to(self.root.resolve()):
                continue
            found.update(self._walk(base))
        return sorted(found)

    def _walk(self, base: Path) -> Iterator[str]:
        root = str(self.root.resolve())
        names = plain_names(self.config.cards.ignore)  # a set look-up, not gitignore's rules
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir
            folder_ignored = names is not None and not names.isdisjoint(rel_dir.split("/"))
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".") and not (rel_dir == "" and d in ALWAYS_IGNORED)
            )
            for name in filenames:
                if not name.endswith(".md") or name.startswith("."):
                    if name.endswith(".tmp"):  # a card write killed half way: gone next run
                        remove_if_leftover(os.path.join(dirpath, name))
                    continue
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if names is None:
                    ignored = self.ignore.match_file(rel)
                else:
                    ignored = folder_ignored or name in names
                if not ignored:
                    yield shown_path(rel)

    def is_card_path(self, rel: str) -> bool:
        """Whether a repo-relative path would be a card (used to resolve CARD arguments)."""
        parts, names = rel.split("/"), plain_names(self.config.cards.ignore)  # as ``_walk``
        ignored = not names.isdisjoint(parts) if names is not None else self.ignore.match_file(rel)
        if not rel.endswith(".md") or ignored:
            return False
        if parts[0] in ALWAYS_IGNORED or any(p.startswith(".") for p in parts):
            return False
        folders = self.config.cards.folders
        return any(f in (".", "") or rel.startswith(f.strip("/") + "/") for f in folders)

    def read(self, rel: str, today: date | None = None) -> Card:
        """Read one card; unreadable files become a card with a problem, never an exception."""
        data = self.load(rel)
        return data if isinstance(data, Card) else self.parse(rel, data, today)

    def load(self, rel: str) -> bytes | Card:
        """A card file's bytes, or the stand-in card for one that cannot be read."""
        if "\\x" in rel and undecodable_name(self.root, rel):
            return misnamed_card(rel)
        try:
            return read_card_bytes(self.root, rel)
        except OutsideRepo as error:
            return outside_card(rel, error)
        except OSError as error:
            meta = CardMeta(title=title_from("", rel))
            return Card(
                rel, meta, "", (on_card(rel, rules.NOT_UTF8, f"cannot read: {error.strerror}"),)
            )

    def parse(self, rel: str, data: bytes, today: date | None = None) -> Card:
        """A card from its file's bytes, with this repo's settings."""
        return card_from_bytes(rel, data, today, self.config.cards.max_front_matter)

    def cache(self) -> CardCache:
        """The per-card cache (``card_cache``) for this repo's settings."""
        from kbcli.adapters.card_cache import CardCache

        limit = str(self.config.cards.max_front_matter)
        return CardCache(self.config.cache_dir, limit, lambda rel: self.read(rel))

    def parse_fingerprint(self) -> str:
        """What a card parsed from bytes depends on besides them (the card cache's key)."""
        from kbcli.adapters import card_cache

        return f"{card_cache._fingerprint()}|{self.config.cards.max_front_matter}"

    def load_all(self, today: date | None = None, paths: Iterable[str] | None = None) -> list[Card]:
        """Every card (or those at ``paths``), parsing only files changed since the last
        run (``card_cache``); the cache is brought up to date."""
        cache = self.cache()
        found = cache.cards(
            self.paths() if paths is None else paths, self.root, self.load, self.parse, today
        )
        cache.save()
        self.remember(found, cache.digests())
        return found

    def refs(self, card: Card) -> Refs:
        """What ``card``'s body links to (``core.report.card_refs``): kept with a card
        from the cache, so its body is not loaded."""
        from kbcli.adapters.card_bodies import KeptCard

        kept: Refs | None = card.__dict__.get("refs") if isinstance(card, KeptCard) else None
        if kept is not None:
            return kept
        from kbcli.core.report import card_refs

        return card_refs(card.body)

    def remember(self, cards: Iterable[Card], digests: Mapping[str, bytes]) -> None:
        """Keep the hash of the bytes each of ``cards`` was read from, for ``digest``."""
        self._digests = {c.path: (c, digests[c.path]) for c in cards if c.path in digests}

    def digest(self, card: Card) -> bytes | None:
        """The hash of the bytes ``card`` was read from by the last ``load_all``; None
        for a card that call did not return (read since, or never), or could not hash."""
        kept = self._digests.get(card.path)
        return kept[1] if kept is not None and kept[0] is card else None


MAX_FRONT_MATTER: int = CardsSettings().max_front_matter  # kb.toml [cards] max_front_matter


class OutsideRepo(OSError):
    """A card path that resolves outside the knowledge repo (a symlink, ``..``): never read."""


# O_NOFOLLOW makes the common case (a plain file) cost nothing more than the open itself;
# only a path whose last part is a symlink pays for resolving it. Directory symlinks
# never reach here: both card walks skip them, and CARD arguments are resolved first.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_card_bytes(root: str | os.PathLike[str], rel: str) -> bytes:
    """The bytes of the card at ``rel``; ``OutsideRepo`` when it leads out of ``root``.

    Every reader of card files goes through here (card reader, search index, handbook,
    ``kb show --raw``), so a card symlinked to ``/etc/passwd`` is never read, indexed or
    published, whichever command meets it first.
    """
    path = os.path.join(root, rel)
    if ".." in rel.replace("\\", "/").split("/") or not _NOFOLLOW:
        _check_inside(root, rel, path)
        fd = os.open(path, os.O_RDONLY)
    else:
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            _check_inside(root, rel, path)
            fd = os.open(path, os.O_RDONLY)
    try:  # os.read, not a file object: making one per card was a tenth of the reading
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data
        chunks = [data]  # grew since the fstat: read to the end
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _check_inside(root: str | os.PathLike[str], rel: str, path: str) -> None:
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    if os.path.commonpath([real, top]) != top:
        raise OutsideRepo(errno.EACCES, "it leads outside the knowledge repo", rel)


def outside_card(rel: str, error: OutsideRepo | None = None) -> Card:
    """The stand-in for a card that points outside the repo: a draft with one finding."""
    meta = CardMeta(title=title_from("", rel), status=Status.DRAFT)
    message = (
        "this card is a link to a file outside the knowledge repo, so kb never reads it; "
        "replace the link with the file itself or delete it"
    )
    return Card(rel, meta, "", (on_card(rel, rules.OUTSIDE_REPO, message),))


def undecodable_name(root: str | os.PathLike[str], rel: str) -> bool:
    """Whether ``rel`` is the shown form (``shown_path``) of a file name that is not UTF-8."""
    raw = raw_path(rel)
    return raw != rel and os.path.lexists(os.path.join(root, raw))


def misnamed_card(rel: str) -> Card:
    """The stand-in for a card whose file name is not UTF-8: a draft with one finding.
    kb does not read it: its name cannot appear in a link, a URL, the index or JSON."""
    meta = CardMeta(title=title_from("", rel), status=Status.DRAFT)
    message = (
        f"the file name is not valid UTF-8 (shown as {rel}), so kb does not read this card; "
        "rename it (git mv) to a UTF-8 name"
    )
    return Card(rel, meta, "", (on_card(rel, rules.NOT_UTF8, message),))


def card_from_bytes(
    rel: str, data: bytes, today: date | None = None, max_front: int = MAX_FRONT_MATTER
) -> Card:
    """Parse a card file's bytes. Pure apart from the YAML library.

    Never raises: hostile input that still trips a reader becomes a ``card-unreadable``
    problem on this card (fail closed: no owner, never verified), so one card can never
    take a whole repository down.
    """
    try:
        return _card_from_bytes(rel, data, today, max_front)
    except Exception as error:
        return unreadable_card(rel, error)


def unreadable_card(rel: str, error: BaseException, line: int = 1) -> Card:
    """The stand-in for a card kb could not read: a title from its name and one problem."""
    meta = CardMeta(title=title_from("", rel), status=Status.DRAFT)
    message = (
        f"kb could not read this card ({type(error).__name__}: {str(error)[:200]}); "
        "simplify the front matter to plain 'key: value' lines"
    )
    return Card(rel, meta, "", (on_card(rel, rules.CARD_UNREADABLE, message, line),))


def _card_from_bytes(rel: str, data: bytes, today: date | None, max_front: int) -> Card:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        meta = CardMeta(title=title_from("", rel))
        problem = on_card(
            rel, rules.NOT_UTF8, "the file is not UTF-8 text; re-save it as UTF-8", line
        )
        return Card(rel, meta, "", (problem,))
    split = split_front_matter(text)
    text = text.removeprefix(front_matter.BOM)
    if split is None:
        meta, problems = parse_meta({}, Position(), path=rel, body=text, today=today)
        return Card(rel, meta, text, tuple(problems))
    front, body, body_line = split
    if body_line == 0:
        meta = CardMeta(title=title_from(text, rel))
        problem = on_card(
            rel,
            rules.UNCLOSED_FRONT_MATTER,
            "the front matter is never closed; add a line '---' after the last key",
            1,
        )
        return Card(rel, meta, text, (problem,))
    if len(front) > max_front:
        return _oversized(rel, len(front), max_front)
    keys = front_matter.key_lines(front, 2)
    position = _position(keys, end_line=body_line - 1)
    # Most cards are plain `key: value` lines: read those without building YAML objects
    # (half the cost of loading a card); anything else gets the full YAML parser.
    quick = quick_front(front)
    raw, problems = (quick, []) if quick is not None else _load_yaml(front, rel, max_front)
    meta, found = parse_meta(raw or {}, position, path=rel, body=body, today=today)
    if raw is None:  # fail closed: a header kb cannot read never publishes its card
        meta = meta._replace(status=Status.DRAFT)
    problems += found
    problems += _duplicate_keys(keys, rel)
    return Card(rel, meta, body, tuple(problems), position, body_line)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """``(front matter, body, first body line)``; None when the file has no front matter.

    A first body line of 0 means the front matter was opened but never closed. The
    grammar is ``core.front_matter``, shared with the history pass and the editor.
    """
    return front_matter.split(text)


def _position(keys: list[tuple[str, int, int]], end_line: int) -> Position:
    """Line and value column of each top-level key, for ``file:line:column`` messages."""
    lines: dict[str, int] = {}
    columns: dict[str, int] = {}
    for key, line, column in keys:
        if key not in lines:
            lines[key] = line
            columns[key] = column
    return Position(lines, columns, end_line)


def _oversized(rel: str, size: int, limit: int) -> Card:
    """Fail closed: a header too long to read is an unowned, unverified draft."""
    meta = CardMeta(title=title_from("", rel), status=Status.DRAFT)
    message = (
        f"the front matter is {size:,} characters, over the limit of {limit:,} "
        "([cards] max_front_matter in kb.toml), so kb does not read it; move long text "
        "into the card body"
    )
    return Card(rel, meta, "", (on_card(rel, rules.CARD_UNREADABLE, message, 1),))


def _load_yaml(front: str, rel: str, max_front: int) -> tuple[dict[str, Any] | None, list[Finding]]:
    from dataclasses import replace

    from kbcli.adapters.yaml_text import CARD_LIMITS, load_yaml

    limits = (
        CARD_LIMITS
        if max_front == CARD_LIMITS.max_bytes
        else replace(CARD_LIMITS, max_bytes=max_front)
    )
    raw, problem = load_yaml(front, limits)
    if problem is not None:
        lines = front.split("\n")
        bad = lines[problem.line] if problem.line < len(lines) else ""
        if "\t" in bad[: len(bad) - len(bad.lstrip())] or "'\\t'" in problem.message:
            message = (
                "YAML syntax error: this line indents with a tab, and YAML allows only "
                "spaces; replace the tab with spaces"
            )
        else:
            message = (
                f"YAML syntax error: {problem.message}{problem.opened(2)}; fix the front "
                "matter (quote values with ': ')"
            )
        return None, [
            on_card(rel, rules.YAML_SYNTAX, message, problem.line + 2, problem.column + 1)
        ]
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return None, [
            on_card(
                rel,
                rules.FRONT_MATTER_NOT_MAPPING,
                "the front matter must be 'key: value' lines",
                2,
            )
        ]
    return {str(k): v for k, v in raw.items()}, []


def _duplicate_keys(keys: list[tuple[str, int, int]], rel: str) -> list[Finding]:
    seen: dict[str, int] = {}
    problems = []
    for key, line, _column in keys:
        if key in seen:
            problems.append(
                on_card(
                    rel,
                    rules.INVALID_FIELD,
                    f"'{key}' is set twice (lines {seen[key]} and {line}); "
                    "YAML keeps only the last, so delete one",
                    line,
                )
            )
        else:
            seen[key] = line
    return problems
