"""The home page groups cards by folder: when one card folder holds every card (the 18F
handbook's ``pages``), by the folders below it, not into one group of every card."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import make_repo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n---\nBody.\n"


def _home(tmp_path: Path, paths: list[str], toml: str = "") -> tuple[Path, str]:
    repo = make_repo(tmp_path / "kb", kb_toml=toml)
    for path in paths:
        repo.write(path, CARD.format(title=Path(path).stem.title()))
    repo.commit("cards", when="2026-11-02T09:00:00Z")
    out = tmp_path / "site"
    result = run_kb(
        "--kb", str(repo.path), "--today", "2026-11-22", "build", "--no-search", "--out", str(out)
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, (out / "index.html").read_text(encoding="utf-8")


def _groups(home: str) -> list[str]:
    return re.findall(r'<summary>([^<]*) <span class="count">', home)


def test_cards_all_under_one_card_folder_are_grouped_by_the_folders_below_it(
    tmp_path: Path,
) -> None:
    out, home = _home(
        tmp_path,
        ["pages/about.md", "pages/travel/per-diem.md", "pages/travel/concur.md",
         "pages/tools/slack.md"],
        '[cards]\nfolders = ["pages"]\n',
    )  # fmt: skip
    assert _groups(home) == ["(top level)", "tools", "travel"]
    # The card page's crumb leads to its group on the home page.
    page = (out / "pages/travel/concur.html").read_text(encoding="utf-8")
    anchor = re.search(r'index\.html#(folder-[^"]+)"', page)
    assert anchor and f'id="{anchor.group(1)}"' in home and anchor.group(1) == "folder-travel"


def test_cards_in_several_top_folders_keep_those_as_groups(tmp_path: Path) -> None:
    _, home = _home(tmp_path, ["billing/refunds.md", "accounts/reset.md", "top.md"])
    assert _groups(home) == ["(top level)", "accounts", "billing"]
