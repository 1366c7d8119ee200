"""Provenance: can a card's current verification be believed? One function per rule.

Each rule reads one ``Stamp``: the card, the commit that set its current
``verified_at`` and the history around it, and returns a finding or None. Rules are
pure; what they need from outside (the roster, the bulk runs of the whole history,
signature checks) comes in with the stamp.

Who is who: git identities map to roster handles by e-mail only (names are free text:
``git config user.name ana`` must not make anyone ana). git applies the repository's
``.mailmap`` before kb sees an identity, so a team that uses one maps old addresses
there; a stamp in a commit that also changes ``people.yaml`` or ``.mailmap`` is
doubted (``roster-changed-with-stamp``), as is one whose commit adds its own author
to the card's owner or verifiers (``self-granted-verifier``).

Who counts as allowed to verify a card: its owner and its verifiers (a team handle
stands for every member of the team), as the card says now or said in the commit
that set ``verified_at``. A card added with a ``verified_at`` earlier than the commit
that added it, in a commit ``kb import`` made (trailer ``Kb-Import:``), was imported
from another tool: its verification is judged by its date, not by who committed the
import. Any other commit that adds a card already verified is judged as a stamp by its
author (fail closed: anyone can write a new file claiming an owner and an old date).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from kbcli.core.cards import Card, CardMeta
from kbcli.core.findings import Finding
from kbcli.core.history import CardHistory, Change, Commit, RepoHistory
from kbcli.core.people import Roster
from kbcli.core.rules import (
    BACKDATED,
    BULK,
    COMMITTER_NOT_VERIFIER,
    DEPENDENCY_CHANGED,
    EDITED_SINCE_VERIFIED,
    FUTURE_VERIFICATION,
    ROSTER_CHANGED,
    RULES,
    SELF_GRANTED,
    SIGNATURE_NOT_VERIFIER,
    UNSIGNED,
    VERIFIED_BY_NON_VERIFIER,
)
from kbcli.core.stamps import BulkRun, allowed_handles, meta_at, meta_before

# A commit made in the latest time zone on earth (UTC+14) may carry the next UTC day.
_ZONE_SLACK = timedelta(hours=14)


@dataclass(frozen=True)
class Signature:
    """What git said about one commit: signed at all, verified against the roster's keys,
    and whose key that is (a handle) when it verified."""

    signed: bool
    good: bool = False
    signer: str | None = None


class People:
    """Roster look-ups repeated for every card (identities, allowed handles), done once each."""

    def __init__(self, roster: Roster, ci_identities: Sequence[str] = ()) -> None:
        self.roster = roster
        self.ci = frozenset(e.strip().lower() for e in ci_identities)
        self.ids: dict[str, str | None] = {}
        self.allowed_sets: dict[tuple[str | None, tuple[str, ...]], set[str]] = {}

    def handle(self, email: str) -> str | None:
        """The roster handle of an e-mail address (never of a name)."""
        key = email.strip().lower()
        if key not in self.ids:
            self.ids[key] = self.roster.handle_for(None, key)
        return self.ids[key]

    def identity(self, commit: Commit) -> str | None:
        return self.handle(commit.author_email)

    def describe(self, commit: Commit, *, committer: bool = False) -> str:
        name, email = (
            (commit.committer_name, commit.committer_email)
            if committer
            else (commit.author_name, commit.author_email)
        )
        handle = self.handle(email)
        if handle:
            return f"{self.roster.display(handle)} ({handle})"
        return f"{name} <{email}> (not in people.yaml)"

    def allowed(self, meta: CardMeta) -> set[str]:
        key = (meta.owner, meta.verifiers)
        if key not in self.allowed_sets:
            self.allowed_sets[key] = allowed_handles(meta, self.roster)
        return self.allowed_sets[key]


@dataclass
class Stamp:
    """The commit that set a card's current ``verified_at``, with what the rules read."""

    card: Card
    history: CardHistory
    repo: RepoHistory
    change: Change
    people: People
    check_people: bool
    bulk: Mapping[tuple[int, str], BulkRun] = field(default_factory=dict)
    signatures: Mapping[str, Signature] | None = None
    # Commits ``kb import`` made (trailer ``Kb-Import:``), among those that added a card
    # already verified (``added_verified``): only their cards count as imported.
    imports: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Read by most rules: worked out once per card (100,000 cards on a big repo).
        self.meta: CardMeta = self.card.meta
        self.commit: Commit = self.change.commit
        # Added already verified with an older date by kb import: judged by its date, not
        # its importer. Added so by any other commit: a stamp by that commit's author.
        self.added_verified: bool = added_verified(self.change, self.meta)
        self.imported: bool = self.added_verified and self.commit.sha in self.imports
        # Set by ``kb adopt --baseline`` (trailer "Kb-Adopt: baseline"): the team's declared
        # starting point, made by whoever ran the adoption, not a verification by one person.
        self.adoption_baseline: bool = self.commit.sha in self.repo.baselines
        self.judge_people: bool = (
            self.check_people and not self.imported and not self.adoption_baseline
        )
        self._allowed_then: set[str] | None = None

    @property
    def value(self) -> str:
        assert self.meta.verified_at is not None
        return self.meta.verified_at.date().isoformat()

    def is_allowed(self, handle: str | None) -> bool:
        """Whether ``handle`` may verify the card: as it says now, or said right after
        the stamp (looked up only when the card's current owners do not include it)."""
        if handle is not None and handle in self.people.allowed(self.meta):
            return True
        if self._allowed_then is None:
            self._allowed_then = self.people.allowed(meta_at(self.history, self.change))
        return handle in self._allowed_then

    def finding(self, rule: str, key: str, text: str, fix: str = "") -> Finding:
        """``text``; ``fix`` (default: re-verify). Reasons show the text only."""
        fix = fix or f"an owner or verifier should review it and run 'kb verify {self.card.path}'"
        return make_finding(rule, self.card, key, f"{text}; {fix}")


def make_finding(rule: str, card: Card, key: str, message: str) -> Finding:
    line, column = card.position.of(key)
    return Finding(rule, RULES[rule].severity, card.path, line, message, column, card.title)


# -- the rules, one function each ------------------------------------------------------------


def added_verified(change: Change, meta: CardMeta) -> bool:
    """The commit added the card with a ``verified_at`` older than its own day."""
    verified = meta.verified_at
    return change.created and verified is not None and verified.date() < change.commit.day


def non_verifier(s: Stamp) -> Finding | None:
    """The stamp's author is neither owner nor verifier."""
    if not s.judge_people or s.is_allowed(s.people.identity(s.commit)):
        return None
    if s.added_verified:
        return s.finding(
            VERIFIED_BY_NON_VERIFIER,
            "verified_at",
            f"the card was added already verified (verified_at {s.value}) by "
            f"{s.people.describe(s.commit)} on {s.commit.day.isoformat()} (commit "
            f"{s.commit.short}), who is neither the owner nor a verifier",
            f"the owner or a verifier should review it and run 'kb verify {s.card.path}' (kb "
            "import marks its commits Kb-Import: and its cards keep their dates)",
        )
    return s.finding(
        VERIFIED_BY_NON_VERIFIER,
        "verified_at",
        f"verified_at was set by {s.people.describe(s.commit)} on {s.commit.day.isoformat()} "
        f"(commit {s.commit.short}), who is neither the owner nor a verifier",
    )


def committer_not_verifier(s: Stamp) -> Finding | None:
    """Author is allowed but the committer is someone else (``git commit --author=...``)."""
    commit = s.commit
    email = commit.committer_email.strip().lower()
    if not s.judge_people or not email or email == commit.author_email.strip().lower():
        return None
    if email in s.people.ci or not s.is_allowed(s.people.identity(commit)):
        return None  # a CI/merge identity; or the author is already reported
    if s.is_allowed(s.people.handle(email)):
        return None
    return s.finding(
        COMMITTER_NOT_VERIFIER,
        "verified_at",
        f"verified_at was committed by {s.people.describe(commit, committer=True)} in the name "
        f"of {s.people.describe(commit)} (commit {commit.short}, {commit.day.isoformat()})",
        "the named author should review the card and run "
        f"'kb verify {s.card.path}' themselves (or list the committer in [history] "
        "ci_identities if it is a merge bot)",
    )


def edited_since(s: Stamp) -> Finding | None:
    """Someone who may not verify the card changed it after the stamp."""
    if not s.check_people:
        return None
    allowed = s.people.allowed(s.meta)
    strangers = [
        c for c in s.history.edits_after(s.change) if s.people.identity(c.commit) not in allowed
    ]
    if not strangers:
        return None
    last = strangers[-1].commit
    more = f" (and {len(strangers) - 1} more edit(s))" if len(strangers) > 1 else ""
    return s.finding(
        EDITED_SINCE_VERIFIED,
        "verified_at",
        f"edited by {s.people.describe(last)} on {last.day.isoformat()} (commit {last.short})"
        f"{more} after its verification of {s.value}",
        f"the owner should review the change and run 'kb verify {s.card.path}'",
    )


def backdated(s: Stamp) -> Finding | None:
    """``verified_at`` predates an edit that was committed before the stamp."""
    assert s.meta.verified_at is not None
    before = [c for c in s.history.edits_before(s.change) if not c.created]
    if not before or before[-1].commit.day <= s.meta.verified_at.date():
        return None
    edit = before[-1].commit
    return s.finding(
        BACKDATED,
        "verified_at",
        f"verified_at {s.value} is earlier than the edit of {edit.day.isoformat()} "
        f"(commit {edit.short}) that it was committed after",
        f"a verification cannot predate what it checked: run 'kb verify {s.card.path}'",
    )


def future(s: Stamp) -> Finding | None:
    """``verified_at`` is later than the commit that set it."""
    assert s.meta.verified_at is not None
    if s.meta.verified_at.date() <= (s.commit.when + _ZONE_SLACK).date():
        return None
    return s.finding(
        FUTURE_VERIFICATION,
        "verified_at",
        f"verified_at {s.value} is later than the commit that set it "
        f"({s.commit.day.isoformat()}, commit {s.commit.short})",
        f"set it to the day the card was checked: run 'kb verify {s.card.path}'",
    )


def bulk(s: Stamp) -> Finding | None:
    """The stamp belongs to a run of stamps by one person within the bulk window."""
    run = s.bulk.get((s.commit.seq, s.change.path))
    if run is None or not s.change.is_stamp_only:
        return None
    first, last = run.first.isoformat(), run.last.isoformat()
    when = f"on {first}" if first == last else f"between {first} and {last}"
    others = run.cards - 1
    # this card's own commit once: "in commit X (commit X)" said it twice
    spread = (
        f"in {run.commits} commits (this one in {s.commit.short})"
        if run.commits > 1
        else f"in commit {s.commit.short}"
    )
    return s.finding(
        BULK,
        "verified_at",
        f"re-stamped with {others} other card{'s' if others != 1 else ''} by "
        f"{s.people.describe(s.commit)} {when} "
        f"{spread}, without changing any of them",
        f"it was likely not read: review this card and run 'kb verify {s.card.path}'",
    )


def dependency_changed(s: Stamp) -> Finding | None:
    """A file the card depends on changed after the stamp."""
    if not s.meta.depends_on:
        return None
    changed = s.repo.changed_since(s.meta.depends_on, s.commit.seq)
    if not changed:
        return None
    path, commit = changed[0]
    more = f" and {len(changed) - 1} more file(s)" if len(changed) > 1 else ""
    return s.finding(
        DEPENDENCY_CHANGED,
        "depends_on",
        f"{_relative(path, s.repo.prefix)}{more} (depends_on) changed in commit "
        f"{commit.short} on {commit.day.isoformat()}, after the verification of {s.value}",
        f"check the card against it and run 'kb verify {s.card.path}'",
    )


def roster_changed(s: Stamp) -> Finding | None:
    """The stamp's commit also changed who is who (people.yaml, .mailmap).

    A card added in that commit is exempt: setting up a repository adds the roster
    and its first cards together, and a new card's stamp is its author's own."""
    if not s.judge_people or not s.commit.touches_roster or s.change.created:
        return None
    return s.finding(
        ROSTER_CHANGED,
        "verified_at",
        f"the commit that set verified_at ({s.commit.short} by {s.people.describe(s.commit)}, "
        f"{s.commit.day.isoformat()}) also changed people.yaml or .mailmap",
        "change the roster in its own reviewed commit, then verify the card again",
    )


def self_granted(s: Stamp) -> Finding | None:
    """The stamp's commit added its own author to the card's owner or verifiers."""
    if not s.judge_people or s.change.created:
        return None
    if "owner" not in s.change.values and "verifiers" not in s.change.values:
        return None
    author = s.people.identity(s.commit)
    before = meta_before(s.history, s.change)
    if author is None or author in s.people.allowed(before):
        return None
    if author not in s.people.allowed(meta_at(s.history, s.change)):
        return None
    return s.finding(
        SELF_GRANTED,
        "verified_at",
        f"{s.people.describe(s.commit)} made themselves owner or verifier in the commit that "
        f"set verified_at ({s.commit.short}, {s.commit.day.isoformat()})",
        "have the previous owner approve the change and verify the card",
    )


def signature(s: Stamp) -> Finding | None:
    """With ``require_signed``: the stamp's commit must carry a verifier's good signature."""
    if s.signatures is None or s.imported:
        return None
    found = s.signatures.get(s.commit.sha, Signature(signed=False))
    if not found.signed:
        return s.finding(
            UNSIGNED,
            "verified_at",
            f"the commit that set verified_at ({s.commit.short}, {s.commit.day.isoformat()}) "
            "is not signed",
            f"the owner or a verifier should run 'kb verify --sign {s.card.path}'",
        )
    if found.good and s.is_allowed(found.signer):
        return None
    who = f"{found.signer}'s key" if found.good else "a key that is not in people.yaml"
    return s.finding(
        SIGNATURE_NOT_VERIFIER,
        "verified_at",
        f"the commit that set verified_at ({s.commit.short}) is signed with {who}, "
        "not the owner's or a verifier's",
        f"the owner or a verifier should run 'kb verify --sign {s.card.path}'",
    )


STAMP_RULES: tuple[Callable[[Stamp], Finding | None], ...] = (
    non_verifier,
    committer_not_verifier,
    self_granted,
    roster_changed,
    edited_since,
    backdated,
    future,
    bulk,
    dependency_changed,
    signature,
)


def stamp_findings(s: Stamp) -> list[Finding]:
    """Every provenance rule on one card's current stamp."""
    return [found for rule in STAMP_RULES if (found := rule(s)) is not None]


def _relative(path: str, prefix: str) -> str:
    if prefix and path.startswith(prefix + "/"):
        return path[len(prefix) + 1 :]
    if prefix:
        return "../" * (prefix.count("/") + 1) + path
    return path
