"""The handbook's lists and chart: card summaries, urgency, folder counts, groups, and the
trust-score chart's geometry.

Pure, as ``core.handbook``: plain dicts for the templates, the same dicts hashed to decide
whether a page is written again.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kbcli.core.cards import Audience
from kbcli.core.catalog import Assessed
from kbcli.core.handbook import (
    SiteOptions,
    card_url,
    digest,
    owner_url,
    page_lang,
    tag_url,
    text_direction,
    trust_view,
)
from kbcli.core.naming import slugify
from kbcli.core.people import Roster
from kbcli.core.trust import Trust, TrustState
from kbcli.core.verdict import urgency

# A help center (a public build) shows customers two states, never kb's internal ones
# (expired, needs review, an owner's name): "current" is a card that counts as verified,
# "stale" every other, so an out-of-date answer never looks trustworthy.
PUBLIC_ICON = {"current": "✔", "stale": "⚠"}
PUBLIC_WORD = {"current": "Reviewed", "stale": "May be out of date"}


def public_trust_view(trust: Trust) -> dict[str, Any]:
    """``trust_view`` for a help center: current or stale, in words for customers.

    A current card keeps its expiry date so that the page (and its search result) turns
    stale in the browser on the day it expires, as internal badges age; the due date and
    the reasons are the team's business."""
    state = "current" if trust.is_fresh else "stale"
    verified = trust.verified_on.isoformat() if trust.verified_on else None
    current = state == "current"
    return {
        "state": state,
        "icon": PUBLIC_ICON[state],
        "word": PUBLIC_WORD[state],
        "verified_on": verified if current else None,
        "expires_on": trust.expires_on.isoformat() if current and trust.expires_on else None,
        "due_on": None,
        "days_left": None,
        "detail": f"reviewed {verified}" if current else "not reviewed recently",
        "verifiers": [],
        "no_owner": False,
        "reasons": [],
    }


class Summary(dict[str, Any]):
    """A card summary: a read-only dict whose ``repr`` is a digest of its content.

    One card's summary appears on many pages (home, its tags, its owner, the cards it
    links to) and the build hashes every page's context to decide what to write again.
    With the digest computed once per summary, hashing a page that lists 7,000 cards
    costs 7,000 short strings instead of 7,000 nested dicts. Read-only so that the
    digest can never go stale.
    """

    __slots__ = ("_digest",)

    def __repr__(self) -> str:
        try:
            return self._digest
        except AttributeError:
            self._digest: str = f"Summary({digest(dict.__repr__(self))})"
            return self._digest

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a card summary is read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only
    __ior__ = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (Summary, (dict(self),))

    def known_as(self, text: str) -> None:
        """Take ``text`` as the digest: an earlier build's ``repr`` of an equal summary."""
        self._digest = text


def card_summary(item: Assessed, options: SiteOptions, roster: Roster) -> Summary:
    """The short form of a card every list shows: title, link, badge, owner, tags."""
    meta = item.card.meta
    public = options.audience is Audience.PUBLIC
    lang = page_lang(meta.lang, options.default_lang)
    verifiers = () if public else meta.effective_verifiers
    return Summary(
        {
            "path": item.card.path,
            "title": meta.shown_title,
            "url": card_url(item.card.path),
            "trust": (
                public_trust_view(item.trust)
                if public
                else trust_view(item.trust, options.today, verifiers)
            ),
            "owner": None if public else owner_view(meta.owner, roster),
            "tags": [{"name": t, "url": tag_url(t)} for t in meta.tags],
            "lang": lang,
            "dir": text_direction(lang),
            "status": meta.status.value,
            "folder": item.card.folder,
        }
    )


def owner_view(handle: str | None, roster: Roster) -> dict[str, Any] | None:
    if not handle:
        return None
    person = roster.people.get(handle)
    return {
        "handle": handle,
        "name": roster.display(handle),
        "url": owner_url(handle),
        "team": person.team if person else None,
        "is_team": handle not in roster.people and handle in roster.teams,
    }


def trust_score(items: Iterable[Assessed]) -> int | None:
    """Percent of published cards that count as verified (``verdict.trust_score``)."""
    from kbcli.core.verdict import trust_score as score

    return score(items).percent


def urgent(items: Iterable[Assessed], limit: int = 10) -> list[Assessed]:
    """Expired first (longest expired first), then due (soonest first), then never verified."""
    pending = [i for i in items if i.trust.state is not TrustState.VERIFIED]
    pending.sort(key=lambda i: (urgency(i.trust), i.card.path))
    return pending[:limit]


def recently_verified(items: Iterable[Assessed], limit: int = 10) -> list[Assessed]:
    done = [i for i in items if i.trust.verified_on is not None]
    done.sort(key=lambda i: (i.trust.verified_on or date.min, i.card.path), reverse=True)
    return done[:limit]


def group_root(paths: Iterable[str]) -> str:
    """The folder every card is under ("" when none is): a repo whose one card folder
    (``pages`` on the 18F handbook) holds every card is grouped by the folders below it
    on the home page, not into a single group of every card."""
    folders = {path.rpartition("/")[0] for path in paths}
    return posixpath.commonpath(folders) if folders and "" not in folders else ""


def card_group(path: str, root: str) -> str:
    """The home page's group of the card at ``path``: its first folder below ``root``."""
    rest = path[len(root) + 1 :] if root else path
    return rest.split("/", 1)[0] if "/" in rest else "(top level)"


def folder_counts(items: Iterable[Assessed], root: str = "") -> list[dict[str, Any]]:
    """The home page's folders (``card_group``) with card counts per trust state."""
    groups: dict[str, dict[str, int]] = {}
    for item in items:
        folder = card_group(item.card.path, root)
        counts = groups.get(folder)
        if counts is None:
            counts = groups[folder] = {s.value: 0 for s in TrustState}
        counts[item.trust.state.value] += 1
    return [
        {"name": name, "total": sum(counts.values()), "counts": counts, "anchor": slugify(name)}
        for name, counts in sorted(groups.items())
    ]


def group_by(
    items: Iterable[Assessed], keys: Any
) -> dict[str, list[Assessed]]:  # keys: Callable[[Assessed], Iterable[str]]
    groups: dict[str, list[Assessed]] = {}
    for item in items:
        for key in keys(item):
            groups.setdefault(key, []).append(item)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].casefold()))


# ---------------------------------------------------------------------------------------------
# The trust-score chart (inline SVG: no JavaScript needed)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    dots: list[dict[str, Any]]
    y_ticks: list[dict[str, Any]]
    x_ticks: list[dict[str, Any]]
    summary: str  # what a screen reader hears


def trend_chart(trend: Sequence[tuple[date, int]], width: int = 640, height: int = 220) -> Chart:
    """Geometry of the trust score over time: percent on y (0-100), weeks on x."""
    left, right, top, bottom = 40, 16, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    y_ticks = [
        {"y": round(top + plot_h * (1 - v / 100), 1), "label": f"{v}%"}
        for v in (0, 25, 50, 75, 100)
    ]
    if not trend:
        return Chart(width, height, "", [], y_ticks, [], "No trust history yet.")
    first, last = trend[0][0], trend[-1][0]
    span = max((last - first).days, 1)

    def x_of(day: date) -> float:
        if len(trend) == 1:
            return left + plot_w / 2
        return round(left + plot_w * (day - first).days / span, 1)

    dots = [
        {
            "x": x_of(day),
            "y": round(top + plot_h * (1 - max(0, min(100, score)) / 100), 1),
            "label": f"{day.isoformat()}: {score}%",
        }
        for day, score in trend
    ]
    points = " ".join(f"{d['x']},{d['y']}" for d in dots)
    step = max(1, len(trend) // 6)
    x_ticks = [{"x": x_of(day), "label": day.isoformat()} for day, _ in trend[::step]]
    summary = (
        f"Trust score from {first.isoformat()} ({trend[0][1]}%) "
        f"to {last.isoformat()} ({trend[-1][1]}%), {len(trend)} points."
    )
    return Chart(width, height, points, dots, y_ticks, x_ticks, summary)
