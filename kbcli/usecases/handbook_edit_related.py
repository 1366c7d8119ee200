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
        self.old: dict[str, Any] = {}  # the lists read
        self.new: dict[str, Any] | None = None  # the lists the state keeps after this build

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
        self.old, self.new = lists, {**lists, "scored": scored, "vectors": unit}
        old = lists["scored"]
        relisted = [p for p, listed in scored.items() if listed is not old.get(p)]
        self.lists = {p: [o for o, _ in scored[p]] for p in {*relisted, *made}}
        self.moved = sorted(
            path
            for path in relisted
            if path not in made
            and self.lists[path][:SHOWN] != [o for o, _ in old.get(path, [])][:SHOWN]
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
        """Keep the updated state (the shards that changed); the shards' tokens after.
        An entry whose counts, list and vector are the objects read is the one read."""
        if self.new is None:
            return None
        old, new = self.old, self.new
        touched = [p for p, v in new["vectors"].items() if v is not old["vectors"].get(p)]
        touched += [p for p, s in new["scored"].items() if s is not old["scored"].get(p)]
        touched += [p for p in old["vectors"].keys() - new["vectors"].keys()]
        terms = {p: (m.terms_key, m.counts) for p, m in self.made.items()}
        self.state.keep_changed(terms, touched, new)
        return list(self.state.shards.tokens)
