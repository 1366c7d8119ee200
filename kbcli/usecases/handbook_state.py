"""What one handbook build leaves for the next: the manifest, the body cache, the
related-cards state, and the hash of every input (the whole-build check).

Files live under ``.kb/handbook/``, one set per output folder: the manifest (a pickle),
the body cache and the related-cards state (``adapters.shard_files``: checked shards,
only those an edit changed are written again). Any of them damaged or of another version
reads as empty: that part is computed again, never an error or a wrong page. ``kb serve``
keeps what it read and wrote in a ``BuildMemo`` so a rebuild does not read its own files
back.
"""

from __future__ import annotations

import os
import pickle
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import digest

if TYPE_CHECKING:
    from kbcli.workspace import Workspace

MANIFEST_VERSION = 5


@dataclass
class BuildMemo:
    """What ``kb serve`` keeps in memory from one rebuild to the next.

    After a save most cards are the same objects as before (``LiveState`` keeps
    unchanged files), so their body keys, the link index and the git facts need not be
    computed again: each is reused only while everything it was computed from is
    unchanged (the same card object, the same link names, the same history and roster).
    """

    audience: Audience | None = None
    link_names: tuple[Any, ...] | None = None  # what the body keys' link context read
    body_keys: dict[str, tuple[Any, str]] = field(default_factory=dict)
    git_source: Any = None
    git: dict[str, Any] | None = None
    summaries_source: Any = None
    summaries: dict[str, Any] | None = None
    card_pages: dict[str, Any] | None = None
    page_keys: dict[str, tuple[Any, str]] = field(default_factory=dict)  # url -> (page, key)
    page_keys_templates: str = ""  # the templates' fingerprint those keys were made with
    manifest: tuple[Any, dict[str, Any]] | None = None  # (file signature, manifest)
    bodies: Any = None  # the body cache's ShardedState (entries check out by key)
    terms: tuple[Any, Any] | None = None  # (head signature, related-cards ShardedState)
    df_moves: tuple[Any, Any] | None = None  # the last save's (tokens before, df moves)
    base_df: tuple[Any, Any] | None = None  # a quick try's base: (related tokens, df)
    search_delta: tuple[Any, dict[str, Any]] | None = None  # (file signature, delta state)

    def reset(self, audience: Audience) -> None:
        """Forget everything: it was kept for another audience."""
        fresh = BuildMemo(audience=audience)
        for each in fields(BuildMemo):
            setattr(self, each.name, getattr(fresh, each.name))


class BuildStore:
    """The state files of one output folder, read through the memo when it saw them."""

    def __init__(self, ws: Workspace, out: Path, memo: BuildMemo) -> None:
        key = digest(str(out))[:16]
        self.memo = memo
        self.state_dir = ws.config.cache_dir / "handbook"
        self.manifest_path = self.state_dir / f"{key}.manifest.pickle"
        self.bodies_dir = self.state_dir / f"{key}.bodies"
        self.legacy_bodies = self.state_dir / f"{key}.bodies.pickle"  # the earlier one-file format
        self.terms_dir = self.state_dir / f"{key}.related"
        self.legacy_terms = self.state_dir / f"{key}.terms.pickle"  # the earlier one-file format

    def manifest(self) -> dict[str, Any]:
        data = self.load(self.manifest_path, "manifest")
        return data if data.get("version") == MANIFEST_VERSION else {}

    def body_cache(self) -> BodyCache:
        """The rendered bodies of the last builds (``BodyCache``); kb serve's memo keeps
        the shards it read, which stay right whoever writes the files since each entry
        is used only under the key it was rendered for."""
        from kbcli import __version__
        from kbcli.adapters.shard_files import ShardedState

        key = f"{__version__}|{MANIFEST_VERSION}"
        kept = self.memo.bodies
        if kept is None or kept.key != key:
            kept = self.memo.bodies = ShardedState(self.bodies_dir, key, _BODIES_MAGIC)
        return BodyCache(kept)

    def related_state(self, default_lang: str) -> RelatedState:
        """The related-cards state (``RelatedState``); kb serve's memo keeps it while
        its head file is the one it read or wrote."""
        from kbcli.adapters.shard_files import ShardedState

        key = related_key(default_lang)
        kept = self.memo.terms
        same = kept is not None and kept[0] is not None and kept[1].key == key
        if same and kept[0] == kept[1].head_signature():  # type: ignore[index]
            return RelatedState(self, kept[1])  # type: ignore[index]
        return RelatedState(self, ShardedState(self.terms_dir, key, _RELATED_MAGIC))

    def load(self, path: Path, slot: str) -> dict[str, Any]:
        """A state file (magic, crc32 of the rest, pickle of (code key, data)), or what
        the memo kept of it when the file is the one it saw; empty when it is missing,
        damaged, or was written by other code (``build_code_key``)."""
        signature = file_signature(path)
        kept = getattr(self.memo, slot)
        if signature is not None and kept is not None and kept[0] == signature:
            return kept[1]
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        head = len(_STATE_MAGIC) + 4
        body = memoryview(data)[head:]
        if data[: len(_STATE_MAGIC)] != _STATE_MAGIC or len(data) < head:
            return {}
        if zlib.crc32(body) != int.from_bytes(data[len(_STATE_MAGIC) : head], "big"):
            return {}
        try:
            key, value = pickle.loads(body)
        except Exception:  # unpickling damaged bytes can raise almost anything: rebuild
            return {}
        if key != build_code_key() or not isinstance(value, dict):
            return {}
        setattr(self.memo, slot, (signature, value))  # read once per run (and kb serve)
        return value

    def dump(self, path: Path, slot: str, data: dict[str, Any]) -> None:
        from kbcli.adapters.atomic_file import replace_file

        self.state_dir.mkdir(parents=True, exist_ok=True)
        body = pickle.dumps((build_code_key(), data), protocol=5)
        # kb serve and kb build at once: one temporary file each (atomic_file's names).
        check = zlib.crc32(body).to_bytes(4, "big")
        replace_file(path, (_STATE_MAGIC, check, body), durable=False)
        setattr(self.memo, slot, (file_signature(path), data))

    def save(self, old: dict[str, Any], manifest: dict[str, Any], new: dict[str, Any]) -> None:
        """The bodies rendered in this build (path -> ``Body``) into the body cache, then
        the manifest. A build that changed nothing leaves both alone."""
        import contextlib

        self.state_dir.mkdir(parents=True, exist_ok=True)
        entries = {path: (body.key, body.html) for path, body in new.items()}
        self.body_cache().shards.update(entries, manifest.get("bodies", {}))
        with contextlib.suppress(OSError):
            self.legacy_bodies.unlink(missing_ok=True)
        if manifest != old or not self.manifest_path.exists():
            self.dump(self.manifest_path, "manifest", manifest)


_STATE_MAGIC = b"kbman001"
_RELATED_MAGIC = b"kbrel001"
_BODIES_MAGIC = b"kbhtml01"


class BodyCache:
    """Rendered card bodies by path: (body key, HTML), in shards read one by one. An
    entry serves only for the key it holds (the key hashes everything the HTML depends
    on), so a missing, damaged or outdated shard means rendering that body again."""

    def __init__(self, shards: Any) -> None:
        self.shards = shards

    def html(self, path: str, key: str) -> str | None:
        entry = self.shards.entry(path)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key:
            return entry[1] if isinstance(entry[1], str) else None
        return None


class RelatedState:
    """Per card path: (terms key, term counts, related list with scores, unit vector),
    kept in shards (``adapters.shard_files``), the lists' shape in the head. The lists
    are used only when every shard is the one the head names (one save's state); the
    counts of each intact shard are used by their key in any case."""

    def __init__(self, store: BuildStore, shards: Any) -> None:
        self.store = store
        self.shards = shards

    def known(self) -> tuple[dict[str, tuple[str, dict[str, float]]], dict[str, Any] | None]:
        """(path -> (terms key, counts), the lists to update or None)."""
        entries, extra, whole = self.shards.known()
        good = {p: e for p, e in entries.items() if isinstance(e, tuple) and len(e) == 4}
        terms = {path: (entry[0], entry[1]) for path, entry in good.items()}
        if not whole or len(good) != len(entries) or not isinstance(extra.get("shape"), str):
            return terms, None
        scored = {path: entry[2] for path, entry in good.items() if entry[2] is not None}
        vectors = {path: entry[3] for path, entry in good.items() if entry[3] is not None}
        return terms, {"shape": extra["shape"], "scored": scored, "vectors": vectors}

    def keep(self, terms: dict[str, tuple[str, dict[str, float]]], lists: dict[str, Any]) -> None:
        """Keep this build's counts and lists (only the shards that changed are written)."""
        import contextlib

        scored, vectors = lists["scored"], lists["vectors"]
        entries = {
            path: (key, counts, scored.get(path), vectors.get(path))
            for path, (key, counts) in terms.items()
        }
        self.store.state_dir.mkdir(parents=True, exist_ok=True)
        before = list(self.shards.tokens) if self.shards.read and self.shards.whole else None
        moves = df_moves(self.shards.loaded, entries) if before is not None else None
        self.shards.save(entries, {"shape": lists["shape"]})
        self.store.memo.terms = (self.shards.head_signature(), self.shards)
        self.store.memo.df_moves = (before, moves)
        with contextlib.suppress(OSError):
            self.store.legacy_terms.unlink(missing_ok=True)

    def keep_changed(
        self, terms: dict[str, tuple[str, dict[str, float]]], touched: list[str], lists: Any
    ) -> None:
        """``keep`` after a quick build: the entries read, but for the paths of ``terms``
        (new counts) and ``touched`` (new list or vector)."""
        entries = dict(self.shards.loaded)
        scored, vectors = lists["scored"], lists["vectors"]
        for path in {*terms, *touched}:
            key, counts = terms.get(path) or entries[path][:2]
            entries[path] = (key, counts, scored.get(path), vectors.get(path))
        self.store.state_dir.mkdir(parents=True, exist_ok=True)
        self.shards.save(entries, {"shape": lists["shape"]})
        self.store.memo.terms = (self.shards.head_signature(), self.shards)


def df_moves(old: dict[str, Any], new: dict[str, Any]) -> dict[str, int] | None:
    """How each term's card count moved from the entries ``old`` to ``new``; None when
    an old entry is not one ``RelatedState`` keeps."""
    moves: dict[str, int] = {}
    for path in old.keys() | new.keys():
        was, now = old.get(path), new.get(path)
        if was is not None and not (isinstance(was, tuple) and len(was) == 4):
            return None
        before, after = was[1] if was else {}, now[1] if now else {}
        if before is after or before == after:
            continue
        for term in before.keys() - after.keys():
            moves[term] = moves.get(term, 0) - 1
        for term in after.keys() - before.keys():
            moves[term] = moves.get(term, 0) + 1
    return moves


def build_code_key() -> str:
    """kb's version and the code that shapes the manifest's keys and pages: a manifest
    written by other code is not trusted (a changed page layout under the same template
    files would otherwise keep the old pages)."""
    global _CODE_KEY
    if _CODE_KEY is None:
        _CODE_KEY = _code_key(_BUILD_CODE)
    return _CODE_KEY


_CODE_KEY: str | None = None
_BUILD_CODE = tuple(
    [f"kbcli.core.{name}" for name in ("handbook", "handbook_pages", "handbook_views", "people")]
    + [f"kbcli.core.{name}" for name in ("verdict", "trust", "link_scan", "links")]
    + [f"kbcli.usecases.{name}" for name in ("handbook", "handbook_bodies", "handbook_facts")]
    + [f"kbcli.usecases.{name}" for name in ("handbook_output", "handbook_state", "links")]
    + ["kbcli.adapters.markdown_render", "kbcli.adapters.jinja_site", "markdown_it", "nh3"]
)


def _code_key(modules: tuple[str, ...] | list[str]) -> str:
    """kb's version, the state version and the size and time of each module's file."""
    from importlib.util import find_spec

    from kbcli import __version__
    from kbcli.adapters.checked_file import stamps

    files: list[str | None] = []
    for name in modules:
        spec = find_spec(name)
        files.append(spec.origin if spec is not None else None)
    return "|".join([__version__, str(MANIFEST_VERSION), *stamps(files)])


def related_key(default_lang: str) -> str:
    """What the related-cards state was computed with: kb's version, the code that
    analyses words and scores cards, the tokenizer and stemmer libraries, the language."""
    modules = [f"kbcli.usecases.{name}" for name in ("related", "handbook_state")]
    modules += [f"kbcli.core.{name}" for name in ("related", "related_update", "languages")]
    modules += ["kbcli.core.word_forms", "kbcli.adapters.tantivy_index"]
    modules += [f"kbcli.adapters.{name}" for name in ("tantivy_schema", "text_analysis")]
    modules += ["kbcli.adapters.shard_files", "tantivy", "Stemmer"]
    return f"{_code_key(modules)}|{default_lang}"


def inputs_key(
    ws: Workspace,
    head: tuple[Any, ...],
    stats: dict[str, Any] | None = None,
    walked: tuple[set[str], list[str]] | None = None,
) -> tuple[str, set[str], list[Any]]:
    """A hash of everything a build reads: ``head`` (configuration, HEAD, day, templates,
    options, versions), every other file's name and every card file's bytes (through
    each file's hash, ``card_cache._digest``); with the other files and the card bytes
    read, so the build need not read them again. Reading
    and hashing the files costs a fraction of parsing them. ``stats`` gets each card
    file's (signature taken before the read, hash of its bytes, the time) when given,
    for the quick builds after an edit (``handbook_edit``); ``walked``: the other files
    and card paths, when the quick build that said no listed them."""
    import hashlib
    import time

    from kbcli.adapters.card_cache import _digest
    from kbcli.adapters.card_files import read_card_bytes
    from kbcli.usecases.handbook_edit import signature
    from kbcli.usecases.links import other_files

    hasher = hashlib.blake2b(repr(head).encode("utf-8"), digest_size=16)
    # Links to images and attachments are judged too: adding or removing one matters.
    files, paths = walked if walked is not None else (other_files(ws.root), ws.card_files.paths())
    hasher.update("\0".join(sorted(files)).encode("utf-8", "surrogateescape"))
    root = str(ws.root)
    card_bytes: list[tuple[str, bytes | None]] = []
    now = time.time_ns()
    for rel in paths:
        found = signature(os.path.join(root, rel)) if stats is not None else None
        try:
            data = read_card_bytes(root, rel)
        except OSError as error:  # OutsideRepo too: the card reader reports it
            hasher.update(f"{rel}\0unreadable {error.errno}\0".encode("utf-8", "replace"))
            card_bytes.append((rel, None))
            continue
        hashed = _digest(data)  # each file's bytes hashed once: its hash goes in the key
        hasher.update(f"{rel}\0{len(data)}\0".encode("utf-8", "surrogateescape") + hashed)
        card_bytes.append((rel, data))
        if stats is not None and found is not None:
            stats[rel] = (found, hashed, now)
    return hasher.hexdigest(), files, card_bytes


def files_under(out: Path) -> set[str]:
    """Every file of the output folder (Pagefind's own folders aside), as relative paths:
    one listing instead of a stat per page."""
    found: set[str] = set()
    base = str(out)
    for folder, dirs, files in os.walk(base):
        rel = os.path.relpath(folder, base).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        if prefix in ("pagefind/", "pagefind-delta/"):
            dirs.clear()
            continue
        found.update(prefix + f for f in files)
    return found


def file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def bytes_key(data: bytes) -> str:
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def renderer_version() -> str:
    from kbcli.adapters.markdown_render import RENDERER_VERSION

    return RENDERER_VERSION


def known_digests(previous: dict[str, Any], source: Any, shown: list[Any], ids: Any) -> Any:
    """path -> the summary digest the last build kept for a card whose summary's inputs
    are all equal: body id (bytes + parser), language, trust, options and roster (the
    manifest's code key covers the code). Anything else is hashed again."""
    stored = previous.get("summaries")
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != source:
        return {}
    entries, found = stored[1], {}
    for item in shown:
        path, body_id = item.card.path, ids.get(item.card.path)
        entry = entries.get(path)
        if entry is not None and entry[:3] == (body_id, item.card.meta.lang, item.trust):
            found[path] = entry[3]
    return found


def summary_entries(source: Any, plan: Any, ids: Any) -> tuple[Any, dict[str, Any]]:
    """What ``known_digests`` reads next time: each summary's inputs and ``repr``."""
    entries = {}
    for item in plan.items:
        path, body_id = item.card.path, ids.get(item.card.path)
        if body_id is not None:
            summary = plan.summaries[path]
            entries[path] = (body_id, item.card.meta.lang, item.trust, repr(summary))
    return source, entries
