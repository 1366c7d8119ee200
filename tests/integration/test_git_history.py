"""The history pass against real git: last edits match git log, renames, cache, odd clones."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from kbcli.adapters import history_cache
from kbcli.adapters.blob_batch import summarise
from kbcli.adapters.git_history import CACHE_NAME, ShallowClone, load_history
from kbcli.adapters.history_cache import JOURNAL_NAME
from kbcli.core.history import front_fields, split_fields
from tests.helpers import KbRepo, git, make_repo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\nverified_at: {verified}\n---\n{body}\n"
PEOPLE = [("Ana Souza", "ana@example.test"), ("Bob Stone", "bob@example.test")]


def card(title: str, body: str, verified: str = "2026-01-05") -> str:
    return CARD.format(title=title, body=body, verified=verified)


def build_history(repo: KbRepo) -> None:
    """A small history with renames, a folder move, a delete, a re-add and a merge."""
    repo.write("a/one.md", card("One", "first"))
    repo.write("a/two.md", card("Two", "second"))
    repo.write("notes.txt", "not a card\n")
    repo.commit("add", when="2026-01-05T10:00:00Z")
    git(repo.path, "mv", "a/one.md", "a/uno.md")
    repo.commit("rename", when="2026-01-06T10:00:00Z", author="Bob Stone", email="bob@example.test")
    repo.write("a/uno.md", card("One", "first, edited"))
    repo.commit("edit", when="2026-01-07T09:00:00+05:00")
    git(repo.path, "mv", "a", "b")
    repo.write("b/two.md", card("Two", "second, moved and edited"))
    repo.commit(
        "move folder", when="2026-01-08T10:00:00Z", author="Bob Stone", email="bob@example.test"
    )
    git(repo.path, "checkout", "-q", "-b", "side")
    repo.write("b/three.md", card("Three", "on a branch"))
    repo.commit(
        "side card", when="2026-01-09T10:00:00Z", author="Bob Stone", email="bob@example.test"
    )
    git(repo.path, "checkout", "-q", "main")
    repo.write("b/uno.md", card("One", "first, edited on main", "2026-01-10"))
    repo.commit("verify one", when="2026-01-10T10:00:00Z")
    git(repo.path, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    git(repo.path, "rm", "-q", "b/two.md")
    repo.commit("drop two", when="2026-01-11T10:00:00Z")
    repo.write("b/two.md", card("Two again", "re-added"))
    repo.commit(
        "re-add two", when="2026-01-12T10:00:00Z", author="Bob Stone", email="bob@example.test"
    )


def git_last(repo: Path, path: str) -> tuple[str, str, int]:
    out = git(repo, "log", "-1", "--follow", "--format=%H%x1f%aN%x1f%at", "--", path).strip()
    sha, name, stamp = out.split("\x1f")
    return sha, name, int(stamp)


def test_last_change_matches_git_log_follow_for_every_file(kb_repo: KbRepo, tmp_path: Path):
    build_history(kb_repo)
    history = load_history(kb_repo.path, tmp_path / "cache")
    assert history is not None
    files = git(kb_repo.path, "ls-files", "*.md").split()
    assert sorted(history.cards) == sorted(files)
    for path in files:
        last = history.cards[path].last_change
        assert last is not None
        sha, name, stamp = git_last(kb_repo.path, path)
        assert (last.commit.sha, last.commit.author_name) == (sha, name), path
        assert int(last.commit.when.timestamp()) == stamp


def test_a_card_keeps_its_history_across_renames(kb_repo: KbRepo, tmp_path: Path):
    build_history(kb_repo)
    history = load_history(kb_repo.path, tmp_path / "cache")
    assert history is not None
    uno = history.cards["b/uno.md"]
    assert uno.created is not None and uno.created.commit.author_name == "Ana Souza"
    assert [(r.old_path, r.path) for r in uno.renames] == [
        ("a/one.md", "a/uno.md"),
        ("a/uno.md", "b/uno.md"),
    ]
    # dates are UTC: 09:00+05:00 is 04:00Z
    edits = [c for c in uno.changes if c.body_changed and not c.created]
    assert edits[0].commit.when.isoformat() == "2026-01-07T04:00:00+00:00"
    verification = uno.last_verification
    assert verification is not None and verification.values["verified_at"] == "2026-01-10"
    # a pure rename is not a content edit
    assert uno.last_edit is not None and uno.last_edit.commit.when.day == 10
    # the re-added card starts a new history; the deleted one is kept for the trend
    two = history.cards["b/two.md"]
    assert two.created is not None and two.created.commit.when.day == 12
    assert any(h.deleted and h.path == "b/two.md" for h in history.deleted)
    # a card from a merged branch is attributed to its own commit, not to the merge
    three = history.cards["b/three.md"]
    assert three.created is not None and three.created.commit.author_name == "Bob Stone"


def test_a_rename_in_a_commit_that_also_adds_and_deletes_files_keeps_the_history(
    kb_repo: KbRepo, tmp_path: Path
):
    """git pairs renames over the whole commit: a card moved while others are added and
    removed (cards and other files) keeps its history, and each added card starts its own,
    as ``git log --follow`` says."""
    body = "\n".join(f"Step {n}: check the widget and the gadget settings." for n in range(12))
    kb_repo.write("guide/setup.md", card("Setup", body))
    # Long bodies with nothing in common: git must not pair the removed card with the new.
    gone = "\n".join(f"Line {n} of a retired page about printers and fax." for n in range(20))
    kb_repo.write("guide/old.md", card("Old", gone))
    kb_repo.write("guide/logo.txt", "a logo\n")
    kb_repo.commit("add", when="2026-02-01T10:00:00Z")
    (kb_repo.path / "start").mkdir()
    git(kb_repo.path, "mv", "guide/setup.md", "start/setup.md")
    git(kb_repo.path, "rm", "-q", "guide/old.md", "guide/logo.txt")
    kb_repo.write("start/setup.md", card("Setup", body + "\nStep 12: done."))
    fresh = "\n".join(f"{n}. Refunds go through the billing console." for n in range(20))
    kb_repo.write("start/new.md", card("New", fresh))
    kb_repo.write("start/logo.svg", "<svg/>\n")
    kb_repo.commit(
        "reorganise", when="2026-02-02T10:00:00Z", author="Bob Stone", email="bob@example.test"
    )
    history = load_history(kb_repo.path, tmp_path / "cache")
    assert history is not None
    assert sorted(history.cards) == ["start/new.md", "start/setup.md"]
    setup = history.cards["start/setup.md"]
    assert [(r.old_path, r.path) for r in setup.renames] == [("guide/setup.md", "start/setup.md")]
    assert setup.created is not None and setup.created.commit.when.day == 1
    assert setup.last_edit is not None and setup.last_edit.commit.author_name == "Bob Stone"
    new = history.cards["start/new.md"]
    assert new.created is not None and new.created.commit.when.day == 2
    assert [h.path for h in history.deleted if h.deleted] == ["guide/old.md"]
    for path in history.cards:
        last = history.cards[path].last_change
        assert last is not None and last.commit.sha == git_last(kb_repo.path, path)[0]
    follow = git(kb_repo.path, "log", "--follow", "--format=%H", "--", "start/setup.md").split()
    assert [c.commit.sha for c in setup.changes] == follow[::-1]


def test_cache_is_extended_by_new_commits_and_rebuilt_after_a_rewrite(
    kb_repo: KbRepo, tmp_path: Path
):
    build_history(kb_repo)
    cache = tmp_path / "cache"
    first = load_history(kb_repo.path, cache)
    assert first is not None and (cache / CACHE_NAME).is_file()

    kb_repo.write("b/uno.md", card("One", "edited again"))
    kb_repo.commit(
        "later edit", when="2026-02-01T10:00:00Z", author="Bob Stone", email="bob@example.test"
    )
    incremental = load_history(kb_repo.path, cache)
    fresh = load_history(kb_repo.path, tmp_path / "fresh")
    assert incremental is not None and fresh is not None
    assert incremental.commit_count == first.commit_count + 1
    assert _summary(incremental) == _summary(fresh)

    git(kb_repo.path, "reset", "-q", "--hard", "HEAD~2")
    kb_repo.write("b/new.md", card("New", "after the rewrite"))
    kb_repo.commit("rewritten", when="2026-02-02T10:00:00Z")
    rewritten = load_history(kb_repo.path, cache)
    fresh = load_history(kb_repo.path, tmp_path / "fresh2")
    assert rewritten is not None and fresh is not None
    assert _summary(rewritten) == _summary(fresh)
    assert "b/new.md" in rewritten.cards


def _summary(history) -> dict[str, list[tuple[str, str | None, bool]]]:
    return {
        path: [(c.commit.sha, c.old_path, c.is_content_edit) for c in h.changes]
        for path, h in history.cards.items()
    }


def _everything(history) -> tuple:
    """All a history says, to compare a journal-extended cache with a fresh pass."""

    def card(h) -> list[tuple]:
        return [
            (
                (c.commit.sha, c.commit.seq, c.path, c.old_path),
                (c.created, c.deleted, c.body_changed, c.keys, tuple(c.values.items())),
            )
            for c in h.changes
        ]

    return (
        history.tip,
        history.commit_count,
        [(path, card(h)) for path, h in history.cards.items()],
        [card(h) for h in history.deleted],
        sorted((path, c.sha) for path, c in history.touched.items()),
        sorted((email, c.sha) for email, c in history.authors.items()),
    )


def _edit(repo: KbRepo, path: str, body: str, day: int, verified: str = "2026-01-05") -> None:
    repo.write(path, card(path, body, verified))
    repo.commit(f"edit {path}", when=f"2026-03-{day:02d}T10:00:00Z")


def test_new_commits_are_appended_to_the_journal_and_equal_a_fresh_pass(
    kb_repo: KbRepo, tmp_path: Path
):
    build_history(kb_repo)
    cache = tmp_path / "cache"
    load_history(kb_repo.path, cache)
    base = (cache / CACHE_NAME).read_bytes()
    journal = (cache / CACHE_NAME).with_name(JOURNAL_NAME)

    _edit(kb_repo, "b/uno.md", "edited in March", 1)
    git(kb_repo.path, "mv", "b/three.md", "b/tres.md")
    kb_repo.commit("rename three", when="2026-03-02T10:00:00Z")
    first = load_history(kb_repo.path, cache)
    _edit(kb_repo, "b/new.md", "a new card", 3, verified="2026-03-03")
    git(kb_repo.path, "rm", "-q", "b/two.md")
    kb_repo.commit("drop two again", when="2026-03-04T10:00:00Z")
    second = load_history(kb_repo.path, cache)

    assert (cache / CACHE_NAME).read_bytes() == base  # the base was not rewritten
    assert journal.is_file()
    assert _everything(first) != _everything(second)
    assert _everything(second) == _everything(load_history(kb_repo.path, tmp_path / "fresh"))
    # and a run that reads base + journal gives the same again
    assert _everything(load_history(kb_repo.path, cache)) == _everything(second)


def test_a_journal_record_that_does_not_chain_is_ignored_and_dropped(
    kb_repo: KbRepo, tmp_path: Path
):
    build_history(kb_repo)
    cache = tmp_path / "cache"
    load_history(kb_repo.path, cache)
    journal = (cache / CACHE_NAME).with_name(JOURNAL_NAME)
    _edit(kb_repo, "b/uno.md", "one", 1)
    load_history(kb_repo.path, cache)
    record = journal.read_bytes()[16:]
    # the same record again (as a concurrent run would append it), then a torn one
    journal.write_bytes(journal.read_bytes() + record + record[:20])
    _edit(kb_repo, "b/uno.md", "two", 2)
    extended = load_history(kb_repo.path, cache)
    assert _everything(extended) == _everything(load_history(kb_repo.path, tmp_path / "fresh"))
    assert len(journal.read_bytes()) < 16 + 3 * len(record)  # the bad tail is gone
    assert _everything(load_history(kb_repo.path, cache)) == _everything(extended)


def test_a_long_journal_is_folded_into_a_new_base(
    kb_repo: KbRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(history_cache, "_MAX_RECORDS", 2)
    build_history(kb_repo)
    cache = tmp_path / "cache"
    load_history(kb_repo.path, cache)
    journal = (cache / CACHE_NAME).with_name(JOURNAL_NAME)
    for day in (1, 2):
        _edit(kb_repo, "b/uno.md", f"edit {day}", day)
        load_history(kb_repo.path, cache)
    assert journal.is_file()
    _edit(kb_repo, "b/uno.md", "edit 3", 3)
    folded = load_history(kb_repo.path, cache)
    assert not journal.exists()
    assert _everything(folded) == _everything(load_history(kb_repo.path, tmp_path / "fresh"))


def test_a_rewritten_history_under_a_journal_is_recomputed(kb_repo: KbRepo, tmp_path: Path):
    build_history(kb_repo)
    cache = tmp_path / "cache"
    load_history(kb_repo.path, cache)
    _edit(kb_repo, "b/uno.md", "soon rewritten", 1)
    load_history(kb_repo.path, cache)
    git(kb_repo.path, "reset", "-q", "--hard", "HEAD~1")
    _edit(kb_repo, "b/uno.md", "the rewrite", 2)
    rewritten = load_history(kb_repo.path, cache)
    assert _everything(rewritten) == _everything(load_history(kb_repo.path, tmp_path / "fresh"))
    assert not (cache / CACHE_NAME).with_name(JOURNAL_NAME).exists()


def test_kb_root_in_a_subfolder_of_the_git_repo(tmp_path: Path):
    outer = tmp_path / "project"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    repo = make_repo(outer / "kb", git_init=False)
    repo.write("c.md", card("C", "body"))
    repo.write("../src/api.py", "x = 1\n")
    repo.commit("add")
    history = load_history(repo.path, tmp_path / "cache")
    assert history is not None and history.prefix == "kb"
    assert list(history.cards) == ["c.md"]
    assert "src/api.py" in history.touched


def test_empty_repo_detached_head_and_no_git(tmp_path: Path, kb_repo: KbRepo):
    empty = load_history(kb_repo.path, tmp_path / "c1")
    assert empty is not None and empty.tip is None and not empty.cards
    build_history(kb_repo)
    git(kb_repo.path, "checkout", "-q", "--detach", "HEAD~1")
    detached = load_history(kb_repo.path, tmp_path / "c2")
    assert detached is not None and "b/uno.md" in detached.cards
    plain = make_repo(tmp_path / "plain", git_init=False)
    assert load_history(plain.path, tmp_path / "c3") is None


def test_depth_one_clone_stops_with_the_unshallow_fix(kb_repo: KbRepo, tmp_path: Path):
    build_history(kb_repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{kb_repo.path}", str(clone))
    with pytest.raises(ShallowClone):
        load_history(clone, tmp_path / "cache")

    result = run_kb("--today", "2026-02-01", "report", cwd=clone)
    assert result.exit_code == 2, result.output
    assert "git fetch --unshallow" in result.stderr and "fetch-depth: 0" in result.stderr
    assert "Traceback" not in result.output

    allowed = run_kb("--today", "2026-02-01", "report", "--allow-shallow", cwd=clone)
    assert allowed.exit_code == 0, allowed.output
    assert "shallow clone" in allowed.stderr


def test_report_outside_git_runs_front_matter_checks_and_says_history_was_skipped(
    tmp_path: Path,
):
    repo = make_repo(tmp_path / "plain", git_init=False)
    repo.write("c.md", card("C", "body", "2025-01-01"))
    result = run_kb("--today", "2026-02-01", "report", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert "expired" in result.stdout
    assert "skipped history checks" in result.stdout
    assert shutil.which("git")


def _reference_summary(data: bytes) -> tuple[tuple[int, int], dict[str, str]]:
    """What a version's summary meant before it was computed on bytes: decode, split
    (the body compared as its length and hash, within one process)."""
    if not data.startswith(b"---"):
        return (len(data), hash(data)), {}
    fields, body = split_fields(data.decode("utf-8", "replace"))
    return (len(body.encode()), hash(body.encode())), fields


SUMMARY_PIECES = [
    b"---",
    b"--- ",
    b"---\r",
    b"...",
    b"--- x",
    b"title: A",
    b"owner: ana",
    b"- bob",
    b"  nested: 1",
    b"body text",
    b"",
    b"\xff\xfe bad utf-8",
    b"caf\xc3\xa9: ok",
    b"# h",
]


def test_blob_summary_on_bytes_matches_decoding_and_splitting_the_text():
    rng = random.Random(7)
    for _ in range(4000):
        lines = [rng.choice(SUMMARY_PIECES) for _ in range(rng.randint(0, 8))]
        data = b"\n".join(lines) + rng.choice([b"", b"\n"])
        front, length, digest = summarise(data)
        fields = front_fields(front.decode("utf-8", "replace")) if front else {}
        assert ((length, digest), fields) == _reference_summary(data), data
        # The pass summarises each blob where it lies in the pipe's buffer: the same.
        pad = b"---\nx: 1\n---\n"
        padded = pad + data + b"\n" + pad
        assert summarise(padded, len(pad), len(pad) + len(data)) == (front, length, digest), data


def test_build_in_a_depth_one_clone_exits_2_unless_allowed_then_every_page_says_so(
    kb_repo: KbRepo, tmp_path: Path
):
    build_history(kb_repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{kb_repo.path}", str(clone))
    site = tmp_path / "site"
    refused = run_kb("--today", "2026-02-01", "build", "--no-search", "-o", str(site), cwd=clone)
    assert refused.exit_code == 2, refused.output
    assert "git fetch --unshallow" in refused.stderr and "--allow-shallow" in refused.stderr
    assert not site.exists()

    allowed = run_kb(
        "--today",
        "2026-02-01",
        "build",
        "--no-search",
        "--allow-shallow",
        "-o",
        str(site),
        cwd=clone,
    )
    assert allowed.exit_code == 0, allowed.output
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 3
    assert all('class="shallow-banner"' in p.read_text(encoding="utf-8") for p in pages)


def test_history_names_a_person_by_e_mail_never_by_a_borrowed_name(tmp_path: Path):
    """`git config user.name "Ana Souza"` must not make a commit read as ana's in kb history:
    identities are matched by e-mail, as the provenance rules match them."""
    import json

    repo = make_repo(
        tmp_path / "kb",
        people="ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n",
    )
    repo.write(
        "billing/refunds.md",
        "---\ntitle: Refunds\nowner: ana\nverified_at: 2026-01-05\n---\n\nBody.\n",
    )
    repo.commit("refunds", author="Ana Souza", email="ana@example.test")
    repo.write(
        "billing/refunds.md",
        "---\ntitle: Refunds\nowner: ana\nverified_at: 2026-01-05\n---\n\nChanged.\n",
    )
    repo.commit("edit", when="2026-01-06T10:00:00Z", author="Ana Souza", email="m@evil.test")
    result = run_kb("--kb", str(repo.path), "history", "--json", "billing/refunds.md")
    assert result.exit_code == 0, result.output
    commits = {c["email"]: c["handle"] for c in _commits(json.loads(result.stdout))}
    assert commits == {"ana@example.test": "ana", "m@evil.test": None}


def _commits(data: object) -> list[dict]:
    """Every commit record (a dict with an e-mail) anywhere in kb history's JSON."""
    if isinstance(data, dict):
        found = [data] if "email" in data and "handle" in data else []
        return found + [c for v in data.values() for c in _commits(v)]
    if isinstance(data, list):
        return [c for v in data for c in _commits(v)]
    return []


def test_versions_larger_than_a_pipe_are_told_apart_by_front_matter_and_body(
    kb_repo: KbRepo, tmp_path: Path
):
    """git log and cat-file run at once through pipes that hold 64 KB: cards of several
    hundred KB, edited in the body, re-stamped and given a new owner, come out right."""
    big = "word " * 60_000  # 300 KB of body
    kb_repo.write("big.md", card("Big", big))
    kb_repo.write("small.md", card("Small", "short"))
    kb_repo.commit("add", when="2026-01-05T10:00:00Z")
    kb_repo.write("big.md", card("Big", big, verified="2026-02-01"))
    kb_repo.commit("stamp big", when="2026-02-01T10:00:00Z")
    kb_repo.write("big.md", card("Big", big + "more"))
    kb_repo.write("small.md", card("Small", "short").replace("owner: ana", "owner: bob"))
    kb_repo.commit("edit big, hand small to bob", when="2026-03-01T10:00:00Z")
    for day in range(1, 29):  # commits that touch no card, between the card versions
        kb_repo.write("notes.txt", f"note {day}\n")
        kb_repo.commit(f"note {day}", when=f"2026-04-{day:02d}T10:00:00Z")

    history = load_history(kb_repo.path, tmp_path / "cache")
    assert history is not None
    big_changes = history.cards["big.md"].changes
    assert [c.created for c in big_changes] == [True, False, False]
    assert big_changes[1].is_stamp_only and not big_changes[1].body_changed
    assert big_changes[2].body_changed and big_changes[2].keys == ("verified_at",)
    small = history.cards["small.md"].changes[-1]
    assert small.owner_changed and small.values["owner"] == "bob" and not small.body_changed
    assert history.commit_count == 31
