"""Golden queries: a team's judged searches, and how well search answers them.

File format (YAML), one entry per query::

    - query: "money back for a double charge"
      expect: billing/refund-request-processing.md     # or a list: any of them counts
      top_k: 3                                         # optional, default 3
      note: paraphrase, no word shared with the title  # optional

``evaluate`` runs every query through ``kb search`` ranking and reports, per query,
the rank of the first expected card (or None), plus the hit rate within ``top_k``
and the mean reciprocal rank (MRR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.workspace import Workspace

DEFAULT_TOP_K = 3
_KEYS = {"query", "expect", "top_k", "note"}


@dataclass(frozen=True)
class GoldenQuery:
    query: str
    expect: tuple[str, ...]
    top_k: int = DEFAULT_TOP_K
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class GoldenResult:
    golden: GoldenQuery
    rank: int | None  # 1-based rank of the first expected card, None when not found
    found: tuple[str, ...]  # the paths search returned (up to top_k, at least 10)

    @property
    def hit(self) -> bool:
        return self.rank is not None and self.rank <= self.golden.top_k


@dataclass(frozen=True)
class GoldenReport:
    results: tuple[GoldenResult, ...]

    @property
    def hit_rate(self) -> float:
        return sum(r.hit for r in self.results) / len(self.results) if self.results else 1.0

    @property
    def mrr(self) -> float:
        if not self.results:
            return 1.0
        return sum(1 / r.rank for r in self.results if r.rank) / len(self.results)

    @property
    def misses(self) -> list[GoldenResult]:
        return [r for r in self.results if not r.hit]


def load_golden(path: Path) -> list[GoldenQuery]:
    """Read a golden-query file; a bad entry is a ``KbError`` naming ``file:line``."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KbError(f"cannot read {path}: {error.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise KbError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise KbError(f"{path}:1: expected a list of entries such as '- query: ...'")
    queries = []
    for node in root.value:
        line = node.start_mark.line + 1
        where = f"{path}:{line}"
        if not isinstance(node, yaml.MappingNode):
            raise KbError(f"{where}: each entry needs 'query:' and 'expect:' keys")
        entry: dict[str, Any] = yaml.safe_load(yaml.serialize(node)) or {}
        queries.append(_entry(entry, where, line))
    return queries


def _entry(entry: dict[str, Any], where: str, line: int) -> GoldenQuery:
    unknown = sorted(set(map(str, entry)) - _KEYS)
    if unknown:
        raise KbError(f"{where}: unknown key '{unknown[0]}' (use query, expect, top_k, note)")
    query = entry.get("query")
    if not isinstance(query, str) or not query.strip():
        raise KbError(f"{where}: 'query' must be the text to search for")
    expect = entry.get("expect")
    if isinstance(expect, str):
        expect = [expect]
    if not isinstance(expect, list) or not expect or not all(isinstance(e, str) for e in expect):
        raise KbError(f"{where}: 'expect' must be a card path or a list of card paths")
    top_k = entry.get("top_k", DEFAULT_TOP_K)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise KbError(f"{where}: 'top_k' must be a whole number of at least 1")
    note = entry.get("note") or ""
    return GoldenQuery(query.strip(), tuple(e.strip() for e in expect), top_k, str(note), line)


def evaluate(workspace: Workspace, queries: Sequence[GoldenQuery]) -> GoldenReport:
    """Run each golden query (the index is synced once) and rank the expected cards."""
    from kbcli.usecases.search import search, sync

    sync(workspace)
    results = []
    for golden in queries:
        limit = max(golden.top_k, 10)
        try:
            found = search(workspace, golden.query, limit=limit, sync_first=False)
            paths = tuple(hit.path for hit in found.hits)
        except KbError:
            paths = ()
        rank = next((i for i, p in enumerate(paths, 1) if p in golden.expect), None)
        results.append(GoldenResult(golden, rank, paths))
    return GoldenReport(tuple(results))
