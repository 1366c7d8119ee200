"""A letter in brackets inside a word is a mnemonic, not a word boundary.

tldr pages (and docs that copy their style) mark an option's letter inside the word it
stands for: "[a]dd", "[m]aximum", "extrac[t]". Split at the brackets, "maximum" became
"m" + "aximum" and no question asking for "maximum" found the card.
"""

from __future__ import annotations

from pathlib import Path

from kbcli.adapters.text_analysis import Analysis
from kbcli.cli.context import RunContext
from kbcli.usecases.search import search
from tests.helpers import make_repo


def _card(title: str, body: str) -> str:
    return f"---\ntitle: {title}\nowner: ana\n---\n\n{body}\n"


def test_a_bracketed_letter_inside_a_word_is_part_of_the_word() -> None:
    analysis = Analysis()
    terms = analysis.terms("en", "- [a]dd files with [m]aximum compression, then extrac[t]")
    assert {"add", "maximum", "extract"} <= set(terms)
    assert "aximum" not in terms
    # Links, checkboxes and option lists keep their brackets as boundaries.
    assert analysis.terms("en", "[x] done, see [the guide](g.md) or {{[-r|--recursive]}}") == [
        "x", "done", "see", "the", "guid", "g", "md", "or", "r", "recurs",
    ]  # fmt: skip


def test_a_question_finds_the_card_that_spells_its_word_with_a_mnemonic(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write(
        "sevenz.md",
        _card("7z", "File archiver.\n\n- Use [m]aximum compression:\n\n`7z a -mx9 out.7z in`"),
    )
    repo.write("gzip.md", _card("gzip", "Compress files.\n\n- Compress a file:\n\n`gzip file`"))
    workspace = RunContext(kb_dir=str(repo.path), today_text="2026-12-07").workspace
    found = [hit.path for hit in search(workspace, "maximum compression", snippets=False).hits]
    assert found[0] == "sevenz.md"
