"""Cards never escape the repo: a card that is a symlink to a file outside the knowledge
repo is listed with a ``card-outside-repo`` finding and never read, indexed or published,
whichever command meets it. Real files, real symlinks, real git, real Tantivy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import KbRepo, run_kb

TODAY = "2026-06-01"
MARKER = "zebracornflakes"  # one word, so a search for it would find it if indexed
LEAK = (
    "---\ntitle: Leaked page\nowner: ana\nstatus: published\naudience: public\n"
    f"verified_at: 2026-05-01\n---\nThe outside file says {MARKER}.\n"
)


@pytest.fixture
def linked_repo(kb_repo: KbRepo, tmp_path: Path) -> KbRepo:
    outside = tmp_path / "outside" / "private.md"
    outside.parent.mkdir()
    outside.write_text(LEAK, encoding="utf-8")
    kb_repo.write("good.md", "---\ntitle: Good\nowner: ana\nverified_at: 2026-05-01\n---\nok\n")
    kb_repo.write("inner.md", "---\ntitle: Inner\nowner: ana\n---\ninner words\n")
    os.symlink(outside, kb_repo.path / "leak.md")
    os.symlink("inner.md", kb_repo.path / "alias-of-inner.md")  # inside: still a card
    kb_repo.commit("cards", when="2026-05-01T10:00:00Z")
    return kb_repo


def test_list_and_check_name_the_link_and_never_read_it(linked_repo: KbRepo) -> None:
    listed = run_kb("--today", TODAY, "list", "--json", cwd=linked_repo.path)
    assert "Leaked page" not in listed.output and MARKER not in listed.output
    paths = {c["path"] for c in json.loads(listed.stdout)}
    assert {"good.md", "leak.md", "alias-of-inner.md"} <= paths
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=linked_repo.path)
    assert check.exit_code == 1, check.output
    assert "card-outside-repo" in check.stdout and "leak.md" in check.stdout
    assert "Leaked page" not in check.stdout
    inner = run_kb("--today", TODAY, "show", "alias-of-inner.md", "--raw", cwd=linked_repo.path)
    assert inner.exit_code == 0 and "inner words" in inner.stdout


def test_search_never_indexes_the_outside_file(linked_repo: KbRepo) -> None:
    found = run_kb("--today", TODAY, "search", MARKER, "--json", cwd=linked_repo.path)
    assert MARKER not in found.stdout and "leak.md" not in found.stdout, found.output
    inner = run_kb("--today", TODAY, "search", "inner", "--json", cwd=linked_repo.path)
    assert "inner.md" in inner.stdout


def test_build_publishes_nothing_from_outside(linked_repo: KbRepo, tmp_path: Path) -> None:
    for audience in ("internal", "public"):
        out = tmp_path / f"site-{audience}"
        built = run_kb(
            "--today", TODAY, "build", "--audience", audience, "--out", str(out),
            cwd=linked_repo.path,
        )  # fmt: skip
        assert built.exit_code in (0, 1), built.output
        for page in out.rglob("*"):
            if page.is_file() and "pagefind" not in page.parts:
                data = page.read_bytes()
                assert MARKER.encode() not in data and b"Leaked page" not in data, page


def test_show_raw_and_a_dotdot_argument_are_refused(linked_repo: KbRepo) -> None:
    raw = run_kb("--today", TODAY, "show", "leak.md", "--raw", cwd=linked_repo.path)
    assert raw.exit_code == 2 and MARKER not in raw.output, raw.output
    dotdot = run_kb("--today", TODAY, "show", "../outside/private.md", cwd=linked_repo.path)
    assert dotdot.exit_code == 2 and MARKER not in dotdot.output, dotdot.output
    assert "Traceback" not in raw.output + dotdot.output
