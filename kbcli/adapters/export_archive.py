"""Read an export (a folder or a ``.zip``) safely: the guards every importer shares.

Slack exports and the knowledge-base exports of ``kb import`` arrive as zips made by
someone else's software, so a zip is read in memory and never extracted. It is
refused as a whole when a member name escapes the export (``../``, an absolute path,
a drive letter) or is a symbolic link, when it has more than ``MAX_MEMBERS`` members,
or when its members add up to more than ``MAX_TOTAL_BYTES`` uncompressed; one member
larger than ``MAX_FILE_BYTES`` is refused when read, and a member's real size and
compression ratio are checked while reading, not only as declared (a zip bomb may lie
in its header): ``bounded_zip`` does the reading. A folder is read with the same rule
for paths and symlinks that leave it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Protocol

from kbcli.adapters.bounded_zip import BoundedZip, ZipLimits
from kbcli.errors import KbError

MAX_FILE_BYTES = 256 * 1024 * 1024  # one file of an export; more is a zip bomb, not a page
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_MEMBERS = 200_000


class ExportSource(Protocol):
    label: str

    def read(self, rel: str) -> bytes | None: ...

    def listdir(self, rel: str) -> list[str]: ...

    def names(self) -> list[str]: ...


def open_source(path: Path, *, marker: str | None, what: str) -> ExportSource:
    """A folder or zip export; ``marker`` (a file name) finds the export root in a zip."""
    if path.is_dir():
        return FolderSource(path)
    if path.is_file():
        return ZipSource.open(path, marker=marker, what=what)
    raise KbError(f"{path} does not exist: give the folder or .zip of {what}")


class FolderSource:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)

    def _path(self, rel: str) -> Path:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise KbError(f"{self.label}: {rel} points outside the export; refusing to read it")
        return path

    def read(self, rel: str) -> bytes | None:
        path = self._path(rel)
        if not path.is_file():
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            raise KbError(f"{self.label}: {rel} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        try:
            return path.read_bytes()
        except OSError as error:
            raise KbError(f"{self.label}: cannot read {rel} ({error.strerror})") from None

    def listdir(self, rel: str) -> list[str]:
        path = self._path(rel)
        return [p.name for p in path.iterdir()] if path.is_dir() else []

    def names(self) -> list[str]:
        """Every file below the root (symlinks leaving it are skipped), as POSIX paths."""
        found = []
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and path.resolve().is_relative_to(self.root):
                found.append(path.relative_to(self.root).as_posix())
        return found


class ZipSource:
    """A zip export read in memory; the folder holding ``marker`` (if any) is the root.

    Every byte comes through ``BoundedZip``: names checked on open, sizes, the total
    and the compression ratio checked as the bytes arrive (exit 2 with the numbers).
    """

    def __init__(self, archive: BoundedZip, prefix: str) -> None:
        self.archive = archive
        self.label = archive.label
        self.prefix = prefix
        self.members = {
            name[len(prefix) :]: name for name in archive.names() if name.startswith(prefix)
        }

    @classmethod
    def open(cls, path: Path, *, marker: str | None, what: str) -> ZipSource:
        archive = BoundedZip(
            path, ZipLimits(MAX_FILE_BYTES, MAX_TOTAL_BYTES, MAX_MEMBERS), what=what
        )
        names = [info.filename for info in archive.archive.infolist()]
        return cls(archive, _root_prefix(names, marker))

    def read(self, rel: str) -> bytes | None:
        name = self.members.get(rel)
        return None if name is None else self.archive.read(name)

    def listdir(self, rel: str) -> list[str]:
        folder = rel.rstrip("/") + "/"
        return [
            name[len(folder) :]
            for name in self.members
            if name.startswith(folder) and "/" not in name[len(folder) :]
        ]

    def names(self) -> list[str]:
        return sorted(self.members)


def _root_prefix(names: list[str], marker: str | None) -> str:
    """The export's root inside the zip: the folder of ``marker``, else the one folder
    every member sits in (zipping a folder puts its name in front of every member)."""
    if marker:
        roots = sorted((n for n in names if PurePosixPath(n).name == marker), key=len)
        return roots[0][: -len(marker)] if roots else ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        return tops.pop() + "/"
    return ""
