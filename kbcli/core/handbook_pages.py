"""Every page of the handbook as (url, template, context): what the site shows, decided once.

Pure: rendered bodies, trust, roster and git facts come in; plain dicts go out. The
build hashes each context to decide whether a page must be written again, so
nothing here may depend on the order of cards on disk or on the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from kbcli.core.cards import Audience
from kbcli.core.catalog import Assessed
from kbcli.core.handbook import (
    HandbookFacts,
    SiteOptions,
    card_url,
    digest,
    owner_url,
    root_of,
    tag_url,
    text_direction,
)
from kbcli.core.handbook_views import (
    Summary,
    card_group,
    card_summary,
    folder_counts,
    group_by,
    group_root,
    owner_view,
    recently_verified,
    trend_chart,
    trust_score,
    urgent,
)
from kbcli.core.naming import slugify
from kbcli.core.people import Roster
from kbcli.core.trust import TrustState


@dataclass(frozen=True)
class Body:
    """A rendered card body (already sanitized) and what its links said."""

    html: str
    key: str
    links: Sequence[str] = ()
    broken: Sequence[Mapping[str, Any]] = ()
    headings: Sequence[Mapping[str, Any]] = ()


class Page:
    """One page: its URL, template, what it is made of (``key_context``, hashed into the
    page's key: the body stands there as its key) and its context, built on first use.

    A card page's ``key_context`` is the short tuple of its inputs, not its context: a
    build after one edit hashes 7,000 and renders a handful, building no other context."""

    __slots__ = ("_context", "_make", "key_context", "template", "url")

    def __init__(
        self,
        url: str,
        template: str,
        context: dict[str, Any] | None,
        key_context: Any,
        make: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.url, self.template, self.key_context = url, template, key_context
        self._context, self._make = context, make

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            assert self._make is not None
            self._context, self._make = self._make(), None
        return self._context


STATES = tuple(s.value for s in TrustState)


class SitePlan:
    """Builds page contexts for one audience from assessed cards and their rendered bodies."""

    def __init__(
        self,
        items: Sequence[Assessed],
        bodies: Mapping[str, Body],
        options: SiteOptions,
        roster: Roster,
        facts: HandbookFacts,
        known: Mapping[str, tuple[Any, Any, Summary]] | None = None,
        known_pages: Mapping[str, tuple[tuple[Any, ...], Page]] | None = None,
        digests: Mapping[str, str] | None = None,
    ) -> None:
        """``known`` is ``summary_memo()`` of an earlier plan with equal options and roster
        (kb serve): the summary of a card that is the same object with the same trust is
        reused instead of built again. ``known_pages`` is an earlier ``card_page_memo``:
        a card page whose inputs all compare equal is that earlier page, context and all.
        ``digests``: path -> the ``repr`` an earlier build gave an equal summary (kb build
        keeps them by the card's inputs), taken instead of hashing the summary again."""
        self.items = sorted(items, key=lambda i: (i.card.meta.title.casefold(), i.card.path))
        self.bodies = bodies
        self.options = options
        self.roster = roster
        self.facts = facts
        self.internal = options.audience is Audience.INTERNAL
        self.digests = digests or {}
        self.summaries = {i.card.path: self._summary(i, known) for i in self.items}
        self.known_pages = known_pages or {}
        self.card_page_memo: dict[str, tuple[tuple[Any, ...], Page]] = {}
        langs = {s["lang"].lower() for s in self.summaries.values()} | {options.default_lang}
        self.site: dict[str, Any] = {
            "title": options.title,
            "internal": self.internal,
            "audience": options.audience.value,
            "today": options.today.isoformat(),
            "languages": sorted(langs),
            "shallow": options.shallow,
            "folder_root": group_root(i.card.path for i in self.items),
        }

    def _summary(
        self, item: Assessed, known: Mapping[str, tuple[Any, Any, Summary]] | None
    ) -> Summary:
        seen = known.get(item.card.path) if known else None
        if seen is not None and seen[0] is item.card and seen[1] == item.trust:
            return seen[2]
        summary = card_summary(item, self.options, self.roster)
        text = self.digests.get(item.card.path)
        if text is not None:
            summary.known_as(text)
        return summary

    def summary_memo(self) -> dict[str, tuple[Any, Any, Summary]]:
        return {i.card.path: (i.card, i.trust, self.summaries[i.card.path]) for i in self.items}

    def _base(self, url: str, lang: str | None = None, root: str | None = None) -> dict[str, Any]:
        lang = lang or self.options.default_lang
        return {
            "site": self.site,
            "root": root_of(url) if root is None else root,
            "page_url": url,
            "lang": lang,
            "dir": text_direction(lang),
        }

    def _page(self, url: str, template: str, extra: dict[str, Any], **base: Any) -> Page:
        context = {**self._base(url, **base), **extra}
        return Page(url, template, context, context)

    def _list(self, items: Sequence[Assessed]) -> list[dict[str, Any]]:
        return [self.summaries[i.card.path] for i in items]

    def backlinks(self) -> dict[str, list[str]]:
        found: dict[str, set[str]] = {}
        for path, body in self.bodies.items():
            for target in body.links:
                if target != path:
                    found.setdefault(target, set()).add(path)
        return {target: sorted(sources) for target, sources in found.items()}

    def pages(self) -> list[Page]:
        pages = [self.home(), self.not_found(), *self.card_pages(), *self.tag_pages()]
        if self.internal:
            pages += [*self.owner_pages(), self.health()]
        return pages

    def home(self) -> Page:
        root = self.site["folder_root"]
        folders = folder_counts(self.items, root)
        by_folder = group_by(self.items, lambda i: [card_group(i.card.path, root)])
        for folder in folders:
            folder["cards"] = self._list(by_folder.get(folder["name"], []))
        if not self.internal:  # a help center: counts, score and urgency are the team's
            return self._page("index.html", "index.html", {"folders": folders})
        counts = {s: 0 for s in STATES}
        for item in self.items:
            counts[item.trust.state.value] += 1
        return self._page(
            "index.html",
            "index.html",
            {
                "cards_total": len(self.items),
                "score": trust_score(self.items),
                "state_counts": counts,
                "urgent": self._list(urgent(self.items)),
                "recent": self._list(recently_verified(self.items)),
                "folders": folders,
            },
        )

    def not_found(self) -> Page:
        return self._page("404.html", "404.html", {}, root=self.options.site_path)

    def card_pages(self) -> list[Page]:
        backlinks = self.backlinks()
        site_key = digest(self.site)
        pages = []
        for item in self.items:
            path = item.card.path
            summary = self.summaries[path]
            body = self.bodies[path]
            git = self.facts.git.get(path)
            related = [
                self.summaries[p] for p in self.facts.related.get(path, ()) if p in self.summaries
            ][:5]
            edit = (
                self.options.edit_base + quote(path)
                if self.internal and self.options.edit_base
                else ""
            )
            linked_from = [self.summaries[p] for p in backlinks.get(path, [])]
            # Everything the page below is made of; the body's key stands for its HTML and
            # headings, the site's digest for the site. Equal inputs, equal page: reuse it
            # (kb serve, after one save); the page's key is a hash of them.
            inputs = card_inputs(summary, body.key, git, linked_from, related, edit, site_key)
            seen = self.known_pages.get(path)
            if seen is not None and seen[0] == inputs:
                self.card_page_memo[path] = seen
                pages.append(seen[1])
                continue
            page = Page(
                card_url(path),
                "card.html",
                None,
                inputs,
                partial(self._card_context, summary, body, git, linked_from, related, edit),
            )
            self.card_page_memo[path] = (inputs, page)
            pages.append(page)
        return pages

    def _card_context(
        self,
        summary: Summary,
        body: Body,
        git: Any,
        linked_from: list[Summary],
        related: list[Summary],
        edit: str,
    ) -> dict[str, Any]:
        card = CardPage(summary, body, git, linked_from, related, edit)
        return card_context(self.site, self.options.default_lang, card)

    def tag_pages(self) -> list[Page]:
        by_tag = group_by(self.items, lambda i: dict.fromkeys(i.card.meta.tags))
        pages = [
            self._page(tag_url(tag), "tag.html", {"tag": tag, "items": self._list(items)})
            for tag, items in by_tag.items()
        ]
        cloud = [{"name": t, "url": tag_url(t), "count": len(i)} for t, i in by_tag.items()]
        pages.append(self._page("tags/index.html", "tags.html", {"tags": cloud}))
        return pages

    def owner_pages(self) -> list[Page]:
        by_owner = group_by(self.items, lambda i: [i.card.meta.owner] if i.card.meta.owner else [])
        pages, rows = [], []
        for handle, items in by_owner.items():
            view = owner_view(handle, self.roster) or {}
            person = self.roster.people.get(handle)
            team = view.get("team")
            owner = {
                **view,
                "team_url": owner_url(team) if team and team in by_owner else None,
                "email": person.emails[0] if person and person.emails else None,
                "left": person.left.isoformat() if person and person.left else None,
            }
            members = [
                owner_view(h, self.roster)
                for h in sorted(self.roster.members(handle) - {handle})
                if h in by_owner
            ]
            first = (TrustState.EXPIRED, TrustState.NEEDS_REVIEW, TrustState.DUE)
            due = [i for i in items if i.trust.state in first] + [
                i for i in items if i.trust.state is TrustState.UNVERIFIED
            ]
            pages.append(
                self._page(
                    owner_url(handle),
                    "owner.html",
                    {
                        "owner": owner,
                        "members": members,
                        "items": self._list(items),
                        "due": self._list(urgent(due, limit=len(due))),
                    },
                )
            )
            states = [i.trust.state.value for i in items]
            rows.append(
                {
                    "name": view.get("name", handle),
                    "url": owner_url(handle),
                    "total": len(items),
                    **{s: states.count(s) for s in ("expired", "due", "unverified")},
                    "needs_review": states.count("needs-review"),
                }
            )
        unowned = [i for i in self.items if not i.card.meta.owner]
        pages.append(
            self._page(
                "owners/index.html",
                "owners.html",
                {"owners": rows, "unowned": self._list(unowned)},
            )
        )
        return pages

    def health(self) -> Page:
        trend = list(self.facts.trend)
        score = trust_score(self.items)
        if not trend and score is not None:
            trend = [(self.options.today, score)]
        chart = trend_chart(trend)
        findings = [
            {**f, "url": card_url(f["path"]) if f.get("path") in self.summaries else None}
            for f in self.facts.findings
        ]
        broken = [
            {"path": path, "url": card_url(path), **b}
            for path, body in sorted(self.bodies.items())
            for b in body.broken
        ]
        return self._page(
            "health.html",
            "health.html",
            {
                "score": score,
                "chart": chart.__dict__,
                "history": self.facts.has_history,
                "findings": findings,
                "broken_links": broken,
            },
        )


@dataclass(frozen=True)
class CardPage:
    """What one card's page is made of besides the site."""

    summary: Summary
    body: Body
    git: Any
    linked_from: list[Summary]
    related: list[Summary]
    edit: str


def card_context(site: dict[str, Any], default_lang: str, page: CardPage) -> dict[str, Any]:
    """A card page's context (``SitePlan`` and the quick build after an edit)."""
    summary, git, internal = page.summary, page.git, site["internal"]
    lang = summary["lang"] or default_lang
    url = summary["url"]
    return {
        "site": site,
        "root": root_of(url),
        "page_url": url,
        "lang": lang,
        "dir": text_direction(lang),
        "card": summary,
        "folder_anchor": slugify(card_group(summary["path"], site["folder_root"])),
        "headings": list(page.body.headings),
        "git": {
            "last_author": git.last_author if git and internal else None,
            "last_date": git.last_date.isoformat() if git and git.last_date else None,
            "verified_by": git.verified_by if git and internal else None,
        },
        "backlinks": page.linked_from,
        "related": page.related,
        "edit_url": page.edit,
        "body": page.body.html,
    }


def card_inputs(
    summary: Summary,
    body_key: str,
    git: Any,
    linked_from: list[Summary],
    related: list[Summary],
    edit: str,
    site_key: str,
) -> tuple[Any, ...]:
    """Everything a card page is made of (its ``key_context``): the body's key stands
    for its HTML and headings, the site's digest for the site."""
    facts = git and (git.last_author, git.last_date, git.verified_by)  # a fast repr
    return ("card", summary, body_key, facts, linked_from, related, edit, site_key)


def page_key(templates_fp: str, template: str, key_context: Any) -> str:
    """A page's key: its template, the templates' fingerprint and what it is made of."""
    return digest("page", templates_fp, template, key_context)
