"""Card histories from git: who created, edited, verified and moved each card, and when.

Pure data. The git adapter (``kbcli/adapters/history_pass.py``) walks the history once
and records, per card, one ``Change`` for every commit that touched the file; this
module answers questions about those changes (last content edit, last verification,
owner changes, renames) and splits front matter into raw ``key -> text`` fields
without a YAML parser, so that a pass over tens of thousands of file versions stays
cheap.

Times are author dates in UTC. ``Commit.seq`` is the position of the commit in the
walk (oldest first), the order ``git log --reverse`` lists commits in: "after" and
"before" between commits always mean walk order, never clock time, because clocks
on laptops lie and rebases keep old author dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property

from kbcli.core import front_matter

# Front-matter keys whose values the history keeps (the others are only compared).
TRACKED = ("verified_at", "owner", "verifiers", "status", "verify_every", "depends_on")
# Keys that change who answers for a card or when it was checked, not what it says.
# ``flags`` (kb flag) are notes about a card, not edits of what it says.
NON_CONTENT = frozenset({"verified_at", "flags"})
BOOKKEEPING = frozenset({"verified_at", "owner", "verifiers", "flags"})


# The trailer of a baseline commit (``kb adopt --baseline``), kept in ``RepoHistory.baselines``.
BASELINE_KEY, BASELINE_VALUE = "Kb-Adopt", "baseline"
# The trailer of a commit ``kb import`` made: its cards came verified from another tool.
IMPORT_KEY = "Kb-Import"


@dataclass(frozen=True, slots=True)
class Commit:
    """One git commit as kb needs it: who wrote it and when (author date, UTC)."""

    sha: str
    author_name: str
    author_email: str
    when: datetime
    seq: int = 0
    committer_name: str = ""
    committer_email: str = ""
    # The commit also changed people.yaml or .mailmap (who counts as whom).
    touches_roster: bool = False

    @property
    def short(self) -> str:
        return self.sha[:10]

    @property
    def day(self) -> date:
        return self.when.date()


@dataclass(frozen=True, slots=True)
class Change:
    """What one commit did to one card.

    ``keys`` are the front-matter keys whose raw text changed (added and removed
    keys included); ``values`` holds the new raw text of the changed keys listed in
    ``TRACKED`` (None when the key was removed).
    """

    commit: Commit
    path: str
    old_path: str | None = None
    created: bool = False
    deleted: bool = False
    body_changed: bool = False
    keys: tuple[str, ...] = ()
    values: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def renamed(self) -> bool:
        return self.old_path is not None and self.old_path != self.path

    @property
    def is_content_edit(self) -> bool:
        """Created, or changed the body or any key other than ``verified_at``."""
        if self.deleted:
            return False
        return self.created or self.body_changed or any(k not in NON_CONTENT for k in self.keys)

    @property
    def is_substantive(self) -> bool:
        """Changed what readers read: the body or a key other than verification/ownership."""
        if self.deleted:
            return False
        return self.created or self.body_changed or any(k not in BOOKKEEPING for k in self.keys)

    @property
    def is_verification(self) -> bool:
        """Set ``verified_at`` to a value (on creation too, when the card came verified)."""
        return bool(self.values.get("verified_at")) and not self.deleted

    @property
    def is_stamp_only(self) -> bool:
        """A verification that touched nothing else: the body and other keys are unchanged."""
        return self.is_verification and not self.created and not self.is_content_edit

    @property
    def verified_value(self) -> datetime | None:
        raw = self.values.get("verified_at")
        # Imported here: the history pass (which imports this module) never reads dates.
        from kbcli.core.cards import to_utc

        return to_utc(scalar(raw)) if raw else None

    @property
    def owner_changed(self) -> bool:
        return "owner" in self.values and not self.created and not self.deleted


@dataclass(frozen=True)
class CardHistory:
    """Every change git recorded for one card, oldest first, across renames.

    Stable interface for reports and the handbook: ``created``, ``last_change``,
    ``last_edit``, ``last_verification``, ``verifications``, ``owner_changes``,
    ``renames``, ``edits_after(change)`` and ``value_at(key, change)``.
    """

    path: str
    changes: tuple[Change, ...]

    @property
    def created(self) -> Change | None:
        """The commit that added the card (None when it predates a shallow boundary)."""
        first = self.changes[0] if self.changes else None
        return first if first is not None and first.created else None

    @property
    def last_change(self) -> Change | None:
        """The last commit that touched the file at all (what ``git log -1 --follow`` shows)."""
        return self.changes[-1] if self.changes else None

    @property
    def last_edit(self) -> Change | None:
        """The last edit of what readers read: the body or a key other than verification,
        ownership and flags (a ``kb reassign`` is not an edit: ``kb history`` showed the
        lead who reassigned a card as its last editor)."""
        return next((c for c in reversed(self.changes) if c.is_substantive), None)

    @property
    def verifications(self) -> list[Change]:
        return [c for c in self.changes if c.is_verification]

    @property
    def last_verification(self) -> Change | None:
        return next((c for c in reversed(self.changes) if c.is_verification), None)

    @property
    def owner_changes(self) -> list[Change]:
        return [c for c in self.changes if c.owner_changed]

    @property
    def renames(self) -> list[Change]:
        return [c for c in self.changes if c.renamed]

    @property
    def deleted(self) -> bool:
        return bool(self.changes) and self.changes[-1].deleted

    def edits_after(self, change: Change | None) -> list[Change]:
        """Substantive edits committed after ``change`` in walk order (all when None)."""
        seq = change.commit.seq if change else -1
        return [c for c in self.changes if c.commit.seq > seq and c.is_substantive]

    def edits_before(self, change: Change) -> list[Change]:
        """Substantive edits committed strictly before ``change``."""
        return [c for c in self.changes if c.commit.seq < change.commit.seq and c.is_substantive]

    def value_at(self, key: str, change: Change | None = None) -> str | None:
        """The raw value of a tracked key right after ``change`` (the latest when None)."""
        limit = change.commit.seq if change else None
        value: str | None = None
        for item in self.changes:
            if limit is not None and item.commit.seq > limit:
                break
            if key in item.values:
                value = item.values[key]
        return value


@dataclass(frozen=True)
class RepoHistory:
    """The result of one history pass over a repository.

    ``cards`` maps each card path (relative to the knowledge repo root) that exists
    at the tip to its history; ``deleted`` keeps the histories of cards that were
    removed (for the trust trend). ``touched`` maps every file path of the repo
    (relative to the git top level) to the last commit that changed it, and
    ``authors`` maps each author e-mail (lower case) to their last commit. ``prefix``
    is the knowledge repo's folder inside the git repo ("" at the top level).
    """

    tip: str | None
    cards: Mapping[str, CardHistory]
    deleted: Sequence[CardHistory] = ()
    touched: Mapping[str, Commit] = field(default_factory=dict)
    authors: Mapping[str, Commit] = field(default_factory=dict)
    prefix: str = ""
    commit_count: int = 0
    first_commit: Commit | None = None
    shallow: bool = False
    # Commits with the ``Kb-Adopt: baseline`` trailer: a team's declared starting point
    # when it adopted kb, not a bulk re-stamp (kb adopt --baseline; set by the use case).
    baselines: frozenset[str] = frozenset()
    # In a shallow clone, the commits whose parents it does not have: every card they
    # seem to add may be older, so who stamped it is unknown (set by the use case).
    cut_at: frozenset[str] = frozenset()

    def get(self, path: str) -> CardHistory | None:
        return self.cards.get(path)

    def changed_since(self, patterns: Iterable[str], after_seq: int) -> list[tuple[str, Commit]]:
        """Files matching the ``depends_on`` globs (relative to the knowledge repo root)
        changed by a commit after ``after_seq`` in walk order, newest first."""
        regexes = [glob_regex(repo_glob(self.prefix, p)) for p in patterns]
        hits = []
        for path, commit in self._newest_first:
            if commit.seq <= after_seq:
                break
            if any(r.match(path) for r in regexes):
                hits.append((path, commit))
        return hits

    @cached_property
    def _newest_first(self) -> list[tuple[str, Commit]]:
        return sorted(self.touched.items(), key=lambda hit: (-hit[1].seq, hit[0]))


# -- front matter as raw fields ------------------------------------------------------------

_KEY_LINE = front_matter.KEY_LINE


def split_fields(text: str) -> tuple[dict[str, str], str]:
    """``({key: raw value text}, body)`` of a card file; ``({}, text)`` without front matter.

    Only top-level keys are split out; a value's continuation lines (block lists,
    nested mappings, folded text) stay in its raw text. This is enough to tell which
    keys a commit changed without parsing YAML. The split is ``core.front_matter``'s,
    the same the card reader uses (a byte order mark included).
    """
    span = front_matter.locate(text)
    if span is None or not span.closed:
        return {}, text  # never closed: treat it all as body
    return front_fields(text[span.fence : span.close_end]), text[span.body :]


KeyLine = tuple[str, str, str] | None  # (key, raw rest of the line, stripped rest)
_UNSEEN: KeyLine = ("", "", "")


def front_fields(front: str, memo: dict[str, KeyLine] | None = None) -> dict[str, str]:
    """The fields of a closed front-matter block (opening line to closing line, both
    included), the same ``split_fields`` gives.

    ``memo`` remembers, per line, whether it starts a key: across the versions of a
    history most lines repeat (``owner: ana``, a title), so a pass that splits hundreds
    of thousands of versions runs the key-line regex once per distinct line.
    """
    first, last = front.find("\n"), front.rfind("\n")
    if not 0 <= first < last:
        return {}
    if memo is None:
        memo = {}
    fields: dict[str, str] = {}
    current: KeyLine = None
    continued: list[str] | None = None  # the current value's lines, once it has several
    for line in front[first + 1 : last].split("\n"):
        hit = memo.get(line, _UNSEEN)
        if hit is _UNSEEN:
            match = _KEY_LINE.match(line)
            if match:
                rest = line[match.end() :]
                hit = (front_matter.key_of(match), rest, rest.strip())
            else:
                hit = None
            memo[line] = hit
        if hit is not None:
            if continued is not None and current is not None:
                fields[current[0]] = "\n".join(continued).strip()
                continued = None
            current = hit
            fields[hit[0]] = hit[2]
        elif current is not None:
            if continued is None:
                continued = [current[1]]
            continued.append(line)
    if continued is not None and current is not None:
        fields[current[0]] = "\n".join(continued).strip()
    return fields


def scalar(raw: str | None) -> str | None:
    """A raw YAML scalar as text: quotes and a trailing ``# comment`` removed."""
    if raw is None:
        return None
    text = raw.strip()
    if text[:1] in ("'", '"'):
        quote = text[0]
        end = text.find(quote, 1)
        return text[1:end] if end > 0 else text[1:]
    return front_matter.strip_comment(text) or None


def text_list(raw: str | None) -> tuple[str, ...]:
    """A raw YAML list (``[a, b]``, a block list, or one value) as a tuple of text."""
    if raw is None:
        return ()
    text = raw.strip()
    if text.startswith("["):
        inner = text[1 : text.rfind("]")] if "]" in text else text[1:]
        items = [scalar(part) for part in inner.split(",")]
    elif text.startswith("-") or "\n" in text:
        items = [scalar(line.strip()[1:]) for line in text.split("\n") if line.strip()[:1] == "-"]
    else:
        items = [scalar(text)]
    return tuple(item for item in items if item)


def repo_glob(prefix: str, pattern: str) -> str:
    """A ``depends_on`` glob (relative to the knowledge repo root) as a git-root glob."""
    parts: list[str] = [p for p in prefix.strip("/").split("/") if p]
    for part in pattern.strip().lstrip("/").split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Gitignore-style glob: ``*`` within a folder, ``**`` across folders, ``?``, ``[...]``.

    A pattern naming a folder also matches everything below it.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                out.append("[" + pattern[index + 1 : end].replace("!", "^", 1) + "]")
                index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + "(?:/.*)?$")


def utc_from_timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
