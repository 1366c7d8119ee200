"""The records of the history pass's ``git log --raw -z``: one commit, the files it changed.

Each record is the commit's header (``%H %aN %aE %at %cN %cE``, fields split by
``\\x1f``) and its ``--raw -z`` entries: ``:old-mode new-mode old-blob new-blob status``
followed by one path, or two for a rename or copy. Blob ids stay bytes: they go back
to ``git cat-file`` as they came, and key its answers.
"""

from __future__ import annotations

# (sha, author name, author e-mail, author time, committer name, committer e-mail,
# 1 when the commit changed the roster: people.yaml or .mailmap anywhere in the repo)
Header = tuple[str, str, str, int, str, str, int]
# (status, old blob, new blob, old path, new path, old card, new card): a card path is
# relative to the knowledge repo (None: not a card); the old path only for a rename.
Entry = tuple[str, bytes, bytes, str | None, str, str | None, str | None]

ROSTER_FILES = ("people.yaml", ".mailmap")
# Author and committer, both through .mailmap (%aN %aE %cN %cE): a stamp is judged on
# who wrote it and on who committed it (a spoofed --author shows here).
FORMAT = "--format=%x1e%H%x1f%aN%x1f%aE%x1f%at%x1f%cN%x1f%cE"


def parse_record(record: bytes, prefix: str) -> tuple[Header, list[Entry]]:
    """One commit's header and entries; ``prefix`` is the knowledge repo's folder
    ("" or ending in "/")."""
    head, _, rest = record.partition(b"\0")
    sha, name, email, stamp, c_name, c_email = head.decode("utf-8", "replace").split("\x1f")
    entries = raw_entries(rest, prefix)
    # Most commits name neither file: one search of the bytes spares a look at each path.
    roster = touches_roster(entries) if b"people.yaml" in rest or b".mailmap" in rest else 0
    return (sha, name, email, int(stamp or 0), c_name, c_email, roster), entries


def touches_roster(entries: list[Entry]) -> int:
    for entry in entries:
        for path in (entry[3], entry[4]):
            if path and path.rpartition("/")[2] in ROSTER_FILES:
                return 1
    return 0


def raw_entries(rest: bytes, prefix: str) -> list[Entry]:
    """The entries of ``--raw -z`` output (a copy counts as an addition)."""
    tokens = rest.split(b"\0")
    entries: list[Entry] = []
    index, count = 0, len(tokens)
    cut = len(prefix)
    while index < count:
        token = tokens[index]
        index += 1
        if token[:1] != b":":
            token = token.lstrip(b"\n")
            if token[:1] != b":":
                continue
        _, _, old_blob, new_blob, status = token.split(b" ", 4)
        kind = status[:1].decode()
        old_path: str | None = None
        old_card: str | None = None
        if kind == "R" or kind == "C":
            old_path = tokens[index].decode("utf-8", "surrogateescape")
            new_path = tokens[index + 1].decode("utf-8", "surrogateescape")
            index += 2
            if kind == "C":
                kind, old_path = "A", None
            elif old_path.endswith(".md") and old_path.startswith(prefix):
                old_card = old_path[cut:]
        else:
            new_path = tokens[index].decode("utf-8", "surrogateescape")
            index += 1
        new_card = (
            new_path[cut:] if new_path.endswith(".md") and new_path.startswith(prefix) else None
        )
        entries.append((kind, old_blob, new_blob, old_path, new_path, old_card, new_card))
    return entries
