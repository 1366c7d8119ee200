"""Session-5 levers of the ranking, each pinned by what a reader sees.

- A pointer card (an alias or redirect: a short card whose lead names one other card)
  shares none of its target's words. Where its target is listed it adds nothing, and is
  not put after it (session 14); in the question's language it stands for a card only
  other languages have.
- The lead paragraph (what a card says it is about) counts once more than the rest.
- A word's coordination bonus is in proportion to how telling the word is: matching two
  words every card uses is not worth more than matching the one word that answers.
"""

from __future__ import annotations

from pathlib import Path

from kbcli.cli.context import RunContext
from kbcli.core.pointers import pointer_reference
from kbcli.usecases.search import search
from tests.helpers import make_repo

FILLER = "The team keeps notes in the shared drive and reviews them every quarter. "


def _card(title: str, body: str, lang: str = "") -> str:
    front = f"title: {title}\nowner: ana\n" + (f"lang: {lang}\n" if lang else "")
    return f"---\n{front}---\n\n{body}\n"


def _paths(root: Path, text: str, limit: int = 10) -> list[str]:
    workspace = RunContext(kb_dir=str(root), today_text="2026-11-22").workspace
    return [hit.path for hit in search(workspace, text, limit=limit, snippets=False).hits]


def test_a_pointer_card_names_one_card_in_its_lead_and_says_little_else() -> None:
    alias = "> This command is an alias of `docker container logs`.\n\n- See `tldr docker`."
    assert pointer_reference(alias) == "docker container logs"
    assert pointer_reference("Moved to [Travel  Guide](travel.md).") == "travel guide"
    assert pointer_reference("Use `grep` or `rg` to search.") == ""  # two names
    assert pointer_reference("Read `the guide` first. " + "More words here. " * 20) == ""
    # A command line names its command: the options are not part of any card's title.
    assert pointer_reference("Ця команда є псевдонімом для `id --user --name`.") == "id"
    assert pointer_reference("This command is an alias of `ls -C --escape`.") == "ls"


def test_an_alias_does_not_push_the_next_answer_down(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("xzgrep.md", _card("xzgrep", "Search text in compressed files. " + FILLER))
    for name in ("lzgrep", "lzegrep", "xzegrep"):
        repo.write(f"{name}.md", _card(name, f"This command is an alias of `xzgrep --{name}`."))
    repo.write("grep.md", _card("grep", "Search text in files with patterns. " + FILLER * 2))
    # The aliases answer nothing xzgrep does not: the next answer comes second.
    assert _paths(repo.path, "search text in compressed files", limit=3) == [
        "xzgrep.md",
        "grep.md",
    ]


def test_the_lead_paragraph_says_what_a_card_is_about(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write(
        "vpn.md",
        _card("Remote access", "Connect to the office network from home.\n\n" + FILLER * 2),
    )
    repo.write(
        "wifi.md",
        _card("Guest wifi", FILLER + "\n\nThe office network is not for guests from home."),
    )
    assert _paths(repo.path, "office network from home")[0] == "vpn.md"


def test_matching_common_words_is_not_worth_more_than_the_telling_one(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    for i in range(12):
        repo.write(f"team-{i}.md", _card(f"Team page {i}", "team meeting notes " + FILLER))
    claims = "Submit every invoice to finance. " + "Claims are paid within a week. " * 15
    repo.write("expenses.md", _card("Expenses", claims))
    assert _paths(repo.path, "team meeting invoice")[0] == "expenses.md"


def test_an_alias_in_the_query_language_stands_for_a_card_only_other_languages_have(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("ru/container-logs.md", _card("docker container logs", "Логи контейнера.", "ru"))
    repo.write(
        "uk/logs.md",
        _card("docker logs", "Ця команда є псевдонімом для `docker container logs`.", "uk"),
    )
    repo.write("uk/journal.md", _card("journalctl", "Логи системи та служб. " + FILLER, "uk"))
    # A Ukrainian question (з): the Ukrainian alias is its way to the Russian-only page.
    assert _paths(repo.path, "логи з контейнера")[:2] == ["uk/logs.md", "ru/container-logs.md"]
    # A Russian question keeps the Russian page first; the alias is not in its language.
    assert _paths(repo.path, "логи из контейнера")[0] == "ru/container-logs.md"


def test_an_alias_of_a_command_line_stands_for_the_command_in_another_language(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("ru/gzip.md", _card("gzip", "Сжатие и распаковка файлов .gz.\n\n" + FILLER, "ru"))
    repo.write(
        "uk/gunzip.md",
        _card("gunzip", "Ця команда є псевдонімом для `gzip --decompress`.", "uk"),
    )
    repo.write("uk/tar.md", _card("tar", "Архіви: розпакувати файли з архіву. " + FILLER, "uk"))
    # `gzip --decompress` names the card gzip, which only Russian has: the Ukrainian
    # alias is the Ukrainian reader's way to it.
    assert _paths(repo.path, "розпакувати файл .gz")[0] == "uk/gunzip.md"
