"""What ``kb build`` keeps so that the next build after a small edit can write only the
edited cards' pages (``handbook_edit``): the *base* and the *journal*.

The base is written at the end of a whole ``kb build``: every card file's
stat signature and hash, the shown cards' front-matter hash, title and git facts, the
site's common context, and the related-cards term counts' card frequencies (df). It
says: the site in the output folder is that build's, from these files. The journal is
written by each quick build *before* it writes a page: the pages it wrote, the files
it saw changed, their term counts and how df moved, and (once done) whether it made the
search index again. The whole build reads the journal
first: the pages it names are written again (their manifest keys are dropped), a
journal it cannot read means every page is written again. It removes the base before
it writes anything (its pages are no longer the base's) and the journal after its
manifest is saved.

Both files are a magic, a crc32 and a pickle of (code key, data); the code key covers
every kb module, so other code never trusts them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib
from collections import Counter
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbcli.usecases.handbook_state import BuildStore

_MAGIC = b"kbedit01"


def base_path(store: BuildStore) -> Path:
    return store.manifest_path.with_name(store.manifest_path.name.replace("manifest", "edit-base"))


def journal_path(store: BuildStore) -> Path:
    return store.manifest_path.with_name(store.manifest_path.name.replace("manifest", "edits"))


def code_key() -> str:
    """kb's version, every kb module (size and time) and the libraries that shape pages."""
    from kbcli.usecases.handbook_state import build_code_key
    from kbcli.usecases.judging import code_fingerprint

    return f"{build_code_key()}|{code_fingerprint()}"


def read(path: Path) -> dict[str, Any] | None:
    """The data of a checked file; {} when there is none; None when it is damaged or was
    written by other code."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    head = len(_MAGIC) + 4
    body = memoryview(data)[head:]
    if len(data) < head or data[: len(_MAGIC)] != _MAGIC:
        return None
    if zlib.crc32(body) != int.from_bytes(data[len(_MAGIC) : head], "big"):
        return None
    try:
        key, value = pickle.loads(body)
    except Exception:  # unpickling damaged bytes can raise almost anything
        return None
    return value if key == code_key() and isinstance(value, dict) else None


def write(path: Path, data: dict[str, Any]) -> None:
    from kbcli.adapters.atomic_file import replace_file

    body = pickle.dumps((code_key(), data), protocol=5)
    check = zlib.crc32(body).to_bytes(4, "big")
    replace_file(path, (_MAGIC, check, body), durable=False)


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def forget_edits(store: BuildStore, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as a whole build must see it: the pages quick builds wrote since it
    was saved have the keys the journal gives (made as the whole build makes them); a
    damaged journal, or one of a build cut short, means no page's key is known."""
    journal = read(journal_path(store))
    if journal == {} or not manifest:
        return manifest
    pages = journal.get("pages") if journal is not None else None
    kept: dict[str, str] = {}
    indexed = False  # the search index is the site's only if the last quick build made it
    if isinstance(pages, dict) and journal is not None and journal.get("done") is True:
        kept = {**manifest.get("pages", {}), **pages}
        indexed = journal.get("indexed") is True
    return {**manifest, "pages": kept, "inputs": None, "indexed": indexed}


def save_base(
    store: BuildStore,
    head: str,
    inputs: str | None,
    files: dict[str, Any],
    cards: dict[str, Any],
    facts: dict[str, Any],
    related: Any,
    moved: dict[str, int] | None = None,
) -> None:
    """The base of the quick builds after this whole build (see the module's doc).
    ``moved``: the df of ``related``, when the caller knows it."""
    df, tokens, total = None, None, 0
    if related is not None:
        entries = related.loaded
        df = moved
        if df is None:
            df = Counter(chain.from_iterable(entry[1] for entry in entries.values()))
        tokens, total = list(related.tokens), len(entries)
    data = {
        "token": os.urandom(16),
        "head": head,
        "inputs": inputs,
        "files": files,
        "cards": cards,
        **facts,  # git facts, site, depends_on links
        "df": df,
        "related_tokens": tokens,
        "total": total,
    }
    write(base_path(store), data)


def keep_base(build: Any, inputs: str | None, shown: list[Any]) -> None:
    """What the quick builds after ``build`` start from; the journal of earlier quick
    builds is spent (``build`` wrote their pages again)."""
    from kbcli.core.handbook import digest
    from kbcli.usecases.related import _links

    remove(journal_path(build.store))
    if build._stats is None or inputs is None:
        return
    data = dict(build._kept_bytes)
    cards = {i.card.path: card_facade(data.get(i.card.path), i.card) for i in shown}
    kept = {path: facade for path, facade in cards.items() if facade is not None}
    git = {p: (f.last_author, f.last_date, f.verified_by) for p, f in build._made.git.items()}
    terms = build.memo.terms
    related = terms[1] if terms is not None and terms[1].whole else None
    head = digest(build._head_tuple, sorted(build._files or ()))
    links = _links([item.card for item in shown])
    kept_facts = {"git": git, "site": build._site, "links": links}
    moved = moved_df(build.memo.base_df, build.memo.df_moves) if related is not None else None
    save_base(build.store, head, inputs, build._stats, kept, kept_facts, related, moved)


def moved_df(base: Any, moves: Any) -> dict[str, int] | None:
    """The df after this build's related-state save: the old base's, moved by the save,
    when the state the save started from is the base's (the same shard tokens); else
    None (counted again)."""
    if base is None or moves is None or base[1] is None or moves[1] is None:
        return None
    if base[0] is None or base[0] != moves[0]:
        return None
    df = dict(base[1])
    for term, step in moves[1].items():
        count = df.get(term, 0) + step
        if count < 0:
            return None
        df[term] = count
        if not count:
            del df[term]
    return df


def card_facade(data: bytes | None, card: Any) -> tuple[Any, ...] | None:
    """What a card shows everywhere but its own page's body, as far as its bytes go:
    the hash of its lines before the body, the body's first line, its title. None for
    a card with reading problems (those never take the quick way)."""
    if data is None or card.problems:
        return None
    return (_header_hash(data, card.body_line), card.body_line, card.meta.title)


def _header_hash(data: bytes, body_line: int) -> bytes:
    import hashlib

    end = 0
    for _ in range(body_line - 1):
        found = data.find(b"\n", end)
        if found < 0:
            end = len(data)
            break
        end = found + 1
    return hashlib.blake2b(data[:end], digest_size=16).digest()
