"""The handbook build's rendering pool: card bodies and pages, in forked workers or inline.

This process is set up once per build (``init_worker``, ``_warm``): the link index the
bodies resolve against, the template folders and the output folder; the workers
(``forked_map``) inherit it, and the jobs too: only their positions travel to a worker
(a page's context is the card, its lists and its body: pickling the 7,429 tldr pages'
contexts to the worker and unpickling them there cost 0.16 s of CPU). Pages are written
by the process that renders them, so only URLs travel back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbcli.adapters.markdown_render import RenderedBody
    from kbcli.core.handbook import SiteLinks

PARALLEL_MIN = 150  # below this many items a process pool costs more than it saves
# Each worker process costs about 0.1 s of CPU to start and warm up (fork, first-use
# caches, results sent back), so a build gets one more per this many items: on a site of
# a few hundred cards a second worker costs more CPU than it saves time.
PER_WORKER = 500
CHUNKS = 8  # per worker: the last ones balance the workers' ends
SHARED_CHUNKS = 32  # per worker when this process takes the last ones (``run_jobs``)

_LINKS: SiteLinks | None = None
_DIRS: list[Path] = []
_OUT: Path | None = None
_TEMPLATES: Any = None
_TEMPLATES_KEY: Any = None
_FOLDERS: set[str] = set()  # output folders made, relative to _OUT
_COMPILED: Path | None = None


def init_worker(
    links: SiteLinks,
    dirs: list[Path],
    out: Path,
    templates_fp: str = "",
    compiled: Path | None = None,
) -> None:
    """Set up a worker (or this process) for one build. Compiled templates are kept while
    no template file changed (in memory, and in the ``compiled`` folder between
    processes): compiling them costs more than rendering a page."""
    global _LINKS, _DIRS, _OUT, _TEMPLATES, _TEMPLATES_KEY, _COMPILED
    _LINKS, _DIRS, _OUT, _COMPILED = links, dirs, out, compiled
    _FOLDERS.clear()
    key = (tuple(dirs), templates_fp)
    if not templates_fp or key != _TEMPLATES_KEY:
        _TEMPLATES, _TEMPLATES_KEY = None, key


def render_body(job: tuple[str, str]) -> tuple[str, RenderedBody]:
    """One card body (path, markdown) -> (path, sanitized HTML and what its links said)."""
    from kbcli.adapters.markdown_render import BodyRenderer

    assert _LINKS is not None
    path, text = job
    return path, BodyRenderer(_LINKS).render(path, text)


def render_page(job: tuple[str, str, dict[str, Any]]) -> str:
    """One page (url, template, context) rendered and written under the output folder."""
    global _TEMPLATES
    from kbcli.adapters.jinja_site import SiteTemplates

    if _TEMPLATES is None:
        _TEMPLATES = SiteTemplates(_DIRS, _COMPILED)
    assert _OUT is not None
    url, template, context = job
    html = _TEMPLATES.render(template, context)
    folder = url.rpartition("/")[0]
    if folder not in _FOLDERS:
        (_OUT / folder).mkdir(parents=True, exist_ok=True)
        _FOLDERS.add(folder)
    write_file(f"{_OUT}/{url}", html.encode("utf-8"))
    return url


def write_file(path: str, data: bytes) -> None:
    """``data`` as the whole file ``path`` (created or truncated): one open and one write
    without a Python file object (``Path.write_text``'s wrapper, encoder and buffer cost
    more than the write itself, about 0.1 s of CPU over the 7,429 tldr pages)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _warm(fn: Callable[[Any], Any], init: tuple[Any, ...]) -> None:
    """Import and set up in this process what every worker needs (the markdown parser, the
    sanitizer, the compiled templates), so the forked workers inherit it instead of each
    importing and compiling it again."""
    global _TEMPLATES
    init_worker(*init)
    if fn is render_body:
        import kbcli.adapters.markdown_html  # noqa: F401 (loaded before the workers fork)
        from kbcli.adapters.markdown_compiled import tree
        from kbcli.adapters.markdown_render import parser, sanitize

        parser()
        sanitize("")
        tree("")
    elif fn is render_page:
        from kbcli.adapters.jinja_site import SiteTemplates

        if _TEMPLATES is None:
            _TEMPLATES = SiteTemplates(_DIRS, _COMPILED)
            _TEMPLATES.compile_all()


def pool_size(workers: int, count: int, meanwhile: bool) -> int:
    """How many processes map ``count`` items (0: this process does them alone).

    While this process has other work (``meanwhile``: the bodies step's git facts, link
    facts and related lists) it keeps one of the ``workers`` cores busy itself, so it
    forks one worker fewer, and one is worth it as soon as there are ``PARALLEL_MIN``
    items. A worker more than the cores left only shares them: on 2 cores, two body
    workers beside this process cost the cold English tldr build about 1 s more CPU
    than one (a fork, its copied memory, three processes evicting each other's caches)
    and were no faster."""
    if workers <= 1 or count < PARALLEL_MIN:
        return 0
    if meanwhile:
        return max(1, min(workers - 1, count // PER_WORKER))
    size = min(workers, count // PER_WORKER)
    return size if size > 1 else 0


def run_jobs(
    fn: Callable[[Any], Any],
    jobs: Sequence[Any],
    workers: int,
    init: tuple[Any, ...],
    meanwhile: Callable[[], None] | None = None,
) -> list[Any]:
    """Map ``fn`` over ``jobs`` on ``pool_size`` processes, or inline when the work is
    small. ``meanwhile`` runs in this process while forked workers do the jobs (after the
    jobs inline), then this process does the last jobs no worker has begun; without it,
    this process is one of the ``pool_size`` and does the first share of the jobs itself
    while one worker fewer is forked: each worker costs its copy of the memory it writes
    to and its own caches (about 1 s of CPU of the 7,429 pages of tldr for the second
    worker; same pages written). A forked worker inherits ``jobs``: it is sent the
    positions of its jobs, never the jobs themselves."""
    size = pool_size(workers, len(jobs), meanwhile is not None)
    if not size:
        init_worker(*init)
        inline = [fn(job) for job in jobs]
        if meanwhile is not None:
            meanwhile()
        return inline
    from contextlib import closing

    from kbcli.adapters.forked_map import ordered_map

    _warm(fn, init)  # the forked workers inherit this set-up
    mine = len(jobs) // size if meanwhile is None and size > 1 else 0
    forked = size - 1 if mine else size
    rest = range(mine, len(jobs))  # positions in jobs, which the forked workers inherit
    done: list[Any] = []

    def here() -> None:
        done.extend(fn(job) for job in jobs[:mine])
        if meanwhile is not None:
            meanwhile()

    # Every chunk is sent at once: the workers keep busy while this process works. With
    # work of its own (``meanwhile``), this process then takes chunks from the end until
    # it meets the workers (``share``): on 2 cores the tldr bodies worker had ~0.4 s to
    # go when the git facts and related lists were done. Smaller chunks then, so the two
    # meet close to the end.
    chunks = CHUNKS if meanwhile is None else SHARED_CHUNKS
    chunk = max(8, len(rest) // (forked * chunks))
    work = lambda part: [fn(jobs[at]) for at in part]  # noqa: E731 (inherited by the fork)
    share = meanwhile is not None
    mapped = ordered_map(work, rest, forked, chunk, here, CHUNKS + 1, share)
    with closing(mapped) as results:
        for _part, result in results:
            done.extend(result)
    return done
