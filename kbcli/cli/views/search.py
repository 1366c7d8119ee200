"""Terminal and JSON views of search hits (kb search, related, suggest)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kbcli.cli.output import badge, console, print_json, reasons_json

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.cli.context import RunContext
    from kbcli.core.people import Roster
    from kbcli.usecases.freshness import FreshnessStart
    from kbcli.usecases.search import Hit, SearchResult
    from kbcli.workspace import Workspace


def hit_json(hit: Hit, workspace: Workspace, explain: bool = False) -> dict[str, Any]:
    """The documented JSON shape of a hit (README: "kb search --json"). Add, never rename."""
    meta, trust = hit.meta, hit.trust
    data: dict[str, Any] = {
        "path": hit.path,
        "title": hit.title,
        "score": round(hit.score, 4),
        "trust": trust.state.value,
        "reasons": reasons_json(trust),
        "no_owner": trust.no_owner,
        "owner": meta.owner,
        "status": meta.status.value,
        "audience": meta.audience.value,
        "lang": meta.lang,
        "tags": list(meta.tags),
        "verified_at": trust.verified_on.isoformat() if trust.verified_on else None,
        "expires_on": trust.expires_on.isoformat() if trust.expires_on else None,
        "days_left": trust.days_left(workspace.today),
        "snippet": hit.snippet,
        "highlights": [list(r) for r in hit.highlights],
        "match": hit.stage,
    }
    if explain:
        data["explain"] = {
            "bm25": round(hit.bm25, 4),
            "trust_factor": hit.factor,
            "language_factor": hit.lang_factor,
            "terms": {k: v for k, v in hit.why},
        }
        if hit.lexical_rank is not None or hit.dense_rank is not None:
            data["explain"].update(
                lexical_rank=hit.lexical_rank, dense_rank=hit.dense_rank, cosine=round(hit.dense, 4)
            )
    return data


def _highlighted(text: str, ranges: Sequence[tuple[int, int]], escape: Callable[[str], str]) -> str:
    out, pos = [], 0
    for start, end in ranges:
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(f"[bold underline]{escape(text[start:end])}[/]")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def render_hits(
    hits: Sequence[Hit],
    workspace: Workspace,
    *,
    json: bool = False,
    paths_only: bool = False,
    explain: bool = False,
) -> None:
    if json:
        print_json([hit_json(h, workspace, explain) for h in hits])
        return
    if paths_only:
        sys.stdout.write("".join(f"{h.path}\n" for h in hits))
        return
    roster = workspace.config.roster
    if not explain:  # the plain view through a pipe needs no rich (a third of start-up)
        from kbcli.cli.output import NeedsRich, plain_lines, plain_text

        try:
            plain = plain_lines(line for h in hits for line in _hit_markup(h, roster, plain_text))
        except NeedsRich:
            plain = None
        if plain is not None:
            sys.stdout.write(plain)
            return
    from rich.markup import escape  # here: --paths-only and --json never load rich

    lines: list[str] = []
    for hit in hits:
        lines += _hit_markup(hit, roster, escape)
        if explain:
            terms = ", ".join(f"{escape(k)} {v:.2f}" for k, v in hit.why) or "filters only"
            language = f" × language {hit.lang_factor:g}" if hit.lang_factor != 1.0 else ""
            base = f"bm25 {hit.bm25:.3f}"
            if hit.lexical_rank is not None or hit.dense_rank is not None:
                base = (
                    f"fused(words {_rank(hit.lexical_rank)} bm25 {hit.bm25:.3f}, "
                    f"meaning {_rank(hit.dense_rank)} cosine {hit.dense:.3f})"
                )
            lines.append(
                f"    [dim]score {hit.score:.4f} = {base} × trust {hit.factor:g}"
                f" ({hit.trust.state.value}){language}; terms: {terms}[/]"
            )
    print_lines(lines)


def print_lines(lines: list[str]) -> None:
    """``console().print(line, soft_wrap=True)`` for each markup line, in one print: each
    line closes its tags, so the bytes are the same, and rich's work per print was a
    third of a resident search's answer."""
    if lines:
        console().print("\n".join(lines), soft_wrap=True)


def _hit_markup(hit: Hit, roster: Roster, escape: Callable[[str], str]) -> list[str]:
    """One hit as markup lines: badge, title, path, owner and snippet; then why its
    verification is in doubt, if it is."""
    from kbcli.cli.output import owner_text

    title = f"[bold]{escape(hit.title)}[/]"
    if hit.meta.status.value != "published":
        title += f" [dim]({escape(hit.meta.status.value)})[/]"
    owner = owner_text(hit.meta.owner, roster, escape=escape)  # "Ana Souza (ana)", as kb show
    snippet = _highlighted(hit.snippet, hit.highlights, escape)
    line = f"{badge(hit.trust)}  {title}  [cyan]{escape(hit.path)}[/]  [dim]{owner}[/]"
    if snippet:
        line += f"  [dim]—[/] {snippet}"
    if not hit.trust.reasons:
        return [line]
    from kbcli.core.verdict import summary

    return [line, f"    [red]✖ {escape(summary(hit.trust))}[/]"]


def _rank(rank: int | None) -> str:
    return f"#{rank}" if rank is not None else "—"


def say_semantic(result: SearchResult) -> None:
    """One line on stderr when dense retrieval could not take part, or lacked vectors."""
    from kbcli.cli.output import err_console, plain_lines, warn

    if result.semantic not in ("", "fused"):
        warn(result.semantic)
    elif result.missing_vectors:
        line = (
            f"[dim]{result.missing_vectors} card(s) have no vectors yet and were ranked by "
            "words only; kb index makes them[/]"
        )
        plain = plain_lines([line], stderr=True)  # through a pipe: without importing rich
        if plain is not None:
            sys.stderr.write(plain)
        else:
            err_console().print(line, soft_wrap=True)


def render_explanation(result: SearchResult) -> None:
    """How the query was read: a command's options searched and the words excluded, typo
    expansions (words no card uses) and preferred languages."""
    from rich.markup import escape

    out = console()
    query = result.query
    if query.options:
        options = ", ".join(query.options)
        out.print(f"[dim]options, searched as words: {escape(options)}[/]", soft_wrap=True)
    excluded = [f"-{w}" for w in query.excluded_words]
    excluded += [f'-"{p}"' for p in query.excluded_phrases]
    if excluded:
        out.print(f"[dim]excluded: {escape(', '.join(excluded))}[/]", soft_wrap=True)
    for word, terms in result.expansions.items():
        out.print(f"[dim]typo: {escape(word)} → {escape(', '.join(terms))}[/]", soft_wrap=True)
    if result.languages:
        out.print(f"[dim]query language: {', '.join(result.languages)}[/]", soft_wrap=True)
    if result.semantic == "fused":
        out.print("[dim]ranking: words and meaning (normalised score fusion)[/]", soft_wrap=True)


def render_no_hits(result: SearchResult, *, json: bool) -> None:
    """Say that nothing matched, and how to broaden the query (stderr when JSON is asked)."""
    from rich.markup import escape

    from kbcli.cli.output import err_console

    out = err_console() if json else console()
    out.print(f"No cards match {escape(result.query.text)!s}.", soft_wrap=True)
    for hint in result.hints:
        out.print(f"  [dim]hint:[/] {escape(hint)}", soft_wrap=True)
    if not result.hints and (result.query.filters or result.query.states):
        out.print("  [dim]hint:[/] drop a filter to broaden the search", soft_wrap=True)


def search_command(
    context: RunContext,
    query: list[str],
    *,
    limit: int,
    json: bool,
    paths_only: bool,
    explain: bool,
    archived: bool,
    started: FreshnessStart | None = None,
    index: CardIndex | None = None,
) -> int:
    """The search command's work, shared with the fast path (``kbcli.cli.fast_search``)
    and the resident process (``kbcli.cli.search_daemon``).

    ``started``: the freshness check the fast path began before its imports; ``index``:
    an open index the resident process keeps current (no freshness check then).
    """
    from kbcli.cli.notices import say_history_notices, say_skipped_checks
    from kbcli.cli.progress import ProgressBar
    from kbcli.usecases.search import search as run_search

    workspace = context.workspace
    with ProgressBar() as progress:
        result = run_search(
            workspace,
            " ".join(query),
            limit=limit,
            include_archived=archived,
            explain=explain,
            snippets=not paths_only,
            started=started,
            sync_first=index is None,
            index=index,
            progress=progress,
        )
    say_history_notices(workspace)
    say_skipped_checks(workspace)
    say_semantic(result)
    if explain and not json and not paths_only:
        render_explanation(result)
    render_hits(result.hits, workspace, json=json, paths_only=paths_only, explain=explain)
    if not result.hits:
        render_no_hits(result, json=json or paths_only)
        return 1
    return 0
