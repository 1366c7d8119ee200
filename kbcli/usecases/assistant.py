"""What kb serves to AI assistants (``kb mcp``): trusted answers, each with its trust state.

An assistant should cite verified knowledge and say so when there is none, so every
function here is trust-aware by default: expired, unverified (and any other state
that is not fresh, such as a card that needs review) and draft cards are left out
unless the caller asks for them, and every result carries its state and the words
behind it. Nothing here knows the MCP protocol: ``cli/mcp_server.py`` maps
these functions onto tools, so the same answers could serve another transport.

Paths from an assistant are untrusted input: ``card_path`` resolves them and refuses
anything outside the knowledge repo, including symlinks that lead out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Status
from kbcli.core.query import TRUST_STATES
from kbcli.core.trust import Trust, TrustState
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.core.cards import Card, CardMeta
    from kbcli.usecases.search import Hit
    from kbcli.workspace import Workspace

# Trust states the query language can filter on that an assistant must not cite unasked,
# computed from the one trust function's notion of "fresh". Only the states the index
# knows from dates go into the query: "needs review" needs the evidence, and filtering
# on it in the query would judge every card of the repo on every call (seconds on a
# big repo). The hits are judged instead (search judges its candidates anyway, for
# ranking) and filtered afterwards, so a doubted card is still left out (fail closed).
_FRESH = {TrustState.VERIFIED.value, TrustState.DUE.value}
_JUDGED = {TrustState.NEEDS_REVIEW.value, "unowned"}
_UNTRUSTED_FILTERS = tuple(s for s in TRUST_STATES if s not in _FRESH | _JUDGED)
MAX_LIMIT = 50
# Candidates asked for per trusted result wanted: room for doubted cards that rank high.
_HEADROOM = 4
# The most of a card's file one get_card returns (about 8,000-15,000 tokens): MCP clients
# refuse or truncate larger tool results (Claude Code stops at 25,000 tokens).
CARD_PAGE_CHARS = 30_000


class OutsideRepo(KbError):
    """A path given to the server points outside the knowledge repo (or is not a card)."""


def trusted(trust: Trust, meta: CardMeta) -> bool:
    """Whether an assistant may cite a card without being asked: fresh and not a draft."""
    return trust.is_fresh and meta.status is not Status.DRAFT


def trust_fields(trust: Trust, meta: CardMeta, workspace: Workspace) -> dict[str, Any]:
    """The trust state of a card in words an assistant can repeat to the user."""
    from kbcli.core.handbook import trust_view
    from kbcli.core.verdict import summary

    view = trust_view(trust, workspace.today)
    reason = view["detail"]
    if trust.reasons:  # the evidence behind a "needs review" verdict
        reason += f"; {summary(trust)}"
    if meta.status is Status.DRAFT:
        reason += "; status draft (not reviewed)"
    return {
        "trust": trust.state.value,
        "trusted": trusted(trust, meta),
        "reason": reason,
        "verified_on": view["verified_on"],
        "expires_on": view["expires_on"],
        "owner": meta.owner,
        "status": meta.status.value,
        "reasons": view["reasons"],
    }


def hit_fields(hit: Hit, workspace: Workspace) -> dict[str, Any]:
    """One search result as an assistant sees it: where, what, how far to trust it."""
    from kbcli.core.handbook import card_url

    return {
        "path": hit.path,
        "title": hit.title,
        **trust_fields(hit.trust, hit.meta, workspace),
        "snippet": hit.snippet,
        "handbook_page": card_url(hit.path),
        "resource": f"kb://card/{hit.path}",
    }


@dataclass(frozen=True)
class Found:
    """Results after the trust filter, how many untrusted matches were left out, and the
    checks that could not run (``core.people.skipped_checks``: without a roster a
    "verified" state rests on the dates alone)."""

    results: list[dict[str, Any]]
    left_out: int
    note: str
    skipped_checks: list[str]


def _found(
    workspace: Workspace, hits: list[Hit], limit: int, include_unverified: bool, what: str
) -> Found:
    kept = [h for h in hits if include_unverified or trusted(h.trust, h.meta)][:limit]
    left_out = 0 if include_unverified else sum(not trusted(h.trust, h.meta) for h in hits)
    return _answer(workspace, kept, left_out, what)


def _answer(workspace: Workspace, kept: list[Hit], left_out: int, what: str) -> Found:
    from kbcli.core.people import skipped_checks

    skipped = skipped_checks(workspace.config.roster)
    note = _note(kept, left_out, what)
    if skipped and kept:
        note += (
            " kb skipped some checks (skipped_checks): a verified state rests on the dates "
            "alone, so say that when you cite a card."
        )
    return Found([hit_fields(h, workspace) for h in kept], left_out, note, skipped)


def _note(kept: list[Hit], left_out: int, what: str) -> str:
    if kept and all(trusted(h.trust, h.meta) for h in kept):
        return f"{len(kept)} verified card(s) {what}; cite their paths."
    if kept:
        return (
            f"{len(kept)} card(s) {what}, some not verified: say which ones are expired, "
            "unverified or drafts when you use them."
        )
    if left_out:
        return (
            f"No verified card {what}. {left_out} expired, unverified or draft card(s) "
            "were left out (include_unverified=true shows them); tell the user that "
            "nothing verified answers this."
        )
    return f"No card {what}; tell the user the knowledge base has no answer."


def _limit(limit: int) -> int:
    if limit < 1:
        raise KbError("limit must be at least 1")
    return min(limit, MAX_LIMIT)


def search_cards(
    workspace: Workspace,
    query: str,
    *,
    limit: int = 5,
    include_unverified: bool = False,
    index: CardIndex | None = None,
) -> Found:
    """Search with kb's query language; only trusted cards unless ``include_unverified``.

    ``index``: the open index of a resident process, current for ``workspace`` (no sync
    is run); without it each search brings the index up to date first, as ``kb search``.
    Every search goes to the usage log (surface ``mcp``) with the paths the assistant
    got, so a question nothing trusted answers shows up in ``kb report --gaps``.
    """
    from kbcli.usecases.usage import log_search

    found = _search_cards(workspace, query, limit, include_unverified, index)
    log_search(workspace, query, "mcp", [r["path"] for r in found.results])
    return found


def _search_cards(
    workspace: Workspace,
    query: str,
    limit: int,
    include_unverified: bool,
    index: CardIndex | None,
) -> Found:
    """The date-based exclusions go into the query itself, so ``limit`` trusted cards
    come back even when many expired ones rank higher; the candidates' verdicts drop
    the doubted ones. When none is left, a second search counts what the filter left
    out, so the assistant can say so.
    """
    from kbcli.usecases.search import search

    if not query.strip():
        raise KbError('give something to search for, e.g. "refund duplicate charge"')
    limit = _limit(limit)

    def hits_for(text: str, wanted: int) -> list[Hit]:
        if index is None:
            return search(workspace, text, limit=wanted, hints=False).hits
        found = search(workspace, text, limit=wanted, sync_first=False, index=index, hints=False)
        return found.hits

    if include_unverified:
        return _found(workspace, hits_for(query, limit), limit, True, "match")
    exclusions = " ".join(f"-is:{s}" for s in (*_UNTRUSTED_FILTERS, "draft"))
    hits = hits_for(f"{query} {exclusions}", limit * _HEADROOM)
    kept = [h for h in hits if trusted(h.trust, h.meta)][:limit]
    if kept:
        return _answer(workspace, kept, 0, "match")
    return _found(workspace, hits_for(query, limit), limit, False, "matches")


def related_cards(
    workspace: Workspace, path: str, *, limit: int = 5, include_unverified: bool = False
) -> Found:
    """Cards similar to one card (``kb related``), trusted ones unless asked."""
    from kbcli.usecases.search import related

    rel = card_path(workspace, path)
    _, hits = related(workspace, rel, limit=_limit(limit) * 4)
    return _found(workspace, hits, _limit(limit), include_unverified, "is related")


def suggest_for_ticket(
    workspace: Workspace, text: str, *, limit: int = 5, include_unverified: bool = False
) -> Found:
    """The cards most likely to answer a ticket (``kb suggest``), trusted ones unless asked."""
    from kbcli.usecases.search import suggest

    hits = suggest(workspace, text, limit=_limit(limit) * 4)
    return _found(workspace, hits, _limit(limit), include_unverified, "answers this ticket")


def list_due(workspace: Workspace, owner: str, *, limit: int = 20) -> dict[str, Any]:
    """Published cards ``owner`` (a roster handle or team) must verify, most urgent first:
    expired, due, never verified, or verified but with evidence against (needs review).

    At most ``limit`` of them (a team may own thousands: the whole list would not fit an
    assistant's context), with how many there are in all.
    """
    from kbcli.core.report import owns
    from kbcli.usecases.health import judged

    roster = workspace.config.roster
    if not roster.knows(owner):
        raise KbError(f"nobody called '{owner}' in people.yaml: give a roster handle or team")
    items = [
        item
        for item in judged(workspace)
        if item.card.meta.status is Status.PUBLISHED
        and owns(owner, item.card.meta.owner, roster)
        and item.trust.state is not TrustState.VERIFIED
    ]
    items.sort(key=lambda a: a.trust.expires_on or a.trust.verified_on or workspace.today)
    shown = items[: _limit(limit)]
    cards = [
        {
            "path": a.path,
            "title": a.card.meta.shown_title,
            **trust_fields(a.trust, a.card.meta, workspace),
        }
        for a in shown
    ]
    left = len(items) - len(shown)
    note = f"{left} more not shown: kb report --owner {owner} lists them all." if left else ""
    return {"owner": owner, "cards": cards, "total": len(items), "note": note}


def card_path(workspace: Workspace, ref: str) -> str:
    """The repo-relative path of the card ``ref`` names, refusing anything outside the repo.

    ``ref`` is a path (``billing/refunds.md``, with or without ``.md``), an alias or a
    title. Absolute paths, ``..`` and symlinks that resolve outside the repo are
    refused before any file is opened; so is a file that is not a card (kb.toml,
    people.yaml, anything under .git).
    """
    ref = ref.strip().replace("\\", "/")
    if not ref or "\0" in ref:
        raise OutsideRepo("give a card path such as billing/refund-request-processing.md")
    if ref.startswith("/") or ref.startswith("~") or ".." in ref.split("/") or ":" in ref[:3]:
        raise OutsideRepo(f"'{ref}' is outside the knowledge repo: give a path inside it")
    root = workspace.root.resolve()
    for candidate in (ref, ref + ".md"):
        target = root / candidate
        if target.is_file() or target.is_symlink():
            return _inside(workspace, root, candidate)
    card = workspace.card(ref)  # an alias or a title: only cards kb itself listed
    return _inside(workspace, root, card.path)


def _inside(workspace: Workspace, root: Path, rel: str) -> str:
    resolved = (root / rel).resolve()
    if not resolved.is_relative_to(root):
        raise OutsideRepo(f"'{rel}' leads outside the knowledge repo (a symlink); refused")
    if not workspace.card_files.is_card_path(rel):
        raise OutsideRepo(f"'{rel}' is not a card of this knowledge repo")
    return rel


def get_card(workspace: Workspace, ref: str, *, start_line: int = 1) -> str:
    """A card's markdown under a header that says how far to trust it.

    At most ``CARD_PAGE_CHARS`` of the file, in whole lines from ``start_line``: a
    longer card ends with a note giving the next ``start_line``. A card whose header
    cannot be read says so (path:line:col), as ``kb show`` does: its owner and trust
    are kb's fallback, not what the file meant.
    """
    from kbcli.core.line_pages import line_page
    from kbcli.core.people import skipped_checks
    from kbcli.usecases.health import judge_cards

    if start_line < 1:
        raise KbError("start_line must be at least 1")
    rel = card_path(workspace, ref)
    text = (workspace.root.resolve() / rel).read_text(encoding="utf-8", errors="replace")
    card = workspace.card_files.read(rel, workspace.today)
    (item,) = judge_cards(workspace, [workspace.assess(card)])
    fields = trust_fields(item.trust, card.meta, workspace)
    state = fields["trust"] if fields["trusted"] else f"{fields['trust']} (do not cite as verified)"
    page = line_page(text, start_line, CARD_PAGE_CHARS)
    if start_line > max(page.total, 1):
        raise KbError(f"{rel} has {page.total} lines: start_line {start_line} is past its end")
    skipped = [f"     skipped: {check}" for check in skipped_checks(workspace.config.roster)]
    header = [
        f"<!-- kb card: {rel}",
        f"     trust: {state}: {fields['reason']}",
        *skipped,
        f"     owner: {fields['owner'] or 'nobody'}",
        *(f"     problem: {_comment_safe(p.at())}" for p in card.problems),
    ]
    if not page.complete:
        header.append(f"     lines {page.first}-{page.last} of {page.total}")
    header += link_lines(workspace, card, page.first, page.last)
    header[-1] += " -->"
    tail = ""
    if page.last < page.total:
        tail = (
            f"\n<!-- kb: the card goes on for {page.total - page.last} more line(s): "
            f"call get_card with start_line={page.last + 1} -->\n"
        )
    return "\n".join([*header, ""]) + page.text + tail


# The most links one page's header lists: a link farm (a 300-link index page) must not
# fill the assistant's context with the header alone.
MAX_LINK_LINES = 40


def link_lines(workspace: Workspace, card: Card, first: int, last: int) -> list[str]:
    """Where each link on file lines ``first``..``last`` leads, as the repo's card path and
    shown title: a link tag (``{% page "/a/" %}``), a wikilink or a relative link is
    written for a site or an editor, and an assistant can only follow a card path
    (``get_card``). Found by the one link resolver (``kb check``, the handbook, the
    editor), so a link called broken here is broken there, with the same reason."""
    from kbcli.core.link_targets import LinkKind
    from kbcli.usecases.links import link_resolver

    if not card.body:
        return []
    resolver = link_resolver(workspace, workspace.catalog.cards)
    found = [
        r
        for r in resolver.resolve_all(card)
        if r.link.kind is not LinkKind.ANCHOR and first <= r.line <= last
    ]
    lines = []
    for r in found[:MAX_LINK_LINES]:
        if r.problem:
            where = f"broken: {r.problem}"
        elif r.target is None:
            where = "not followed by kb (outside the repo, or a generator's own tag)"
        else:
            target = resolver.card(r.target)
            where = r.target + (f"#{r.anchor}" if r.anchor else "")
            where += f" ({target.meta.shown_title})" if target else " (a file, not a card)"
        lines.append(_comment_safe(f"     link, line {r.line}: {_label(r.link.source)} -> {where}"))
    if len(found) > MAX_LINK_LINES:
        lines.append(f"     ...and {len(found) - MAX_LINK_LINES} more link(s) on these lines")
    return lines


def _label(source: str) -> str:
    """A link as the header names it: a markdown link by its text (``[Book lodging]``: the
    line number says where it is, and the destination is what the header resolves), a
    wikilink or a bare tag as written; at most 60 characters."""
    text = " ".join(source.split())
    if text.startswith("[") and not text.startswith("[[") and "](" in text:
        text = text[: text.index("](") + 1]
    return text if len(text) <= 60 else text[:59] + "…"


def _comment_safe(text: str) -> str:
    """A message inside the header's HTML comment: a ``-->`` in it would end the comment."""
    return text.replace("-->", "-- >")
