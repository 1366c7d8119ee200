"""The handbook's search index as a base plus a delta (``usecases.handbook_search``), with
the real Pagefind: what each build leaves in ``pagefind-delta/``, when it folds, and
that a failed index is never trusted. The browser's answers: tests/e2e/test_handbook.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import KbRepo, run_kb

pytest.importorskip("pagefind")


def build(repo: KbRepo, site: Path, *args: str) -> None:
    result = run_kb("--kb", str(repo.path), "build", "--out", str(site), *args)
    assert result.exit_code == 0, result.output


def delta(site: Path) -> dict[str, Any]:
    return json.loads((site / "pagefind-delta" / "kb-delta.json").read_text(encoding="utf-8"))


ANIMALS = ["ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay", "kiwi", "lynx"]


def cards(repo: KbRepo, count: int, word: str) -> None:
    """Cards that share no word, so that no related list moves when one changes."""
    for n in range(count):
        write(repo, n, f"{word}{n}")


def write(repo: KbRepo, n: int, word: str) -> None:
    name = ANIMALS[n]
    repo.write(f"notes/n{n}.md", f"---\ntitle: {name.title()}\n---\n{name} {word}\n")


def built_site(repo: KbRepo, tmp_path: Path) -> Path:
    """Three committed cards built with the search index: a base, an empty delta."""
    cards(repo, 3, "tea")
    repo.commit("cards")
    site = tmp_path / "site"
    build(repo, site)
    return site


def test_page_ids_name_every_card_page_by_its_path(kb_repo: KbRepo, tmp_path: Path) -> None:
    """The base's ids by page path, for names a url could spell otherwise."""
    from kbcli.adapters.pagefind_index import page_ids

    for name in ("odd/[.md", "odd/100%.md", "guide/index.md", "odd/with space.md"):
        kb_repo.write(name, f"---\ntitle: {name}\n---\nSome words.\n")
    kb_repo.commit("cards")
    site = tmp_path / "site"
    build(kb_repo, site)
    ids = page_ids(site / "pagefind")
    pages = {"odd/[.html", "odd/100%.html", "guide/index.html", "odd/with space.html"}
    assert set(ids) == pages
    assert all((site / "pagefind" / "fragment" / f"{ids[p]}.pf_fragment").is_file() for p in pages)


def test_the_delta_grows_with_each_edit_then_folds(kb_repo: KbRepo, tmp_path: Path) -> None:
    from kbcli.core.search_delta import fold_limit

    cards(kb_repo, 12, "tea")
    kb_repo.commit("cards")
    site = tmp_path / "site"
    build(kb_repo, site)
    base = (site / "pagefind" / "pagefind-entry.json").read_bytes()
    write(kb_repo, 0, "coffee")
    build(kb_repo, site)
    write(kb_repo, 1, "cocoa")
    build(kb_repo, site)
    assert delta(site)["languages"] == {"en": 2}  # both edits since the base
    assert len(delta(site)["drop"]) == 2
    assert (site / "pagefind" / "pagefind-entry.json").read_bytes() == base
    # More pages changed since the base than the delta may hold: a new base.
    assert fold_limit(12) < 12
    cards(kb_repo, 12, "water")
    build(kb_repo, site)
    assert delta(site) == {"drop": [], "languages": {}}
    assert (site / "pagefind" / "pagefind-entry.json").read_bytes() != base


def test_a_no_search_build_that_wrote_pages_means_a_fold_next(
    kb_repo: KbRepo, tmp_path: Path
) -> None:
    site = built_site(kb_repo, tmp_path)
    write(kb_repo, 0, "coffee")
    build(kb_repo, site)
    assert delta(site)["languages"] == {"en": 1}
    write(kb_repo, 1, "cocoa")
    build(kb_repo, site, "--no-search")  # the index no longer knows this page
    build(kb_repo, site)
    assert delta(site) == {"drop": [], "languages": {}}


def test_a_pagefind_that_fails_on_the_delta_is_never_trusted(
    monkeypatch: pytest.MonkeyPatch, kb_repo: KbRepo, tmp_path: Path
) -> None:
    site = built_site(kb_repo, tmp_path)
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'disk on fire' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    write(kb_repo, 0, "coffee")
    result = run_kb("--kb", str(kb_repo.path), "build", "--out", str(site))
    assert result.exit_code == 2 and "disk on fire" in result.stderr
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    build(kb_repo, site)  # the page is written; the index is made whole again
    assert delta(site) == {"drop": [], "languages": {}}
    text = (site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    assert json.loads(text)["languages"]["en"]["page_count"] == 3


def test_a_delta_removed_from_the_site_is_made_again(kb_repo: KbRepo, tmp_path: Path) -> None:
    """Without its delta the base would answer an edited page's old words: the next
    build, with nothing else changed, puts the delta back."""
    import shutil

    site = built_site(kb_repo, tmp_path)
    write(kb_repo, 0, "coffee")
    build(kb_repo, site)
    made = delta(site)
    assert made["languages"] == {"en": 1}
    shutil.rmtree(site / "pagefind-delta")
    build(kb_repo, site)
    assert delta(site) == made
    assert (site / "pagefind-delta" / "pagefind-entry.json").is_file()


def test_a_site_without_cards_is_indexed_again_when_a_page_changes(
    kb_repo: KbRepo, tmp_path: Path
) -> None:
    """Pagefind indexes every page of a site where no page is a card's: a changed title
    must reach the index (there is no delta for such a site)."""
    (kb_repo.path / "kb.toml").write_text('[handbook]\ntitle = "Alpha Handbook"\n')
    kb_repo.commit("no cards yet")
    site = tmp_path / "site"
    build(kb_repo, site)
    entry = site / "pagefind" / "pagefind-entry.json"
    before = entry.read_bytes()
    (kb_repo.path / "kb.toml").write_text('[handbook]\ntitle = "Omega Handbook"\n')
    build(kb_repo, site)
    assert entry.read_bytes() != before
    assert delta(site) == {"drop": [], "languages": {}}


def test_every_card_page_is_searchable_wherever_it_sits(kb_repo: KbRepo, tmp_path: Path) -> None:
    """Pagefind reads only the pages beside kb's own lists: a card at the top, one in a
    folder named like kb's own (moved under cards/) and a marked page kb did not write
    are all in the index, the list pages never are."""
    from kbcli.adapters.pagefind_index import page_ids

    kb_repo.write("faq.md", "---\ntitle: Faq\n---\nQuestions.\n")
    kb_repo.write("tags/labels.md", "---\ntitle: Labels\ntags: [colour]\n---\nLabels.\n")
    kb_repo.write("notes/deep/tea.md", "---\ntitle: Tea\ntags: [colour]\n---\nTea.\n")
    kb_repo.commit("cards")
    site = tmp_path / "site"
    site.mkdir()
    stray = "<html><body><main data-pagefind-body>Stray</main></body></html>"
    (site / "stray.html").write_text(stray, encoding="utf-8")
    build(kb_repo, site)
    assert set(page_ids(site / "pagefind")) == {
        "faq.html",
        "cards/tags/labels.html",
        "notes/deep/tea.html",
        "stray.html",
    }


def test_a_list_page_a_template_marks_for_search_is_indexed_too(
    kb_repo: KbRepo, tmp_path: Path
) -> None:
    """A repo's own template may mark a list page for Pagefind: it is searched as before."""
    from kbcli.adapters.pagefind_index import page_ids

    builtin = Path(__file__).parents[2] / "templates/handbook/tag.html"
    marked = builtin.read_text(encoding="utf-8").replace(
        '{% extends "base.html" %}',
        '{% extends "base.html" %}{% block main_attrs %} data-pagefind-body{% endblock %}',
    )
    assert marked != builtin.read_text(encoding="utf-8")
    kb_repo.write("templates/handbook/tag.html", marked)
    kb_repo.write("notes/tea.md", "---\ntitle: Tea\ntags: [colour]\n---\nTea.\n")
    kb_repo.commit("cards")
    site = tmp_path / "site"
    build(kb_repo, site)
    assert set(page_ids(site / "pagefind")) == {"notes/tea.html", "tags/colour.html"}
