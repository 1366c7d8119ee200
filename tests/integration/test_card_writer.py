"""card_writer on real files: atomic replace, permissions, symlinks, untouched bytes."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from kbcli.adapters.card_writer import drop_field, edit_field, write_atomic
from kbcli.errors import KbError

CARD = "---\ntitle: Reset a password  # keep\nverified_at: 2024-01-01\n---\n# Body\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


def make_card(repo: Path, text: str = CARD, name: str = "card.md") -> Path:
    path = repo / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_edit_field_rewrites_only_the_field(repo: Path) -> None:
    card = make_card(repo)
    assert edit_field(card, "verified_at", date(2026, 11, 22), root=repo) is True
    assert card.read_text("utf-8") == CARD.replace("2024-01-01", "2026-11-22")


def test_keeps_permission_bits_and_leaves_no_temp_files(repo: Path) -> None:
    card = make_card(repo)
    card.chmod(0o640)
    edit_field(card, "owner", "ana", root=repo)
    assert stat.S_IMODE(card.stat().st_mode) == 0o640
    assert sorted(p.name for p in repo.iterdir()) == ["card.md"]


def test_unchanged_content_is_not_written(repo: Path) -> None:
    card = make_card(repo)
    os.utime(card, ns=(1_000_000_000, 1_000_000_000))
    before = card.stat()
    assert edit_field(card, "verified_at", date(2024, 1, 1), root=repo) is False
    assert drop_field(card, "missing", root=repo) is False
    after = card.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_drop_field(repo: Path) -> None:
    card = make_card(repo)
    assert drop_field(card, "verified_at", root=repo) is True
    assert card.read_text("utf-8") == CARD.replace("verified_at: 2024-01-01\n", "")


def test_crlf_bom_file_keeps_every_other_byte(repo: Path) -> None:
    head = "\ufeff---\r\n# comment\r\ntitle: 'Привет שלום 😀'\r\n"
    tail = "tags: [a, b]\r\n---\r\nbody line\r\n\r\nno newline at end"
    card = make_card(repo, head + "verified_at: 2024-01-01   # by ana\r\n" + tail)
    edit_field(card, "verified_at", date(2026, 11, 22), root=repo)
    data = card.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + head[1:].encode("utf-8"))
    assert data.endswith(tail.encode("utf-8"))
    assert data == (head + "verified_at: 2026-11-22   # by ana\r\n" + tail).encode("utf-8")


def test_invalid_utf8_is_refused(repo: Path) -> None:
    card = repo / "latin1.md"
    card.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    with pytest.raises(KbError, match="not valid UTF-8; kb will not rewrite it"):
        edit_field(card, "owner", "ana", root=repo)
    assert card.read_bytes() == b"---\ntitle: caf\xe9\n---\n"


def test_unclosed_front_matter_is_a_kb_error(repo: Path) -> None:
    card = make_card(repo, "---\ntitle: A\n")
    with pytest.raises(KbError, match="never closed"):
        edit_field(card, "owner", "ana", root=repo)
    assert card.read_text("utf-8") == "---\ntitle: A\n"


def test_symlink_out_of_root_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(CARD, "utf-8")
    link = repo / "card.md"
    link.symlink_to(outside)
    with pytest.raises(KbError, match="symlink that points outside the knowledge repo"):
        edit_field(link, "owner", "ana", root=repo)
    with pytest.raises(KbError, match="symlink that points outside"):
        write_atomic(link, b"x", root=repo)
    assert outside.read_text("utf-8") == CARD
    assert link.is_symlink()


def test_symlinked_directory_out_of_root_is_refused(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    make_card(elsewhere)
    (repo / "docs").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(KbError, match="symlink that points outside"):
        drop_field(repo / "docs" / "card.md", "verified_at", root=repo)
    assert (elsewhere / "card.md").read_text("utf-8") == CARD


def test_path_outside_root_is_refused(repo: Path, tmp_path: Path) -> None:
    stray = make_card(tmp_path, name="stray.md")
    with pytest.raises(KbError, match="outside the knowledge repo"):
        edit_field(stray, "owner", "ana", root=repo)


def test_symlink_inside_root_writes_the_target_and_keeps_the_link(repo: Path) -> None:
    (repo / "real").mkdir()
    real = make_card(repo / "real")
    link = repo / "alias.md"
    link.symlink_to(Path("real") / "card.md")
    assert edit_field(link, "owner", "ana", root=repo) is True
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("real", "card.md")
    assert "owner: ana\n" in real.read_text("utf-8")
    assert sorted(p.name for p in (repo / "real").iterdir()) == ["card.md"]


def test_root_given_through_a_symlink(repo: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias-root"
    alias.symlink_to(repo, target_is_directory=True)
    card = make_card(repo)
    assert edit_field(alias / "card.md", "owner", "ana", root=alias) is True
    assert "owner: ana\n" in card.read_text("utf-8")


def test_failed_replace_cleans_up_and_keeps_the_card(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = make_card(repo)

    def broken_replace(src: str, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KbError, match="No space left on device"):
        edit_field(card, "owner", "ana", root=repo)
    assert card.read_text("utf-8") == CARD
    assert sorted(p.name for p in repo.iterdir()) == ["card.md"]


def test_write_atomic_new_file_gets_umask_mode(repo: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(repo / "new.md", b"hello\n", root=repo)
    finally:
        os.umask(old)
    assert (repo / "new.md").read_bytes() == b"hello\n"
    assert stat.S_IMODE((repo / "new.md").stat().st_mode) == 0o640


def test_missing_card_is_a_kb_error(repo: Path) -> None:
    with pytest.raises(KbError, match="no such card file"):
        edit_field(repo / "nope.md", "owner", "ana", root=repo)


def test_write_new_never_overwrites_and_leaves_no_temp_files(tmp_path: Path) -> None:
    from kbcli.adapters.card_writer import write_new

    card = tmp_path / "cards" / "new.md"
    write_new(card, "---\ntitle: New\n---\n")
    assert card.read_text() == "---\ntitle: New\n---\n"
    assert card.stat().st_mode & 0o777 == 0o666 & ~_umask()
    with pytest.raises(KbError, match="exists already"):
        write_new(card, "other text")
    assert card.read_text() == "---\ntitle: New\n---\n"
    assert sorted(p.name for p in card.parent.iterdir()) == ["new.md"]


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
