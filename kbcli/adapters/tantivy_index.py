"""The search index: a Tantivy index under ``.kb/index/``, kept in step with the card files.

Layout of ``.kb/index/``:

- ``tantivy-v<N>/``: the Tantivy index; a schema or analyzer change bumps N, so an old
  index is never opened with a new schema (it is rebuilt, then removed).
- ``manifest.json``: what the index holds, per card path: size, mtime_ns, content hash
  and language group, plus the settings the documents were built with.

The parts: ``tantivy_schema`` (fields, analyzers, one card's document),
``index_scan`` (finding the card files), ``tantivy_writer`` (sync: writes, then the
manifest; freshness and concurrency are explained there), ``tantivy_queries`` (query
building); this module opens the index and reads it.
"""

# No ``from __future__ import annotations``: every search loads this module, and typing
# compiled RawHit's field types written as strings when the class was made (~1 ms of CPU).
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kbcli.adapters.index_manifest import Manifest, ManifestFiles
from kbcli.adapters.tantivy_schema import (
    SCHEMA_VERSION,
    build_analyzers,
    build_schema,
    field_names,
)
from kbcli.adapters.text_analysis import Analysis

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.index_documents import DocumentCache
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.adapters.tantivy_schema import IndexedCard
    from kbcli.adapters.tantivy_writer import Spread, SyncStats

__all__ = ["Analysis", "CardIndex", "RawHit"]


class RawHit(NamedTuple):
    """One document a query found (a NamedTuple: no dataclass to make at start-up)."""

    score: float
    address: Any
    path: str
    meta: dict[str, Any]
    text: str


class CardIndex:
    """One knowledge repo's Tantivy index and its manifest."""

    def __init__(
        self,
        root: Path,
        directory: Path,
        settings_key: str,
        opened: ManifestFiles | None = None,
        resident: bool = False,
    ) -> None:
        """Open (or create) the index; ``opened`` are its manifest files opened earlier;
        ``resident``: it answers many searches (``Analysis.resident``)."""
        import tantivy

        self.root = root
        self.directory = directory
        self.key = f"v{SCHEMA_VERSION}:{settings_key}"
        self.data_dir = directory / f"tantivy-v{SCHEMA_VERSION}"
        self.schema = build_schema()
        self.analysis = Analysis(resident=resident)
        self.names = field_names()
        directory.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        self.manifest = Manifest.load(directory, opened)
        try:
            self.index = tantivy.Index(self.schema, str(self.data_dir))
        except (OSError, ValueError):
            # Unreadable index (e.g. a disk filled up mid-write): start over.
            import shutil

            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir.mkdir()
            self.manifest = Manifest()
            self.index = tantivy.Index(self.schema, str(self.data_dir))
        # Custom analyzers live in the process, not the index: register on every open.
        for name, analyzer in build_analyzers().items():
            self.index.register_tokenizer(name, analyzer)

    # -- writing --

    def sync(
        self,
        scan: Mapping[str, tuple[int, int]],
        prepare: "Callable[[str, bytes], IndexedCard]",
        *,
        rebuild: bool = False,
        wait: float = 0.0,
        progress: Callable[[int, int], None] | None = None,
        checked: Collection[str] | None = None,
        head: str = "",
        dirty: Collection[str] = (),
        documents: "DocumentCache | None" = None,
        spread: "Spread | None" = None,
    ) -> "SyncStats":
        """Bring the index in step with ``scan``: see ``tantivy_writer.sync``."""
        from kbcli.adapters.tantivy_writer import one_by_one, sync

        return sync(
            self,
            scan,
            prepare,
            rebuild=rebuild,
            wait=wait,
            progress=progress,
            checked=checked,
            head=head,
            dirty=dirty,
            documents=documents,
            spread=spread or one_by_one,
        )

    # -- reading --

    def groups(self) -> list[str]:
        """Languages of the indexed cards (a query word is analysed in each of its script)."""
        return self.manifest.groups() or ["en"]

    def search(
        self, query: "tantivy.Query", limit: int, *, by_path: bool = False
    ) -> tuple[int, list[RawHit]]:
        """(total matches, top hits with their stored fields)."""
        import tantivy

        searcher = self.index.searcher()
        # No more hits than documents: tantivy sizes its heap by the limit, and a huge
        # --limit (or an assistant's) made it abort or overflow (exit 3).
        limit = max(1, min(limit, searcher.num_docs))
        if by_path:
            result = searcher.search(query, limit, order_by_field="path", order=tantivy.Order.Asc)
        else:
            result = searcher.search(query, limit)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(
                RawHit(
                    float(score) if not by_path else 0.0,
                    address,
                    str(doc.get_first("path")),
                    json.loads(bytes(doc.get_first("meta") or b"{}")),
                    bytes(doc.get_first("text") or b"").decode("utf-8"),
                )
            )
        count = getattr(result, "count", None)  # not in tantivy's type stubs
        return int(count or 0), hits

    def count(self) -> int:
        return int(self.index.searcher().num_docs)

    def explain(self, query: "tantivy.Query", address: Any) -> dict[str, Any]:
        return json.loads(query.explain(self.index.searcher(), address).to_json())

    def doc_freq(self, field_name: str, token: str) -> int:
        return int(self.index.searcher().doc_freq(field_name, token))

    # -- queries --

    def queries(self, groups: Iterable[str] | None = None) -> "QueryBuilder":
        from kbcli.adapters.tantivy_queries import QueryBuilder

        return QueryBuilder(self, list(groups or self.groups()))
