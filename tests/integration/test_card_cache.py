"""The per-card cache (``.kb/cards.marshal``): a warm read gives exactly the cards a fresh
parse gives, an edit is always seen, and a damaged cache means parsing again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kbcli.adapters import card_cache
from kbcli.adapters.card_cache import CardCache
from kbcli.adapters.card_files import CardFiles, card_from_bytes
from kbcli.config import load_config
from kbcli.core.cards import Card
from tests.helpers import run_kb

TODAY = date(2026, 6, 1)

CARDS = {
    "kb/plain.md": "---\ntitle: Plain\nowner: ana\nverified_at: 2026-05-01\n"
    "verify_every: 3m\ntags: [a, b]\n---\n# Plain\n\nSee [other](yaml-error.md).\n",
    "kb/yaml-error.md": "---\ntitle: [unclosed\nowner: bo\n---\nbody\n",
    "kb/future.md": "---\ntitle: Future\nverified_at: 2026-07-15\n---\nlater\n",
    "kb/no-front.md": "# Just a heading\n\ntext\n",
    "kb/extra.md": "---\ntitle: Extra\nstatus: weird\naudience: public\nreviewed: 2026-01-02\n"
    "nested: {a: [1, 2, {b: null}]}\ntitle: Twice\n---\nbody\n",
    "kb/unclosed.md": "---\ntitle: Never closed\n",
    "kb/crlf.md": "\ufeff---\r\ntitle: Windows\r\nowner: cy\r\n---\r\nbody\r\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "kb.toml").write_text('[cards]\nfolders = ["kb"]\n')
    (tmp_path / ".kb").mkdir()
    for rel, text in CARDS.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    (tmp_path / "kb" / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    return tmp_path


def fresh(root: Path, today: date | None = TODAY) -> list[Card]:
    """What parsing every card from scratch gives (no cache involved)."""
    files = CardFiles(load_config(root))
    return [card_from_bytes(rel, (root / rel).read_bytes(), today) for rel in files.paths()]


def cached(root: Path, today: date | None = TODAY) -> tuple[list[Card], int]:
    files = CardFiles(load_config(root))
    cache = files.cache()
    cards = cache.cards(files.paths(), root, files.load, files.parse, today)
    cache.save()
    return cards, cache.parsed


def cache_of(root: Path) -> CardCache:
    return CardFiles(load_config(root)).cache()


def age(root: Path, seconds: int = 60) -> None:
    """Move every card's mtime into the past (out of the racily-clean window)."""
    for path in (root / "kb").glob("*.md"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_warm_read_gives_the_same_cards_without_parsing(repo: Path) -> None:
    age(repo)
    first, parsed = cached(repo)
    assert first == fresh(repo) and parsed == len(first)
    second, parsed = cached(repo)
    assert second == fresh(repo)
    assert parsed == 0  # every card came from the cache


def test_an_edit_is_seen_even_with_the_same_size_and_mtime(repo: Path) -> None:
    age(repo)
    cached(repo)
    path = repo / "kb" / "plain.md"
    st = path.stat()
    path.write_text(CARDS["kb/plain.md"].replace("owner: ana", "owner: bo "))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    cards, parsed = cached(repo)
    assert parsed == 1
    assert {c.path: c for c in cards}["kb/plain.md"].meta.owner == "bo"
    assert cards == fresh(repo)


def test_a_file_edited_right_after_the_cache_was_written_is_read_again(repo: Path) -> None:
    cached(repo)  # the files are as new as the cache: racily clean
    path = repo / "kb" / "plain.md"
    st = path.stat()
    path.write_text(CARDS["kb/plain.md"].replace("Plain", "Plane"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    cards, _ = cached(repo)
    assert {c.path: c for c in cards}["kb/plain.md"].title == "Plane"


def test_a_future_verification_is_judged_on_the_day_of_each_run(repo: Path) -> None:
    age(repo)
    for today in (TODAY, date(2026, 8, 1), TODAY, None):
        cards, _ = cached(repo, today)
        assert cards == fresh(repo, today)


def test_deleted_and_new_cards(repo: Path) -> None:
    age(repo)
    cached(repo)
    (repo / "kb" / "future.md").unlink()
    (repo / "kb" / "new.md").write_text("---\ntitle: New\n---\n")
    cards, parsed = cached(repo)
    assert cards == fresh(repo) and parsed == 1
    assert "kb/future.md" not in cache_of(repo).entries


def damage_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20  # e.g. one letter of a title changes case
    path.write_bytes(bytes(data))


def damage_empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    "damage", [damage_truncate, damage_garbage, damage_flip, damage_empty], ids=lambda f: f.__name__
)
def test_a_damaged_cache_means_parsing_again(repo: Path, damage) -> None:  # type: ignore[no-untyped-def]
    age(repo)
    cached(repo)
    damage(repo / ".kb" / card_cache.FILE)
    cards, parsed = cached(repo)
    assert cards == fresh(repo)
    assert parsed == len(cards)
    again, parsed = cached(repo)  # and a good cache was written in its place
    assert again == fresh(repo) and parsed == 0


def test_a_cache_from_another_version_or_parser_is_not_used(repo: Path) -> None:
    age(repo)
    cached(repo)
    original = card_cache._fingerprint
    try:
        card_cache._fingerprint = lambda: original() + "|another parser"
        cards, parsed = cached(repo)
    finally:
        card_cache._fingerprint = original
    assert cards == fresh(repo) and parsed == len(cards)


def test_an_entry_of_the_wrong_shape_is_parsed_again(repo: Path) -> None:
    """A whole, checksummed file whose entries are not cards (a bug, another writer)."""
    age(repo)
    cached(repo)
    cache = cache_of(repo)
    cache.fresh = {
        rel: (key, digest, ("not", "a card")) for rel, (key, digest, _) in cache.entries.items()
    }
    cache.changed = True
    cache.save()
    cards, parsed = cached(repo)
    assert cards == fresh(repo) and parsed == len(cards)


WRITER = """
import sys
from pathlib import Path
from kbcli.adapters.card_files import CardFiles
from kbcli.config import load_config
root = Path(sys.argv[1])
for _ in range(int(sys.argv[2])):
    CardFiles(load_config(root)).load_all()
"""


def test_concurrent_writers_leave_a_whole_cache(repo: Path) -> None:
    """Processes reading and writing the cache at once, while cards change."""
    age(repo)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(repo), "6"], env=env) for _ in range(3)
    ]
    for number in range(20):
        (repo / "kb" / f"added-{number}.md").write_text(f"---\ntitle: Added {number}\n---\n")
        (repo / "kb" / "plain.md").write_text(CARDS["kb/plain.md"] + f"\nedit {number}\n")
    assert all(w.wait(timeout=120) == 0 for w in writers)
    cards, _ = cached(repo)
    assert cards == fresh(repo)


def test_kb_check_and_list_answer_the_same_cold_and_warm(repo: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "cards"],
        cwd=repo,
        check=True,
    )
    runs = []
    for _ in range(2):
        check = run_kb("--today", TODAY.isoformat(), "check", "--format", "json", cwd=repo)
        listed = run_kb("--today", TODAY.isoformat(), "list", "--json", cwd=repo)
        runs.append((check.exit_code, check.stdout.split('"seconds"')[0], listed.stdout))
    assert (repo / ".kb" / card_cache.FILE).is_file()
    assert runs[0] == runs[1]
    assert "yaml-syntax" in runs[1][1]
    (repo / "kb" / "yaml-error.md").write_text("---\ntitle: Fixed\n---\nbody\n")
    check = run_kb("--today", TODAY.isoformat(), "check", "--format", "json", cwd=repo)
    assert "yaml-syntax" not in check.stdout


def test_bytes_in_hand_use_the_kept_card_only_when_they_are_the_same(repo: Path) -> None:
    """The handbook and a whole index rebuild read the bytes themselves (card_from)."""
    age(repo)
    cached(repo)
    cache = cache_of(repo)
    rel = "kb/plain.md"
    same = cache.card_from(rel, (repo / rel).read_bytes(), card_from_bytes, TODAY)
    edited = CARDS[rel].replace("owner: ana", "owner: di").encode()
    other = cache.card_from(rel, edited, card_from_bytes, TODAY)
    assert cache.parsed == 1
    assert same == card_from_bytes(rel, (repo / rel).read_bytes(), TODAY)
    assert other == card_from_bytes(rel, edited, TODAY) and other.meta.owner == "di"
    cache.save(keep_unseen=True)
    cards, _ = cached(repo)  # the file still holds the old bytes: read, compared, right
    assert cards == fresh(repo)


def test_a_rebuilt_index_finds_what_the_cards_say(repo: Path) -> None:
    age(repo)
    (repo / "kb" / "plain.md").write_text(CARDS["kb/plain.md"] + "\nzebrafish refunds\n")
    cached(repo)
    damage_flip(repo / ".kb" / card_cache.FILE)
    for _ in range(2):  # a damaged cache, then the one the first rebuild wrote
        assert run_kb("index", "--rebuild", cwd=repo).exit_code == 0
        found = run_kb("search", "zebrafish", "--json", cwd=repo)
        assert found.exit_code == 0 and "kb/plain.md" in found.stdout


def test_nothing_is_written_where_there_is_no_kb_folder(repo: Path) -> None:
    (repo / ".kb").rmdir()
    cards, _ = cached(repo)
    assert cards == fresh(repo)
    assert not (repo / ".kb").exists()


def test_a_changed_front_matter_limit_reads_every_card_again(repo: Path) -> None:
    (repo / "kb" / "long.md").write_text("---\ntitle: Long\nnote: " + "x" * 2000 + "\n---\n")
    age(repo)
    before = {c.path: c for c in CardFiles(load_config(repo)).load_all(TODAY)}
    assert not before["kb/long.md"].problems
    (repo / "kb.toml").write_text('[cards]\nfolders = ["kb"]\nmax_front_matter = 1024\n')
    files = CardFiles(load_config(repo))
    after = files.load_all(TODAY)
    expected = [files.parse(rel, (repo / rel).read_bytes(), TODAY) for rel in files.paths()]
    assert after == expected
    assert [p.rule for p in {c.path: c for c in after}["kb/long.md"].problems] == [
        "card-unreadable"
    ]
