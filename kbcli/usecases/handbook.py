"""The handbook build: cards -> safe HTML pages -> Pagefind index, in parallel and incrementally.

A build manifest under ``.kb/handbook/`` remembers, per output folder, the hash of every
input that shaped each card body (its text, what its links resolve to, the renderer version,
the audience) and each page (what it is made of, and the templates), and each card
summary's digest by its inputs. Unchanged bodies are taken from the cache and unchanged
pages are not written again, so editing one card re-renders that card and the few pages
that list it, in a process pool on all cores when there is enough work.

Before any of that, ``kb build`` hashes everything it is about to read (card bytes,
configuration, git HEAD, the day, templates, options): when the hash equals the last
build's and its files are all still there, nothing can differ and the build stops.
``kb serve`` skips that check and keeps a ``BuildMemo`` instead.

Related cards come from every shown card's term vector (``usecases.related``); a build that
changed some cards' words recomputes only the lists those changes can reach. A fresh ``kb
build`` also takes unchanged cards' body keys and git facts from the last manifest. The
steps live beside this module: ``handbook_cards``, ``handbook_facts`` (git facts, trend,
findings), ``handbook_bodies`` (link index, body keys, rendering), ``handbook_workers``,
``handbook_output`` (static, stale, Pagefind) and ``handbook_state`` (manifest, caches).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import HandbookFacts, SiteLinks
from kbcli.core.handbook_pages import Body, SitePlan, page_key
from kbcli.usecases import handbook_edit_state as edits
from kbcli.usecases.handbook_bodies import BodyPass, LinkFacts
from kbcli.usecases.handbook_cards import public_warnings, shown_cards
from kbcli.usecases.handbook_edit import quick_build
from kbcli.usecases.handbook_facts import gather_facts, shallow_clone, site_options
from kbcli.usecases.handbook_output import check_out, remove_stale, unknown_pages, write_static
from kbcli.usecases.handbook_report import BrokenLink, BuildReport
from kbcli.usecases.handbook_search import index_build, index_on_disk
from kbcli.usecases.handbook_state import (
    MANIFEST_VERSION,
    BuildMemo,
    BuildStore,
    file_signature,
    files_under,
    inputs_key,
    known_digests,
    renderer_version,
    summary_entries,
)
from kbcli.usecases.handbook_workers import render_page, run_jobs

if TYPE_CHECKING:
    from kbcli.workspace import Workspace

__all__ = ["BuildMemo", "BuildReport", "HandbookBuild", "default_out", "gather_facts", "run_build"]


# --- the build -------------------------------------------------------------------------------


class HandbookBuild:
    """One build of one knowledge repo into one output folder for one audience."""

    def __init__(
        self,
        workspace: Workspace,
        out: Path,
        audience: Audience,
        *,
        search: bool = True,
        workers: int | None = None,
        facts: HandbookFacts | None = None,
        related: bool | None = None,
        memo: BuildMemo | None = None,
        allow_shallow: bool = False,
        full: bool = False,
    ) -> None:
        self.ws = workspace
        self.out = out.resolve()
        self.audience = audience
        self.search = search
        if not workers:
            from kbcli.adapters.forked_map import cores  # the cores this process may use

            workers = cores()
        self.workers = workers
        self._facts = facts
        self.related = related
        self.shallow = shallow_clone(workspace, allow_shallow)
        # kb serve passes its memo and knows what changed; a plain kb build first checks
        # whether anything at all changed since the last build (see _unchanged).
        self.quick_check = memo is None and facts is None
        self.full = full  # one search index of every page (core.search_delta's fold)
        self.memo = memo if memo is not None else BuildMemo()
        if self.memo.audience is not audience:
            self.memo.reset(audience)
        self.report = BuildReport(self.out, audience)
        self.bodies = BodyPass(audience, self.memo, self.workers)
        self._trend_cache: dict[str, Any] = {}
        self._files: set[str] | None = None
        self._unknown_warning = ""
        self._card_bytes: list[tuple[str, bytes | None]] = []
        self._kept_bytes: list[tuple[str, bytes | None]] = []
        self._stats: dict[str, Any] | None = None
        self._head_tuple: tuple[Any, ...] = ()
        self._site: dict[str, Any] = {}
        self._walked: tuple[set[str], list[str]] | None = None  # by a quick build's try
        check_out(workspace.root, self.out)
        self.store = BuildStore(workspace, self.out, self.memo)

    def _timed(self, name: str, start: float) -> float:
        now = time.perf_counter()
        self.report.timings[name] = self.report.timings.get(name, 0.0) + now - start
        return now

    def run(self) -> BuildReport:
        """Inputs check, cards, history, bodies, related cards, pages, search, manifest."""
        from kbcli.adapters.jinja_site import COMPILED, fingerprint, template_dirs

        t = time.perf_counter()
        if self.audience is Audience.PUBLIC:
            check_out(self.ws.root, self.out, self.store.manifest())
        dirs = template_dirs(self.ws.root)
        templates_fp = fingerprint(dirs)
        if not self.full and quick_build(self, dirs, templates_fp):
            self._timed("quick", t + self.report.timings.get("search", 0.0))  # search apart
            return self.report
        inputs = self._inputs_key(templates_fp) if self.quick_check else None
        manifest = edits.forget_edits(self.store, self.store.manifest())
        if inputs is not None and not self.full and self._unchanged(manifest, inputs):
            self._timed("unchanged", t)
            return self.report
        edits.remove(edits.base_path(self.store))  # its pages are no longer the base's
        t = self._timed("inputs", t)
        shown, links = self._load_cards()
        t = self._timed("load", t)
        previous = manifest if manifest.get("audience") == self.audience.value else {}
        self._trend_cache = dict(previous.get("trend", {}))
        self._git_cache: dict[str, Any] = dict(previous.get("git", {}))
        init = (links, dirs, self.out, templates_fp, self.ws.config.cache_dir / COMPILED)
        cache = self.store.body_cache() if previous else None
        more = lambda: self._meanwhile(shown)  # noqa: E731 (facts, related: as workers render)
        bodies = self.bodies.render(shown, links, previous, cache, init, more)
        t = self._timed("bodies", t)
        facts = self._made
        pages, page_keys, stale, on_disk = self._plan(shown, bodies, facts, previous, templates_fp)
        self.bodies.ensure(bodies, [page.url for page in stale], shown, init)
        self.report.bodies_rendered = self.bodies.rendered
        t = self._timed("plan", t)
        static = self._write_pages(stale, init, dirs, previous, shown)
        removed = remove_stale(self.out, manifest, keep := set(page_keys) | set(static))
        self._warn_unknown(on_disk - set(removed), keep)  # kb wrote those, and removed them
        self.report.pages, self.report.written = len(pages), len(stale)
        self.report.removed = len(removed)
        t = self._timed("pages", t)
        for path, body in sorted(bodies.items()):
            self.report.broken += [BrokenLink(path, b["line"], b["ref"]) for b in body.broken]
        written = [page.url for page in stale if page.template == "card.html" or not shown]
        indexed = index_build(self, bool(previous.get("indexed")), written, removed)
        t = self._timed("search", t)
        self._save(manifest, bodies, page_keys, static, inputs, indexed)
        edits.keep_base(self, inputs, shown)
        self._timed("manifest", t)
        return self.report

    def _load_cards(self) -> tuple[list[Any], SiteLinks]:
        """The shown cards with their verdicts, and the link index of all cards."""
        from kbcli.usecases.links import other_files

        items, shown, self.bodies.ids = shown_cards(self.ws, self.audience, self._card_bytes)
        self._card_bytes = []
        self.report.cards = len(shown)
        self.report.warnings += public_warnings(self.audience, items, len(shown))
        files = self._files if self._files is not None else other_files(self.ws.root)
        return shown, self.bodies.link_index(self.ws, items, shown, files)

    def _plan(
        self,
        shown: list[Any],
        bodies: dict[str, Body],
        facts: HandbookFacts,
        previous: dict[str, Any],
        templates_fp: str,
    ) -> tuple[list[Any], dict[str, str], list[Any], set[str]]:
        """(every page, each page's key, the pages to write, the files in the output)."""
        options = site_options(self.ws, self.audience, shallow=self.shallow)
        source = (options, self.ws.config.roster)
        summaries = self.memo.summaries if self.memo.summaries_source == source else None
        card_pages = self.memo.card_pages if summaries is not None else None
        known = known_digests(previous, source, shown, self.bodies.ids) if not summaries else {}
        plan = SitePlan(shown, bodies, options, source[1], facts, summaries, card_pages, known)
        pages, self._site = plan.pages(), plan.site
        self._summaries = summary_entries(source, plan, self.bodies.ids)
        self.memo.summaries_source, self.memo.summaries = source, plan.summary_memo()
        self.memo.card_pages = plan.card_page_memo
        old: dict[str, str] = previous.get("pages", {})
        page_keys, on_disk = self._page_keys(pages, templates_fp), files_under(self.out)
        stale = [p for p in pages if old.get(p.url) != page_keys[p.url] or p.url not in on_disk]
        return pages, page_keys, stale, on_disk

    def _page_keys(self, pages: list[Any], templates_fp: str) -> dict[str, str]:
        """Each page's hash; a page the plan reused (the same object) keeps its hash."""
        same = self.memo.page_keys_templates == templates_fp
        known = self.memo.page_keys if same else {}
        keys, kept = {}, {}
        for page in pages:
            seen = known.get(page.url)
            if seen is not None and seen[0] is page:
                key = seen[1]
            else:
                key = page_key(templates_fp, page.template, page.key_context)
            keys[page.url], kept[page.url] = key, (page, key)
        self.memo.page_keys, self.memo.page_keys_templates = kept, templates_fp
        return keys

    def _write_pages(
        self,
        stale: list[Any],
        init: tuple[Any, ...],
        dirs: list[Path],
        previous: dict[str, Any],
        shown: list[Any],
    ) -> dict[str, str]:
        """Render and write the pages whose key changed, then the static files; the
        static files' keys."""
        self.out.mkdir(parents=True, exist_ok=True)
        run_jobs(render_page, [(p.url, p.template, p.context) for p in stale], self.workers, init)
        old = previous.get("static", {})
        refs = ((item.card.path, self.bodies.facts[item.card.path].assets) for item in shown)
        static, missing = write_static(self.ws.root, self.out, dirs, old, refs)
        self.report.warnings.extend(missing)
        return static

    def _warn_unknown(self, on_disk: set[str], keep: set[str]) -> None:
        self._unknown_warning = unknown_pages(self.out, on_disk, keep)
        if self._unknown_warning:
            self.report.warnings.append(self._unknown_warning)

    def _inputs_key(self, templates_fp: str) -> str:
        """The whole-build check's hash (``handbook_state.inputs_key``); the files it read
        are kept for the build."""
        self._head_tuple = self._head(templates_fp)
        self._stats = {}
        walked, self._walked = self._walked, None
        key, self._files, self._card_bytes = inputs_key(
            self.ws, self._head_tuple, self._stats, walked
        )
        self._kept_bytes = self._card_bytes if self._stats is not None else []
        return key

    def _head(self, templates_fp: str) -> tuple[Any, ...]:
        """Everything a build reads but the files: versions, options, configuration,
        HEAD, the day, the templates."""
        from kbcli import __version__
        from kbcli.adapters.git_history import locate
        from kbcli.adapters.vector_store import FILE as VECTORS

        ws = self.ws
        return (
            __version__,
            MANIFEST_VERSION,
            renderer_version(),
            self.audience.value,
            self.related,
            str(self.out),
            ws.today,
            repr(ws.config),
            templates_fp,
            locate(ws.root),
            # kb index making or changing meaning vectors changes the related lists.
            file_signature(ws.config.cache_dir / VECTORS) if self.related else None,
        )

    def _unchanged(self, manifest: dict[str, Any], inputs: str) -> bool:
        """True (and the report filled from the manifest) when the last build into this
        folder read exactly the same inputs and every file it wrote is still there."""
        if manifest.get("inputs") != inputs or manifest.get("audience") != self.audience.value:
            return False
        pages, static = manifest.get("pages", {}), manifest.get("static", {})
        on_disk = files_under(self.out)
        if not (on_disk.issuperset(pages) and on_disk.issuperset(static)):
            return False
        if self.search and not (manifest.get("indexed") and index_on_disk(self.out)):
            return False
        saved = manifest.get("report", {})
        self.report.cards, self.report.pages = saved.get("cards", 0), len(pages)
        self.report.warnings += saved.get("warnings", [])
        self._warn_unknown(on_disk, set(pages) | set(static))
        for path, entry in sorted(manifest.get("bodies", {}).items()):
            self.report.broken += [BrokenLink(path, b["line"], b["ref"]) for b in entry["broken"]]
        return True

    def _meanwhile(self, shown: list[Any]) -> None:
        """Git facts with the related lists, made while the workers render the bodies
        (their times are within the "bodies" step): neither needs a rendered body."""
        from kbcli.usecases.related import build_related

        start, kept = time.perf_counter(), (self._trend_cache, self.memo, self._git_cache)
        facts = self._facts or gather_facts(self.ws, self.audience, *kept)
        start, cards = self._timed("history", start), [item.card for item in shown]
        wanted = self.related is not False
        found = build_related(self.ws, self.store, cards, self.bodies.ids) if wanted else {}
        self._made = replace(facts, related=found, has_related=True) if found else facts
        self._timed("related", start)

    def _save(
        self,
        old: dict[str, Any],
        bodies: dict[str, Body],
        pages: dict[str, str],
        static: dict[str, str],
        inputs: str | None,
        indexed: bool,
    ) -> None:
        old_bodies = old.get("bodies", {}) if old.get("audience") == self.audience.value else {}
        manifest = {
            "version": MANIFEST_VERSION,
            "out": str(self.out),
            "audience": self.audience.value,
            "bodies": {
                p: _entry(b, self.bodies.facts[p], old_bodies.get(p)) for p, b in bodies.items()
            },
            "link_names": self.bodies.link_names_key,
            "sources": self.bodies.sources,
            "pages": pages,
            "summaries": self._summaries,
            "static": static,
            "trend": self._trend_cache,
            "git": self._git_cache,
            "inputs": inputs,
            "indexed": indexed,
            "report": {
                "cards": self.report.cards,
                "warnings": [w for w in self.report.warnings if w != self._unknown_warning],
            },
        }
        self.store.save(old, manifest, {p: bodies[p] for p in sorted(self.bodies.new)})


def _entry(body: Body, facts: LinkFacts, old: dict[str, Any] | None) -> dict[str, Any]:
    """A body's manifest entry; the previous one itself when nothing in it changed."""
    entry = {
        "key": body.key,
        "links": list(body.links),
        "broken": list(body.broken),
        "headings": list(body.headings),
        "deps": facts.deps,
        "assets": facts.assets,
    }
    return old if old == entry else entry


def default_out(ws: Workspace) -> Path:
    return ws.config.cache_dir / "site"


def run_build(
    ws: Workspace,
    out: Path | None,
    audience: str,
    *,
    search: bool = True,
    jobs: int | None = None,
    related: bool | None = None,
    memo: BuildMemo | None = None,
    allow_shallow: bool = False,
    full: bool = False,
) -> BuildReport:
    """``kb build``: the handbook of ``ws`` into ``out`` for ``audience``.

    A shallow clone raises ``ShallowClone`` (exit 2, with the fix) unless
    ``allow_shallow``; then every page carries a banner saying history facts are missing.
    ``full``: index every page again, not only those changed since (``core.search_delta``).
    """
    target = out if out is not None else default_out(ws)
    if not target.is_absolute():
        target = ws.cwd / target
    build = HandbookBuild(
        ws,
        target,
        Audience(audience),
        search=search,
        workers=jobs,
        related=related,
        memo=memo,
        allow_shallow=allow_shallow,
        full=full,
    )
    return build.run()
