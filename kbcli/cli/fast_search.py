"""``kb search`` without loading the CLI framework: the hot path of a support agent's day.

Typer (with pydantic) takes longer to import than the whole search, so ``main`` hands
plain ``kb [--kb P] [--today D] search [--limit N] [--json] [--paths-only] [--explain]
[--archived] WORDS...`` command lines here. Anything else (``--help``, an unknown or
malformed option, another command) returns None and takes the normal typer path, so
behaviour never differs: both paths call ``views_search.search_command``.
"""

import os

TYPE_CHECKING = False  # not typing's: this module runs before git status starts
if TYPE_CHECKING:
    from typing import Any

    from kbcli.usecases.freshness import FreshnessStart

_FLAGS = {"--json": "json", "--paths-only": "paths_only", "--explain": "explain"}
_FLAGS["--archived"] = "archived"


def parse(argv: list[str]) -> dict[str, object] | None:
    """The search arguments of a plain ``kb ... search ...`` line, or None to use typer."""
    options: dict[str, object] = {
        "kb": os.environ.get("KB_DIR") or None,
        "today": os.environ.get("KB_TODAY") or None,
        "limit": 10,
        "words": [],
    }
    i = 0
    while i < len(argv) and argv[i] != "search":
        name, eq, value = argv[i].partition("=")
        if name not in ("--kb", "--today"):
            return None
        if not eq:
            if i + 1 >= len(argv):
                return None
            i, value = i + 1, argv[i + 1]
        options[name[2:]] = value
        i += 1
    if i >= len(argv):
        return None
    words: list[str] = []
    rest = argv[i + 1 :]
    j = 0
    while j < len(rest):
        token = rest[j]
        if token == "--":
            words += rest[j + 1 :]
            break
        if token.startswith("--"):
            name, eq, value = token.partition("=")
            if name in _FLAGS and not eq:
                options[_FLAGS[name]] = True
            elif name == "--limit":
                if not eq:
                    if j + 1 >= len(rest):
                        return None
                    j, value = j + 1, rest[j + 1]
                if not value.isdigit() or int(value) < 1:
                    return None
                options["limit"] = int(value)
            else:
                return None
        elif token == "-h" and not words:  # help; after a word an option (df -h)
            return None
        else:
            words.append(token)
        j += 1
    if not words:
        return None
    options["words"] = words
    return options


def search_arguments(options: dict[str, object]) -> "dict[str, Any]":
    """``parse``'s options as the search command's arguments (this path and ``kb daemon``)."""
    return {
        "query": list(options["words"]),  # type: ignore[call-overload]
        "limit": int(options["limit"]),  # type: ignore[call-overload]
        "json": bool(options.get("json")),
        "paths_only": bool(options.get("paths_only")),
        "explain": bool(options.get("explain")),
        "archived": bool(options.get("archived")),
    }


def run(argv: list[str]) -> int | None:
    """Run a plain search and return its exit code; None when typer should handle argv."""
    options = parse(argv)
    if options is None:
        return None
    from kbcli.cli.search_client import ask

    answered = ask(argv, options["kb"])  # type: ignore[arg-type]
    if answered is not None:  # a kb daemon or kb serve of this repo answered
        return answered
    import gc

    # As gc_pause's paused_gc(last=True) does for whole-repo commands (by hand: contextlib
    # would load before git status starts): the collector's passes over the objects a
    # one-shot search's imports make found nothing to free and cost ~4 ms of CPU, and
    # the search is the process's last work, so they are frozen before it comes back
    # (else its first pass, on the next allocation, walked them all: ~2 ms).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _one_shot(options)
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _one_shot(options: dict[str, object]) -> int:
    started = _start_freshness_check(options["kb"])  # type: ignore[arg-type]
    from kbcli.cli.context import RunContext
    from kbcli.cli.edge import guarded
    from kbcli.cli.views.search import search_command as run_search

    context = RunContext(kb_dir=options["kb"], today_text=options["today"])  # type: ignore[arg-type]
    try:
        code = guarded(lambda: run_search(context, **search_arguments(options), started=started))
    finally:
        if started is not None:
            started.close()
    if code in (0, 1):  # answered: the searches after it may go through a daemon
        from kbcli.cli.daemon_start import start_for_search

        start_for_search(context)
    return code


def _start_freshness_check(kb_dir: str | None) -> "FreshnessStart | None":
    """Start ``git status`` before the heavy imports (None when there is no knowledge repo:
    the search then reports that as usual)."""

    from kbcli.repo_root import locate
    from kbcli.usecases.freshness import FreshnessStart

    try:
        root = locate(os.getcwd(), kb_dir)
    except OSError:
        return None
    return None if root is None else FreshnessStart(root)
