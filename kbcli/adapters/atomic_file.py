"""The one way kb writes a file: readers see the old bytes or the new, never half.

Every writer goes through here, the card editor as well as the caches, the index
manifest, ``kb init`` and ``kb check --output``. The bytes go to a temporary sibling
(a unique name, so two threads of ``kb serve`` or ``kb daemon`` never share one) and
then replace the target with one ``os.replace``, atomic on POSIX. ``durable`` adds the
fsyncs a card needs to survive a power cut; a cache that is lost is rebuilt, so caches
skip them. ``create_file`` is the variant that never replaces an existing file.
"""

from __future__ import annotations

import _thread
import contextlib
import itertools
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

# Temporary names are made here rather than by tempfile: importing tempfile (random,
# shutil) cost 4.5 ms of a `kb search` that records git's stat cache (-X importtime).
# pid, thread and a counter make the name unique; O_EXCL refuses a leftover anyway.
_SERIAL = itertools.count()
# ".refunds.md.kb-4242-1397-0.tmp": recognisably kb's, with the pid of the writer, so the
# next run can tell a killed writer's leftover from a file another kb is writing now.
TEMP_MARK = ".kb-"
_swept: set[str] = set()


def temporary_name(name: str) -> str:
    """The name of a temporary sibling of ``name`` written by this process."""
    return f".{name}{TEMP_MARK}{os.getpid()}-{_thread.get_ident()}-{next(_SERIAL)}.tmp"


def leftover_pid(name: str) -> int | None:
    """The writer's pid when ``name`` is one of kb's temporary files, else None."""
    if not (name.startswith(".") and name.endswith(".tmp")) or TEMP_MARK not in name:
        return None
    pid, _, rest = name[: -len(".tmp")].rpartition(TEMP_MARK)[2].partition("-")
    return int(pid) if pid.isdigit() and rest else None


def remove_if_leftover(path: str) -> bool:
    """Delete ``path`` when it is kb's temporary file and its writer is gone (killed)."""
    pid = leftover_pid(os.path.basename(path))
    if pid is None or pid == os.getpid() or alive(pid):
        return False
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    return True


def sweep(folder: str | os.PathLike[str]) -> int:
    """Delete the leftovers of killed kb processes in ``folder`` (not below it)."""
    removed = 0
    try:
        with os.scandir(folder) as entries:
            names = [e.path for e in entries if e.name.endswith(".tmp")]
    except OSError:
        return 0
    for path in names:
        with contextlib.suppress(OSError):
            removed += remove_if_leftover(path)
    return removed


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def _temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new file beside the target, open for writing, readable by its owner only.

    The first write of a run into a folder also removes what a killed kb left there."""
    key = os.fspath(folder)
    if key not in _swept:
        _swept.add(key)
        sweep(key)
    while True:
        temp = os.path.join(folder, temporary_name(name))
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temp
        except FileExistsError:
            continue


def replace_file(target: Path, data: bytes | Iterable[bytes], *, durable: bool = True) -> None:
    """Put ``data`` at ``target`` (new or replaced), keeping its permission bits; ``data``
    may come in parts, made as they are written (a big cache's parts are not joined into
    a copy).

    Raises ``OSError``; callers decide whether that is the user's error or a cache miss.
    """
    mode = _mode_for(target)
    fd, temp_name = _temporary(target.parent, target.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in (data,) if isinstance(data, bytes) else data:
                handle.write(part)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
        _fsync_directory(target.parent)


def replace_cache(target: Path, data: bytes | Iterable[bytes]) -> bool:
    """``replace_file`` for a cache: best effort, True when written (a cache that cannot
    be written, or whose folder does not exist, is simply not there next time)."""
    try:
        replace_file(target, data, durable=False)
    except OSError:
        return False
    return True


def create_file(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``: never overwrite, never leave half a file.

    The bytes go to a temporary file first, which is then hard-linked to the target:
    the link fails if the target exists, and readers see all or nothing. Raises
    ``FileExistsError`` when ``path`` exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = _temporary(path.parent, path.name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _new_file_mode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            # No hard links here (some network and FUSE file systems): still never
            # overwrite, and remove a partial file if the write fails.
            _create_exclusive(path, data)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _create_exclusive(path: Path, data: bytes) -> None:
    with path.open("xb") as out:
        try:
            out.write(data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def _mode_for(target: Path) -> int:
    """The target's permission bits, or what a new file would get under the umask.

    Temporary files are made 0600; without this a shared card would turn private.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return _new_file_mode()


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself; some platforms cannot open a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
