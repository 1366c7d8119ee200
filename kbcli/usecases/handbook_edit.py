"""``kb build`` after a small edit: write only the edited cards' pages, when nothing any
other page shows can have changed; else say no, and the whole build runs.

The last whole build left a base (``handbook_edit_state``). A quick build lists the
files (stat only; a file whose signature changed, or was taken too close to its last
change to trust, is read and hashed) and takes the quick way only when the build's
inputs besides the cards are the base's (configuration, HEAD, day, templates, options,
the other files), no card file came or went, at most ``MOST`` changed, and for each
changed card:

- it is shown and read without problems, its lines before the body, body line and
  title are as before: the same front matter, so the same verdict, trust and summary
  (checked: its summary's digest is the one the manifest keeps), and its detected
  language is the same;
- its body has no link kb resolves (cards, files, anchors), before and now, so no
  other page's links or backlinks move, and its headings are as before or no card
  links to them;
- its term counts moved only terms too common to weigh, in both counts, and its
  related-cards vector is the same float for float: then every related list is the
  one a whole build makes (``core.related_update``: only changed vectors move lists).

Then only its body and page are made, with the same functions as a whole build, from
the manifest (backlinks, related list), the base (git facts, site) and the few cards
its page lists (read and summarised, each checked against its kept digest). Any doubt,
any damaged state, any error: the whole build.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from kbcli.usecases import handbook_edit_state as state

if TYPE_CHECKING:
    from pathlib import Path

    from kbcli.usecases.handbook import HandbookBuild

MOST = 4  # changed cards a quick build takes on
RACY_NS = 2_000_000_000  # a signature taken this close to the file's change is not trusted


class NotQuick(Exception):
    """Something the quick way cannot vouch for: build everything."""


class NoLinks:
    """Stands for the link index where no link needs one: any use means the whole build."""

    def __getattr__(self, name: str) -> Any:
        raise NotQuick(name)


def quick_build(build: HandbookBuild, dirs: list[Path], templates_fp: str) -> bool:
    """Write the pages of a small edit (see above) and fill the build's report; False
    (nothing written) when the whole build must run. Only for a plain ``kb build``
    (``kb serve`` keeps its own state in memory). With the search index on, the written
    pages then go into the index's delta, as the whole build's do (``handbook_search``)."""
    if not build.quick_check:
        return False
    from kbcli.core.handbook import digest
    from kbcli.usecases.links import other_files

    files = other_files(build.ws.root)
    head = digest(build._head(templates_fp), sorted(files))
    try:
        return _Quick(build, head, files).run(dirs, templates_fp)
    except NotQuick:
        return False


class _Quick:
    def __init__(self, build: HandbookBuild, head: str, files: set[str]) -> None:
        self.build = build
        self.files = files
        self.ws = build.ws
        self.head = head
        self.base: dict[str, Any] = {}
        self.journal: dict[str, Any] = {}
        self.manifest: dict[str, Any] = {}
        self.changed: dict[str, tuple[Any, bytes, bytes]] = {}
        self.seen: dict[str, tuple[Any, bytes, int]] = {}

    def run(self, dirs: list[Path], templates_fp: str) -> bool:
        from kbcli.usecases.handbook_edit_related import Relisted
        from kbcli.usecases.handbook_edit_site import SitePages

        store = self.build.store
        self.base = _need(state.read(state.base_path(store)))
        journal = _need(state.read(state.journal_path(store)), allow_empty=True)
        if not journal:  # the related state is the base's while its tokens are
            self.build.memo.base_df = (self.base.get("related_tokens"), self.base.get("df"))
        check(self.base.get("head") == self.head)
        check(not journal or (journal.get("base") == self.base["token"] and journal["done"]))
        self.journal = journal or {"base": self.base["token"], "pages": {}, "files": {}}
        self._changed_files()
        cards = [self._card(rel, data) for rel, (_, data, _) in self.changed.items()]
        self.manifest = store.manifest()
        check(self.manifest.get("inputs") == self.base["inputs"] and bool(self.manifest))
        check(self.manifest.get("audience") == self.build.audience.value)
        self.pages = SitePages(self)
        made = [card.prepare() for card in cards]
        self.pages.known.update((m.path, m.summary) for m in made)
        related = Relisted(self, made).compute()
        self._on_disk()
        jobs = self._jobs(made, related, templates_fp)
        # Every check is done: from here on the journal says a build is under way.
        kept = self._journal(made, {url: key for url, _, key in jobs})
        state.write(state.journal_path(store), {**kept, "done": False})
        tokens = related.keep()
        self._write(jobs, dirs, templates_fp)
        if tokens is not None:
            kept["related_tokens"] = tokens
        self._report(len(jobs), len(made))
        self._search_index([url for url, _, _ in jobs])  # before "done": see _search_index
        kept["indexed"] = self.build.report.searched  # the index is the site's again
        state.write(state.journal_path(store), {**kept, "done": True})
        return True

    def _search_index(self, written: list[str]) -> None:
        """The written pages into the search index's delta, as the whole build does
        (``handbook_search``); an index it failed to make is never trusted, since the
        journal is marked done only after this."""
        from kbcli.usecases.handbook_search import index_build

        start = time.perf_counter()
        journal, manifest = self.journal, self.manifest
        was_current = journal["indexed"] if "indexed" in journal else manifest.get("indexed")
        index_build(self.build, bool(was_current), written, [])
        if self.build.report.searched:
            self.build.report.timings["search"] = time.perf_counter() - start

    def _jobs(self, made: list[Any], related: Any, templates_fp: str) -> list[Any]:
        """(url, context, key) of the edited cards' pages and of those whose related
        cards moved."""
        pages = self.pages
        jobs = [
            pages.page(m.path, m.summary, m.body, related.lists[m.path], templates_fp) for m in made
        ]
        for path in related.moved:
            body, listed = pages.kept_body(path), related.lists[path]
            jobs.append(pages.page(path, pages.of(path), body, listed, templates_fp))
        return jobs

    def _changed_files(self) -> None:
        """The card files whose bytes differ from the base's (and the journal's)."""
        from kbcli.adapters.card_cache import _digest
        from kbcli.adapters.card_files import read_card_bytes

        ws = self.ws
        known: dict[str, Any] = {**self.base["files"], **self.journal["files"]}
        paths = ws.card_files.paths()
        self.build._walked = (self.files, paths)
        check(len(paths) == len(known) and all(rel in known for rel in paths))
        root, now = str(ws.root), time.time_ns()
        for rel in paths:
            signature, digest, checked = known[rel]
            found = _signature(os.path.join(root, rel))
            if found is not None and found == signature and found[0] + RACY_NS < checked:
                continue
            try:
                data = read_card_bytes(root, rel)
            except OSError as error:
                raise NotQuick(rel) from error
            new = _digest(data)
            self.seen[rel] = (found, new, now)
            if new != digest:
                self.changed[rel] = (found, data, new)
        check(0 < len(self.changed) <= MOST)

    def _card(self, rel: str, data: bytes) -> Any:
        """The changed card's page, when it takes the quick way (see the module's doc)."""
        from kbcli.usecases.handbook_edit_pages import EditedCard

        facade = self.base["cards"].get(rel)
        check(facade is not None)
        card = self.ws.card_files.parse(rel, data, self.ws.today)
        check(state.card_facade(data, card) == facade)
        return EditedCard(self, rel, card, self.changed[rel][2])

    def _on_disk(self) -> None:
        """Every file the manifest says the site has is there (else: the whole build)."""
        from kbcli.usecases.handbook_state import files_under

        on_disk = files_under(self.build.out)
        pages, static = self.manifest.get("pages", {}), self.manifest.get("static", {})
        check(on_disk.issuperset(pages) and on_disk.issuperset(static))
        self.build._warn_unknown(on_disk, set(pages) | set(static))

    def _journal(self, made: list[Any], keys: dict[str, str]) -> dict[str, Any]:
        """The journal after this build: the pages quick builds wrote since the base with
        their keys, the files they saw, the edited cards' term counts and how df moved."""
        journal = self.journal
        pages = {**journal["pages"], **keys}
        files = {**journal["files"], **self.seen}
        counts = {**journal.get("counts", {}), **{m.path: m.counts for m in made if m.counts}}
        df = dict(journal.get("df", {}))
        for card in made:
            for term, step in card.df_moves.items():
                df[term] = df.get(term, 0) + step
        return {
            "base": self.base["token"],
            "pages": pages,
            "files": files,
            "counts": counts,
            "df": df,
            "related_tokens": journal.get("related_tokens"),
        }

    def _write(self, jobs: list[Any], dirs: list[Path], templates_fp: str) -> None:
        from kbcli.adapters.jinja_site import COMPILED
        from kbcli.core.handbook import SiteLinks
        from kbcli.usecases.handbook_workers import init_worker, render_page

        links = SiteLinks(NoLinks(), frozenset())  # type: ignore[arg-type]
        compiled = self.ws.config.cache_dir / COMPILED
        init_worker(links, dirs, self.build.out, templates_fp, compiled)
        for url, context, _ in jobs:
            render_page((url, "card.html", context))

    def _report(self, written: int, rendered: int) -> None:
        from kbcli.usecases.handbook import BrokenLink

        report, manifest = self.build.report, self.manifest
        saved = manifest.get("report", {})
        report.cards, report.pages = saved.get("cards", 0), len(manifest.get("pages", {}))
        report.written, report.bodies_rendered = written, rendered
        report.warnings[:0] = saved.get("warnings", [])
        for path, entry in sorted(manifest.get("bodies", {}).items()):
            report.broken += [BrokenLink(path, b["line"], b["ref"]) for b in entry["broken"]]


def _signature(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def signature(path: str) -> tuple[int, int, int, int] | None:
    """A card file's (mtime, size, inode, ctime): taken before its bytes are read."""
    return _signature(path)


def check(condition: bool) -> None:
    if not condition:
        raise NotQuick


def _need(data: dict[str, Any] | None, *, allow_empty: bool = False) -> dict[str, Any]:
    if data is None or (not data and not allow_empty):
        raise NotQuick
    return data
