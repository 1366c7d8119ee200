"""Zip archives read with bounded memory: every importer (Slack exports and others) uses this.

An 8.7 MB Slack export zip grew kb to 5.7 GB before it died: each member was under the
per-file limit, but together, and at a compression ratio no real export has, they were
a zip bomb. Here a member is streamed in chunks and three limits are checked as the
bytes arrive (a member's declared size can lie): per member, for the whole archive,
and the ratio of inflated to compressed bytes. Unsafe member names (absolute, ``..``,
symbolic links) are refused when the archive opens, and so is an archive with too many
members or whose declared sizes already add up past the total. A limit reached is a ``KbError``
(exit 2) that gives the numbers.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kbcli.errors import KbError

_CHUNK = 1 << 20
_MIB = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """How much a zip may inflate to. The defaults fit the largest real exports we saw
    (tens of MiB of JSON at ratios under 20:1) with a wide margin."""

    member_bytes: int = 256 * _MIB
    total_bytes: int = 4096 * _MIB
    members: int = 200_000
    ratio: int = 200
    ratio_floor: int = _MIB  # tiny members may compress better than any ratio


class ZipLimitReached(KbError):
    """A zip member or the whole archive inflates past a limit."""


class BoundedZip:
    """A zip file whose members are read whole, one at a time, within ``ZipLimits``."""

    def __init__(self, path: Path, limits: ZipLimits | None = None, *, what: str = "") -> None:
        self.label = str(path)
        self.limits = limits or ZipLimits()
        self.inflated = 0  # bytes handed out so far, against limits.total_bytes
        hint = f": give {what}" if what else ""
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, ValueError):
            raise KbError(f"{path} is neither a folder nor a .zip file{hint}") from None
        except OSError as error:
            raise KbError(f"cannot read {path} ({error.strerror})") from None
        infos = self.archive.infolist()
        if len(infos) > self.limits.members:
            raise ZipLimitReached(
                f"{path} has {len(infos):,} zip members, more than {self.limits.members:,}; "
                "refusing to read it"
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            problem = unsafe_member(info)
            if problem:
                raise KbError(
                    f"{path}: zip member '{info.filename}' {problem}; refusing to read this export"
                )
            declared += info.file_size
            if not info.is_dir():
                self.members[info.filename] = info
        if declared > self.limits.total_bytes:
            raise ZipLimitReached(
                f"{path} declares {declared // _MIB:,} MiB uncompressed, more than "
                f"{self.limits.total_bytes // _MIB:,} MiB; refusing to read it"
            )

    def names(self) -> list[str]:
        return list(self.members)

    def read(self, name: str) -> bytes | None:
        """The member's bytes, None when absent; ``ZipLimitReached`` past a limit."""
        info = self.members.get(name)
        if info is None:
            return None
        self._check(name, info.file_size, info)  # declared sizes first: cheap refusal
        parts: list[bytes] = []
        size = 0
        try:
            with self.archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    self._check(name, size, info)
                    parts.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
            raise KbError(f"{self.label}: cannot read {name} from the zip ({error})") from None
        self.inflated += size
        return b"".join(parts)

    def _check(self, name: str, size: int, info: zipfile.ZipInfo) -> None:
        limits = self.limits
        where = f"{self.label}: {name}"
        if size > limits.member_bytes:
            raise ZipLimitReached(
                f"{where} inflates to more than {limits.member_bytes // _MIB} MiB "
                f"({size // _MIB} MiB read so far); refusing a zip bomb"
            )
        if self.inflated + size > limits.total_bytes:
            raise ZipLimitReached(
                f"{self.label} inflates to more than {limits.total_bytes // _MIB} MiB in all "
                f"({(self.inflated + size) // _MIB} MiB read so far); refusing a zip bomb"
            )
        packed = max(info.compress_size, 1)
        if size > limits.ratio_floor and size > packed * limits.ratio:
            raise ZipLimitReached(
                f"{where} inflates {size // packed}:1 ({size:,} bytes from {packed:,}), over "
                f"the limit of {limits.ratio}:1; refusing a zip bomb"
            )


def unsafe_member(info: zipfile.ZipInfo) -> str | None:
    """Why a member may not be read (absolute path, ``..``, symbolic link), or None."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "escapes the export folder with '..'"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    return None
