"""The index survives crashes and concurrent kb processes; golden queries over example-kb."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kbcli.cli.context import RunContext
from kbcli.usecases.golden import evaluate, load_golden
from tests.helpers import REPO_ROOT, make_repo, run_kb

GOLDEN = REPO_ROOT / "tests" / "golden" / "example-kb.yaml"
WORDS = [
    "refund",
    "invoice",
    "password",
    "webhook",
    "scheduling",
    "export",
    "approval",
    "currency",
    "portal",
]


def many_cards(root: Path, count: int) -> None:
    folder = root / "cards"
    folder.mkdir(parents=True)
    for i in range(count):
        topic = WORDS[i % len(WORDS)]
        body = f"How to handle {topic} case {i}. " + " ".join(WORDS) * 20
        (folder / f"card-{i:05d}.md").write_text(
            f"---\ntitle: {topic.title()} card {i}\nowner: ana\n---\n\n{body}\n"
        )


def test_sigkill_during_kb_index_is_repaired_by_the_next_search(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    many_cards(repo.path, 6000)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbcli", "--kb", str(repo.path), "index"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    index_dir = repo.path / ".kb" / "index"
    deadline = time.monotonic() + 30
    while not any(index_dir.glob("tantivy-v*/*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.4)
    assert proc.poll() is None, "kb index finished before it could be killed; use more cards"
    if sys.platform == "linux":
        # A worker kb forked must not keep the writer locked: under load one outlived the
        # killed parent by a moment, and the next search read the old index ("No cards
        # match zebra").
        workers = _children(proc.pid)
        while not workers and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            workers = _children(proc.pid)
        assert workers, "kb index had no worker processes to check; use more cards"
        assert not [w for w in workers if _holds(w, WRITER_LOCK)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # A card edited after the crash must be seen, every card found once.
    (repo.path / "cards" / "card-00007.md").write_text("---\ntitle: Zebra\n---\n\nzebra\n")
    found = run_kb("--kb", str(repo.path), "search", "zebra", "--paths-only")
    assert found.exit_code == 0, found.output
    assert found.stdout.split() == ["cards/card-00007.md"]
    counted = run_kb("--kb", str(repo.path), "search", "owner:ana", "--limit", "10000", "--json")
    paths = [hit["path"] for hit in json.loads(counted.stdout)]
    assert len(paths) == len(set(paths)) == 5999


WRITER_LOCK = ".tantivy-writer.lock"


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still running (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _holds(pid: int, name: str) -> bool:
    """Whether process ``pid`` has a file named ``name`` open."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).endswith("/" + name):
                return True
        except OSError:
            continue
    return False


def test_a_busy_writer_never_blocks_searches_and_kb_index_waits_then_says_so(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    many_cards(repo.path, 20)
    assert run_kb("--kb", str(repo.path), "index").exit_code == 0
    from kbcli.adapters.tantivy_writer import open_writer
    from kbcli.usecases.search import open_index

    workspace = RunContext(kb_dir=str(repo.path)).workspace
    holder = open_writer(open_index(workspace), 0.0)  # another process would hold this lock
    assert holder is not None
    try:
        (repo.path / "cards" / "new.md").write_text("---\ntitle: Zebra\n---\n\nzebra\n")
        started = time.monotonic()
        result = run_kb("--kb", str(repo.path), "search", "refund", "--paths-only")
        assert result.exit_code == 0 and time.monotonic() - started < 5
        busy = run_kb("--kb", str(repo.path), "index", "--wait", "0.3")
        assert busy.exit_code == 2
        assert "another kb process" in busy.stderr
    finally:
        del holder
    # Once the lock is free, the next search catches up.
    result = run_kb("--kb", str(repo.path), "search", "zebra", "--paths-only")
    assert result.stdout.split() == ["cards/new.md"]


def test_golden_queries_over_example_kb(example_kb: Path) -> None:
    """A regression check on the demo repo; relevance itself is judged on content kb did not
    write (tests/integration/test_relevance_sets.py)."""
    queries = load_golden(GOLDEN)
    assert len(queries) >= 40
    workspace = RunContext(kb_dir=str(example_kb), today_text="2026-11-22").workspace
    report = evaluate(workspace, queries)
    print(
        f"\ngolden: {len(queries)} queries, top-3 hit rate {report.hit_rate:.1%}, "
        f"MRR {report.mrr:.3f}"
    )
    for miss in report.misses:
        print(f"  miss: {miss.golden.query!r} -> rank {miss.rank}, got {miss.found[:3]}")
    assert report.hit_rate >= 0.9


def test_golden_file_errors_name_file_and_line(tmp_path: Path) -> None:
    import pytest

    from kbcli.errors import KbError

    bad = tmp_path / "golden.yaml"
    bad.write_text("- query: refund\n  expect: a.md\n- query: x\n  top_k: 0\n  expect: b.md\n")
    with pytest.raises(KbError, match=r"golden.yaml:3: 'top_k'"):
        load_golden(bad)
    bad.write_text("- query: refund\n  expect: a.md\n  expected: b.md\n")
    with pytest.raises(KbError, match=r"golden.yaml:1: unknown key 'expected'"):
        load_golden(bad)


def test_a_damaged_index_folder_is_rebuilt_not_fatal(example_kb: Path) -> None:
    def search() -> list[str]:
        found = run_kb("--kb", str(example_kb), "search", "refund", "--paths-only")
        assert found.exit_code == 0, found.output
        return found.stdout.split()

    expected = search()
    index_dir = example_kb / ".kb" / "index"
    for name in ("state.json", "manifest.tsv"):
        (index_dir / name).write_text("garbage\tline\n")
        assert search() == expected
    next(index_dir.glob("tantivy-v*")).joinpath("meta.json").write_text("{not json")
    assert search() == expected


def test_one_manifest_entry_is_found_without_parsing_them_all(tmp_path: Path) -> None:
    from kbcli.adapters.index_manifest import Manifest

    files = {"a.md": [1, 2, "h1", "en"], "x\tb.md": [3, 4, "h2", "ru"], "b.md": [5, 6, "h3", "en"]}
    Manifest("key", files, head="abc", dirty={"c.md": [7, 8, "h4", "he"]}).save(tmp_path, body=True)
    lazy, full = Manifest.load(tmp_path), Manifest.load(tmp_path)
    for path in ("a.md", "b.md", "x\tb.md", "c.md", "missing.md", "b"):
        assert lazy.entry(path) == full.files.get(path), path
    (tmp_path / "manifest.tsv").write_text("1\t2\th1\ten\ta.md\nnot a line\n")
    damaged = Manifest.load(tmp_path)
    assert damaged.entry("a.md") == [1, 2, "h1", "en"]
    assert damaged.entry("gone.md") is None
    assert damaged.files == {"c.md": [7, 8, "h4", "he"]} and damaged.key == ""  # rebuilt next


def test_the_content_hashes_read_alone_are_those_of_every_entry(tmp_path: Path) -> None:
    # A dense search compares 38,000 cards' hashes: read without the rest of each line,
    # they are the entries' hashes (the overlay on top); a damaged file reads as ``files``.
    from kbcli.adapters.index_manifest import Manifest

    files = {"a.md": [1, 2, "h1", "en"], "x\tb.md": [3, 4, "h2", "ru"], "b.md": [5, -6, "h3", ""]}
    dirty = {"c.md": [7, 8, "h4", "he"], "a.md": [9, 9, "h5", "en"]}
    Manifest("key", files, head="abc", dirty=dirty).save(tmp_path, body=True)
    lazy, full = Manifest.load(tmp_path), Manifest.load(tmp_path)
    expected = {path: entry[2] for path, entry in full.files.items()}
    assert lazy.hashes() == expected == full.hashes()
    assert expected["a.md"] == "h5" and expected["x\tb.md"] == "h2"
    (tmp_path / "manifest.tsv").write_text("1\t2\th1\ten\ta.md\n+3\t4\th2\ten\tb.md\n")
    odd = Manifest.load(tmp_path)  # "+3" is a size to ``files``: then to hashes() too
    assert odd.hashes() == {"a.md": "h5", "b.md": "h2", "c.md": "h4"} and odd.key == "key"
    (tmp_path / "manifest.tsv").write_text("1\t2\th1\ten\ta.md\nnot a line\n")
    damaged = Manifest.load(tmp_path)
    assert damaged.hashes() == {"c.md": "h4", "a.md": "h5"} and damaged.key == ""  # rebuilt next


def test_a_rebuild_reuses_detected_languages_and_a_damaged_file_means_detecting_again(
    tmp_path: Path,
) -> None:
    """Cards without ``lang`` keep the language a whole pass detected for their text
    (``.kb/languages.marshal``, shared with the handbook build): a rebuild does not run
    the identifier again, and a damaged file only means detecting again."""
    repo = make_repo(tmp_path / "kb")
    ru = "Если при оплате возникает ошибка, проверьте карту и повторите платёж. " * 3
    repo.write("ru/oshibki.md", f"---\ntitle: Ошибки\nowner: ana\n---\n\n{ru}\n")
    repo.write("en/pay.md", "---\ntitle: Pay\nowner: ana\n---\n\nWhen a payment fails, retry.\n")
    repo.commit("cards")

    def in_russian() -> list[str]:
        result = run_kb("--kb", str(repo.path), "search", "--paths-only", "lang:ru")
        return result.stdout.split()

    assert run_kb("--kb", str(repo.path), "index", "--rebuild").exit_code == 0
    languages = repo.path / ".kb" / "languages.marshal"
    assert languages.is_file() and in_russian() == ["ru/oshibki.md"]
    written = languages.stat().st_mtime_ns
    assert run_kb("--kb", str(repo.path), "index", "--rebuild").exit_code == 0
    assert languages.stat().st_mtime_ns == written  # nothing new to detect, nothing written
    assert in_russian() == ["ru/oshibki.md"]
    (repo.path / ".kb" / "index" / "documents.marshal").unlink()  # build every document
    languages.write_bytes(b"\x00garbage")
    assert run_kb("--kb", str(repo.path), "index", "--rebuild").exit_code == 0
    assert in_russian() == ["ru/oshibki.md"]
