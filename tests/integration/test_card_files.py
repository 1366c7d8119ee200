"""Reading cards from real files: positions of problems, odd encodings, ignore rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbcli.adapters.card_files import CardFiles, card_from_bytes
from kbcli.config import load_config
from tests.helpers import KbRepo

TODAY = date(2026, 11, 22)


def load(repo: KbRepo) -> dict:
    return {c.path: c for c in CardFiles(load_config(repo.path)).load_all(TODAY)}


def test_yaml_error_points_at_file_line_and_other_cards_still_load(kb_repo: KbRepo):
    kb_repo.write("good.md", "---\ntitle: Good\nowner: ana\n---\nbody\n")
    kb_repo.write("broken.md", "---\ntitle: Broken\nowner: [ana\ntags: [x]\n---\nbody\n")
    cards = load(kb_repo)
    assert cards["good.md"].problems == ()
    (problem,) = cards["broken.md"].problems
    assert problem.rule == "yaml-syntax"
    assert problem.line in (3, 4)  # the unclosed flow list starts on line 3
    assert problem.at().startswith(f"broken.md:{problem.line}:")


def test_an_unclosed_list_or_quote_names_the_line_that_opened_it():
    """YAML notices an unclosed [ or quote on a later, valid line (or at the closing ---):
    the message names the line a person has to fix."""
    listed = b"---\ntitle: T\nowner: ana\ntags: [ops, billing\nverified_at: 2026-11-01\n---\n"
    (problem,) = card_from_bytes("c.md", listed, TODAY).problems
    assert problem.line == 5 and "in the [ list that began on line 4" in problem.message
    quoted = b'---\ntitle: "Reset MFA\nowner: ana\n---\nbody\n'
    (problem,) = card_from_bytes("q.md", quoted, TODAY).problems
    assert "in the quoted value that began on line 2" in problem.message


def test_wrong_type_points_at_its_key_line():
    card = card_from_bytes("c.md", b"---\ntitle: T\n\n# comment\ntags:\n  a: 1\n---\n", TODAY)
    (problem,) = card.problems
    assert (problem.rule, problem.line, problem.column) == ("invalid-field", 5, 6)


def test_crlf_and_bom_cards_read_like_any_other():
    data = "\ufeff---\r\ntitle: Réinitialiser\r\nverified_at: 2026-11-01\r\n---\r\n# H\r\n"
    card = card_from_bytes("c.md", data.encode("utf-8"), TODAY)
    assert card.problems == ()
    assert card.meta.title == "Réinitialiser"
    assert card.meta.verified_on == date(2026, 11, 1)
    assert card.body_line == 5


def test_unclosed_front_matter_and_non_utf8_are_problems_not_crashes():
    unclosed = card_from_bytes("u.md", b"---\ntitle: x\nbody without fence\n", TODAY)
    assert [p.rule for p in unclosed.problems] == ["unclosed-front-matter"]
    latin1 = card_from_bytes("l.md", "---\ntitle: caf\xe9\n---\n".encode("latin-1"), TODAY)
    assert [(p.rule, p.line) for p in latin1.problems] == [("not-utf8", 2)]


def test_body_horizontal_rules_are_not_front_matter():
    card = card_from_bytes("c.md", b"---\ntitle: T\n---\ntext\n---\nmore\n---\n", TODAY)
    assert card.problems == () and card.body == "text\n---\nmore\n---\n"


def test_duplicate_keys_are_reported_because_yaml_hides_them():
    card = card_from_bytes("c.md", b"---\nowner: ana\ntitle: T\nowner: bo\n---\n", TODAY)
    assert [(p.rule, p.line) for p in card.problems] == [("invalid-field", 4)]


def test_ignore_globs_hidden_folders_and_kb_folders_are_not_cards(tmp_path: Path):
    root = tmp_path / "kb"
    root.mkdir()
    (root / "kb.toml").write_text(
        '[cards]\nfolders = ["."]\nignore = ["drafts/*.md", "README.md"]\n'
    )
    for rel in (
        "a.md",
        "sub/b.md",
        "README.md",
        "sub/README.md",
        "drafts/x.md",
        ".hidden/c.md",
        ".kb/d.md",
        "templates/kcs.md",
        "notes.txt",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("# x\n")
    assert CardFiles(load_config(root)).paths() == ["a.md", "sub/b.md"]


@pytest.mark.parametrize("ignore", ['"README.md", "drafts"', '"README.md", "drafts/"'])
def test_a_path_named_on_the_command_line_is_a_card_exactly_when_listed(
    tmp_path: Path, ignore: str
) -> None:
    # Plain names are looked up without gitignore's matcher; a pattern with a slash uses it.
    root = tmp_path / "kb"
    root.mkdir()
    (root / "kb.toml").write_text(f'[cards]\nfolders = ["."]\nignore = [{ignore}]\n')
    paths = ["a.md", "sub/b.md", "README.md", "sub/README.md", "drafts/x.md", "sub/drafts/y.md"]
    paths += ["doc/README.md/z.md", "readme.md", "drafts.md"]
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("# x\n")
    files = CardFiles(load_config(root))
    listed = files.paths()
    assert listed == ["a.md", "drafts.md", "readme.md", "sub/b.md"]
    assert [rel for rel in paths if files.is_card_path(rel)] == sorted(listed, key=paths.index)


def test_impossible_dates_are_problems_at_their_line_not_crashes():
    card = card_from_bytes("c.md", b"---\ntitle: T\nverified_at: 2026-13-01\n---\n", TODAY)
    assert [(p.rule, p.line) for p in card.problems] == [("invalid-date", 3)]
    assert card.meta.verified_at is None  # fails closed
    tagged = card_from_bytes("t.md", b"---\ntitle: T\nx: !!timestamp 2026-02-30\n---\n", TODAY)
    assert [p.rule for p in tagged.problems] == ["yaml-syntax"]


def test_dates_in_unknown_keys_stay_as_written():
    card = card_from_bytes("c.md", b"---\ntitle: T\nlaunch: 2026-03-01\nowner: [a, b]\n---\n")
    assert card.meta.extra == {"launch": "2026-03-01"}
