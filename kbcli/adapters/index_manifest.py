"""What the committed search index holds, per card file: the manifest under ``.kb/index/``.

Kept apart from the Tantivy adapter, and light to import: ``kb search`` opens the
manifest's files (``ManifestFiles``) before anything else, then starts ``git status``
(``kbcli.usecases.freshness``).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: ``kb search`` loads this before git status starts
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO, Any

MANIFEST = "manifest.tsv"
STATE = "state.json"


# A manifest.tsv line as ``files`` reads it: size, mtime, hash, group, path.
_HASH_LINE = r"^\d+\t-?\d+\t([^\t\n]*)\t[^\t\n]*\t([^\n]*)$"


class ManifestFiles:
    """The manifest's two files, opened but not read yet: what the index holds right now.

    An open handle keeps reading the file it opened even when a concurrent sync
    replaces it, so the state and the entries read later belong together and are no
    newer than this moment.
    """

    def __init__(self, directory: str | Path) -> None:
        self.state = _open(os.path.join(directory, STATE), "rb")
        self.rest = _open(os.path.join(directory, MANIFEST), "r") if self.state else None


def _open(path: str, mode: str) -> IO[Any] | None:
    try:
        if mode == "r":
            return open(path, "r", encoding="utf-8", newline="\n")  # noqa: UP015
        return open(path, mode)
    except OSError:
        return None


class Manifest:
    """What the committed index holds: path -> [size, mtime_ns, hash, group].

    Two files, so that editing one card never rewrites a 38,000-line file:

    - ``state.json``: settings key, git HEAD at the last sync, the entries of the
      files git reported as changed then (an overlay), language groups, card count;
    - ``manifest.tsv``: ``size\tmtime\thash\tgroup\tpath`` lines for the rest,
      read only when a search needs them (from a handle opened with the state, so a
      concurrent rewrite is never mixed in).

    ``manifest.tsv`` is always written before ``state.json``; a run killed between
    the two leaves an older overlay, whose entries the next sync re-checks.
    """

    def __init__(
        self,
        key: str = "",
        files: dict[str, list[Any]] | None = None,
        *,
        head: str = "",
        dirty: dict[str, list[Any]] | None = None,
        groups: list[str] | None = None,
        count: int | None = None,
    ) -> None:
        self.key = key
        self.head = head
        self.dirty = dirty or {}
        self._files = files
        self._rest: Any = None
        self._body: str | None = None  # manifest.tsv's text, once read
        self._groups = groups
        self._count = count
        self._hashes: tuple[Any, Any, dict[str, str]] | None = None  # (files, dirty, hashes)

    @classmethod
    def load(cls, directory: Path, opened: ManifestFiles | None = None) -> Manifest:
        """The manifest in ``directory``, or in files ``opened`` there earlier."""
        import json

        opened = opened or ManifestFiles(directory)
        if opened.state is None:
            return cls()
        try:
            with opened.state:
                state = json.loads(opened.state.read())
            manifest = cls(
                str(state["key"]),
                None,
                head=str(state.get("head") or ""),
                dirty=dict(state.get("dirty") or {}),
                groups=list(state.get("groups") or []),
                count=int(state.get("count") or 0),
            )
        except (OSError, ValueError, KeyError, TypeError):
            if opened.rest is not None:
                opened.rest.close()
            return cls()
        if opened.rest is None:
            manifest._files = {}
        manifest._rest = opened.rest
        return manifest

    @property
    def files(self) -> dict[str, list[Any]]:
        """Every entry: the lines of manifest.tsv with the overlay on top."""
        if self._files is None:
            files: dict[str, list[Any]] = {}
            text = self._text()
            lines = text.split("\n")
            if lines[-1] == "":
                lines.pop()
            try:
                for line in lines:
                    size, mtime, digest, group, rel = line.split("\t", 4)
                    files[rel] = [int(size), int(mtime), digest, group]
            except ValueError:
                files = {}
                self.key = ""  # unreadable: the next sync rebuilds
            self._body = None
            files.update(self.dirty)
            self._files = files
        return self._files

    def hashes(self) -> dict[str, str]:
        """Every entry's content hash (path -> the third column), overlay on top: what
        ``files`` gives, without turning 38,000 sizes and times into ints (one regular
        expression over the text; any line it does not read makes it ``files``).

        The same dict while the entries are (a resident process searches many times
        between syncs, and a sync replaces the overlay): do not change it."""
        memo = self._hashes
        if memo is not None and memo[0] is self._files and memo[1] is self.dirty:
            return memo[2]
        found = self._read_hashes()
        self._hashes = (self._files, self.dirty, found)
        return found

    def _read_hashes(self) -> dict[str, str]:
        if self._files is None:
            import re

            text = self._text()
            found = re.findall(_HASH_LINE, text, re.MULTILINE)
            if len(found) == text.count("\n") + (not text.endswith("\n") and text != ""):
                hashes = {path: digest for digest, path in found}
                hashes.update((path, entry[2]) for path, entry in self.dirty.items())
                return hashes
        return {path: entry[2] for path, entry in self.files.items()}

    def entry(self, path: str) -> list[Any] | None:
        """One path's entry, without parsing every line of manifest.tsv (a re-sync after
        editing one card in a big repo needs just that one)."""
        if self._files is not None:
            return self._files.get(path)
        if path in self.dirty:
            return self.dirty[path]
        text = self._text()
        needle = f"\t{path}\n"
        at = text.find(needle)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            fields = text[start : at + len(needle) - 1].split("\t", 4)
            if len(fields) == 5 and fields[4] == path:
                try:
                    return [int(fields[0]), int(fields[1]), fields[2], fields[3]]
                except ValueError:
                    break  # a damaged line: let the full parse judge the file
            at = text.find(needle, at + 1)
        if at < 0 and not text.endswith(f"\t{path}"):
            return None
        return self.files.get(path)

    def _text(self) -> str:
        """manifest.tsv as read from the handle opened with the state ("" when unreadable)."""
        if self._body is None:
            handle = self._rest
            self._body = ""
            if handle is not None:
                try:
                    self._body = handle.read()
                except (OSError, ValueError):
                    self._body = "\x00"  # not a valid line: the full parse marks it unreadable
                handle.close()
                self._rest = None
        return self._body

    def save(self, directory: Path, *, body: bool) -> None:
        """Write the state (and, if ``body``, every entry); the caller holds the writer lock."""
        import json

        if body:
            lines = [
                f"{e[0]}\t{e[1]}\t{e[2]}\t{e[3]}\t{p}"
                for p, e in self.files.items()
                if "\n" not in p
            ]
            if not _write_atomic(directory / MANIFEST, "\n".join(lines) + "\n"):
                return  # the state must not name entries it could not write
        state = {
            "key": self.key,
            "head": self.head,
            "dirty": self.dirty,
            "groups": self.groups(),
            "count": self.count(),
        }
        _write_atomic(directory / STATE, json.dumps(state, ensure_ascii=False))

    def groups(self) -> list[str]:
        """The languages of the cards indexed (each entry's fourth column)."""
        if self._files is None and self._groups is not None:
            present = set(self._groups) | {e[3] for e in self.dirty.values()}
        else:
            present = {entry[3] for entry in self.files.values()}
        return sorted(p for p in present if p)

    def count(self) -> int:
        if self._files is None and self._count is not None:
            return self._count
        return len(self.files)


def _write_atomic(path: Path, text: str) -> bool:
    """Whether ``text`` was written: a manifest that cannot be (a folder in its place, no
    room) is a cache miss, and the next sync does this work again, never a traceback."""
    from kbcli.adapters.atomic_file import replace_file

    try:
        replace_file(path, text.encode("utf-8"))
    except OSError:
        return False
    return True
