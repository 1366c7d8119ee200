"""All cards of a repo at once: lookup by path, file name or alias, filters, problems.

Commands take a CARD argument the way people remember cards (``billing/refunds.md``,
``refunds``, an old alias), so resolution lives here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from kbcli.core.cards import Card, Status, duplicate_aliases
from kbcli.core.findings import Finding
from kbcli.core.plain_line import title_key
from kbcli.core.trust import Trust, TrustPolicy, TrustState, assess


@dataclass(frozen=True)
class Assessed:
    """A card with its trust state on the day of the run."""

    card: Card
    trust: Trust

    @property
    def path(self) -> str:
        return self.card.path


@dataclass
class Catalog:
    cards: Sequence[Card]
    _by_path: dict[str, Card] = field(init=False)
    _extra_problems: dict[str, list[Finding]] = field(init=False)

    def __post_init__(self) -> None:
        self._by_path = {card.path: card for card in self.cards}
        self._extra_problems = duplicate_aliases(list(self.cards))

    def __iter__(self) -> Iterator[Card]:
        return iter(self.cards)

    def __len__(self) -> int:
        return len(self.cards)

    def get(self, path: str) -> Card | None:
        return self._by_path.get(path)

    def problems(self) -> list[Finding]:
        """Every reading finding of every card, in path order, including duplicate aliases,
        each with its card's title."""
        found = []
        for card in self.cards:
            for problem in (*card.problems, *self._extra_problems.get(card.path, ())):
                found.append(problem._replace(title=card.title))
        return found

    def resolve(self, ref: str, cwd_rel: str | None = None) -> list[Card]:
        """Cards matching ``ref``: an exact path, a path from the current folder,
        a file name with or without ``.md``, an alias, or a title (case-insensitive)."""
        ref = ref.strip().replace("\\", "/").removeprefix("./")
        candidates = [ref, ref + ".md"]
        if cwd_rel:
            candidates += [f"{cwd_rel}/{ref}", f"{cwd_rel}/{ref}.md"]
        for candidate in candidates:
            if candidate in self._by_path:
                return [self._by_path[candidate]]
        shown = title_key(ref)
        for matcher in (
            lambda c: ref in c.meta.aliases or ref.removesuffix(".md") in c.meta.aliases,
            lambda c: c.stem == ref.removesuffix(".md").rpartition("/")[2],
            lambda c: title_key(c.title) == shown,
        ):
            hits = [c for c in self.cards if matcher(c)]
            if hits:
                return hits
        return []

    def assess(self, policy: TrustPolicy, today: date) -> list[Assessed]:
        return [Assessed(card, assess(card.meta, policy, card.path, today)) for card in self.cards]


@dataclass(frozen=True)
class CardFilter:
    """The filters ``kb list`` and friends share; empty means no filter."""

    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    states: tuple[str, ...] = ()

    def keep(self, item: Assessed) -> bool:
        meta = item.card.meta
        if self.tags and not set(self.tags) <= set(meta.tags):
            return False
        if self.owners and meta.owner not in self.owners:
            return False
        if self.statuses and meta.status not in self.statuses:
            return False
        return not (self.states and not any(_in_state(item.trust, s) for s in self.states))

    def apply(self, items: Iterable[Assessed]) -> list[Assessed]:
        return [item for item in items if self.keep(item)]


STATE_NAMES = (*tuple(s.value for s in TrustState), "no-owner")


def _in_state(trust: Trust, state: str) -> bool:
    if state == "no-owner":
        return trust.no_owner
    return trust.state.value == state
