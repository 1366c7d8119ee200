"""Write card files safely: one front-matter field at a time, atomically, inside the repo.

Why so careful? kb rewrites files that people are editing and that git tracks:

* a crash or a full disk halfway through must never leave a truncated card, so the new
  bytes go to a temporary file in the same directory, are fsynced, and replace the card
  with one ``os.replace`` (atomic on POSIX), then the directory entry is fsynced too;
* a card that would not change is not written at all, so its mtime stays and editors
  and watchers see nothing;
* the permission bits of the card are kept (a card may be read-only for others);
* a symlink is followed only when it stays inside the knowledge repo: writing through a
  link to ``~/.bashrc`` from a cloned repo would be a security hole;
* a file that is not valid UTF-8 is refused instead of being "repaired".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from kbcli.adapters.atomic_file import create_file, replace_file
from kbcli.core.frontmatter_edit import BOM, YamlValue, field_span, remove_field, set_field
from kbcli.errors import KbError


def write_atomic(path: Path, data: bytes, *, root: Path) -> None:
    """Replace the file at ``path`` (or the file its in-repo symlink points to) by ``data``."""
    _replace(_real_target(path, root), data)


def edit_field(path: Path, key: str, value: YamlValue, *, root: Path) -> bool:
    """Set the front-matter ``key`` of the card at ``path``; True when the file changed."""
    return _rewrite(path, root, lambda text: set_field(text, key, value))


def drop_field(path: Path, key: str, *, root: Path) -> bool:
    """Remove the front-matter ``key`` of the card at ``path``; True when the file changed."""
    return _rewrite(path, root, lambda text: remove_field(text, key))


def add_front_matter(path: Path, fields: Mapping[str, YamlValue], *, root: Path) -> bool:
    """Add the ``fields`` the card lacks, every existing byte kept; True when it changed.

    A file without front matter gets a whole new header, written by python-frontmatter
    (the library the field uses for exactly this) and put before the untouched text. A
    file with a header gets each missing key through kb's surgical editor, just before
    the closing fence; keys it already has are left alone.
    """
    return _rewrite(path, root, lambda text: with_front_matter(text, fields))


def with_front_matter(text: str, fields: Mapping[str, YamlValue]) -> str:
    """``text`` with ``fields`` added as described in ``add_front_matter``."""
    from kbcli.core.front_matter import locate

    bom = BOM if text.startswith(BOM) else ""
    rest = text[len(bom) :]
    if locate(text) is None:
        return bom + _new_header(fields, _newline(rest)) + rest
    for key, value in fields.items():
        if field_span(text, key) is None:
            text = set_field(text, key, value)
    return text


def card_text(fields: Mapping[str, object], body: str) -> str:
    """A whole new card: a python-frontmatter header, then ``body`` untouched."""
    ending = "" if body.endswith("\n") else "\n"
    return _new_header(fields, "\n") + body + ending  # type: ignore[arg-type]


def _new_header(fields: Mapping[str, YamlValue], newline: str) -> str:
    import frontmatter

    # dumps() strips the text it returns, so an empty post gives exactly "---...---".
    post = frontmatter.Post("")
    post.metadata.update(fields)
    header = frontmatter.dumps(post, sort_keys=False, width=1000)  # one line per value
    return header.replace("\n", newline) + newline


def edit_text(path: Path, edit: Callable[[str], str], *, root: Path) -> bool:
    """Rewrite the card at ``path`` through ``edit`` (whole text in, whole text out),
    atomically; True when it changed. ``edit`` raises ValueError to refuse."""
    return _rewrite(path, root, edit)


def _newline(text: str) -> str:
    """The file's own line ending, so a CRLF file gets a CRLF header."""
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def _rewrite(path: Path, root: Path, edit: Callable[[str], str]) -> bool:
    """Read, edit and write back only when the bytes differ."""
    target = _real_target(path, root)
    raw = _read(target, path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KbError(f"{path}: not valid UTF-8; kb will not rewrite it") from None
    try:
        data = edit(text).encode("utf-8")
    except ValueError as exc:
        raise KbError(f"{path}: {exc}") from exc
    if data == raw:
        return False
    _replace(target, data)
    return True


def _read(target: Path, shown: Path) -> bytes:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        raise KbError(f"{shown}: no such card file") from None
    except OSError as exc:
        raise KbError(f"{shown}: cannot read it ({exc.strerror})") from exc


def _real_target(path: Path, root: Path) -> Path:
    """The file to write: ``path`` with symlinks resolved, refused when outside ``root``.

    ``path`` is first checked without resolving links so that a link *inside* the repo
    pointing out is reported as such, and a plain path outside the repo as that.
    """
    real = path.resolve()
    if real.is_relative_to(root.resolve()):
        return real
    lexical = Path(os.path.abspath(path))
    if lexical.is_relative_to(Path(os.path.abspath(root))):
        raise KbError(
            f"{path} is a symlink that points outside the knowledge repo; "
            "kb will not write through it"
        )
    raise KbError(f"{path} is outside the knowledge repo {root}; kb will not write it")


def _replace(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary sibling, fsync it, then rename it over ``target``."""
    try:
        replace_file(target, data)
    except OSError as exc:
        raise KbError(f"{target}: cannot write it ({exc.strerror or exc})") from exc


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``: never overwrite, never leave half a file."""
    try:
        create_file(path, text.encode("utf-8"))
    except FileExistsError:
        raise _exists_already(path) from None


def target_of(path: Path, root: Path, *, new: bool) -> Path:
    """The file a write of ``path`` would change, refused as ``write_new`` (``new``) or
    ``write_atomic`` would refuse it: for a change committed without touching the
    checkout (a branch made with plumbing)."""
    if not new:
        return _real_target(path, root)
    if os.path.lexists(path):
        raise _exists_already(path)
    return path


def _exists_already(path: Path) -> KbError:
    return KbError(f"{path.name} exists already; nothing was written")
