"""Bounded zip reading: a zip bomb stops at a limit with the numbers, in bounded memory."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kbcli.adapters.bounded_zip import BoundedZip, ZipLimitReached, ZipLimits

MIB = 1 << 20


def _bomb(path: Path, name: str, mib: int) -> Path:
    """A member of ``mib`` MiB of zeros: deflate packs it about 1000:1."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        out.writestr("users.json", "[]")
        out.writestr("channels.json", "[]")
        with out.open(name, "w") as member:
            for _ in range(mib):
                member.write(bytes(MIB))
    return path


def test_a_1000_to_1_member_is_refused_with_its_ratio(tmp_path: Path) -> None:
    archive = BoundedZip(_bomb(tmp_path / "b.zip", "general/2026-01-01.json", 64))
    info = archive.members["general/2026-01-01.json"]
    assert info.file_size / info.compress_size > 900  # it really is a 1000:1 bomb
    with pytest.raises(ZipLimitReached, match=r"inflates \d+:1 .* over the limit of 200:1"):
        archive.read("general/2026-01-01.json")


def test_member_and_total_limits_count_the_bytes_that_arrive(tmp_path: Path) -> None:
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for n in range(4):
            out.writestr(f"m{n}", bytes(3 * MIB))
    limits = ZipLimits(member_bytes=2 * MIB, total_bytes=100 * MIB)
    with pytest.raises(ZipLimitReached, match="more than 2 MiB"):
        BoundedZip(path, limits).read("m0")
    with pytest.raises(ZipLimitReached, match="declares 12 MiB uncompressed, more than 7 MiB"):
        BoundedZip(path, ZipLimits(total_bytes=7 * MIB))  # refused before any byte inflates
    with pytest.raises(ZipLimitReached, match="4 zip members, more than 3"):
        BoundedZip(path, ZipLimits(members=3))
