"""One edited card's page in a quick build (``handbook_edit``): its summary, body, related
list and page context, made by the whole build's own functions, each input checked
against what the last whole build kept; ``NotQuick`` at the first doubt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbcli.usecases.handbook_edit import NotQuick, check

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.core.handbook_pages import Body


class EditedCard:
    """The page of one card whose bytes changed (see ``handbook_edit``)."""

    def __init__(self, quick: Any, rel: str, card: Card, digest: bytes) -> None:
        from kbcli.core.handbook import card_url
        from kbcli.usecases.handbook_facts import site_options

        self.quick, self.path, self.card, self.digest = quick, rel, card, digest
        self.url = card_url(rel)
        build = quick.build
        self.options = site_options(quick.ws, build.audience, shallow=build.shallow)
        self.roster = quick.ws.config.roster
        self.counts: dict[str, float] | None = None
        self.df_moves: dict[str, int] = {}
        self.context: dict[str, Any] = {}
        summaries = quick.manifest.get("summaries")
        check(isinstance(summaries, tuple) and len(summaries) == 2)
        check(summaries[0] == (self.options, self.roster))
        self.entries: dict[str, Any] = summaries[1]

    def made(self) -> EditedCard:
        from kbcli.core.handbook import GitFacts
        from kbcli.core.handbook_pages import CardPage, card_context

        entry: Any = self.entries.get(self.path)
        check(entry is not None)
        card = self._with_language(self.card, entry[1])
        summary = self._summary(card, entry)
        body = self._body(card)
        related = self._related(card) if self.quick.build.related is not False else []
        bodies = self.quick.manifest["bodies"]
        sources = sorted(p for p, e in bodies.items() if p != self.path and self.path in e["links"])
        linked_from = [self._other(p) for p in sources]
        shown = [self._other(p) for p in related[:5]]
        kept = self.quick.base["git"].get(self.path)
        git = GitFacts(*kept) if kept is not None else None
        edit = ""
        if self.options.audience.value == "internal" and self.options.edit_base:
            from urllib.parse import quote

            edit = self.options.edit_base + quote(self.path)
        page = CardPage(summary, body, git, linked_from, shown, edit)
        self.context = card_context(self.quick.base["site"], self.options.default_lang, page)
        return self

    def _with_language(self, card: Card, kept_lang: str | None) -> Card:
        """The card with its detected language, as the whole build gives it; the same
        language as before or the whole build."""
        from kbcli.adapters import keyed_cache
        from kbcli.adapters.language_id import Detector
        from kbcli.core.handbook import digest
        from kbcli.usecases.handbook_cards import LANGUAGES, _changed

        if card.meta.lang:
            check(card.meta.lang == kept_lang)
            return card
        files = self.quick.ws.card_files
        parser = digest("parser", files.parse_fingerprint())[:16]
        detect = Detector(self.quick.ws.config.cache_dir / LANGUAGES)
        lang = detect.by_id(f"{self.digest.hex()}:{parser}", lambda: card.body)
        if detect.new and detect.path is not None:  # Detector.save keeps only what it used
            keyed_cache.save(detect.path, detect.key, detect.known | detect.used)
        check((lang or None) == kept_lang)
        if not lang:
            return card
        return _changed(card, meta=_changed(card.meta, lang=lang))

    def _summary(self, card: Card, entry: Any) -> Any:
        from kbcli.core.catalog import Assessed
        from kbcli.core.handbook_views import card_summary

        summary = card_summary(Assessed(card, entry[2]), self.options, self.roster)
        check(repr(summary) == entry[3])
        return summary

    def _other(self, path: str) -> Any:
        """The summary of another card this page lists, from its file, checked against
        the digest the last whole build kept for the same bytes."""
        from kbcli.adapters.card_cache import _digest
        from kbcli.adapters.card_files import read_card_bytes
        from kbcli.core.handbook import digest
        from kbcli.usecases.handbook_cards import _changed

        check(path not in self.quick.changed)
        entry: Any = self.entries.get(path)
        check(entry is not None)
        ws = self.quick.ws
        try:
            data = read_card_bytes(str(ws.root), path)
        except OSError as error:
            raise NotQuick(path) from error
        parser = digest("parser", ws.card_files.parse_fingerprint())[:16]
        check(entry[0] == f"{_digest(data).hex()}:{parser}")
        card = ws.card_files.parse(path, data, ws.today)
        if not card.meta.lang and entry[1]:
            card = _changed(card, meta=_changed(card.meta, lang=entry[1]))
        return self._summary(card, entry)

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

    def _related(self, card: Card) -> list[str]:
        """The card's related list, which no list changes (see ``handbook_edit``)."""
        from kbcli.adapters import checked_file
        from kbcli.adapters.shard_files import shard_of
        from kbcli.adapters.text_analysis import Analysis
        from kbcli.core.related import unit_vector
        from kbcli.usecases.handbook_state import _RELATED_MAGIC, related_key
        from kbcli.usecases.related import card_terms

        base, journal = self.quick.base, self.quick.journal
        check(base["df"] is not None and base["related_tokens"] is not None)
        lang = self.quick.ws.config.search.default_lang
        index = shard_of(self.path)
        shard = self.quick.build.store.terms_dir / f"{index:02d}.marshal"
        found = checked_file.load(shard, related_key(lang), _RELATED_MAGIC)
        check(found.get("token") == base["related_tokens"][index])
        entry = found.get("entries", {}).get(self.path)
        check(isinstance(entry, tuple) and len(entry) == 4 and entry[2] is not None)
        before = journal.get("counts", {}).get(self.path, entry[1])
        self.counts = card_terms(Analysis(), card, lang)
        moves = {t: (1 if t in self.counts else -1) for t in before.keys() ^ self.counts.keys()}
        df = _Df(base["df"], journal.get("df", {}), moves, base["total"])
        check(all(min(df.before(t), df.now(t)) > _common() for t in moves))
        check(unit_vector(self.counts, df) == entry[3])
        self.df_moves = moves
        return [path for path, _ in entry[2]]


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
