"""The pure history core: raw front-matter fields, YAML-ish values, globs, change kinds, trend."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from kbcli.core.history import (
    CardHistory,
    Change,
    Commit,
    KeyLine,
    front_fields,
    glob_regex,
    repo_glob,
    scalar,
    split_fields,
    text_list,
)


def test_split_fields_keeps_raw_values_and_continuation_lines():
    text = (
        '---\ntitle: "A: b"\nverifiers:\n- ana\n- bob\nverified_at: 2026-01-02  # ok\n'
        "extra:\n  nested: 1\n---\n# Body\n"
    )
    fields, body = split_fields(text)
    assert fields["title"] == '"A: b"'
    assert text_list(fields["verifiers"]) == ("ana", "bob")
    assert scalar(fields["verified_at"]) == "2026-01-02"
    assert fields["extra"] == "nested: 1"
    assert body == "# Body\n"


@pytest.mark.parametrize(
    "text", ["no front matter\n", "---\ntitle: never closed\n", "--- not a fence\n"]
)
def test_split_fields_without_a_closed_front_matter_is_all_body(text: str):
    assert split_fields(text) == ({}, text)


# Lines chosen to hit every branch of the key-line rule: quoted keys, colons in values,
# continuation lines, comments, list items, fences, CRLF, blank lines, a repeated key.
TRICKY_LINES = [
    "title: A",
    'title: "A: b"',
    "'quoted': 1",
    '"dq": x',
    "owner:",
    "- ana",
    "  - bob",
    "  nested: 1",
    "# comment: no",
    "-dash: no",
    "url: http://x.test/a:b",
    "key:value",
    "tabbed:\tvalue",
    "verified_at: 2026-01-02  # ok",
    "",
    "   ",
    "title: again\r",
    "spaced key : v",
    "---",
    "...",
    "--- ",
    "text with no colon",
    "k: ",
    "é: ü",
]


def _random_front(rng: random.Random) -> str:
    lines = [rng.choice(TRICKY_LINES) for _ in range(rng.randint(0, 9))]
    lines = [line for line in lines if line.rstrip("\r ") not in ("---", "...")]
    return "\n".join(["---", *lines, rng.choice(["---", "...", "--- \r"])])


@pytest.mark.slow
def test_front_fields_agrees_with_split_fields_on_random_front_matter():
    rng = random.Random(4)
    memo: dict[str, KeyLine] = {}  # shared, as a history pass shares it
    for _ in range(3000):
        front = _random_front(rng)
        expected = split_fields(front + "\nbody\n")[0]
        assert front_fields(front) == expected, front
        assert list(front_fields(front, memo).items()) == list(expected.items()), front


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[a, 'b', \"c\"]", ("a", "b", "c")),
        ("solo", ("solo",)),
        ("[]", ()),
        ("- x\n- y", ("x", "y")),
    ],
)
def test_text_list(raw: str, expected: tuple[str, ...]):
    assert text_list(raw) == expected


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("docs/api/**", "docs/api/v1/refunds.md", True),
        ("docs/api/**", "docs/apix/a.md", False),
        ("docs/*.md", "docs/a.md", True),
        ("docs/*.md", "docs/sub/a.md", False),
        ("**/openapi.yaml", "svc/billing/openapi.yaml", True),
        ("src/billing", "src/billing/refund.py", True),
        ("file?.txt", "file1.txt", True),
    ],
)
def test_glob_regex(pattern: str, path: str, hit: bool):
    assert bool(glob_regex(pattern).match(path)) is hit


def test_repo_glob_resolves_against_the_knowledge_repo_folder():
    assert repo_glob("kb", "../src/**") == "src/**"
    assert repo_glob("", "docs/**") == "docs/**"
    assert repo_glob("a/kb", "./cards/x.md") == "a/kb/cards/x.md"


def _commit(seq: int, day: int) -> Commit:
    return Commit(f"{seq:040d}", "Ana", "ana@x", datetime(2026, 1, day, tzinfo=UTC), seq)


def test_change_kinds_and_last_edit_versus_last_change():
    created = Change(
        _commit(0, 1),
        "a.md",
        created=True,
        body_changed=True,
        values={"verified_at": "2026-01-01", "owner": "ana"},
    )
    stamp = Change(
        _commit(1, 2), "a.md", keys=("verified_at",), values={"verified_at": "2026-01-02"}
    )
    moved = Change(_commit(2, 3), "b.md", old_path="a.md")
    owner = Change(_commit(3, 4), "b.md", keys=("owner",), values={"owner": "bob"})
    history = CardHistory("b.md", (created, stamp, moved, owner))
    assert stamp.is_stamp_only and not stamp.is_content_edit
    assert moved.renamed and not moved.is_content_edit
    assert owner.is_content_edit and not owner.is_substantive
    assert history.last_change is owner and history.last_edit is created  # not a reassign
    assert history.last_verification is stamp
    assert history.verifications == [created, stamp]
    assert history.owner_changes == [owner] and history.renames == [moved]
    assert history.value_at("owner", stamp) == "ana" and history.value_at("owner") == "bob"
    assert history.edits_after(stamp) == []
    assert stamp.verified_value is not None and stamp.verified_value.date() == date(2026, 1, 2)
