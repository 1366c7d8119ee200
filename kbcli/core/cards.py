"""The card model: front matter turned into typed metadata, with every problem kept.

``parse_meta`` never raises on bad data. It records a ``Finding`` and falls back to a
value that cannot make a card look more trustworthy than it is (fail closed): an
unreadable ``verified_at`` counts as never verified.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from kbcli.core import rules
from kbcli.core.durations import Duration, parse_duration
from kbcli.core.findings import Finding, on_card
from kbcli.core.patterns import lazy


class Status(StrEnum):
    DRAFT = "draft"
    REQUESTED = "requested"  # a knowledge request: a question waiting for its owner's answer
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Audience(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"


KNOWN_KEYS = (
    "title",
    "owner",
    "verifiers",
    "verified_at",
    "verify_every",
    "tags",
    "status",
    "audience",
    "lang",
    "aliases",
    "depends_on",
    "template",
)


class Position(NamedTuple):
    """Where each top-level front-matter key sits in the file (1-based)."""

    lines: Mapping[str, int] = {}  # read-only, like every field: shared by default
    columns: Mapping[str, int] = {}
    end_line: int = 1

    def of(self, key: str) -> tuple[int, int]:
        return self.lines.get(key, 1), self.columns.get(key, 1)


class CardMeta(NamedTuple):
    """Typed front matter. ``extra`` keeps unknown keys for search and templates."""

    title: str
    owner: str | None = None
    verifiers: tuple[str, ...] = ()
    verified_at: datetime | None = None
    verify_every: Duration | None = None
    tags: tuple[str, ...] = ()
    status: Status = Status.PUBLISHED
    audience: Audience = Audience.INTERNAL
    lang: str | None = None
    aliases: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    template: str | None = None
    extra: Mapping[str, Any] = {}  # read-only: shared by default

    @property
    def verified_on(self) -> date | None:
        """The UTC calendar day of the last verification."""
        return self.verified_at.date() if self.verified_at else None

    @property
    def shown_title(self) -> str:
        """The title as every surface shows it (``plain_line.display_title``); ``title``,
        as written, is what finds the card."""
        from kbcli.core.plain_line import display_title

        return display_title(self.title)

    @property
    def effective_verifiers(self) -> tuple[str, ...]:
        """Verifiers default to the owner."""
        if self.verifiers:
            return self.verifiers
        return (self.owner,) if self.owner else ()


class Card:
    """One card file: its repo-relative POSIX path, metadata, body and reading problems.

    A value (equal and hashed by its fields; never changed once made), written out rather
    than a dataclass: every command imports it, and ``card_bodies.KeptCard`` loads its body
    on first use (a tuple could not)."""

    def __init__(
        self,
        path: str,
        meta: CardMeta,
        body: str,
        problems: tuple[Finding, ...] = (),  # what reading the file found
        position: Position = Position(),
        body_line: int = 1,
    ) -> None:
        self.path = path
        self.meta = meta
        self.body = body
        self.problems = problems
        self.position = position
        self.body_line = body_line

    def _fields(self) -> tuple[Any, ...]:
        return (self.path, self.meta, self.body, self.problems, self.position, self.body_line)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        names = ("path", "meta", "body", "problems", "position", "body_line")
        pairs = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True))
        return f"Card({pairs})"

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def stem(self) -> str:
        return self.path.rpartition("/")[2].removesuffix(".md")


_HEADING = lazy(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def title_from(body: str, path: str) -> str:
    """The first level-1 heading, else a title made from the file name.

    Only the first letter is raised: a wiki page or vault note is named by its title
    (``History of 18F.md``, ``API-Keys.md``), and lowering the rest read "18f", "Api"."""
    match = _HEADING.search(body)
    if match:
        return match.group(1).strip()
    stem = path.rpartition("/")[2].removesuffix(".md")
    words = stem.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] or stem


def parse_meta(
    raw: Mapping[str, Any], position: Position, *, path: str, body: str, today: date | None = None
) -> tuple[CardMeta, list[Finding]]:
    """Turn a front-matter mapping into ``CardMeta`` plus the problems found on the way."""
    parser = _MetaParser(raw, position, path)
    title = parser.text("title") or title_from(body, path)
    meta = CardMeta(
        title=title,
        owner=parser.text("owner"),
        verifiers=parser.text_list("verifiers"),
        verified_at=parser.timestamp("verified_at", today),
        verify_every=parser.duration("verify_every"),
        tags=parser.text_list("tags"),
        status=parser.choice("status", Status, Status.PUBLISHED, Status.DRAFT),
        audience=parser.choice("audience", Audience, Audience.INTERNAL),
        lang=parser.text("lang"),
        aliases=parser.text_list("aliases"),
        depends_on=parser.text_list("depends_on"),
        template=parser.text("template"),
        extra={k: _plain(v) for k, v in raw.items() if k not in KNOWN_KEYS},
    )
    return meta, parser.problems


class _MetaParser:
    """Reads one key at a time, recording a positioned problem for each bad value."""

    def __init__(self, raw: Mapping[str, Any], position: Position, path: str) -> None:
        self.raw = raw
        self.position = position
        self.path = path
        self.problems: list[Finding] = []

    def _problem(self, rule: str, key: str, message: str) -> None:
        line, column = self.position.of(key)
        self.problems.append(on_card(self.path, rule, message, line, column))

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, (bool, list, dict)):
            self._problem(
                rules.INVALID_FIELD, key, f"'{key}' must be a single text value, not {_kind(value)}"
            )
            return None
        text = str(value).strip()
        return text or None

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            self._problem(
                rules.INVALID_FIELD,
                key,
                f"'{key}' must be a list of text values such as [a, b], not {_kind(value)}",
            )
            return ()
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())

    def choice(self, key: str, enum: type[StrEnum], default: Any, invalid: Any = None) -> Any:
        """The key's value in ``enum``; ``default`` when absent, ``invalid`` (fail closed:
        a status kb does not know is not "published") when present but unknown."""
        value = self.raw.get(key)
        if value is None:
            return default
        try:
            return enum(str(value).strip().lower())
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            rule = rules.UNKNOWN_STATUS if key == "status" else rules.UNKNOWN_AUDIENCE
            self._problem(rule, key, f"'{key}: {value}' is not one of {allowed}; use one of those")
            return default if invalid is None else invalid

    def duration(self, key: str) -> Duration | None:
        value = self.raw.get(key)
        if value is None:
            return None
        try:
            return parse_duration(value)
        except ValueError as error:
            self._problem(rules.INVALID_DURATION, key, f"'{key}': {error}")
            return None

    def timestamp(self, key: str, today: date | None) -> datetime | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        parsed = to_utc(value)
        if parsed is None:
            self._problem(
                rules.INVALID_DATE,
                key,
                f"'{key}: {value}' is not a date between 1900 and 2999; write an ISO date "
                "such as 2026-01-31 (the card counts as never verified until then)",
            )
            return None
        if today is not None and parsed.date() > today:
            self._problem(
                rules.FUTURE_DATE,
                key,
                f"'{key}: {value}' is in the future; set it to the day the card was checked "
                "(the card counts as never verified until then)",
            )
            return None
        return parsed


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
"""Dates kb accepts: beyond them date arithmetic (time zones, cadences) overflows, and no
real verification happened there, so such a date is unreadable (fail closed)."""


def to_utc(value: object) -> datetime | None:
    """A date, datetime or ISO string as an aware UTC datetime; None when unreadable.

    Naive datetimes are taken as UTC, so that two machines in different time zones
    agree on whether a card has expired. Dates outside ``EARLIEST``..``LATEST`` are
    unreadable too: ``0001-01-01T00:00:00+14:00`` overflowed the conversion to UTC.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if not EARLIEST.year <= moment.year <= LATEST.year:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _plain(value: Any) -> Any:
    """JSON-friendly copy of an unknown key's value (dates become ISO strings)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


NAMED_CLAIMANTS = 5  # cards named in one duplicate-alias message


def duplicate_aliases(cards: list[Card]) -> dict[str, list[Finding]]:
    """Aliases (and paths) claimed by more than one card, as problems per card path.

    An alias must name one card: ``kb show OLD-ID`` and redirects from old paths
    would otherwise pick one at random.
    """
    claims: dict[str, list[str]] = {}
    for card in cards:
        for alias in dict.fromkeys(card.meta.aliases):
            claims.setdefault(alias, []).append(card.path)
    paths = {card.path for card in cards} | {card.path.removesuffix(".md") for card in cards}
    found: dict[str, list[Finding]] = {}
    by_path = {card.path: card for card in cards}
    for alias, claimants in claims.items():
        named = sorted(claimants)
        for owner in claimants:
            also = alias if alias.endswith(".md") else alias + ".md"
            clash = alias in paths and alias not in (owner, owner.removesuffix(".md"))
            count = len(named) - 1 + clash
            if not count:
                continue
            # At most NAMED_CLAIMANTS names per message: a crowd of N cards on one alias
            # would otherwise write N names N times.
            others = [p for p in named[: NAMED_CLAIMANTS + 1] if p != owner][:NAMED_CLAIMANTS]
            if clash:
                others = sorted([*others, also])[:NAMED_CLAIMANTS]
            more = f" and {count - len(others):,} more" if count > len(others) else ""
            line, column = by_path[owner].position.of("aliases")
            found.setdefault(owner, []).append(
                on_card(
                    owner,
                    rules.DUPLICATE_ALIAS,
                    f"alias '{alias}' is also claimed by {', '.join(others)}{more}; "
                    "keep it on one card only",
                    line,
                    column,
                )
            )
    return found
