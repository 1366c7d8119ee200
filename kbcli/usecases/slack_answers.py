"""What the Slack app answers: searches, shared cards and link previews, with trust.

Searches go through ``usecases.search`` (same query language, same ranking) and are
logged to the usage log; each card's badge and reason come from its verdict
(``core.verdict``), rendered by ``core.slack_blocks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from kbcli.core.slack_blocks import CardLine, no_match, search_answer, shared_card, unfurl
from kbcli.core.trust import Trust, trust_detail

if TYPE_CHECKING:
    from kbcli.core.cards import CardMeta
    from kbcli.workspace import Workspace

SURFACE = "slack"
TOP = 5


def reason(trust: Trust, workspace: Workspace) -> str:
    """The reason next to a badge: the evidence against a card when there is some
    (``verdict.evidence``: the badge already says the state), else what its dates say."""
    if trust.reasons:
        from kbcli.core.verdict import evidence

        return evidence(trust)
    return trust_detail(trust, workspace.today)


def card_line(
    workspace: Workspace, path: str, meta: CardMeta, trust: Trust, snippet: str = ""
) -> CardLine:
    person = workspace.config.roster.people.get(meta.owner or "")
    return CardLine(
        path=path,
        title=meta.title,
        state=trust.state.value,
        reason=reason(trust, workspace),
        owner=workspace.config.roster.display(meta.owner) or None,
        owner_mention=person.slack if person else None,
        snippet=snippet,
        verified=meta.verified_on.isoformat() if meta.verified_on else None,
    )


def answer(
    workspace: Workspace, query: str, user: str | None = None, *, sync_first: bool = True
) -> dict[str, Any]:
    """The ephemeral answer to ``/kb QUERY``: top cards, or "No card matches" with Ask.

    ``sync_first=False`` when the caller keeps the index in step itself (``Checkout``)."""
    from kbcli.usecases.search import search
    from kbcli.usecases.usage import log_search

    result = search(workspace, query, limit=TOP, sync_first=sync_first)
    lines = [card_line(workspace, h.path, h.meta, h.trust, h.snippet) for h in result.hits]
    log_search(workspace, query, SURFACE, [line.path for line in lines], user=user)
    if not lines:
        return no_match(query, result.hints)
    return search_answer(query, lines, workspace.config.handbook.url)


def share(workspace: Workspace, path: str, sharer: str) -> dict[str, Any]:
    """A card for the whole channel ("Share in channel"), judged now."""
    line = line_for(workspace, path)
    return shared_card(line, workspace.config.handbook.url, sharer)


def line_for(workspace: Workspace, path: str) -> CardLine:
    """One card by path with its verdict (raises KbError for a card that does not exist)."""
    from kbcli.usecases.health import judge_cards

    item = judge_cards(workspace, [workspace.assess(workspace.card(path))])[0]
    return card_line(workspace, item.card.path, item.card.meta, item.trust)


def path_of_url(workspace: Workspace, url: str) -> str | None:
    """The card a handbook page address shows, or None when it is not one of ours."""
    from kbcli.core.handbook import card_url

    base = workspace.config.handbook.url.rstrip("/")
    if not base:
        return None
    if not url.startswith(base + "/"):
        return None
    page = unquote(urlsplit(url[len(base) + 1 :]).path)
    for card in workspace.catalog:
        if card_url(card.path) == page:
            return card.path
    return None


def unfurls(workspace: Workspace, urls: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``chat.unfurl``'s ``unfurls`` map for the handbook links among ``urls``."""
    found: dict[str, dict[str, Any]] = {}
    for url in urls:
        path = path_of_url(workspace, url)
        if path is not None:
            found[url] = unfurl(line_for(workspace, path), workspace.config.handbook.url)
    return found
