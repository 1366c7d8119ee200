"""Pagefind: the browser search index of the built site (one index per page language).

The ``pagefind[extended]`` wheel ships the binary (the extended build segments
languages such as Chinese and Japanese too); it reads the rendered HTML, so what is
searchable is exactly what the site shows: an internal card that is not in a public
build cannot reach its index.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kbcli.errors import KbError

BUNDLE = "pagefind"
DELTA = "pagefind-delta"  # the pages changed since BUNDLE was made (core.search_delta)
DELTA_FILE = "kb-delta.json"  # in DELTA: the base entries to drop, the delta's languages


def executable() -> Path | None:
    """The Pagefind binary, found as ``pagefind.service.get_executable`` finds it (the
    ``PAGEFIND_BINARY_PATH`` variable, the extended wheel's binary, the plain one, then
    the PATH) without importing that module: it imports asyncio and ssl, 30-50 ms of a
    build, for a lookup."""
    import os
    import shutil
    from importlib.util import find_spec

    if find_spec("pagefind") is None:
        return None  # kb installed without its search dependency
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named is not None:
        return Path(named)
    for wheel in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            module = __import__(wheel)
        except ImportError:
            continue
        return Path(module.get_executable())
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def index_site(site: Path, glob: str | None = None) -> None:
    """(Re)build ``site/pagefind/`` from the HTML under ``site`` (the pages ``glob``
    matches, relative to ``site``; None: every page)."""
    bundle = site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    pages = ["--glob", glob] if glob is not None else []
    _run_pagefind(["--site", str(site), "--output-subdir", BUNDLE, *pages], site)


def index_pages(site: Path, pages: list[str], output: Path) -> dict[str, int]:
    """A Pagefind bundle in ``output`` of only ``pages`` (paths under ``site``, which stay
    the pages' urls): {language: pages indexed}, empty when none was (no bundle then).

    Pagefind reads a folder, so the pages are copied into a temporary one first: a
    handful of files, where a glob over the site would have to escape card names such
    as ``[.md``."""
    import tempfile

    if output.exists():
        shutil.rmtree(output)
    if not pages:
        return {}
    with tempfile.TemporaryDirectory(prefix="kb-search-delta-") as tmp:
        for rel in pages:
            target = Path(tmp, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / rel, target)
        _run_pagefind(["--site", tmp, "--output-path", str(output)], site)
    return bundle_languages(output)


def bundle_languages(bundle: Path) -> dict[str, int]:
    """{language: pages} of a bundle, from its ``pagefind-entry.json`` ({} when none)."""
    import json

    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        return {lang: int(each["page_count"]) for lang, each in entry["languages"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def bundle_token(bundle: Path) -> str | None:
    """What identifies a bundle: its entry file's bytes name every language index by
    a hash of its content (None when there is no bundle)."""
    import hashlib

    try:
        return hashlib.blake2b((bundle / "pagefind-entry.json").read_bytes()).hexdigest()
    except OSError:
        return None


def page_ids(bundle: Path) -> dict[str, str]:
    """Page path (as under the site) -> the id Pagefind's search results carry for it
    (its fragment file's name). Each fragment is gzip of a marker and JSON whose first
    key is the page's url: only the start is inflated and only that string decoded."""
    import json
    import os
    import zlib

    decoder = json.JSONDecoder()
    found: dict[str, str] = {}
    marker = len(b"pagefind_dcd")
    with os.scandir(bundle / "fragment") as entries:
        for entry in entries:
            if not entry.name.endswith(".pf_fragment"):
                continue
            with open(entry.path, "rb") as f:
                packed = f.read()
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(packed, 4096)
            text = head[marker:].decode("utf-8", "replace")  # the cut may split a letter
            try:
                if not text.startswith('{"url":'):
                    raise ValueError(entry.name)
                url, _ = decoder.raw_decode(text, 7)
            except ValueError:  # a url past the first 4 KB, or another layout: all of it
                url = json.loads(zlib.decompress(packed, 16 + zlib.MAX_WBITS)[marker:])["url"]
            path = url.lstrip("/")
            found[path + "index.html" if path.endswith("/") or not path else path] = (
                entry.name.removesuffix(".pf_fragment")
            )
    return found


def _run_pagefind(args: list[str], site: Path) -> None:
    binary = executable()
    if binary is None:
        raise KbError(
            "the Pagefind binary is missing: reinstall kb (pip install 'pagefind[extended]') "
            "or build with --no-search"
        )
    try:
        result = subprocess.run([str(binary), *args, "--silent"], capture_output=True, text=True)
    except OSError as error:  # named by PAGEFIND_BINARY_PATH but missing, or not a program
        raise KbError(f"Pagefind could not start: {error}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise KbError(
            f"Pagefind could not index {site}: {detail[-1] if detail else 'unknown error'}"
        )
