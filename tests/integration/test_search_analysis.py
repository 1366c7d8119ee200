"""Queries are split into words the way cards are when they are indexed.

A query word and the same word in a card must become the same index term: otherwise
the card cannot be found by the words it uses (a Ukrainian word with an apostrophe) or
a fragment of a word matches cards that share nothing else (the ``s`` of ``file's``).
"""

from __future__ import annotations

from pathlib import Path

from kbcli.cli.context import RunContext
from kbcli.usecases.search import search
from tests.helpers import make_repo


def _card(title: str, body: str, lang: str = "") -> str:
    front = f"title: {title}\nowner: ana\n" + (f"lang: {lang}\n" if lang else "")
    return f"---\n{front}---\n\n{body}\n"


def _paths(root: Path, text: str) -> list[str]:
    workspace = RunContext(kb_dir=str(root), today_text="2026-11-22").workspace
    return [hit.path for hit in search(workspace, text, limit=10, snippets=False).hits]


def test_a_ukrainian_query_word_with_an_apostrophe_finds_the_card_using_it(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("uk/pc.md", _card("Новий ноутбук", "Як отримати комп'ютер у перший день.", "uk"))
    repo.write("uk/desk.md", _card("Робоче місце", "Стіл і стілець замовляє офіс.", "uk"))
    assert _paths(repo.path, "комп'ютер") == ["uk/pc.md"]
    assert _paths(repo.path, "комп’ютер") == ["uk/pc.md"]  # typographic apostrophe
    assert _paths(repo.path, '"комп\'ютер у"') == ["uk/pc.md"]  # in a phrase too


def test_the_possessive_s_is_not_a_word(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("cat.md", _card("cat", "Show the contents of a file."))
    repo.write("ditto.md", _card("ditto", "Copy a file: its owner's, group's and team's contents."))
    assert _paths(repo.path, "a file's contents")[0] == "cat.md"
    assert _paths(repo.path, "the team's files")[0] == "ditto.md"


def test_a_ukrainian_query_without_ukrainian_letters_prefers_the_ukrainian_card(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("ru/rmi.md", _card("docker rmi", "Удалить образ докера с диска.", "ru"))
    repo.write("uk/rmi.md", _card("docker rmi", "Видалити цей образ докера з диска.", "uk"))
    # Both cards have every word; з (not із, not с) says the question is Ukrainian.
    assert _paths(repo.path, "образ докера з диска")[0] == "uk/rmi.md"
    assert _paths(repo.path, "образ докера с диска")[0] == "ru/rmi.md"
