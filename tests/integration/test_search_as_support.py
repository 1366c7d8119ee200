"""Search as a support agent types it (session 15's walk over the 18F handbook and tldr).

- A filter holds for every card listed: ``lang:ru tar`` listed English alias pages
  (``gtar``, "an alias of GNU tar") because the step that lets an alias in the query's
  language stand for a card only other languages have searched without the filters.
- The first answer does not depend on ``--limit``: a query that is a card's whole title
  put that card first with ``--limit 10`` and not at all with ``--limit 1``.
"""

from __future__ import annotations

from pathlib import Path

from kbcli.cli.context import RunContext
from kbcli.usecases.search import search
from tests.helpers import make_repo

FILLER = "The team keeps notes in the shared drive and reviews them every quarter. "


def _card(title: str, body: str, lang: str = "") -> str:
    front = f"title: {title}\nowner: ana\n" + (f"lang: {lang}\n" if lang else "")
    return f"---\n{front}---\n\n{body}\n"


def _paths(root: Path, text: str, limit: int = 10) -> list[str]:
    workspace = RunContext(kb_dir=str(root), today_text="2026-11-22").workspace
    return [hit.path for hit in search(workspace, text, limit=limit, snippets=False).hits]


def test_an_alias_in_another_language_is_not_listed_past_a_lang_filter(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("ru/tar.md", _card("tar", "Архиватор: tar-файлы.\n\n" + FILLER, "ru"))
    repo.write("ru/zip.md", _card("zip", "Упаковать файлы в архив tar или zip.", "ru"))
    repo.write("en/gtar.md", _card("gtar", "This command is an alias of `tar`.", "en"))
    repo.write("en/tar.md", _card("tar", "Archive files with tar. " + FILLER, "en"))
    assert _paths(repo.path, "lang:ru tar") == ["ru/tar.md", "ru/zip.md"]
    assert "en/gtar.md" not in _paths(repo.path, "tar -alias")


def test_a_title_query_puts_its_card_first_whatever_the_limit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write(
        "git-commit.md", _card("git commit", "Commit files to the repository. " + FILLER * 6)
    )
    for name in ("graph", "tree", "since"):
        repo.write(f"git-commit-{name}.md", _card(f"git commit-{name}", "Git commit helper."))
    assert _paths(repo.path, "git commit")[0] == "git-commit.md"
    assert _paths(repo.path, "git commit", limit=1) == ["git-commit.md"]


def test_a_pasted_error_that_quotes_a_path_no_card_holds_says_what_would_match(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("pip.md", _card("Installing Python packages", "PermissionError: use pip --user."))
    repo.write("ls.md", _card("ls", "List files: `ls -la`."))
    workspace = RunContext(kb_dir=str(repo.path), today_text="2026-11-22").workspace
    pasted = 'File "/usr/lib/python3/pip/base.py", line 180 PermissionError: [Errno 13]'
    result = search(workspace, pasted, snippets=False)
    assert not result.hits
    (hint,) = result.hints  # not "did you mean" a card sharing a few letters
    assert hint.startswith('without the quotes around "/usr/lib/python3/pip/base.py": ')
    assert hint.endswith("e.g. pip.md")
    result = search(workspace, "list -files", snippets=False)
    assert not result.hits
    assert "without -files: 1 card(s), e.g. ls.md" in result.hints


def test_of_titles_with_the_same_words_the_one_written_as_the_query_comes_first(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("g-bracket.md", _card("g[", "This command is an alias of GNU `[`."))
    repo.write("g++.md", _card("g++", "Compile C++ source files. " + FILLER * 4))
    assert _paths(repo.path, "g++")[0] == "g++.md"
    assert _paths(repo.path, "g[")[0] == "g-bracket.md"
