"""The card pages a quick build writes (``handbook_edit``): each page's context made by
``core.handbook_pages.card_context`` from the summaries of the cards it lists (read
from their files and checked against the digests the last whole build kept), the
manifest's backlinks and bodies, and the base's git facts and site."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbcli.usecases.handbook_edit import NotQuick, check

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.core.handbook_pages import Body


class SitePages:
    """Summaries and card-page contexts for one quick build."""

    def __init__(self, quick: Any) -> None:
        from kbcli.core.handbook import digest
        from kbcli.usecases.handbook_facts import site_options

        self.quick = quick
        build, ws = quick.build, quick.ws
        self.options = site_options(ws, build.audience, shallow=build.shallow)
        self.roster = ws.config.roster
        self.parser = digest("parser", ws.card_files.parse_fingerprint())[:16]
        summaries = quick.manifest.get("summaries")
        check(isinstance(summaries, tuple) and len(summaries) == 2)
        check(summaries[0] == (self.options, self.roster))
        self.entries: dict[str, Any] = summaries[1]
        self.known: dict[str, Any] = {}

    def summary(self, card: Card, entry: Any) -> Any:
        """The card's summary, which must be the one the last whole build made."""
        from kbcli.core.catalog import Assessed
        from kbcli.core.handbook_views import card_summary

        summary = card_summary(Assessed(card, entry[2]), self.options, self.roster)
        check(repr(summary) == entry[3])
        return summary

    def of(self, path: str) -> Any:
        """The summary of an unchanged card, from its file (its bytes the ones the kept
        digest was made for)."""
        from kbcli.adapters.card_cache import _digest
        from kbcli.adapters.card_files import read_card_bytes
        from kbcli.usecases.handbook_cards import _changed

        if path in self.known:
            return self.known[path]
        check(path not in self.quick.changed)
        entry: Any = self.entries.get(path)
        check(entry is not None)
        ws = self.quick.ws
        try:
            data = read_card_bytes(str(ws.root), path)
        except OSError as error:
            raise NotQuick(path) from error
        check(entry[0] == f"{_digest(data).hex()}:{self.parser}")
        card = ws.card_files.parse(path, data, ws.today)
        if not card.meta.lang and entry[1]:
            card = _changed(card, meta=_changed(card.meta, lang=entry[1]))
        found = self.known[path] = self.summary(card, entry)
        return found

    def kept_body(self, path: str) -> Body:
        """An unchanged card's body: the manifest's entry, its HTML from the body cache."""
        from kbcli.core.handbook_pages import Body

        entry = self.quick.manifest["bodies"].get(path)
        check(isinstance(entry, dict))
        html = self.quick.build.store.body_cache().html(path, entry["key"])
        check(isinstance(html, str))
        return Body(html, entry["key"], entry["links"], entry["broken"], entry["headings"])

    def page(
        self, path: str, summary: Any, body: Body, related: list[str], templates_fp: str
    ) -> tuple[str, dict[str, Any], str]:
        """The card page's url, context and key, as ``SitePlan.card_pages`` and the whole
        build's page keys make them."""
        from urllib.parse import quote

        from kbcli.core.handbook import GitFacts, card_url, digest
        from kbcli.core.handbook_pages import CardPage, card_context, card_inputs, page_key

        bodies = self.quick.manifest["bodies"]
        sources = sorted(p for p, e in bodies.items() if p != path and path in e["links"])
        linked_from = [self.of(p) for p in sources]
        shown = [self.of(p) for p in related[:5]]
        kept = self.quick.base["git"].get(path)
        git = GitFacts(*kept) if kept is not None else None
        edit = ""
        if self.options.audience.value == "internal" and self.options.edit_base:
            edit = self.options.edit_base + quote(path)
        site = self.quick.base["site"]
        page = CardPage(summary, body, git, linked_from, shown, edit)
        inputs = card_inputs(summary, body.key, git, linked_from, shown, edit, digest(site))
        context = card_context(site, self.options.default_lang, page)
        return card_url(path), context, page_key(templates_fp, "card.html", inputs)
