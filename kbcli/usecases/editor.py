"""What kb tells an editor about the card being typed (``kb lsp``): findings, trust, names.

An editor sends the unsaved text of one card on every keystroke, so everything here
works on that text plus what was read once: the other cards (for links, anchors and
aliases), the roster, the templates' required sections and the repo's other files.
The findings are the ones ``kb check`` reports for the same card, by the same rules
(``core.content``, ``core.health``, ``core.flags``, the card parser's problems) and the
same kb.toml severities. The history rules judge the card's saved commits (re-read
when HEAD moves): an edit by someone who may not verify, a self-granted stamp, stay
evidence against the card while its buffer is open, so the editor never shows a ✔
that ``kb show`` would not (fail closed). Nothing here knows the LSP protocol:
``cli/lsp_server.py`` turns these answers into diagnostics, completions and hovers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.core.cards import Card
from kbcli.core.findings import Finding

if TYPE_CHECKING:
    from kbcli.core.catalog import Assessed
    from kbcli.core.history import RepoHistory
    from kbcli.core.links import LinkResolver
    from kbcli.core.lints import FileMatcher
    from kbcli.core.severity import RulePolicy
    from kbcli.workspace import Workspace


@dataclass
class EditorSession:
    """One knowledge repo as the editor sees it; ``reload`` after files change on disk."""

    workspace: Workspace
    cards: dict[str, Card] = field(init=False)
    resolver: LinkResolver = field(init=False)
    required: dict[str, tuple[str, ...]] = field(init=False)
    files: FileMatcher = field(init=False)
    policy: RulePolicy = field(init=False)
    # Each name a card answers to (its aliases, its path with and without .md) -> the paths
    # of the cards that claim it, so the duplicate-alias check of a keystroke looks up its
    # own names instead of scanning every card (220 ms a keystroke at 38,000 cards).
    _claims: dict[str, set[str]] = field(init=False, default_factory=dict)
    # HEAD when the history pass was read: a commit (Verify from the editor, a pull)
    # makes the next verdict read it again.
    _history_head: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read every card, the templates and the file list again (on save, on a new card)."""
        from kbcli.core.lints import FileMatcher
        from kbcli.usecases.check import _required_sections
        from kbcli.usecases.health import rule_policy
        from kbcli.usecases.links import link_resolver, other_files

        ws = self.workspace
        ws.forget_cards()
        self.cards = {card.path: card for card in ws.catalog}
        self._claims = {}
        for card in self.cards.values():
            self._claim(card)
        names = other_files(ws.root)
        self.resolver = link_resolver(ws, list(self.cards.values()), names)
        self.required = _required_sections(ws)
        self.files = FileMatcher(names)
        self.policy = rule_policy(ws)

    def remember(self, card: Card) -> None:
        """Take ``card`` (just saved) as the repo's copy of its path, for the other cards."""
        old = self.cards.get(card.path)
        if old is not None:
            for name in _names(old):
                self._claims.get(name, set()).discard(old.path)
        self.cards[card.path] = card
        self._claim(card)

    def _claim(self, card: Card) -> None:
        for name in _names(card):
            self._claims.setdefault(name, set()).add(card.path)

    def relative(self, path: Path) -> str | None:
        """The repo-relative path of a file, when it is a card of this repo."""
        root = self.workspace.root.resolve()
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            return None
        rel = resolved.relative_to(root).as_posix()
        return rel if self.workspace.card_files.is_card_path(rel) else None

    def parse(self, rel: str, text: str) -> Card:
        """The card as it is in the editor's buffer (not as saved)."""
        from kbcli.adapters.card_files import card_from_bytes

        config = self.workspace.config
        return card_from_bytes(
            rel, text.encode("utf-8"), self.workspace.today, config.cards.max_front_matter
        )

    def assess(self, card: Card) -> Assessed:
        """The card's verdict as ``kb show`` gives it: its dates, its flags, and the
        evidence its saved commits hold (the buffer's own edits are not committed yet)."""
        return self._judged(card)[0]

    def findings(self, card: Card) -> list[Finding]:
        """``kb check``'s findings for this one card, in its order, with kb.toml severities."""
        from kbcli.core.content import content_findings
        from kbcli.core.gate import sort_findings
        from kbcli.core.severity import effective
        from kbcli.core.trust import TrustState
        from kbcli.usecases.health import apply_severities

        ws = self.workspace
        item = ws.assess(card)
        problems = [p._replace(title=card.title) for p in self._problems(card)]
        found = apply_severities([*problems, *self._judged(card)[1]], ws)
        self.resolver.refresh(card)
        others = {**self.cards, card.path: card}
        found += content_findings(
            card, self.resolver, self.required, cards=others, files=self.files
        )
        expires = item.trust.expires_on
        expired = item.trust.state is TrustState.EXPIRED and expires is not None
        expiries = {card.path: expires} if expired and expires else {}
        return list(sort_findings(effective(found, self.policy, ws.today, expiries)))

    def _judged(self, card: Card) -> tuple[Assessed, list[Finding]]:
        """The card judged by kb check's rules (trust, roster, history, flags), graded."""
        from kbcli.usecases.judging import judge

        item = self.workspace.assess(card)
        return judge(self.workspace, [item], self._history())[card.path]

    def _history(self) -> RepoHistory | None:
        from kbcli.adapters.git_checkout import head
        from kbcli.usecases.health import repo_history

        ws = self.workspace
        now = head(ws.root)
        if now != self._history_head:
            ws.memo.history = ws.memo.bulk = None
            self._history_head = now
        return repo_history(ws, allow_shallow=True)

    def _problems(self, card: Card) -> Sequence[Finding]:
        from kbcli.core.cards import duplicate_aliases

        claimants = {p for name in _names(card) for p in self._claims.get(name, ())}
        sharing = [self.cards[p] for p in sorted(claimants) if p != card.path and p in self.cards]
        extra = duplicate_aliases([card, *sharing]).get(card.path, []) if sharing else []
        return [*card.problems, *extra]


def _names(card: Card) -> set[str]:
    """What a card answers to: its aliases, its path, its path without ``.md``."""
    return {*card.meta.aliases, card.path, card.path.removesuffix(".md")}
