"""The related lists after a quick build's edit (``handbook_edit``), when they may move.

An edited card whose vector is the same float for float, and whose moved terms are too
common to weigh, moves no list: its own list is the kept one. Otherwise the lists are
updated as a whole ``kb build`` updates them: from every card's kept term counts and
lists (the related-cards state, read whole), the edited cards' new counts, and
``core.related_update.update_similar`` (the same lists as a pass from scratch), and the
state is kept for the next build. The unchanged cards whose first five related cards
moved get their page written again."""

from __future__ import annotations

from typing import Any

from kbcli.usecases.handbook_edit import check

SHOWN = 5  # related cards a page shows (``SitePlan.card_pages``)


class Relisted:
    """The related lists the pages to write show, and the unchanged cards among them."""

    def __init__(self, quick: Any, made: list[Any]) -> None:
        self.quick = quick
        self.made = {m.path: m for m in made}
        self.lists: dict[str, list[str]] = {}
        self.moved: list[str] = []  # unchanged cards whose shown related cards changed
        self.state: Any = None
        self.new: dict[str, Any] | None = None  # what the state keeps after this build

    def compute(self) -> Relisted:
        if self.quick.build.related is False:
            self.lists = {path: [] for path in self.made}
            return self
        if all(m.same_related is not None for m in self.made.values()):
            self.lists = {path: m.same_related for path, m in self.made.items()}
            return self
        from kbcli.core.related_update import update_similar
        from kbcli.usecases.related import RELATED_LIMIT

        lang = self.quick.ws.config.search.default_lang
        self.state = self.quick.build.store.related_state(lang)
        known, lists = self.state.known()
        check(lists is not None and all(path in known for path in self.made))
        made = self.made
        cards = [
            (path, made[path].counts if path in made else kept[1])
            for path, kept in sorted(known.items())
        ]
        before = {path: kept[1] for path, kept in known.items()}
        unit: dict[str, dict[str, float]] = {}
        links = self.quick.base["links"]
        scored = update_similar(
            cards, RELATED_LIMIT, before, lists["scored"], set(known), links=links,
            vectors=lists["vectors"], keep=unit, df=self._df(),
        )  # fmt: skip
        check(scored is not None)
        assert scored is not None
        terms = {
            p: (made[p].terms_key, made[p].counts) if p in made else k for p, k in known.items()
        }
        self.new = {"terms": terms, "lists": {**lists, "scored": scored, "vectors": unit}}
        self.lists = {path: [other for other, _ in listed] for path, listed in scored.items()}
        old = lists["scored"]
        self.moved = sorted(
            path
            for path, listed in self.lists.items()
            if path not in made and listed[:SHOWN] != [o for o, _ in old.get(path, [])][:SHOWN]
        )
        return self

    def _df(self) -> dict[str, int]:
        """Every term's card count now: the base's, moved by the journal and this build."""
        df = dict(self.quick.base["df"])
        for moves in (self.quick.journal.get("df", {}), *(m.df_moves for m in self.made.values())):
            for term, step in moves.items():
                df[term] = df.get(term, 0) + step
        return df

    def keep(self) -> list[Any] | None:
        """Keep the updated state (the shards that changed); the shards' tokens after."""
        if self.new is None:
            return None
        self.state.keep(self.new["terms"], self.new["lists"])
        return list(self.state.shards.tokens)
