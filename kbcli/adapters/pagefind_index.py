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


def index_site(site: Path) -> None:
    """(Re)build ``site/pagefind/`` from the HTML under ``site``."""
    binary = executable()
    if binary is None:
        raise KbError(
            "the Pagefind binary is missing: reinstall kb (pip install 'pagefind[extended]') "
            "or build with --no-search"
        )
    bundle = site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    try:
        result = subprocess.run(
            [str(binary), "--site", str(site), "--output-subdir", BUNDLE, "--silent"],
            capture_output=True,
            text=True,
        )
    except OSError as error:  # named by PAGEFIND_BINARY_PATH but missing, or not a program
        raise KbError(f"Pagefind could not start: {error}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise KbError(
            f"Pagefind could not index {site}: {detail[-1] if detail else 'unknown error'}"
        )
