"""The handbook's output folder: static files and assets, stale files removed, pages kb
did not write named (the search index: ``handbook_search``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kbcli.core.handbook import digest
from kbcli.errors import KbError
from kbcli.usecases.handbook_state import bytes_key, files_under


def write_static(
    root: Path,
    out: Path,
    dirs: list[Path],
    old: dict[str, str],
    refs: Iterable[tuple[str, Sequence[Sequence[Any]]]],
) -> tuple[dict[str, str], list[str]]:
    """The site's static files and the files shown cards reference (images, attachments),
    tracked like pages so a later build removes what it no longer has; with a warning
    per missing file."""
    from kbcli.adapters.jinja_site import static_files
    from kbcli.adapters.markdown_render import pygments_css
    from kbcli.usecases.handbook_assets import referenced_files

    assets, missing = referenced_files(root, refs)
    files: dict[str, bytes] = {rel: path.read_bytes() for rel, path in assets.items()}
    files.update((f"static/{name}", path.read_bytes()) for name, path in static_files(dirs).items())
    files.setdefault("static/pygments.css", pygments_css().encode("utf-8"))
    written = {}
    for rel, data in files.items():
        key = digest("static", data.hex()) if len(data) < 4096 else bytes_key(data)
        target = out / rel
        if old.get(rel) != key or not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        written[rel] = key
    return written, list(missing)


def remove_stale(out: Path, manifest: dict[str, Any], keep: set[str]) -> list[str]:
    """Delete the files an earlier build wrote that this one does not (a card went away,
    or became internal): a public build must never keep an old internal page. The
    files removed."""
    previous = set(manifest.get("pages", {})) | set(manifest.get("static", {}))
    removed = []
    for rel in sorted(previous - keep):
        target = out / rel
        if target.is_file() and target.resolve().is_relative_to(out):
            target.unlink()
            removed.append(rel)
            _prune_empty(target.parent, out)
    return removed


def _prune_empty(folder: Path, out: Path) -> None:
    """Remove ``folder`` and its parents below ``out`` while empty: a public build over an
    internal one must not leave the internal site's shape (an empty ``owners/``)."""
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone): stop here
            return
        folder = folder.parent


def foreign_pages(on_disk: set[str], keep: set[str]) -> list[str]:
    """The pages of the output folder kb did not write (``keep``: the ones it did)."""
    return sorted(f for f in on_disk if f.endswith(".html") and f not in keep)


def check_out(root: Path, out: Path, public_state: dict[str, Any] | None = None) -> None:
    """Refuse an output folder kb must not build into: the knowledge repo or a folder
    holding it, a file, another repository. With ``public_state`` (a public build: the
    manifest of this folder's builds), also a folder holding pages no kb build of it
    wrote. Every page of the folder is published and indexed, and kb removes only the
    pages its own state says it wrote: a copied internal site, or an internal build whose
    state is gone (``.kb/`` deleted, a kb upgrade), would go out to customers with the
    public pages. An internal build only warns (``unknown_pages``); a public one fails
    closed."""
    root = root.resolve()
    if out == root or root.is_relative_to(out):
        raise KbError(f"--out {out} would overwrite the knowledge repo; pick another folder")
    if out.exists() and not out.is_dir():
        raise KbError(f"--out {out} is a file, not a folder; pick a folder for the site")
    if (out / "kb.toml").exists() or (out / ".git").exists():
        raise KbError(f"--out {out} holds a repository; pick an empty or site folder")
    if public_state is None or not out.is_dir():
        return
    known = set(public_state.get("pages", {})) | set(public_state.get("static", {}))
    unknown = foreign_pages(files_under(out), known)
    if unknown:
        raise KbError(
            f"--out {out} holds {len(unknown)} page(s) kb has no record of writing (e.g. "
            f"{unknown[0]}): a copied site, or one built before kb was upgraded or .kb/ was "
            "removed (the record starts again then); a public build would publish them: "
            "build into an empty folder"
        )


def unknown_pages(out: Path, on_disk: set[str], keep: set[str]) -> str:
    """The warning for pages in the output folder that kb did not write, or ""."""
    unknown = foreign_pages(on_disk, keep)
    if not unknown:
        return ""
    return (
        f"{out} holds {len(unknown)} page(s) kb did not write (e.g. {unknown[0]}); "
        "they are published and indexed too: build into an empty folder"
    )
