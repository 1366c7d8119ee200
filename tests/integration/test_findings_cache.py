"""The findings cache (``.kb/findings.marshal``) and the links cache
(``.kb/links.marshal``): a warm ``kb check`` / ``kb report`` answers exactly what judging
every card again answers, and a kept answer is never used once anything it depends on
changed (the card, a commit, the roster, kb.toml, the day) or the file is damaged."""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbcli.adapters import findings_cache, links_cache
from tests.helpers import KbRepo, make_repo, run_kb

TODAY = "2026-03-02"
PEOPLE = (
    "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n"
    "bo:\n  name: Bo Berg\n  emails: [bo@example.test]\n"
)
CARDS = {
    # verified by its owner: no finding
    "kb/fresh.md": "---\ntitle: Fresh\nowner: ana\nverified_at: 2026-02-20\n---\n"
    "See [[Stamped]].\n",
    # stamped by someone who is neither owner nor verifier (committed by bo below)
    "kb/stamped.md": "---\ntitle: Stamped\nowner: ana\nverified_at: 2026-02-21\n---\nbody\n",
    "kb/expired.md": "---\ntitle: Expired\nowner: ana\nverified_at: 2025-01-05\n---\nold\n",
    "kb/stranger.md": "---\ntitle: Stranger\nowner: zed\n---\nnever verified\n",
    "kb/flagged.md": "---\ntitle: Flagged\nowner: bo\nverified_at: 2026-02-20\nflags:\n"
    "  - by: ana\n    at: 2026-02-25\n    reason: step 3 is wrong\n---\nsteps\n",
    "kb/broken.md": "---\ntitle: [unclosed\n---\nbody\n",
    # flagged above the stamp, and stamped by someone who may not (ana; the owner is bo)
    "kb/doubted.md": "---\ntitle: Doubted\nowner: bo\nflags:\n  - by: ana\n    at: 2026-02-25\n"
    "    reason: unclear\nverified_at: 2026-02-20\n---\ntext\n",
}
POISON = "KEPT ANSWER"


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    kb = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["kb"]\n', people=PEOPLE)
    (kb.path / ".kb").mkdir()
    for rel, text in CARDS.items():
        if rel != "kb/stamped.md":
            kb.write(rel, text)
    kb.commit("cards", when="2026-02-20T10:00:00Z")
    kb.write("kb/stamped.md", CARDS["kb/stamped.md"])
    kb.commit("stamp", when="2026-02-21T10:00:00Z", author="Bo Berg", email="bo@example.test")
    return kb


def answers(kb: KbRepo, today: str = TODAY) -> tuple[dict[str, object], dict[str, object]]:
    """``kb check --format json`` and ``kb report --json``, without their timings."""
    check = run_kb("--today", today, "check", "--format", "json", cwd=kb.path)
    report = run_kb("--today", today, "report", "--json", cwd=kb.path)
    assert check.exit_code == 1, check.output
    assert report.exit_code == 0, report.output
    checked = json.loads(check.stdout)
    checked.pop("seconds", None)
    return checked, json.loads(report.stdout)


def cold(kb: KbRepo, today: str = TODAY) -> tuple[dict[str, object], dict[str, object]]:
    """The answers with nothing kept: every card judged (and its links found) again."""
    for name in (findings_cache.FILE, links_cache.FILE):
        (kb.path / ".kb" / name).unlink(missing_ok=True)
    found = answers(kb, today)
    for name in (findings_cache.FILE, links_cache.FILE):
        (kb.path / ".kb" / name).unlink(missing_ok=True)
    return found


def poison(kb: KbRepo, card: str) -> None:
    """Replace the kept findings of ``card`` with a made-up one under the same key, so
    that a run that uses the kept entry shows it."""
    path = kb.path / ".kb" / findings_cache.FILE
    key, entries = marshal.loads(path.read_bytes()[12:])
    digest, trust, _ = entries[card]
    entries[card] = (digest, trust, (("expired", "error", 1, POISON, 1, None),))
    findings_cache.save(path, key, entries)


def test_warm_answers_are_the_cold_answers_and_come_from_the_cache(repo: KbRepo) -> None:
    first = cold(repo)
    rules = {f["rule"] for f in first[1]["findings"]}  # type: ignore[index, union-attr]
    assert {"verified-by-non-verifier", "expired", "owner-unknown", "flagged"} <= rules
    assert answers(repo) == first  # writes the cache
    assert answers(repo) == first  # reads it
    poison(repo, "kb/fresh.md")
    check, report = answers(repo)
    assert POISON in json.dumps(check) and POISON in json.dumps(report)


def _edit_card(kb: KbRepo) -> str:
    kb.write("kb/fresh.md", CARDS["kb/fresh.md"] + "More text.\n")
    return TODAY


def _same_size_edit(kb: KbRepo) -> str:
    path = kb.path / "kb" / "fresh.md"
    st = path.stat()
    kb.write("kb/fresh.md", CARDS["kb/fresh.md"].replace("owner: ana", "owner: bo_"))
    import os

    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return TODAY


def _new_commit(kb: KbRepo) -> str:
    kb.write("notes.txt", "unrelated\n")
    kb.commit("an unrelated commit", when="2026-02-28T10:00:00Z")
    return TODAY


def _roster(kb: KbRepo) -> str:
    (kb.path / "people.yaml").write_text(PEOPLE + "zed:\n  name: Zed\n  emails: [z@x.test]\n")
    return TODAY


def _kb_toml(kb: KbRepo) -> str:
    (kb.path / "kb.toml").write_text(
        '[cards]\nfolders = ["kb"]\n[check.rules]\nexpired = "warning"\n'
    )
    return TODAY


def _next_day(kb: KbRepo) -> str:
    return "2026-03-03"


def _damaged(kb: KbRepo, name: str = findings_cache.FILE) -> str:
    path = kb.path / ".kb" / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))
    return TODAY


def _damaged_links(kb: KbRepo) -> str:
    return _damaged(kb, links_cache.FILE)


@pytest.mark.parametrize(
    "change",
    [_edit_card, _same_size_edit, _new_commit, _roster, _kb_toml, _next_day, _damaged],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_kept_answer_is_never_used_once_what_it_depends_on_changed(
    repo: KbRepo, change: Callable[[KbRepo], str]
) -> None:
    answers(repo)
    poison(repo, "kb/fresh.md")
    today = change(repo)
    warm = answers(repo, today)
    assert POISON not in json.dumps(warm)
    assert warm == cold(repo, today)


def test_a_kept_entry_of_the_wrong_shape_is_judged_again(repo: KbRepo) -> None:
    expected = cold(repo)
    answers(repo)
    path = repo.path / ".kb" / findings_cache.FILE
    key, entries = marshal.loads(path.read_bytes()[12:])
    digest = entries["kb/stamped.md"][0]
    entries["kb/stamped.md"] = (digest, ("no-such-state",), ())
    entries["kb/expired.md"] = ("not a digest",)
    findings_cache.save(path, key, entries)
    assert answers(repo) == expected


def test_nothing_is_kept_outside_a_kb_folder_or_with_signed_verifications(
    repo: KbRepo,
) -> None:
    path = repo.path / ".kb" / findings_cache.FILE
    toml = '[cards]\nfolders = ["kb"]\n[verification]\nrequire_signed = true\n'
    (repo.path / "kb.toml").write_text(toml)
    run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert not path.exists()


def poison_links(kb: KbRepo, card: str) -> None:
    """Replace the kept links of ``card`` with a wikilink to a card that does not exist."""
    path = kb.path / ".kb" / links_cache.FILE
    key, entries = marshal.loads(path.read_bytes()[12:])
    digest, _ = entries[card]
    entries[card] = (digest, (("wiki", "No Such Card", None, "[[No Such Card]]", 1, 5, False),))
    links_cache.save(path, key, entries)


@pytest.mark.parametrize("change", [None, _edit_card, _same_size_edit, _damaged_links])
def test_kept_links_answer_only_for_the_bytes_they_were_scanned_from(
    repo: KbRepo, change: Callable[[KbRepo], str] | None
) -> None:
    expected = cold(repo)
    (repo.path / ".kb" / links_cache.FILE).unlink(missing_ok=True)
    assert answers(repo) == expected  # scans and keeps every card's links
    poison_links(repo, "kb/fresh.md")
    if change is None:  # unchanged: the kept links are used
        assert "No Such Card" in json.dumps(answers(repo)[0])
        return
    change(repo)
    warm = answers(repo)
    assert "No Such Card" not in json.dumps(warm)
    (repo.path / ".kb" / links_cache.FILE).unlink()
    assert warm == cold(repo)


def test_a_verdicts_reasons_follow_the_card_cold_and_warm(repo: KbRepo) -> None:
    """Reasons in the order of the lines they concern (the flag above the stamp)."""
    for _ in range(2):  # judged, then kept
        listed = run_kb("--today", TODAY, "list", "--json", cwd=repo.path)
        card = next(c for c in json.loads(listed.stdout) if c["path"] == "kb/doubted.md")
        rules = [reason["rule"] for reason in card["reasons"]]
        assert rules == ["flagged", "verified-by-non-verifier"], card


def test_warm_findings_keep_the_cold_order_with_and_without_reading_problems(
    repo: KbRepo,
) -> None:
    """Kept findings come back card by card; with no reading problem to merge in, they
    are not sorted again, and must still be in path, line, column and rule order."""
    for step in ("with a broken card", "without"):
        if step == "without":
            (repo.path / "kb" / "broken.md").unlink()
            repo.commit("drop the broken card", when="2026-02-22T10:00:00Z")
        first = cold(repo)
        assert answers(repo) == first  # writes the cache
        assert answers(repo) == first  # reads it
        for output in first:
            found: Any = output["findings"]
            keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in found]
            assert keys == sorted(keys), step
