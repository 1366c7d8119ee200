"""The one rule registry: every rule kb can report, declared here as data.

Rule ids are stable API (kb.toml severities, CI dashboards, SARIF rule ids). The table is
a literal, not something modules add to when they are imported: before, content rules
were registered as a side effect of importing ``core/content.py``, which only the check
path imported, so ``kb report`` and ``kb build`` rejected ``[check.rules] broken-link``.
``kb check --list-rules``, ``[check.rules]`` validation, every command's severities and
the SARIF rule table all read ``RULES``; the module that fires a rule imports its id
# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from here.
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


class Rule(NamedTuple):
    id: str
    severity: Severity
    description: str
    group: str  # "schema", "trust", "history", "content"


E, W = Severity.ERROR, Severity.WARNING

# Schema: what reading a card's file and front matter finds (``card_files``, ``cards``).
NOT_UTF8 = "not-utf8"
YAML_SYNTAX = "yaml-syntax"
UNCLOSED_FRONT_MATTER = "unclosed-front-matter"
FRONT_MATTER_NOT_MAPPING = "front-matter-not-mapping"
INVALID_FIELD = "invalid-field"
INVALID_DATE = "invalid-date"
FUTURE_DATE = "future-date"
UNKNOWN_STATUS = "unknown-status"
UNKNOWN_AUDIENCE = "unknown-audience"
INVALID_DURATION = "invalid-duration"
DUPLICATE_ALIAS = "duplicate-alias"
CARD_UNREADABLE = "card-unreadable"
OUTSIDE_REPO = "card-outside-repo"

# Problems that mean kb could not read a card's header keys: acting on its owner or
# adding keys would be a guess (kb adopt skips the file, kb verify refuses it).
HEADER_UNREADABLE = frozenset(
    {
        NOT_UTF8,
        YAML_SYNTAX,
        UNCLOSED_FRONT_MATTER,
        FRONT_MATTER_NOT_MAPPING,
        CARD_UNREADABLE,
        OUTSIDE_REPO,
    }
)

# Trust: the card's verification state and its people.
EXPIRED = "expired"
DUE = "due-soon"
NEVER_VERIFIED = "never-verified"
NOT_PUBLISHED = "not-published"
NO_OWNER = "no-owner"
OWNER_UNKNOWN = "owner-unknown"
OWNER_LEFT = "owner-left"
OWNER_INACTIVE = "owner-inactive"

# History: what git says about the commit that set verified_at.
EDITED_SINCE_VERIFIED = "edited-since-verified"
VERIFIED_BY_NON_VERIFIER = "verified-by-non-verifier"
COMMITTER_NOT_VERIFIER = "committer-not-verifier"
BACKDATED = "backdated-verification"
FUTURE_VERIFICATION = "future-verification"
BULK = "bulk-reverification"
DEPENDENCY_CHANGED = "dependency-changed"
ROSTER_CHANGED = "roster-changed-with-stamp"
SELF_GRANTED = "self-granted-verifier"
UNSIGNED = "unsigned-verification"
SIGNATURE_NOT_VERIFIER = "signature-not-verifier"
UNTRACED = "untraced-verification"
UNCOMMITTED = "uncommitted-verification"

# Content: links, sections, flags, duplicates.
BROKEN_LINK = "broken-link"
MISSING_SECTION = "missing-section"
EMPTY_SECTION = "empty-section"
UNKNOWN_TEMPLATE = "unknown-template"
TEMPLATE_TAG = "template-tag"
FLAGGED = "flagged"
DEPENDS_ON_NOTHING = "depends-on-matches-nothing"
PUBLIC_LINKS_INTERNAL = "public-links-internal"
LINKS_ARCHIVED = "links-archived"
NEAR_DUPLICATE = "near-duplicate"

_TABLE: tuple[Rule, ...] = (
    Rule(NOT_UTF8, E, "The card file is not UTF-8 text.", "schema"),
    Rule(YAML_SYNTAX, E, "The front matter is not valid YAML.", "schema"),
    Rule(UNCLOSED_FRONT_MATTER, E, "The front matter has no closing '---' line.", "schema"),
    Rule(
        FRONT_MATTER_NOT_MAPPING,
        E,
        "The front matter is not a set of 'key: value' lines.",
        "schema",
    ),
    Rule(INVALID_FIELD, E, "A front-matter key has the wrong type or is set twice.", "schema"),
    Rule(
        INVALID_DATE,
        E,
        "verified_at is not an ISO date in 1900-2999 (counts as never verified).",
        "schema",
    ),
    Rule(
        FUTURE_DATE,
        E,
        "verified_at lies in the future (the card counts as never verified).",
        "schema",
    ),
    Rule(UNKNOWN_STATUS, E, "status is not draft, requested, published or archived.", "schema"),
    Rule(UNKNOWN_AUDIENCE, E, "audience is not internal or public.", "schema"),
    Rule(
        INVALID_DURATION,
        E,
        "verify_every is not a duration such as 30d, 6w, 3m, 1y or never.",
        "schema",
    ),
    Rule(DUPLICATE_ALIAS, E, "An alias is claimed by more than one card.", "schema"),
    Rule(
        CARD_UNREADABLE,
        E,
        "kb could not read the card at all (it is skipped, never trusted).",
        "schema",
    ),
    Rule(
        OUTSIDE_REPO,
        E,
        "The card is a link to a file outside the repository (never read).",
        "schema",
    ),
    Rule(EXPIRED, E, "The card's verification has expired.", "trust"),
    Rule(DUE, W, "The card's verification expires soon.", "trust"),
    Rule(NEVER_VERIFIED, W, "The card has never been verified.", "trust"),
    Rule(NO_OWNER, E, "A published card has no owner.", "trust"),
    Rule(
        NOT_PUBLISHED,
        W,
        "A card with a current verification is not published (draft, requested or "
        "archived): not an answer to rely on, so it never reads as verified.",
        "trust",
    ),
    Rule(OWNER_UNKNOWN, W, "The owner or a verifier is not in the roster (people.yaml).", "trust"),
    Rule(OWNER_LEFT, E, "The owner has left (people.yaml 'left:').", "trust"),
    Rule(
        OWNER_INACTIVE,
        W,
        "The owner made no commit in the repository for [history] inactive_after.",
        "history",
    ),
    Rule(
        EDITED_SINCE_VERIFIED,
        W,
        "Someone who is neither owner nor verifier changed the card after its last verification.",
        "history",
    ),
    Rule(
        VERIFIED_BY_NON_VERIFIER,
        E,
        "The commit that set verified_at was authored by someone who is neither owner nor "
        "verifier.",
        "history",
    ),
    Rule(
        COMMITTER_NOT_VERIFIER,
        E,
        "The commit that set verified_at names a verifier as author but was committed by "
        "someone else (not a [history] ci_identities address).",
        "history",
    ),
    Rule(
        BACKDATED,
        E,
        "verified_at is earlier than a content edit committed before the verification.",
        "history",
    ),
    Rule(
        FUTURE_VERIFICATION,
        E,
        "verified_at is later than the day of the commit that set it.",
        "history",
    ),
    Rule(
        BULK,
        W,
        "One person re-stamped many cards without changing them within a short window "
        "([history] bulk_threshold cards within bulk_window_hours), in one commit or several.",
        "history",
    ),
    Rule(
        DEPENDENCY_CHANGED,
        W,
        "Files matching depends_on changed after the card's last verification.",
        "history",
    ),
    Rule(
        ROSTER_CHANGED,
        E,
        "The commit that set verified_at also changed people.yaml or .mailmap.",
        "history",
    ),
    Rule(
        SELF_GRANTED,
        E,
        "The commit that set verified_at also made its author the card's owner or a verifier.",
        "history",
    ),
    Rule(
        UNSIGNED,
        E,
        "[verification] require_signed: the commit that set verified_at carries no signature "
        "git could verify.",
        "history",
    ),
    Rule(
        SIGNATURE_NOT_VERIFIER,
        E,
        "[verification] require_signed: the commit that set verified_at is signed by a key "
        "that is not the owner's or a verifier's in people.yaml (signing_keys).",
        "history",
    ),
    Rule(
        UNTRACED,
        E,
        "The committed verified_at was set by no commit the history shows (a merge commit's "
        "own change, or a commit a shallow clone cut off), so no one is known to have "
        "verified the card.",
        "history",
    ),
    Rule(
        UNCOMMITTED,
        W,
        "verified_at was set in the working tree and not committed yet: anyone can type a "
        "date, so it counts once a commit shows who set it.",
        "history",
    ),
    Rule(
        BROKEN_LINK,
        E,
        "A link to another card, a heading or a file leads nowhere (relative links, "
        "[[wikilinks]] by title or alias, #anchors).",
        "content",
    ),
    Rule(
        MISSING_SECTION,
        E,
        "A card made from a template lacks a section the template requires "
        "(a KCS card needs Issue, Environment and Resolution).",
        "content",
    ),
    Rule(EMPTY_SECTION, W, "A section the card's template requires has no text yet.", "content"),
    Rule(
        UNKNOWN_TEMPLATE,
        W,
        "The card's 'template' key names no card template, so its sections cannot be checked.",
        "content",
    ),
    Rule(
        TEMPLATE_TAG,
        W,
        "The card holds site-generator template tags ({% tag %}, {{< shortcode >}}, "
        "{{ value }}) that kb does not render; link tags that name a card are rewritten "
        "as markdown links by kb adopt.",
        "content",
    ),
    Rule(
        FLAGGED,
        W,
        "Someone who used the card flagged it as wrong or incomplete (kb flag).",
        "content",
    ),
    Rule(
        DEPENDS_ON_NOTHING,
        W,
        "A depends_on pattern matches no file in the repository, so dependency-changed can "
        "never fire for it.",
        "content",
    ),
    Rule(
        PUBLIC_LINKS_INTERNAL,
        W,
        "A public card links to an internal card (the help center would show an internal "
        "title or a dead link).",
        "content",
    ),
    Rule(LINKS_ARCHIVED, W, "A published card links to an archived card.", "content"),
    Rule(
        NEAR_DUPLICATE,
        W,
        "Two published cards are near-duplicates ([check] duplicate_similarity of their "
        "title and body terms); merge them or link one to the other.",
        "content",
    ),
)


def _index(table: tuple[Rule, ...]) -> Mapping[str, Rule]:
    """The table by id; a repeated id is a bug in this file, caught at import."""
    by_id: dict[str, Rule] = {}
    for rule in table:
        if rule.id in by_id:
            raise ValueError(f"rule {rule.id!r} is declared twice")
        by_id[rule.id] = rule
    return MappingProxyType(by_id)


RULES: Mapping[str, Rule] = _index(_TABLE)


def default_severity(rule_id: str) -> Severity:
    """The severity a rule has before kb.toml changes it (error for an unknown id: fail closed)."""
    known = RULES.get(rule_id)
    return known.severity if known else Severity.ERROR
