"""The handbook build: cards -> safe HTML pages -> Pagefind index, in parallel and incrementally.

A build manifest under ``.kb/handbook/`` remembers, per output folder, the hash of
every input that shaped each card body (its text, what its links resolve to, the
renderer version, the audience) and each page (its whole context plus the
templates). Unchanged bodies are taken from the cache and unchanged pages are not
written again, so editing one card re-renders that card and the few pages that
list it. Rendering runs in a process pool on all cores when there is enough work.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import (
    HandbookFacts,
    LinkIndex,
    SiteOptions,
    digest,
    edit_base,
    in_audience,
    link_context,
)
from kbcli.core.handbook_pages import Body, SitePlan
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.adapters.markdown_render import RenderedBody
    from kbcli.workspace import Workspace

MANIFEST_VERSION = 1
RELATED_AUTO_MAX = 2000  # search's "more like this" costs ~50 ms a card: opt in above this
PARALLEL_MIN = 150  # below this many items a process pool costs more than it saves


@dataclass(frozen=True)
class BrokenLink:
    path: str
    line: int
    ref: str

    def at(self) -> str:
        return f"{self.path}:{self.line}: broken link '{self.ref}'"


@dataclass
class BuildReport:
    out: Path
    audience: Audience
    cards: int = 0
    pages: int = 0
    written: int = 0
    bodies_rendered: int = 0
    removed: int = 0
    searched: bool = False
    broken: list[BrokenLink] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# --- worker side -----------------------------------------------------------------------------

_LINKS: LinkIndex | None = None
_DIRS: list[Path] = []
_OUT: Path | None = None
_TEMPLATES: Any = None


def _init_worker(links: LinkIndex, dirs: list[Path], out: Path) -> None:
    global _LINKS, _DIRS, _OUT, _TEMPLATES
    _LINKS, _DIRS, _OUT, _TEMPLATES = links, dirs, out, None


def _render_body(job: tuple[str, str, int]) -> tuple[str, RenderedBody]:
    from kbcli.adapters.markdown_render import BodyRenderer

    assert _LINKS is not None
    path, text, first_line = job
    return path, BodyRenderer(_LINKS).render(path, text, first_line)


def _render_page(job: tuple[str, str, dict[str, Any]]) -> str:
    global _TEMPLATES
    from kbcli.adapters.jinja_site import SiteTemplates

    if _TEMPLATES is None:
        _TEMPLATES = SiteTemplates(_DIRS)
    assert _OUT is not None
    url, template, context = job
    html = _TEMPLATES.render(template, context)
    target = _OUT / url
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return url


def _run(
    fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int, init: tuple[Any, ...]
) -> list[Any]:
    """Map ``fn`` over ``jobs`` in a fork-started pool, or inline when the work is small."""
    if workers <= 1 or len(jobs) < PARALLEL_MIN:
        _init_worker(*init)
        return [fn(job) for job in jobs]
    import multiprocessing

    chunk = max(8, len(jobs) // (workers * 8))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=init
    ) as pool:
        return list(pool.map(fn, jobs, chunksize=chunk))


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
    ) -> None:
        self.ws = workspace
        self.out = out.resolve()
        self.audience = audience
        self.search = search
        self.workers = workers or os.cpu_count() or 1
        self._facts = facts
        self.related = related
        self.report = BuildReport(self.out, audience)
        self._related_found: dict[str, list[str]] = {}
        self._trend_cache: dict[str, Any] = {}
        self._check_out()
        key = digest(str(self.out))[:16]
        self.state_dir = workspace.config.cache_dir / "handbook"
        self.manifest_path = self.state_dir / f"{key}.json"
        self.bodies_path = self.state_dir / f"{key}.bodies.pickle"

    def _check_out(self) -> None:
        root = self.ws.root.resolve()
        if self.out == root or root.is_relative_to(self.out):
            raise KbError(
                f"--out {self.out} would overwrite the knowledge repo; pick another folder"
            )
        if self.out.exists() and not self.out.is_dir():
            raise KbError(f"--out {self.out} is a file, not a folder; pick a folder for the site")
        if (self.out / "kb.toml").exists() or (self.out / ".git").exists():
            raise KbError(f"--out {self.out} holds a repository; pick an empty or site folder")

    def _timed(self, name: str, start: float) -> float:
        now = time.perf_counter()
        self.report.timings[name] = self.report.timings.get(name, 0.0) + now - start
        return now

    def run(self) -> BuildReport:
        from kbcli.adapters.jinja_site import fingerprint, template_dirs

        t = time.perf_counter()
        ws = self.ws
        items = ws.assessed()
        shown = [i for i in items if in_audience(i.card, self.audience)]
        self.report.cards = len(shown)
        links = LinkIndex.build((i.card for i in items), (i.card.path for i in shown))
        dirs = template_dirs(ws.root)
        templates_fp = fingerprint(dirs)
        t = self._timed("load", t)
        manifest = self._load_manifest()
        same_build = manifest.get("audience") == self.audience.value
        self._trend_cache = dict(manifest.get("trend", {})) if same_build else {}
        facts = self._facts or gather_facts(ws, self.audience, self._trend_cache)
        t = self._timed("history", t)

        cache: dict[str, str] = self._load_bodies() if same_build else {}
        old_bodies: dict[str, Any] = manifest.get("bodies", {}) if same_build else {}
        init = (links, dirs, self.out)

        bodies: dict[str, Body] = {}
        todo: list[tuple[str, str, int]] = []
        keys: dict[str, str] = {}
        for item in shown:
            card = item.card
            key = digest(
                "body",
                card.path,
                card.body,
                card.body_line,
                self.audience.value,
                link_context(card.path, card.body, links),
                _renderer_version(),
            )
            keys[card.path] = key
            old = old_bodies.get(card.path)
            if old and old.get("key") == key and key in cache:
                bodies[card.path] = Body(
                    cache[key], key, old["links"], old["broken"], old["headings"]
                )
            else:
                todo.append((card.path, card.body, card.body_line))
        for path, rendered in _run(_render_body, todo, self.workers, init):
            bodies[path] = Body(
                rendered.html, keys[path], rendered.links, rendered.broken, rendered.headings
            )
        self.report.bodies_rendered = len(todo)
        t = self._timed("bodies", t)
        related = self._related(shown, keys, old_bodies)
        if related:
            facts = replace(facts, related=related, has_related=True)
        t = self._timed("related", t)

        options = SiteOptions(
            title=ws.config.handbook.title,
            audience=self.audience,
            today=ws.today,
            default_lang=ws.config.search.default_lang,
            edit_base=_edit_base(ws),
        )
        plan = SitePlan(shown, bodies, options, ws.config.roster, facts)
        pages = plan.pages()
        old_pages: dict[str, str] = manifest.get("pages", {}) if same_build else {}
        page_keys = {p.url: digest("page", templates_fp, p.template, p.key_context) for p in pages}
        stale = [
            p
            for p in pages
            if old_pages.get(p.url) != page_keys[p.url] or not (self.out / p.url).exists()
        ]
        t = self._timed("plan", t)
        self.out.mkdir(parents=True, exist_ok=True)
        _run(_render_page, [(p.url, p.template, p.context) for p in stale], self.workers, init)
        static = self._write_static(dirs, manifest.get("static", {}) if same_build else {})
        self.report.pages, self.report.written = len(pages), len(stale)
        self.report.removed = self._remove_stale(manifest, set(page_keys) | set(static))
        t = self._timed("pages", t)

        for path, body in sorted(bodies.items()):
            self.report.broken += [BrokenLink(path, b["line"], b["ref"]) for b in body.broken]
        self._save(bodies, page_keys, static)
        t = self._timed("manifest", t)
        if self.search and (stale or self.report.removed or not (self.out / "pagefind").is_dir()):
            from kbcli.adapters.pagefind_index import index_site

            index_site(self.out)
            self.report.searched = True
            self._timed("search", t)
        return self.report

    def _related(
        self, shown: list[Any], keys: dict[str, str], old: dict[str, Any]
    ) -> dict[str, list[str]]:
        """Related cards from search, recomputed only for cards whose body changed."""
        enabled = self.related if self.related is not None else len(shown) <= RELATED_AUTO_MAX
        if not enabled:
            if self.related is None:
                self.report.warnings.append(
                    f"related cards left out: {len(shown)} cards is over {RELATED_AUTO_MAX}; "
                    "pass --related to compute them (slow on a first build, cached after)"
                )
            return {}
        found = {
            p: old[p]["related"]
            for p in keys
            if p in old and old[p].get("key") == keys[p] and "related" in old[p]
        }
        todo = [i.card for i in shown if i.card.path not in found]
        if todo:
            found.update(related_cards(self.ws, todo, self.report.warnings))
        self._related_found = found
        return found

    # --- state ---------------------------------------------------------------------------------

    def _load_manifest(self) -> dict[str, Any]:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if data.get("version") == MANIFEST_VERSION else {}

    def _load_bodies(self) -> dict[str, str]:
        try:
            with self.bodies_path.open("rb") as handle:
                data = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, bodies: dict[str, Body], pages: dict[str, str], static: dict[str, str]) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        manifest = {
            "version": MANIFEST_VERSION,
            "out": str(self.out),
            "audience": self.audience.value,
            "bodies": {
                p: {
                    "key": b.key,
                    "links": list(b.links),
                    "broken": list(b.broken),
                    "headings": list(b.headings),
                    **({"related": self._related_found[p]} if p in self._related_found else {}),
                }
                for p, b in bodies.items()
            },
            "pages": pages,
            "static": static,
            "trend": self._trend_cache,
        }
        if self.report.bodies_rendered or not self.bodies_path.exists():
            tmp = self.bodies_path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                pickle.dump({b.key: b.html for b in bodies.values()}, handle, protocol=5)
            tmp.replace(self.bodies_path)
        # The manifest last: it only names bodies the cache above holds.
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.manifest_path)

    def _write_static(self, dirs: list[Path], old: dict[str, str]) -> dict[str, str]:
        from kbcli.adapters.jinja_site import SiteTemplates
        from kbcli.adapters.markdown_render import pygments_css

        files: dict[str, bytes] = {
            f"static/{name}": path.read_bytes()
            for name, path in SiteTemplates(dirs).static_files().items()
        }
        files.setdefault("static/pygments.css", pygments_css().encode("utf-8"))
        written = {}
        for rel, data in files.items():
            key = digest("static", data.hex()) if len(data) < 4096 else _bytes_key(data)
            target = self.out / rel
            if old.get(rel) != key or not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            written[rel] = key
        return written

    def _remove_stale(self, manifest: dict[str, Any], keep: set[str]) -> int:
        """Delete the files an earlier build wrote that this one does not (a card went away,
        or became internal): a public build must never keep an old internal page."""
        previous = set(manifest.get("pages", {})) | set(manifest.get("static", {}))
        removed = 0
        for rel in sorted(previous - keep):
            target = self.out / rel
            if target.is_file() and target.resolve().is_relative_to(self.out):
                target.unlink()
                removed += 1
        unknown = []
        base = str(self.out)
        for folder, dirs, files in os.walk(base):
            rel = os.path.relpath(folder, base).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            if prefix == "pagefind/":
                dirs.clear()
                continue
            unknown += [prefix + f for f in files if f.endswith(".html") and prefix + f not in keep]
        if unknown:
            self.report.warnings.append(
                f"{self.out} holds {len(unknown)} page(s) kb did not write (e.g. {unknown[0]}); "
                "they are published and indexed too: build into an empty folder"
            )
        return removed


def _bytes_key(data: bytes) -> str:
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _renderer_version() -> str:
    from kbcli.adapters.markdown_render import RENDERER_VERSION

    return RENDERER_VERSION


def _edit_base(ws: Workspace) -> str:
    settings = ws.config.handbook
    if not settings.repo_url:
        return ""
    from kbcli.adapters.git_repo import repo_root

    git_root = repo_root(ws.root)
    prefix = ws.root.resolve().relative_to(git_root.resolve()).as_posix() if git_root else ""
    return edit_base(settings.repo_url, settings.branch, "" if prefix == "." else prefix)


def gather_facts(
    ws: Workspace, audience: Audience, trend_cache: dict[str, Any] | None = None
) -> HandbookFacts:
    """Git facts, the trust trend and findings, from the history pass (issue 4's interface).

    Outside a git repository the history is empty and pages leave those facts out. The
    trend only depends on commits, the day and the cadence, so it is cached by those
    in ``trend_cache`` (it takes seconds on a large history).
    """
    from kbcli.core.handbook import GitFacts
    from kbcli.health import assess_health, card_histories

    roster = ws.config.roster
    git: dict[str, GitFacts] = {}
    for path, history in card_histories(ws, allow_shallow=True).items():
        edit, verification = history.last_edit, history.last_verification
        git[path] = GitFacts(
            last_author=_person(roster, edit.commit.author_name, edit.commit.author_email)
            if edit
            else None,
            last_date=edit.commit.day if edit else None,
            verified_by=_person(
                roster, verification.commit.author_name, verification.commit.author_email
            )
            if verification
            else None,
        )
    internal = audience is Audience.INTERNAL
    findings = (
        [_finding_dict(f) for f in assess_health(ws, allow_shallow=True).findings]
        if internal
        else []
    )
    trend: list[tuple[date, int]] = []
    if internal and git:
        trend = _cached_trend(ws, trend_cache if trend_cache is not None else {})
    return HandbookFacts(git=git, trend=trend, findings=findings, has_history=bool(git))


def related_cards(ws: Workspace, cards: Sequence[Any], warnings: list[str]) -> dict[str, list[str]]:
    """The most similar cards of each card, from the search index (issue 3's related)."""
    try:
        from kbcli import search as S
        from kbcli.core.languages import group_of, normalize_lang
    except ImportError:
        return {}
    try:
        index = S.open_index(ws)
        S.sync(ws, index=index, show_progress=False)
    except KbError as error:
        warnings.append(f"related cards left out: {error}")
        return {}
    found: dict[str, list[str]] = {}
    failed = 0
    for card in cards:
        lang = normalize_lang(card.meta.lang, ws.config.search.default_lang)
        fields = S._like_fields(index, card.body, card.title, card.meta.tags, [group_of(lang)])
        words = S._words(card.title + " " + " ".join(card.meta.tags))
        try:
            hits = S._like(ws, index, fields, 8, card.path, words)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # tantivy can panic (a pyo3 PanicException) on an updated index
            failed += 1
            continue
        found[card.path] = [hit.path for hit in hits]
    if failed:
        warnings.append(
            f"related cards left out for {failed} card(s): the search index failed on them "
            "(kb index --rebuild may fix it)"
        )
    return found


def _cached_trend(ws: Workspace, cache: dict[str, Any]) -> list[tuple[date, int]]:
    from kbcli.adapters.git_history import locate
    from kbcli.health import trust_trend

    place = locate(ws.root)
    key = digest(place.head if place else None, ws.today, repr(ws.config.trust_policy))
    if cache.get("key") != key:
        points = [
            (day.isoformat(), round(score * 100))
            for day, score in trust_trend(ws, allow_shallow=True)
        ]
        cache.clear()
        cache.update(key=key, points=points)
    return [(date.fromisoformat(day), score) for day, score in cache["points"]]


def _person(roster: Any, name: str, email: str) -> str:
    handle = roster.handle_for(name, email)
    return roster.display(handle) if handle else name


def _finding_dict(finding: Any) -> dict[str, Any]:
    return {
        "severity": str(finding.severity),
        "rule": finding.rule,
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "title": finding.title,
    }


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
) -> BuildReport:
    """``kb build``: the handbook of ``ws`` into ``out`` for ``audience``."""
    target = out if out is not None else default_out(ws)
    if not target.is_absolute():
        target = ws.cwd / target
    build = HandbookBuild(
        ws, target, Audience(audience), search=search, workers=jobs, related=related
    )
    return build.run()
