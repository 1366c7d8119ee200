"""One edited card in a quick build (``handbook_edit``): its language, summary, body and
term counts, made by the whole build's own functions, each checked against what the
last whole build kept; ``NotQuick`` at the first doubt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbcli.usecases.handbook_edit import check

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.core.handbook_pages import Body


class EditedCard:
    """The page of one card whose bytes changed (see ``handbook_edit``)."""

    def __init__(self, quick: Any, rel: str, card: Card, digest: bytes) -> None:
        self.quick, self.path, self.card, self.digest = quick, rel, card, digest
        self.body_id = ""
        self.terms_key = ""
        self.counts: dict[str, float] | None = None
        self.df_moves: dict[str, int] = {}
        self.same_related: list[str] | None = None  # when no related list moves
        self.summary: Any = None
        self.body: Any = None

    def prepare(self) -> EditedCard:
        """Summary, body and term counts, each checked; the related list comes later."""
        self.body_id = f"{self.digest.hex()}:{self.quick.pages.parser}"
        entry: Any = self.quick.pages.entries.get(self.path)
        check(entry is not None)
        self.card = self._with_language(self.card, entry[1])
        self.summary = self.quick.pages.summary(self.card, entry)
        self.body = self._body(self.card)
        if self.quick.build.related is not False:
            self.same_related = self._related(self.card)
        return self

    def _with_language(self, card: Card, kept_lang: str | None) -> Card:
        """The card with its detected language, as the whole build gives it; the same
        language as before or the whole build."""
        from kbcli.adapters import keyed_cache
        from kbcli.adapters.language_id import FILE, Detector
        from kbcli.usecases.handbook_cards import _changed

        if card.meta.lang:
            check(card.meta.lang == kept_lang)
            return card
        detect = Detector(self.quick.ws.config.cache_dir / FILE)
        lang = detect.by_id(self.body_id, lambda: card.body)
        if detect.new and detect.path is not None:  # Detector.save keeps only what it used
            keyed_cache.save(detect.path, detect.key, detect.known | detect.used)
        check((lang or None) == kept_lang)
        if not lang:
            return card
        return _changed(card, meta=_changed(card.meta, lang=lang))

    def _body(self, card: Card) -> Body:
        """The card's body rendered as a whole build renders it; it links to nothing kb
        resolves, and did not before."""
        from kbcli.adapters.markdown_render import BodyRenderer
        from kbcli.core.handbook import SiteLinks, digest, link_context
        from kbcli.core.handbook_pages import Body
        from kbcli.core.link_scan import scan
        from kbcli.usecases.handbook_bodies import shown_body
        from kbcli.usecases.handbook_edit import NoLinks
        from kbcli.usecases.handbook_state import renderer_version

        bodies = self.quick.manifest["bodies"]
        old = bodies.get(self.path)
        check(isinstance(old, dict) and not old["links"] and not old["broken"])
        check(not old.get("deps") and not old.get("assets") and "deps" in old)
        check(not scan(card.body, with_headings=False).links)
        links = SiteLinks(NoLinks(), frozenset())  # type: ignore[arg-type]
        text, line = shown_body(card)
        audience = self.quick.build.audience.value
        context = link_context(self.path, card.body, links)
        key = digest("body", self.path, text, line, audience, context, renderer_version())
        done = BodyRenderer(links).render(self.path, text)
        check(not done.links)
        if list(done.headings) != list(old["headings"]):
            check(not any(self.path in e.get("deps", ()) for e in bodies.values()))
        return Body(done.html, key, done.links, [], done.headings)

    def _related(self, card: Card) -> list[str] | None:
        """The card's related list when no list changes (its vector is the same, float
        for float, and no other card's moved); None when lists must be computed again
        (``handbook_edit_related``). Its term counts and how they move df, either way."""
        from kbcli.adapters.text_analysis import Analysis
        from kbcli.core.related import unit_vector
        from kbcli.usecases.related import _terms_key, card_terms

        base, journal = self.quick.base, self.quick.journal
        check(base["df"] is not None and base["related_tokens"] is not None)
        lang = self.quick.ws.config.search.default_lang
        self.terms_key = _terms_key(card, lang, self.body_id)
        entry = kept_terms(self.quick, self.path)
        before = journal.get("counts", {}).get(self.path, entry[1])
        self.counts = card_terms(Analysis(), card, lang)
        moves = {t: (1 if t in self.counts else -1) for t in before.keys() ^ self.counts.keys()}
        df = _Df(base["df"], journal.get("df", {}), moves, base["total"])
        self.df_moves = moves
        if not all(min(df.before(t), df.now(t)) > _common() for t in moves):
            return None
        if unit_vector(self.counts, df) != entry[3]:
            return None
        return [path for path, _ in entry[2]]


def kept_terms(quick: Any, path: str) -> tuple[Any, ...]:
    """A card's entry in the related-cards state (terms key, counts, list, vector), from
    the shard the base (or the journal, after a quick build rewrote it) names."""
    from kbcli.adapters import checked_file
    from kbcli.adapters.shard_files import shard_of
    from kbcli.usecases.handbook_state import _RELATED_MAGIC, related_key

    tokens = quick.journal.get("related_tokens") or quick.base["related_tokens"]
    lang = quick.ws.config.search.default_lang
    index = shard_of(path)
    shard = quick.build.store.terms_dir / f"{index:02d}.marshal"
    found = checked_file.load(shard, related_key(lang), _RELATED_MAGIC)
    check(found.get("token") == tokens[index])
    entry = found.get("entries", {}).get(path)
    check(isinstance(entry, tuple) and len(entry) == 4 and entry[2] is not None)
    return entry


def _common() -> int:
    from kbcli.core.related import COMMON_CARDS

    return COMMON_CARDS


class _Df:
    """Each term's card count now (the base's, moved by the journal and this edit), and
    its idf weight as ``core.related.TermSpace`` computes it (``get``)."""

    def __init__(
        self, base: dict[str, int], journal: dict[str, int], moves: dict[str, int], total: int
    ) -> None:
        self.base, self.journal, self.moves, self.total = base, journal, moves, total

    def before(self, term: str) -> int:
        return int(self.base.get(term, 0)) + int(self.journal.get(term, 0))

    def now(self, term: str) -> int:
        return self.before(term) + self.moves.get(term, 0)

    def get(self, term: str) -> float | None:
        import math

        df = self.now(term)
        if df <= 0 or df > _common():
            return None
        return math.log(1.0 + (self.total - df + 0.5) / (df + 0.5))
