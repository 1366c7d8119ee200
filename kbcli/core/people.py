"""The people roster: who is who, so git identities map to card owners and teams.

Git knows authors by name and e-mail; cards name owners by handle. The roster
bridges the two (e-mail first, because names are not unique and change less
reliably), and says who left the company.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple


class Person(NamedTuple):
    handle: str
    name: str = ""
    emails: tuple[str, ...] = ()
    team: str | None = None
    left: date | None = None
    # Public keys this person signs commits with (SSH "ssh-ed25519 AAAA..." lines).
    signing_keys: tuple[str, ...] = ()
    slack: str | None = None  # Slack member id (U0123ABC), for mentions and Slack sign-in
    # A team lead (people.yaml ``lead: true``): acts on cards whose owner stopped committing.
    lead: bool = False

    @property
    def display(self) -> str:
        return self.name or self.handle


class Me(NamedTuple):
    """The person running kb: their git identity and roster handle."""

    name: str | None
    email: str | None
    handle: str | None

    @property
    def signature(self) -> str:
        return f"{self.name or self.handle or 'unknown'} <{self.email or 'unknown'}>"

    @property
    def label(self) -> str:
        """How a record of who did something names this person: handle, else e-mail."""
        return self.handle or self.email or self.name or "unknown"

    @property
    def described(self) -> str:
        who = self.signature
        return f"{self.handle} ({who})" if self.handle else f"{who}, not in people.yaml"


class Roster:
    """Everyone kb knows, by handle (people.yaml and kb.toml [people])."""

    def __init__(self, people: Mapping[str, Person] | None = None) -> None:
        self.people: Mapping[str, Person] = {} if people is None else people

    def __repr__(self) -> str:
        return f"Roster(people={self.people!r})"

    def __eq__(self, other: object) -> bool:
        return self.people == other.people if isinstance(other, Roster) else NotImplemented

    @cached_property
    def teams(self) -> dict[str, list[Person]]:
        """Team name -> members; cached, because ownership checks ask per card."""
        teams: dict[str, list[Person]] = {}
        for person in self.people.values():
            if person.team:
                teams.setdefault(person.team, []).append(person)
        return teams

    def knows(self, handle: str) -> bool:
        """True for a person's handle or a team name that at least one person belongs to."""
        return handle in self.people or handle in self.teams

    @cached_property
    def _by_email(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for person in self.people.values():
            for email in person.emails:
                found.setdefault(email.lower(), person.handle)
        return found

    @cached_property
    def _by_name(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for person in self.people.values():
            for key in (person.name.casefold(), person.handle.casefold()):
                if key:
                    found.setdefault(key, person.handle)
        return found

    def handle_for(self, name: str | None, email: str | None) -> str | None:
        """Map a git identity to a handle: by e-mail (case-insensitive), then by name.

        Provenance rules pass no name (``name=None``): a name is free text anyone can set.
        Looked up in two indexes built once: kb adopt asks for every author of every
        file, and a linear scan made a 2,700-person roster take minutes on tldr-pages.
        """
        if email:
            handle = self._by_email.get(email.strip().lower())
            if handle:
                return handle
        if name:
            return self._by_name.get(name.strip().casefold())
        return None

    def handle_for_slack(self, member_id: str | None, email: str | None) -> str | None:
        """A Slack user as a handle: by member id (``slack:`` in people.yaml), then e-mail."""
        if member_id:
            for person in self.people.values():
                if person.slack == member_id:
                    return person.handle
        return self.handle_for(None, email) if email else None

    def members(self, handle: str) -> set[str]:
        """The handles that ``handle`` stands for: the person, or every member of a team."""
        if handle in self.people:
            return {handle}
        return {p.handle for p in self.teams.get(handle, [])}

    def left_on(self, handle: str, today: date) -> date | None:
        """The day ``handle`` left by ``today``: a person's ``left:`` date, or a team's last
        member's once every member has left (None while anyone is still here, or for a
        handle the roster does not know). The one answer behind owner-left, the report's
        "left", kb notify and kb reassign."""
        members = [self.people[h] for h in self.members(handle) if h in self.people]
        gone = [p.left for p in members if p.left is not None and p.left <= today]
        if not members or len(gone) < len(members):
            return None
        return max(gone)

    def stand_ins(self, owner: str, verifiers: Iterable[str], today: date) -> tuple[str, ...]:
        """Who acts on a card whose owner has gone quiet (owner-inactive): its verifiers
        still here, else the leads of the owner's team, else every lead still here (the
        owner is not asked whether they still own it). Empty when people.yaml names none:
        the to-do then stays with the owner."""
        mine = self.members(owner) | {owner}

        def here(handle: str) -> bool:
            return self.knows(handle) and self.left_on(handle, today) is None

        found = [v for v in verifiers if v not in mine and here(v)]
        if found:
            return tuple(dict.fromkeys(found))
        leads = [
            p for p in self.people.values() if p.lead and p.handle not in mine and here(p.handle)
        ]
        teams = {p.team for h in mine if (p := self.people.get(h)) and p.team}
        teams |= {owner} if owner in self.teams else set()
        of_team = [p.handle for p in leads if p.team in teams]
        return tuple(of_team or [p.handle for p in leads])

    def display(self, handle: str | None) -> str:
        if not handle:
            return ""
        person = self.people.get(handle)
        return person.display if person else handle


def roster_from(data: Mapping[str, Any]) -> tuple[Roster, list[str]]:
    """Build a roster from ``handle -> {name, emails, team, left}``; return problems too."""
    people: dict[str, Person] = {}
    problems: list[str] = []
    for handle, entry in data.items():
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping):
            problems.append(f"person '{handle}' must be a mapping with name, emails, team")
            continue
        emails = entry.get("emails", entry.get("email", ()))
        if isinstance(emails, str):
            emails = [emails]
        left = entry.get("left")
        if left is not None and not isinstance(left, date):
            try:
                left = date.fromisoformat(str(left))
            except ValueError:
                problems.append(f"person '{handle}': left: {left!r} is not an ISO date")
                left = None
        keys = entry.get("signing_keys") or []
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            problems.append(f"person '{handle}': signing_keys must be a list of public keys")
            keys = []
        lead = entry.get("lead", False)
        if not isinstance(lead, bool):
            problems.append(f"person '{handle}': lead must be true or false")
            lead = False
        known = {"name", "emails", "email", "team", "left", "signing_keys", "slack", "lead"}
        unknown = set(entry) - known
        if unknown:
            problems.append(f"person '{handle}': unknown keys {', '.join(sorted(unknown))}")
        people[str(handle)] = Person(
            handle=str(handle),
            name=str(entry.get("name") or ""),
            emails=tuple(str(e) for e in emails or ()),
            team=str(entry["team"]) if entry.get("team") else None,
            left=left,
            signing_keys=tuple(k.strip() for k in keys),
            slack=str(entry["slack"]).strip() if entry.get("slack") else None,
            lead=lead,
        )
    return Roster(people), problems


def suggest_handle(name: str, email: str, taken: set[str]) -> str:
    """A new roster handle for a git author, unique among ``taken``.

    GitHub's no-reply addresses (``123+ana@users.noreply.github.com``) give the login;
    otherwise the name (``Ana Souza`` -> ``ana-souza``), else the e-mail's local part:
    local parts are often role words such as ``development`` or ``info``.
    """
    import re

    local, _, domain = email.partition("@")
    login = local.rpartition("+")[2] if domain.endswith("users.noreply.github.com") else ""
    text = login or name or local
    base = re.sub(r"[^\w.-]+", "-", text.casefold()).strip("-._") or "person"
    handle, number = base, 2
    while handle in taken:
        handle, number = f"{base}-{number}", number + 1
    return handle


# Automation that commits under its own name: never a card's owner, never a person to add.
# On the tldr-pages bundle "github-actions[bot]" was suggested as the owner of 104 cards.
_BOT_NAMES = frozenset(
    (
        "github-actions",
        "dependabot",
        "dependabot-preview",
        "renovate",
        "renovate-bot",
        "greenkeeper",
        "pre-commit-ci",
        "allcontributors",
        "snyk-bot",
        "imgbot",
        "web-flow",
    )
)


def is_bot(name: str, email: str) -> bool:
    """Whether a git identity is a bot: ``[bot]`` in its name or e-mail (GitHub Apps), or
    a well-known automation account."""
    local = email.partition("@")[0].rpartition("+")[2].casefold()
    folded = name.strip().casefold()
    if folded.endswith("[bot]") or local.endswith("[bot]"):
        return True
    return folded in _BOT_NAMES or local in _BOT_NAMES


def skipped_checks(roster: Roster) -> list[str]:
    """The checks ``card_findings`` cannot run with this roster, for the user to hear
    (here, not in ``core.health``: a search says it too, and must not import that)."""
    if roster.people:
        return []
    return [
        "owner and verifier identity checks (owner-unknown, owner-inactive, "
        "verified-by-non-verifier, edited-since-verified): there is no people.yaml roster"
    ]
