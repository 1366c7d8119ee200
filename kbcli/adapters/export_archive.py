"""Read an export (a folder or a ``.zip``) safely: the guards every importer shares.

Slack exports and the knowledge-base exports of ``kb import`` arrive as zips made by
someone else's software, so a zip is read in memory and never extracted. It is
refused as a whole when a member name escapes the export (``../``, an absolute path,
a drive letter) or is a symbolic link, when it has more than ``MAX_MEMBERS`` members,
or when its members add up to more than ``MAX_TOTAL_BYTES`` uncompressed; one member
larger than ``MAX_FILE_BYTES`` is refused when read, and a member's real size is
checked while reading, not only as declared (a zip bomb may lie in its header). A
folder is read with the same rule for paths and symlinks that leave it.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Protocol

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
    """A zip export read in memory; the folder holding ``marker`` (if any) is the root."""

    def __init__(self, archive: zipfile.ZipFile, label: str, prefix: str) -> None:
        self.archive = archive
        self.label = label
        self.prefix = prefix
        self.members = {
            info.filename[len(prefix) :]: info
            for info in archive.infolist()
            if info.filename.startswith(prefix) and not info.is_dir()
        }

    @classmethod
    def open(cls, path: Path, *, marker: str | None, what: str) -> ZipSource:
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise KbError(f"{path} is neither a folder nor a .zip file: give {what}") from None
        except OSError as error:
            raise KbError(f"cannot read {path} ({error.strerror})") from None
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise KbError(f"{path}: more than {MAX_MEMBERS} zip members; refusing to read it")
        total = 0
        for info in infos:
            problem = unsafe_member(info)
            if problem:
                raise KbError(
                    f"{path}: zip member '{info.filename}' {problem}; refusing to read this export"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise KbError(
                f"{path}: the zip unpacks to more than {MAX_TOTAL_BYTES // 2**30} GiB; "
                "refusing to read it"
            )
        return cls(archive, str(path), _root_prefix([i.filename for i in infos], marker))

    def read(self, rel: str) -> bytes | None:
        info = self.members.get(rel)
        if info is None:
            return None
        if info.file_size > MAX_FILE_BYTES:
            raise KbError(f"{self.label}: {rel} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        try:
            with self.archive.open(info) as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise KbError(f"{self.label}: cannot read {rel} from the zip ({error})") from None
        if len(data) > MAX_FILE_BYTES:
            raise KbError(f"{self.label}: {rel} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        return data

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


def unsafe_member(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member must not be read (None when it is safe)."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "escapes the export folder with '..'"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    return None
