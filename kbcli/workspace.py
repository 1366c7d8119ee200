"""Use cases over one knowledge repo: the cards, their trust, lookups, new cards.

Commands call these; adapters are created here lazily so that a command only pays
for the libraries it uses.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.config import KbConfig
from kbcli.core.cards import Card
from kbcli.core.people import Me
from kbcli.errors import CardNotFound, KbError

if TYPE_CHECKING:
    from kbcli.adapters.card_files import CardFiles
    from kbcli.adapters.card_templates import CardTemplates
    from kbcli.core.catalog import Assessed, CardFilter, Catalog
    from kbcli.core.history import RepoHistory
    from kbcli.core.trust import Trust


class RunMemo:
    """What the use cases remember for the rest of one run, in declared fields."""

    def __init__(self) -> None:
        # The history pass, once read: (history,), where history is None outside git.
        self.history: tuple[RepoHistory | None] | None = None
        # (catalog, Health): every card's findings and verdict, for that catalog.
        self.health: tuple[Catalog, Any] | None = None
        # Search hits' verdicts by card path (kbcli.usecases.health.verdicts_for).
        self.verdicts: dict[str, Trust] = {}
        # (history, bulk re-verifications found in it): computed once per history.
        self.bulk: tuple[RepoHistory, Any] | None = None
        # HEAD as this run's ``git status`` saw it (search's freshness check), when the
        # repo is not a shallow clone; before that, HEAD at the index's last sync. Cached
        # hit verdicts are looked up by ``head or expected_head`` and ``verdict_head``
        # says which one was used: the search judges again if the two differ.
        self.head: str | None = None
        self.expected_head: str | None = None
        self.verdict_head: str | None = None
        # How many cards the index held at its last sync (search, before git status
        # answers): whether a search's first verdicts judge every card at once.
        self.index_cards: int | None = None
        # (key, entries) of .kb/verdicts.marshal as this run last read or wrote it: a
        # resident process answers many searches with one workspace (same day, config).
        self.verdict_file: tuple[tuple[Any, ...], dict[str, Any]] | None = None


class Workspace:
    def __init__(self, config: KbConfig, today: date, cwd: Path) -> None:
        self.config = config
        self.today = today
        self.cwd = cwd
        # The trust of every card, with the catalog it was judged on (see ``assessed``).
        self._assessed: tuple[Catalog, list[Assessed]] | None = None
        # Every card, read once on first use (or handed over by kb check, build and serve).
        self._catalog: Catalog | None = None
        # What use cases remember for the rest of the run (see RunMemo).
        self.memo = RunMemo()

    def __repr__(self) -> str:
        return f"Workspace(config={self.config!r}, today={self.today!r}, cwd={self.cwd!r})"

    def on(self, today: date) -> Workspace:
        """A fresh workspace of the same repo and settings, judging on ``today``."""
        return Workspace(self.config, today, self.cwd)

    @property
    def root(self) -> Path:
        return self.config.root

    @cached_property
    def card_files(self) -> CardFiles:
        from kbcli.adapters.card_files import CardFiles

        return CardFiles(self.config)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            from kbcli.core.catalog import Catalog  # here: kb search never loads every card

            self._catalog = Catalog(self.card_files.load_all(self.today))
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def forget_cards(self) -> None:
        """Read every card again on next use (a card was created, deleted or renamed)."""
        self._catalog = None

    @property
    def has_catalog(self) -> bool:
        """Whether every card has been read already (reading them costs seconds at scale)."""
        return self._catalog is not None

    @property
    def history_loaded(self) -> bool:
        return self.memo.history is not None

    @property
    def history(self) -> RepoHistory | None:
        """The history pass once loaded (``kbcli.usecases.health.repo_history`` loads it)."""
        return self.memo.history[0] if self.memo.history is not None else None

    def set_history(self, history: RepoHistory | None) -> None:
        """Keep the history pass for the rest of the run (kb serve hands it to a rebuild)."""
        self.memo.history = (history,)

    def assessed(self, card_filter: CardFilter | None = None) -> list[Assessed]:
        # Trust of every card, once per catalog: the handbook and the health findings both
        # ask for it in one build (kb serve swaps the catalog in after a save).
        catalog = self.catalog
        if self._assessed is None or self._assessed[0] is not catalog:
            self._assessed = (catalog, catalog.assess(self.config.trust_policy, self.today))
        items = self._assessed[1]
        return card_filter.apply(items) if card_filter else list(items)

    def assess(self, card: Card) -> Assessed:
        from kbcli.core.catalog import Assessed
        from kbcli.core.trust import assess

        return Assessed(card, assess(card.meta, self.config.trust_policy, card.path, self.today))

    def card(self, ref: str) -> Card:
        """The one card ``ref`` names; a clear error when it names none or several."""
        cwd_rel = None
        if self.cwd.resolve().is_relative_to(self.root):
            rel = self.cwd.resolve().relative_to(self.root).as_posix()
            cwd_rel = None if rel == "." else rel
        as_path = Path(ref).expanduser()
        if as_path.is_absolute() and as_path.resolve().is_relative_to(self.root):
            ref = as_path.resolve().relative_to(self.root).as_posix()
        hits = self.catalog.resolve(ref, cwd_rel)
        if not hits:
            raise CardNotFound(
                f"no card matches '{ref}': give a path, a file name, an alias or "
                "a title (kb list shows them all)"
            )
        if len(hits) > 1:
            paths = ", ".join(c.path for c in hits)
            raise CardNotFound(f"'{ref}' matches {len(hits)} cards ({paths}); give the path")
        return hits[0]

    def card_templates(self) -> CardTemplates:
        from kbcli.adapters.card_templates import CardTemplates

        return CardTemplates(self.root)

    def me(self) -> Me:
        """Who runs kb: the git identity, and the roster handle its e-mail maps to.

        By e-mail only, as the history checks judge verification stamps: a name is free
        text, so a handle found by name would make ``kb new`` call you the owner of a card
        that ``kb verify`` then refuses to let you verify.
        """
        from kbcli.adapters.git_repo import identity

        who = identity(self.root)
        return Me(who.name, who.email, self.config.roster.handle_for(None, who.email))

    def new_card(
        self,
        *,
        template: str,
        title: str,
        owner: str | None,
        tags: tuple[str, ...],
        folder: str | None,
    ) -> Path:
        """Render ``template`` into a new card file with a unique name; return its path."""
        if not title.strip():
            raise KbError('a card needs a title: pass --title "..."')
        folder = (folder if folder is not None else self.config.cards.folders[0]).strip("/")
        target_dir = (self.root / folder).resolve()
        if not target_dir.is_relative_to(self.root):
            raise KbError(f"folder '{folder}' is outside the knowledge repo")
        text = self.card_templates().render(
            template,
            {
                "title": title.strip(),
                "owner": owner,
                "tags": list(tags),
                "today": self.today.isoformat(),
                "template": template,
            },
        )
        target_dir.mkdir(parents=True, exist_ok=True)
        taken = {p.name for p in target_dir.iterdir()}
        from kbcli.core.naming import slugify, unique_name

        path = target_dir / unique_name(slugify(title), taken)
        rel = path.relative_to(self.root).as_posix()
        if not self.card_files.is_card_path(rel):
            raise KbError(
                f"{rel} would not be a card: its folder is not listed in kb.toml "
                "[cards] folders, or it is ignored"
            )
        from kbcli.adapters.card_writer import write_new

        write_new(path, text)
        return path
