"""The handbook build: cards -> safe HTML pages -> Pagefind index, in parallel and incrementally.

A build manifest under ``.kb/handbook/`` remembers, per output folder, the hash of
every input that shaped each card body (its text, what its links resolve to, the
renderer version, the audience) and each page (its whole context plus the
templates). Unchanged bodies are taken from the cache and unchanged pages are not
written again, so editing one card re-renders that card and the few pages that
list it. Rendering runs in a process pool on all cores when there is enough work.

Before any of that, ``kb build`` hashes everything it is about to read (card bytes,
configuration, git HEAD, the day, templates, options): when the hash equals the last
build's and its files are all still there, nothing can differ and the build stops.
``kb serve`` skips that check and keeps a ``BuildMemo`` instead.

Related cards come from every shown card's term vector (``usecases.related``); a build
that changed some cards' words recomputes only the lists those changes can reach, so a
rebuild lists the same related cards as a build from scratch. A fresh ``kb build`` also
takes unchanged cards' body keys from the last manifest and detected languages from
``.kb/languages.marshal``.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import (
    HandbookFacts,
    SiteLinks,
    SiteOptions,
    digest,
    edit_base,
    in_audience,
    link_context,
)
from kbcli.core.handbook_pages import Body, SitePlan
from kbcli.core.sections import without_title_heading
from kbcli.errors import KbError
from kbcli.usecases.links import other_files

if TYPE_CHECKING:
    from kbcli.adapters.markdown_render import RenderedBody
    from kbcli.workspace import Workspace

MANIFEST_VERSION = 3
LANGUAGES = "languages.marshal"  # the languages detected for cards without lang, by text
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


@dataclass
class BuildMemo:
    """What ``kb serve`` keeps in memory from one rebuild to the next.

    After a save most cards are the same objects as before (``LiveState`` keeps
    unchanged files), so their body keys, the link index and the git facts need not be
    computed again: each is reused only while everything it was computed from is
    unchanged (the same card object, the same link names, the same history and roster).
    """

    audience: Audience | None = None
    link_names: tuple[Any, ...] | None = None  # what the body keys' link context read
    body_keys: dict[str, tuple[Any, str]] = field(default_factory=dict)
    git_source: Any = None
    git: dict[str, Any] | None = None
    summaries_source: Any = None
    summaries: dict[str, Any] | None = None
    card_pages: dict[str, Any] | None = None
    page_keys: dict[str, tuple[Any, str]] = field(default_factory=dict)  # url -> (page, key)
    page_keys_templates: str = ""  # the templates' fingerprint those keys were made with
    manifest: tuple[Any, dict[str, Any]] | None = None  # (file signature, manifest)
    bodies: tuple[Any, dict[str, str]] | None = None  # (file signature, body cache)
    terms: tuple[Any, dict[str, Any]] | None = None  # (file signature, related-cards state)

    def reset(self, audience: Audience) -> None:
        """Forget everything: it was kept for another audience."""
        fresh = BuildMemo(audience=audience)
        for each in fields(BuildMemo):
            setattr(self, each.name, getattr(fresh, each.name))


# --- worker side -----------------------------------------------------------------------------

_LINKS: SiteLinks | None = None
_DIRS: list[Path] = []
_OUT: Path | None = None
_TEMPLATES: Any = None
_TEMPLATES_KEY: Any = None
_FOLDERS: set[Path] = set()


def _init_worker(links: SiteLinks, dirs: list[Path], out: Path, templates_fp: str = "") -> None:
    """Set up a worker (or this process) for one build. Compiled templates are kept while
    no template file changed: compiling them costs more than rendering a page."""
    global _LINKS, _DIRS, _OUT, _TEMPLATES, _TEMPLATES_KEY
    _LINKS, _DIRS, _OUT = links, dirs, out
    _FOLDERS.clear()
    key = (tuple(dirs), templates_fp)
    if not templates_fp or key != _TEMPLATES_KEY:
        _TEMPLATES, _TEMPLATES_KEY = None, key


def _render_body(job: tuple[str, str]) -> tuple[str, RenderedBody]:
    from kbcli.adapters.markdown_render import BodyRenderer

    assert _LINKS is not None
    path, text = job
    return path, BodyRenderer(_LINKS).render(path, text)


def _render_page(job: tuple[str, str, dict[str, Any]]) -> str:
    global _TEMPLATES
    from kbcli.adapters.jinja_site import SiteTemplates

    if _TEMPLATES is None:
        _TEMPLATES = SiteTemplates(_DIRS)
    assert _OUT is not None
    url, template, context = job
    html = _TEMPLATES.render(template, context)
    target = _OUT / url
    if target.parent not in _FOLDERS:
        target.parent.mkdir(parents=True, exist_ok=True)
        _FOLDERS.add(target.parent)
    target.write_text(html, encoding="utf-8")
    return url


def _warm(fn: Callable[[Any], Any], init: tuple[Any, ...]) -> None:
    """Import and set up in this process what every worker needs (the markdown parser, the
    sanitizer, the compiled templates), so the forked workers inherit it instead of each
    importing and compiling it again."""
    global _TEMPLATES
    _init_worker(*init)
    if fn is _render_body:
        from kbcli.adapters.markdown_render import parser, sanitize

        parser()
        sanitize("")
    elif fn is _render_page:
        from kbcli.adapters.jinja_site import SiteTemplates

        if _TEMPLATES is None:
            _TEMPLATES = SiteTemplates(_DIRS)
            _TEMPLATES.compile_all()


def _run(
    fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int, init: tuple[Any, ...]
) -> list[Any]:
    """Map ``fn`` over ``jobs`` in a fork-started pool, or inline when the work is small."""
    if workers <= 1 or len(jobs) < PARALLEL_MIN:
        _init_worker(*init)
        return [fn(job) for job in jobs]
    import gc
    import multiprocessing

    _warm(fn, init)
    # Forked workers share the parent's memory until they write to it; the collector
    # walking every object would copy it all. Frozen objects are left alone.
    gc.freeze()
    try:
        chunk = max(8, len(jobs) // (workers * 8))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=init
        ) as pool:
            return list(pool.map(fn, jobs, chunksize=chunk))
    finally:
        gc.unfreeze()


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
    ) -> None:
        self.ws = workspace
        self.out = out.resolve()
        self.audience = audience
        self.search = search
        self.workers = workers or os.cpu_count() or 1
        self._facts = facts
        self.related = related
        self.shallow = _shallow(workspace, allow_shallow)
        # kb serve passes its memo and knows what changed; a plain kb build first checks
        # whether anything at all changed since the last build (see _unchanged).
        self.quick_check = memo is None and facts is None
        self.memo = memo if memo is not None else BuildMemo()
        if self.memo.audience is not audience:
            self.memo.reset(audience)
        self.report = BuildReport(self.out, audience)
        self._trend_cache: dict[str, Any] = {}
        self._same_link_names = False
        self._link_names_key = ""
        self._sources: dict[str, str] = {}  # path -> what its body key is computed from
        self._files: set[str] | None = None
        self._unknown_warning = ""
        self._card_bytes: list[tuple[str, bytes | None]] = []
        self._check_out()
        key = digest(str(self.out))[:16]
        self.state_dir = workspace.config.cache_dir / "handbook"
        self.manifest_path = self.state_dir / f"{key}.manifest.pickle"
        self.bodies_path = self.state_dir / f"{key}.bodies.pickle"
        self.terms_path = self.state_dir / f"{key}.terms.pickle"

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
        """Inputs check, cards, history, bodies, related cards, pages, search, manifest."""
        from kbcli.adapters.jinja_site import fingerprint, template_dirs

        t = time.perf_counter()
        dirs = template_dirs(self.ws.root)
        templates_fp = fingerprint(dirs)
        inputs = self._inputs_key(templates_fp) if self.quick_check else None
        manifest = self._load_manifest()
        if inputs is not None and self._unchanged(manifest, inputs):
            self._timed("unchanged", t)
            return self.report
        t = self._timed("inputs", t)
        shown, links = self._load_cards()
        t = self._timed("load", t)
        same_build = manifest.get("audience") == self.audience.value
        previous = manifest if same_build else {}
        self._trend_cache = dict(previous.get("trend", {}))
        facts = self._facts or gather_facts(self.ws, self.audience, self._trend_cache, self.memo)
        t = self._timed("history", t)
        init = (links, dirs, self.out, templates_fp)
        bodies = self._bodies(shown, links, previous, init)
        t = self._timed("bodies", t)
        related = self._related(shown)
        if related:
            facts = replace(facts, related=related, has_related=True)
        t = self._timed("related", t)
        pages, page_keys, stale, on_disk = self._plan(shown, bodies, facts, previous, templates_fp)
        t = self._timed("plan", t)
        self.out.mkdir(parents=True, exist_ok=True)
        _run(_render_page, [(p.url, p.template, p.context) for p in stale], self.workers, init)
        static = self._write_static(dirs, previous.get("static", {}), shown)
        self.report.pages, self.report.written = len(pages), len(stale)
        self.report.removed = self._remove_stale(manifest, set(page_keys) | set(static), on_disk)
        t = self._timed("pages", t)
        for path, body in sorted(bodies.items()):
            self.report.broken += [BrokenLink(path, b["line"], b["ref"]) for b in body.broken]
        indexed = self._search_index(previous, changed=bool(stale or self.report.removed))
        t = self._timed("search", t)
        self._save(manifest, bodies, page_keys, static, inputs, indexed)
        self._timed("manifest", t)
        return self.report

    def _load_cards(self) -> tuple[list[Any], SiteLinks]:
        """The shown cards with their verdicts, and the link index of all cards."""
        from kbcli.adapters.language_id import Detector
        from kbcli.usecases.health import judged

        self._catalog_from_bytes()
        items = judged(self.ws)  # verdicts: a card kb has evidence against never shows ✔
        detect = Detector(self.ws.config.cache_dir / LANGUAGES)
        shown = [_with_language(i, detect) for i in items if in_audience(i.card, self.audience)]
        detect.save()
        self.report.cards = len(shown)
        return shown, self._link_index(items, shown)

    def _bodies(
        self,
        shown: list[Any],
        links: SiteLinks,
        previous: dict[str, Any],
        init: tuple[Any, ...],
    ) -> dict[str, Body]:
        """Every shown card's rendered body: from the cache when its key is unchanged,
        else rendered (in parallel when there are many). Its broken links are what the
        resolver says, the very list ``kb check`` reports."""
        cache: dict[str, str] = self._load_bodies() if previous else {}
        old_bodies: dict[str, Any] = previous.get("bodies", {})
        bodies: dict[str, Body] = {}
        todo: list[tuple[str, str]] = []
        keys: dict[str, str] = {}
        broken: dict[str, list[dict[str, Any]]] = {}
        known = self.memo.body_keys if self._same_link_names else {}
        body_keys: dict[str, tuple[Any, str]] = {}
        # A fresh process knows the last build's keys from its manifest: a key holds while
        # the card's text and every card's link names are the same (what kb serve's
        # memory checks by identity), so only edited cards' links are resolved again.
        same_names = previous.get("link_names") == self._link_names_key
        sources: dict[str, str] = previous.get("sources", {}) if same_names else {}
        self._sources = {}
        for item in shown:
            card = item.card
            remembered = known.get(card.path)
            source = _source_key(card)
            self._sources[card.path] = source
            old = old_bodies.get(card.path)
            if remembered is not None and remembered[0] is card:
                key = remembered[1]
            elif old and sources.get(card.path) == source:
                key = old["key"]
            else:
                key = self._body_key(card, links)
            body_keys[card.path] = (card, key)
            keys[card.path] = key
            broken[card.path] = [
                {"ref": r.link.ref, "line": r.line} for r in links.resolver.broken(card)
            ]
            if old and old.get("key") == key and key in cache:
                bodies[card.path] = Body(
                    cache[key], key, old["links"], broken[card.path], old["headings"]
                )
            else:
                todo.append((card.path, _shown_body(card)[0]))
        for path, rendered in _run(_render_body, todo, self.workers, init):
            bodies[path] = Body(
                rendered.html, keys[path], rendered.links, broken[path], rendered.headings
            )
        self.report.bodies_rendered = len(todo)
        self.memo.body_keys = body_keys
        return bodies

    def _body_key(self, card: Any, links: SiteLinks) -> str:
        """What a rendered body depends on: its text, what its links resolve to, the
        audience and the renderer."""
        return digest(
            "body",
            card.path,
            *_shown_body(card),
            self.audience.value,
            link_context(card.path, card.body, links),
            _renderer_version(),
        )

    def _plan(
        self,
        shown: list[Any],
        bodies: dict[str, Body],
        facts: HandbookFacts,
        previous: dict[str, Any],
        templates_fp: str,
    ) -> tuple[list[Any], dict[str, str], list[Any], set[str]]:
        """(every page, each page's key, the pages to write, the files in the output)."""
        ws = self.ws
        options = SiteOptions(
            title=ws.config.handbook.title,
            audience=self.audience,
            today=ws.today,
            default_lang=ws.config.search.default_lang,
            edit_base=_edit_base(ws),
            shallow=self.shallow,
        )
        source = (options, ws.config.roster)
        summaries = self.memo.summaries if self.memo.summaries_source == source else None
        card_pages = self.memo.card_pages if summaries is not None else None
        plan = SitePlan(shown, bodies, options, ws.config.roster, facts, summaries, card_pages)
        pages = plan.pages()
        self.memo.summaries_source, self.memo.summaries = source, plan.summary_memo()
        self.memo.card_pages = plan.card_page_memo
        old_pages: dict[str, str] = previous.get("pages", {})
        page_keys = self._page_keys(pages, templates_fp)
        on_disk = _files_under(self.out)
        stale = [
            p for p in pages if old_pages.get(p.url) != page_keys[p.url] or p.url not in on_disk
        ]
        return pages, page_keys, stale, on_disk

    def _search_index(self, previous: dict[str, Any], *, changed: bool) -> bool:
        """Run Pagefind unless the index is current; whether it is current now. It is when
        this build indexed, or the last one's index was current and no page changed since
        (a --no-search build may have changed some)."""
        indexed = bool(previous.get("indexed")) and not changed
        if self.search and (not indexed or not (self.out / "pagefind").is_dir()):
            from kbcli.adapters.pagefind_index import index_site

            index_site(self.out)
            self.report.searched = indexed = True
        return indexed

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
                key = digest("page", templates_fp, page.template, page.key_context)
            keys[page.url], kept[page.url] = key, (page, key)
        self.memo.page_keys, self.memo.page_keys_templates = kept, templates_fp
        return keys

    def _inputs_key(self, templates_fp: str) -> str:
        """A hash of everything a build reads: every card file's bytes, the loaded
        configuration (kb.toml, people.yaml, environment), the git HEAD the history comes
        from, the day, the templates, the options and kb's version. Reading and hashing
        the files costs a fraction of parsing them."""
        import hashlib

        from kbcli import __version__
        from kbcli.adapters.card_files import read_card_bytes
        from kbcli.adapters.git_history import locate

        ws = self.ws
        head = (
            __version__,
            MANIFEST_VERSION,
            _renderer_version(),
            self.audience.value,
            self.related,
            str(self.out),
            ws.today,
            repr(ws.config),
            templates_fp,
            locate(ws.root),
        )
        hasher = hashlib.blake2b(repr(head).encode("utf-8"), digest_size=16)
        # Links to images and attachments are judged too: adding or removing one matters.
        self._files = other_files(ws.root)
        hasher.update("\0".join(sorted(self._files)).encode("utf-8", "surrogateescape"))
        root = str(ws.root)
        self._card_bytes = []
        for rel in ws.card_files.paths():
            try:
                data = read_card_bytes(root, rel)
            except OSError as error:  # OutsideRepo too: the card reader reports it
                hasher.update(f"{rel}\0unreadable {error.errno}\0".encode("utf-8", "replace"))
                self._card_bytes.append((rel, None))
                continue
            hasher.update(f"{rel}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            hasher.update(data)
            self._card_bytes.append((rel, data))
        return hasher.hexdigest()

    def _catalog_from_bytes(self) -> None:
        """Give the workspace the cards parsed from the bytes just hashed: read once."""
        from kbcli.core.catalog import Catalog

        ws = self.ws
        if ws.has_catalog or not self._card_bytes:
            return
        files = ws.card_files
        cache = files.cache()  # cards unchanged since any kb run read them: not parsed
        cards = [
            cache.card_from(rel, data, files.parse, ws.today)
            if data is not None
            else files.read(rel, ws.today)
            for rel, data in self._card_bytes
        ]
        cache.save(keep_unseen=True)
        ws.catalog = Catalog(cards)
        self._card_bytes = []

    def _unchanged(self, manifest: dict[str, Any], inputs: str) -> bool:
        """True (and the report filled from the manifest) when the last build into this
        folder read exactly the same inputs and every file it wrote is still there."""
        if manifest.get("inputs") != inputs or manifest.get("audience") != self.audience.value:
            return False
        pages, static = manifest.get("pages", {}), manifest.get("static", {})
        on_disk = _files_under(self.out)
        if not (on_disk.issuperset(pages) and on_disk.issuperset(static)):
            return False
        if self.search and not (manifest.get("indexed") and (self.out / "pagefind").is_dir()):
            return False
        saved = manifest.get("report", {})
        self.report.cards, self.report.pages = saved.get("cards", 0), len(pages)
        self.report.warnings += saved.get("warnings", [])
        self._warn_unknown(on_disk, set(pages) | set(static))
        for path, entry in sorted(manifest.get("bodies", {}).items()):
            self.report.broken += [BrokenLink(path, b["line"], b["ref"]) for b in entry["broken"]]
        return True

    def _link_index(self, items: list[Any], shown: list[Any]) -> SiteLinks:
        """The build's links: the resolver ``kb check`` uses, over every card and file.

        Body keys remembered by ``kb serve`` stay valid while no card's link names (path,
        title, aliases), no shown card and no other file changed."""
        from kbcli.usecases.links import link_resolver

        files = self._files if self._files is not None else other_files(self.ws.root)
        names = (
            tuple((c.path, c.title, c.meta.aliases) for c in (i.card for i in items)),
            tuple(i.card.path for i in shown),
            frozenset(files),
        )
        self._same_link_names = self.memo.link_names == names
        self.memo.link_names = names
        self._link_names_key = digest("names", names[0], names[1], sorted(files))
        resolver = link_resolver(self.ws, [i.card for i in items], files)
        return SiteLinks(resolver, frozenset(i.card.path for i in shown))

    def _related(self, shown: list[Any]) -> dict[str, list[str]]:
        """Related cards from every shown card's term vector (``usecases.related``).

        The term counts of each card are kept in ``terms.pickle`` by a hash of what they
        are made of, so a rebuild analyses only changed cards; when no card's terms
        changed (a verification, an owner change) the last lists are reused as they are.
        A damaged file means computing everything again.
        """
        if self.related is False:
            return {}
        from kbcli.usecases.related import related_cards

        kept = self._load_pickle(self.terms_path, "terms")
        valid = kept.get("version") == MANIFEST_VERSION
        known = kept.get("terms", {}) if valid else {}
        lists = kept.get("lists") if valid else None
        lang = self.ws.config.search.default_lang
        cards = [item.card for item in shown]
        found, terms, lists = related_cards(
            cards, {c.path for c in cards}, lang, known_terms=known, known_lists=lists
        )
        if terms != known or kept.get("related") != found:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            data = {"version": MANIFEST_VERSION, "terms": terms, "related": found, "lists": lists}
            self._dump_pickle(self.terms_path, "terms", data)
        return found

    # --- state ---------------------------------------------------------------------------------

    def _load_manifest(self) -> dict[str, Any]:
        data = self._load_pickle(self.manifest_path, "manifest")
        return data if data.get("version") == MANIFEST_VERSION else {}

    def _load_bodies(self) -> dict[str, str]:
        return self._load_pickle(self.bodies_path, "bodies")

    def _load_pickle(self, path: Path, slot: str) -> dict[str, Any]:
        """A cache file, or what the memo kept of it when the file is the one it saw."""
        signature = _signature(path)
        kept = getattr(self.memo, slot)
        if signature is not None and kept is not None and kept[0] == signature:
            return kept[1]
        try:
            with path.open("rb") as handle:
                data = pickle.load(handle)
        except Exception:  # unpickling damaged bytes can raise almost anything: rebuild
            return {}
        return data if isinstance(data, dict) else {}

    def _dump_pickle(self, path: Path, slot: str, data: dict[str, Any]) -> None:
        from kbcli.adapters.atomic_file import replace_file

        # kb serve and kb build at once: one temporary file each (atomic_file's names).
        replace_file(path, pickle.dumps(data, protocol=5), durable=False)
        setattr(self.memo, slot, (_signature(path), data))

    def _save(
        self,
        old: dict[str, Any],
        bodies: dict[str, Body],
        pages: dict[str, str],
        static: dict[str, str],
        inputs: str | None,
        indexed: bool,
    ) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        old_bodies = old.get("bodies", {}) if old.get("audience") == self.audience.value else {}
        manifest = {
            "version": MANIFEST_VERSION,
            "out": str(self.out),
            "audience": self.audience.value,
            "bodies": {p: self._entry(p, b, old_bodies.get(p)) for p, b in bodies.items()},
            "link_names": self._link_names_key,
            "sources": self._sources,
            "pages": pages,
            "static": static,
            "trend": self._trend_cache,
            "inputs": inputs,
            "indexed": indexed,
            "report": {
                "cards": self.report.cards,
                "warnings": [w for w in self.report.warnings if w != self._unknown_warning],
            },
        }
        if self.report.bodies_rendered or not self.bodies_path.exists():
            self._dump_pickle(self.bodies_path, "bodies", {b.key: b.html for b in bodies.values()})
        # The manifest last: it only names bodies the cache above holds. A build that
        # changed nothing leaves it alone.
        if manifest != old or not self.manifest_path.exists():
            self._dump_pickle(self.manifest_path, "manifest", manifest)

    def _entry(self, path: str, body: Body, old: dict[str, Any] | None) -> dict[str, Any]:
        """A body's manifest entry; the previous one itself when nothing in it changed."""
        if old is not None and old.get("key") == body.key and old.get("broken") == body.broken:
            return old
        return {
            "key": body.key,
            "links": list(body.links),
            "broken": list(body.broken),
            "headings": list(body.headings),
        }

    def _write_static(
        self, dirs: list[Path], old: dict[str, str], shown: Sequence[Any] = ()
    ) -> dict[str, str]:
        """The site's static files and the files shown cards reference (images,
        attachments), tracked like pages so a later build removes what it no longer has."""
        from kbcli.adapters.jinja_site import SiteTemplates
        from kbcli.adapters.markdown_render import pygments_css
        from kbcli.usecases.handbook_assets import referenced_files

        assets, missing = referenced_files(self.ws.root, (item.card for item in shown))
        self.report.warnings.extend(missing)
        files: dict[str, bytes] = {rel: path.read_bytes() for rel, path in assets.items()}
        files.update(
            (f"static/{name}", path.read_bytes())
            for name, path in SiteTemplates(dirs).static_files().items()
        )
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

    def _remove_stale(self, manifest: dict[str, Any], keep: set[str], on_disk: set[str]) -> int:
        """Delete the files an earlier build wrote that this one does not (a card went away,
        or became internal): a public build must never keep an old internal page."""
        previous = set(manifest.get("pages", {})) | set(manifest.get("static", {}))
        removed = 0
        for rel in sorted(previous - keep):
            target = self.out / rel
            if target.is_file() and target.resolve().is_relative_to(self.out):
                target.unlink()
                removed += 1
        self._warn_unknown(on_disk, keep)
        return removed

    def _warn_unknown(self, on_disk: set[str], keep: set[str]) -> None:
        unknown = sorted(f for f in on_disk if f.endswith(".html") and f not in keep)
        if unknown:
            self._unknown_warning = (
                f"{self.out} holds {len(unknown)} page(s) kb did not write (e.g. {unknown[0]}); "
                "they are published and indexed too: build into an empty folder"
            )
            self.report.warnings.append(self._unknown_warning)


def _source_key(card: Any) -> str:
    """What a card's body key is computed from, besides the link names: its path, title,
    text and first line, and the renderer."""
    return digest(
        "source", card.path, card.meta.title, card.body_line, card.body, _renderer_version()
    )


def _shown_body(card: Any) -> tuple[str, int]:
    """The body a page shows, and its first line: a leading ``# Title`` equal to the
    card's title is the page's own heading already, so it is not shown twice."""
    body, dropped = without_title_heading(card.body, card.meta.title)
    return body, card.body_line + dropped


def _files_under(out: Path) -> set[str]:
    """Every file of the output folder (Pagefind's own folder aside), as relative paths:
    one listing instead of a stat per page."""
    found: set[str] = set()
    base = str(out)
    for folder, dirs, files in os.walk(base):
        rel = os.path.relpath(folder, base).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        if prefix == "pagefind/":
            dirs.clear()
            continue
        found.update(prefix + f for f in files)
    return found


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


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
    ws: Workspace,
    audience: Audience,
    trend_cache: dict[str, Any] | None = None,
    memo: BuildMemo | None = None,
) -> HandbookFacts:
    """Git facts, the trust trend and findings, from the history pass (issue 4's interface).

    Outside a git repository the history is empty and pages leave those facts out. The
    trend only depends on commits, the day and the cadence, so it is cached by those
    in ``trend_cache`` (it takes seconds on a large history).
    """
    from kbcli.core.handbook import GitFacts
    from kbcli.usecases.health import assess_health, card_histories

    roster = ws.config.roster
    histories = card_histories(ws, allow_shallow=True)
    source = (histories, roster)
    if memo is not None and memo.git is not None and _same_source(memo.git_source, source):
        git: dict[str, GitFacts] = memo.git
    else:
        git = _git_facts(histories, roster)
        if memo is not None:
            memo.git_source, memo.git = source, git
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


def _same_source(old: Any, new: tuple[Any, Any]) -> bool:
    """The same history object (kb serve keeps it while HEAD stays) and an equal roster."""
    return old is not None and old[0] is new[0] and old[1] == new[1]


def _git_facts(histories: Any, roster: Any) -> dict[str, Any]:
    from kbcli.core.handbook import GitFacts

    git: dict[str, GitFacts] = {}
    for path, history in histories.items():
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
    return git


def _cached_trend(ws: Workspace, cache: dict[str, Any]) -> list[tuple[date, int]]:
    from kbcli.adapters.git_history import locate
    from kbcli.usecases.health import trust_trend

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
    # By e-mail only, as the provenance rules: a git user.name alone never passes as a person.
    handle = roster.handle_for(None, email)
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
    memo: BuildMemo | None = None,
    allow_shallow: bool = False,
) -> BuildReport:
    """``kb build``: the handbook of ``ws`` into ``out`` for ``audience``.

    A shallow clone raises ``ShallowClone`` (exit 2, with the fix) unless
    ``allow_shallow``; then every page carries a banner saying history facts are missing.
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
    )
    return build.run()


def _shallow(ws: Workspace, allow_shallow: bool) -> bool:
    """Whether the build reads a shallow clone; refuses one unless ``allow_shallow``, as
    kb check, kb report and kb history do (wrong authors, dates and findings otherwise)."""
    from kbcli.adapters.git_history import ShallowClone, ShallowHint, locate

    place = locate(ws.root)
    if place is None or not place.shallow:
        return False
    if not allow_shallow:
        raise ShallowClone(ShallowHint)
    return True


def _with_language(item: Any, detect: Callable[[str], str | None]) -> Any:
    """A card without ``lang`` gets its text's language, as search detects it: the page's
    ``<html lang>`` then sends it to Pagefind's index and stemmer for that language (a
    Russian page in an English repo used to be indexed with the English stemmer)."""
    card = item.card
    if card.meta.lang:
        return item
    lang = detect(card.body)
    if not lang:
        return item
    return _changed(item, card=_changed(card, meta=_changed(card.meta, lang=lang)))


def _changed(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for a plain frozen dataclass (no ``__post_init__``, no
    slots: its fields are its ``__dict__``), without running ``__init__`` again: about
    twenty times faster, and a build changes three objects of each card without lang."""
    if not hasattr(obj, "__dict__") or hasattr(obj, "__post_init__"):
        return replace(obj, **changes)
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new
