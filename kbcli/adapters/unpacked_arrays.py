"""NumPy arrays kept unpacked in one file of the user's cache, mapped back without a copy.

For a library's packed data that is slow to unpack and read-only (py3langid's model):
unpacked once per machine instead of once per process. The file is a magic, a crc32
of the rest, a JSON header (name -> dtype, shape, offset) and the arrays' bytes. A
missing, truncated or damaged file reads as None: the caller unpacks again. Writes are
atomic and best effort (an unwritable cache means unpacking each time, as before).
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

_MAGIC = b"KBARRAY1"
_ALIGN = 64


def user_cache() -> Path:
    """kb's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kb"


def load(path: Path) -> dict[str, Any] | None:
    """The arrays kept in ``path`` (read-only, mapped from the file), or None."""
    import mmap

    import numpy as np

    try:
        with open(path, "rb") as file:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, or empty (mmap of 0 bytes)
        return None
    head = len(_MAGIC) + 8
    if len(data) < head or data[: len(_MAGIC)] != _MAGIC:
        return None
    view = memoryview(data)
    if zlib.crc32(view[len(_MAGIC) + 4 :]) != int.from_bytes(
        view[len(_MAGIC) : len(_MAGIC) + 4], "big"
    ):
        return None
    size = int.from_bytes(view[len(_MAGIC) + 4 : head], "big")
    try:
        header = json.loads(bytes(view[head : head + size]))
        return {
            name: np.frombuffer(
                data, dtype=np.dtype(dtype), count=int(np.prod(shape)), offset=offset
            ).reshape(shape)
            for name, (dtype, shape, offset) in header.items()
        }
    except (ValueError, TypeError, AttributeError):
        return None


_KEPT = 3  # files of one kind: a few environments with different versions do not thrash


def save(path: Path, arrays: dict[str, Any], stale: str) -> None:
    """Keep ``arrays`` in ``path``; of the files beside it matching ``stale``, only the
    newest few stay."""
    from kbcli.adapters.atomic_file import replace_cache

    header: dict[str, Any] = {}
    offset = 0
    for name, values in arrays.items():
        header[name] = [values.dtype.str, list(values.shape), offset]
        offset += -(-values.nbytes // _ALIGN) * _ALIGN
    text = json.dumps(header).encode()
    start = -(-(len(_MAGIC) + 8 + len(text) + _ALIGN) // _ALIGN) * _ALIGN  # room for the offsets
    for entry in header.values():
        entry[2] += start
    text = json.dumps(header).encode().ljust(start - len(_MAGIC) - 8)
    parts = [len(text).to_bytes(4, "big"), text]
    for values in arrays.values():
        raw = values.tobytes()
        parts.append(raw + bytes(-len(raw) % _ALIGN))
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        others = sorted(
            (p for p in path.parent.glob(stale) if p != path),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in others[_KEPT - 1 :]:
            old.unlink()
    except OSError:
        return
    replace_cache(path, (_MAGIC, crc.to_bytes(4, "big"), *parts))
