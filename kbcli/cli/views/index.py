"""Terminal and JSON views of what ``kb index`` changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbcli.cli.output import console

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_writer import SyncStats
    from kbcli.cli.context import RunContext
    from kbcli.usecases.semantic import EmbedStats


HISTORY_ROW = "reading the git history behind trust"


def index_command(
    context: RunContext, *, rebuild: bool, wait: float, json: bool, quiet: bool
) -> int:
    """``kb index`` (the typer command and ``cli.fast_index``): sync, embed, report."""
    from kbcli.cli.gc_pause import paused_gc
    from kbcli.cli.output import print_json, warn
    from kbcli.cli.progress import ProgressBar
    from kbcli.usecases.search_index import index_status, open_index, sync
    from kbcli.usecases.semantic import embed_step
    from kbcli.usecases.verdict_cache import warm

    workspace = context.workspace
    index = open_index(workspace)
    with ProgressBar(enabled=not quiet) as progress:
        # Tens of thousands of documents and kept entries, almost no cycles: the
        # collector walking them again and again was 7% of a whole rebuild.
        with paused_gc():
            stats = sync(workspace, rebuild=rebuild, wait=wait, progress=progress, index=index)
        vectors, unavailable = embed_step(workspace, progress=progress)
        # The history behind trust, else the next search reads it all: seconds on a
        # big repository's first run, so it has a row of the bar (no count to show).
        progress(HISTORY_ROW, 0, 1)
        warm(workspace)
        progress(HISTORY_ROW, 1, 1)
    # The index the sync wrote is current, unless another process held the writer.
    facts = index_status(workspace, None if stats.busy else index)
    if unavailable:
        warn(unavailable)
    if json:
        print_json(index_json(stats, facts, vectors))
    elif not quiet:
        render_index(stats, facts, vectors)
    return 0


def index_json(
    stats: SyncStats, facts: dict[str, Any], vectors: EmbedStats | None
) -> dict[str, Any]:
    return {
        "added": stats.added,
        "changed": stats.changed,
        "deleted": stats.deleted,
        "unchanged": stats.unchanged,
        "rebuilt": stats.rebuilt,
        "seconds": round(stats.seconds, 3),
        "cards": facts["cards"],
        "languages": facts["languages"],
        "vectors": None
        if vectors is None
        else {
            "model": vectors.model,
            "cards_embedded": vectors.cards,
            "passages_embedded": vectors.passages,
            "passages_reused": vectors.reused,
            "cards_with_vectors": vectors.total,
            "seconds": round(vectors.seconds, 3),
        },
    }


def render_index(stats: SyncStats, facts: dict[str, Any], vectors: EmbedStats | None) -> None:
    what = "rebuilt" if stats.rebuilt else "updated"
    if not stats.touched and not stats.rebuilt:
        console().print(f"Index up to date: {facts['cards']} card(s).")
    else:
        console().print(
            f"Index {what}: {stats.added} added, {stats.changed} changed, {stats.deleted} "
            f"deleted ({facts['cards']} card(s), languages {', '.join(facts['languages'])}) "
            f"in {stats.seconds:.2f} s."
        )
    if vectors is not None and vectors.cards:
        console().print(
            f"Vectors: {vectors.cards} card(s) embedded ({vectors.passages} passage(s), "
            f"{vectors.reused} reused) in {vectors.seconds:.1f} s; "
            f"{vectors.total} of {facts['cards']} card(s) have vectors."
        )
