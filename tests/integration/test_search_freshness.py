"""The search's freshness check on real git repos: git's stat cache, the card folders, and
the hit verdicts kept between searches."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from tests.helpers import KbRepo, git, make_repo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\n---\n\n{body}\n"


def cached_inode(repo: Path, path: str) -> int:
    """The inode git's index remembers for ``path`` (its stat cache)."""
    found = re.search(r"ino: (\d+)", git(repo, "ls-files", "--debug", "--", path))
    assert found is not None
    return int(found.group(1))


def search_paths(repo: Path, *words: str) -> list[str]:
    result = run_kb("search", "--paths-only", *words, cwd=repo)
    assert result.exit_code in (0, 1), result.output
    return result.stdout.split()


def guides_repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["guides"]\n')
    for n in range(3):
        repo.write(f"guides/g{n}.md", CARD.format(title=f"Refund {n}", body=f"Refunds, case {n}."))
    repo.write("notes/n.md", CARD.format(title="Note", body="Refunds in a note."))
    (repo.path / ".git" / "info" / "exclude").write_text(".kb/\n")
    repo.commit("cards")
    return repo


def test_a_copied_repo_gets_gits_stat_cache_refreshed_once(tmp_path: Path) -> None:
    """A copy's files have new inodes, so git's stat cache no longer matches them and a
    read-only ``git status`` re-reads every file on every search. The first search in
    the copy refreshes the cache; later searches leave git's index alone."""
    original = guides_repo(tmp_path)
    expected = search_paths(original.path, "refund")
    assert expected == ["guides/g0.md", "guides/g1.md", "guides/g2.md"]
    copy = tmp_path / "copy"
    shutil.copytree(original.path, copy)  # .git and .kb/ included, as `cp -r` does
    card = copy / "guides" / "g0.md"
    assert cached_inode(copy, "guides/g0.md") != os.stat(card).st_ino  # stale
    assert search_paths(copy, "refund") == expected
    assert cached_inode(copy, "guides/g0.md") == os.stat(card).st_ino  # refreshed
    index = copy / ".git" / "index"
    before = os.stat(index).st_mtime_ns
    assert search_paths(copy, "refund") == expected
    assert os.stat(index).st_mtime_ns == before  # nothing stale: git's index untouched


def test_a_card_folder_added_to_kb_toml_is_watched_from_then_on(tmp_path: Path) -> None:
    """git status looks only at the card folders the last search used; when kb.toml
    names another one, an uncommitted edit there is still found."""
    repo = guides_repo(tmp_path)
    assert "notes/n.md" not in search_paths(repo.path, "refund")
    (repo.path / "kb.toml").write_text('[cards]\nfolders = ["guides", "notes"]\n')
    assert "notes/n.md" in search_paths(repo.path, "refund")
    (repo.path / "notes" / "n.md").write_text(CARD.format(title="Note", body="Chargebacks."))
    assert search_paths(repo.path, "chargebacks") == ["notes/n.md"]
    (repo.path / "guides" / "g1.md").write_text(CARD.format(title="G", body="Chargebacks too."))
    assert sorted(search_paths(repo.path, "chargebacks")) == ["guides/g1.md", "notes/n.md"]


PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
eve: {name: Eve Moss, emails: [eve@example.test]}
"""
VERIFIED = (
    "---\ntitle: Refund window\nowner: ana\nverified_at: 2026-11-01\n---\n\nRefunds: 30 days.\n"
)
FLAG = "flags:\n  - by: eve\n    at: 2026-11-10\n    reason: the window is now 60 days\n"


def verdict(repo: Path) -> tuple[str, list[str]]:
    result = run_kb("--today", "2026-11-22", "search", "refund", "--json", cwd=repo)
    assert result.exit_code == 0, result.output
    hit = json.loads(result.stdout)[0]
    return hit["trust"], [reason["rule"] for reason in hit["reasons"]]


def test_kept_verdicts_follow_the_history_and_the_card_file(tmp_path: Path) -> None:
    """A search keeps its hits' verdicts under .kb/; a new HEAD (here the same card,
    its verification now authored by someone who is not a verifier), an edit, or a
    damaged file never lets an old verdict show."""
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("refund.md", VERIFIED)
    repo.commit("verify", when="2026-11-01T09:00:00Z")
    assert verdict(repo.path) == ("verified", [])
    assert (repo.path / ".kb" / "verdicts.marshal").is_file()
    assert verdict(repo.path) == ("verified", [])
    env = {  # Ana commits: the first amend is the original commit again, but for its author
        "GIT_COMMITTER_DATE": "2026-11-01T09:00:00Z",
        "GIT_COMMITTER_NAME": "Ana Souza",
        "GIT_COMMITTER_EMAIL": "ana@example.test",
    }
    first = git(repo.path, "rev-parse", "HEAD")
    git(
        repo.path,
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--author",
        "Eve Moss <eve@example.test>",
        env=env,
    )
    assert verdict(repo.path) == ("needs-review", ["verified-by-non-verifier"])
    assert verdict(repo.path) == ("needs-review", ["verified-by-non-verifier"])
    git(
        repo.path,
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--author",
        "Ana Souza <ana@example.test>",
        env=env,
    )
    assert git(repo.path, "rev-parse", "HEAD") == first  # back to the first HEAD
    assert verdict(repo.path) == ("verified", [])
    repo.write("refund.md", VERIFIED.replace("---\n\n", FLAG + "---\n\n"))  # not committed
    assert verdict(repo.path) == ("needs-review", ["flagged"])
    (repo.path / ".kb" / "verdicts.marshal").write_bytes(b"\x00damaged")
    assert verdict(repo.path) == ("needs-review", ["flagged"])
    repo.write("refund.md", VERIFIED)
    assert verdict(repo.path) == ("verified", [])


def history_stamps(repo: Path) -> tuple[int, int]:
    """When the kept history pass and bulk runs (what a verdict needs) were last written."""
    from kbcli.adapters import bulk_cache
    from kbcli.adapters.history_cache import CACHE_NAME

    kept = repo / ".kb"
    return (kept / CACHE_NAME).stat().st_mtime_ns, (kept / bulk_cache.FILE).stat().st_mtime_ns


def test_kb_index_reads_the_history_so_the_first_search_does_not(tmp_path: Path) -> None:
    """``kb index`` makes the history pass and bulk runs behind trust verdicts (seconds
    at tens of thousands of cards), so the first search after it judges its hits from
    them without a pass of its own, with the verdict a search alone would show; after a
    new commit, ``kb index`` brings them up to it."""
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("refund.md", VERIFIED)
    repo.commit("verify", when="2026-11-01T09:00:00Z")
    assert run_kb("index", "--quiet", cwd=repo.path).exit_code == 0
    made = history_stamps(repo.path)
    assert verdict(repo.path) == ("verified", [])
    assert history_stamps(repo.path) == made  # the search read them, wrote nothing
    git(
        repo.path,
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--author",
        "Eve Moss <eve@example.test>",
        env={"GIT_COMMITTER_DATE": "2026-11-01T09:00:00Z"},
    )
    assert run_kb("index", "--quiet", cwd=repo.path).exit_code == 0
    updated = history_stamps(repo.path)
    assert updated != made
    assert verdict(repo.path) == ("needs-review", ["verified-by-non-verifier"])
    assert history_stamps(repo.path) == updated
