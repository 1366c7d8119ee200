"""A dict of per-path entries kept in one file under ``.kb/`` with the key it holds for.

The file is a magic, a crc32 of the rest, then marshal's ``(key, entries)``. A missing,
truncated, damaged or foreign file, or one written for another key, reads as empty:
the caller computes again, never uses a wrong entry. Writes are atomic (a temporary
file renamed over) and only where the folder exists (no ``.kb/``: nothing is kept).
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def stamps(files: Iterable[str | None]) -> list[str]:
    """Size and mtime of each file ("?" for one missing or None): the part of a cache's
    key that says which code (kb's modules, a library's) built its entries."""
    parts = []
    for file in files:
        try:
            st = os.stat(file or "")
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append("?")
    return parts


def module_files(names: Iterable[str]) -> list[str | None]:
    """The source file of each module (None for one not installed), found without
    importing it: a cache key names the code that built its entries, and importing that
    code only to name it cost a warm ``kb index`` 20-40 ms."""
    from importlib.util import find_spec

    files: list[str | None] = []
    for name in names:
        spec = find_spec(name)
        files.append(spec.origin if spec is not None else None)
    return files


def load(path: Path, key: Any, magic: bytes) -> dict[str, Any]:
    """The entries kept for ``key``; empty when there are none, or the file is damaged
    or was written for another key."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    head = len(magic) + 4
    if len(data) < head or data[: len(magic)] != magic:
        return {}
    body = memoryview(data)[head:]
    if zlib.crc32(body) != int.from_bytes(data[len(magic) : head], "big"):
        return {}
    try:
        stored = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != key:
        return {}
    entries = stored[1]
    return entries if isinstance(entries, dict) else {}


def save(path: Path, key: Any, entries: dict[str, Any], magic: bytes) -> None:
    """Keep ``entries`` for ``key``, atomically; nothing where ``.kb/`` does not exist."""
    if not path.parent.is_dir():
        return
    from kbcli.adapters.atomic_file import replace_cache

    try:
        body = marshal.dumps((key, entries))
    except ValueError:  # a value marshal cannot store: keep nothing
        return
    replace_cache(path, magic + zlib.crc32(body).to_bytes(4, "big") + body)
