"""The one atomic writer: whole files or none, also under concurrent writers."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

from kbcli.adapters.atomic_file import create_file, replace_cache, replace_file
from tests.helpers import REPO_ROOT


def test_threads_of_one_process_never_share_a_temporary_file(tmp_path: Path):
    """kb serve and kb daemon rebuild caches from several threads of one process: a
    temporary name made from the pid alone let two of them write into the same file."""
    target = tmp_path / "cache.bin"
    payloads = [bytes([n]) * 200_000 for n in range(8)]
    failures: list[BaseException] = []

    def write(data: bytes) -> None:
        try:
            for _ in range(20):
                replace_file(target, data, durable=False)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert target.read_bytes() in payloads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.bin"]


def test_a_replaced_file_keeps_its_permission_bits(tmp_path: Path):
    target = tmp_path / "card.md"
    target.write_text("old")
    target.chmod(0o640)
    replace_file(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640


def test_a_cache_that_cannot_be_written_is_a_miss_not_an_error(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert replace_cache(blocker / "cache.bin", b"data") is False


def test_create_never_overwrites(tmp_path: Path):
    target = tmp_path / "new.md"
    create_file(target, b"first")
    try:
        create_file(target, b"second")
    except FileExistsError:
        pass
    else:  # pragma: no cover
        raise AssertionError("create_file replaced an existing file")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["new.md"]


def test_no_module_renames_files_into_place_by_itself():
    """Every writer goes through kbcli/adapters/atomic_file.py."""
    package = REPO_ROOT / "kbcli"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "atomic_file.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            renames = isinstance(node, ast.Attribute) and node.attr in ("replace", "rename")
            if renames and getattr(node.value, "id", "") == "os":
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == []
