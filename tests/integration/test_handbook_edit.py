"""``kb build`` after a small edit (``usecases.handbook_edit``): only the edited card's
page is written when nothing any other page shows can differ, and whatever way a build
takes, the site is byte-identical to a build from scratch of the same cards.

Each test builds a real git repo with related cards on (the default), edits a card,
builds again in this process (to see which way the build took) and compares every
file with a fresh build into another folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.helpers import KbRepo
from tests.integration.test_handbook_build import TODAY, card
from tests.integration.test_handbook_cache import _bytes, build, repo


def again(
    root: Path, out: Path, today: str = TODAY, *, search: bool = False, full: bool = False
) -> Any:
    """A plain ``kb build --no-search`` (or ``kb build``, ``search``; ``kb build --full``,
    ``full``) in this process: its report says which way it went."""
    from kbcli.cli.context import RunContext
    from kbcli.usecases.handbook import run_build

    ws = RunContext(kb_dir=str(root), today_text=today).workspace
    return run_build(ws, out, "internal", search=search, related=True, full=full)


def same_as_fresh(root: Path, out: Path, today: str = TODAY) -> None:
    fresh = root.parent / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    build(root, fresh, today=today)
    assert _bytes(out) == _bytes(fresh)


def test_a_body_edit_writes_only_its_page_and_equals_a_build_from_scratch(
    kb_repo: KbRepo,
) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    # The same words in bold: the same front matter, links, headings and related words.
    kb_repo.write("billing/invoices.md", card("Invoices", "Download **them**."))
    report = again(root, out)
    assert "quick" in report.timings
    assert (report.written, report.bodies_rendered, report.cards) == (1, 1, 3)
    assert "<strong>them</strong>" in (out / "billing" / "invoices.html").read_text()
    same_as_fresh(root, out)
    # A second card, then the first one back as it was: still quick, still the same.
    kb_repo.write("billing/tax.md", card("Tax", "*Tax* rules.", tags="tax"))
    assert "quick" in again(root, out).timings
    same_as_fresh(root, out)
    kb_repo.write("billing/invoices.md", card("Invoices", "Download them."))
    assert "quick" in again(root, out).timings
    same_as_fresh(root, out)
    # New words: the related lists are updated as a whole build updates them, and the
    # pages of the cards whose lists moved are written too.
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules for refunds and invoices.", tags="tax"))
    report = again(root, out)
    assert "quick" in report.timings and report.bodies_rendered == 1
    same_as_fresh(root, out)
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules.", tags="tax"))
    assert "quick" in again(root, out).timings
    same_as_fresh(root, out)
    # A whole build with nothing changed since: the quick builds kept each page's key as
    # the whole build makes it, so no page is written again.
    for base in (root / ".kb" / "handbook").glob("*.edit-base.pickle"):
        base.unlink()
    report = again(root, out)
    assert "quick" not in report.timings and report.written == 0
    same_as_fresh(root, out)
    # A whole build (a retitled card) after quick ones.
    kb_repo.write("billing/refunds.md", card("Money back", "See [[Invoices]] first."))
    report = again(root, out)
    assert "quick" not in report.timings
    same_as_fresh(root, out)
    assert "quick" in _bold_edit(kb_repo, root, out).timings, "a whole build keeps a new base"
    # Two retitles (whole builds; the second starts from a base with no quick build
    # since, so its base's df is the last one's moved by its related save), then new
    # words: the related lists still are those of a build from scratch.
    for title in ("Refunds", "Money back"):
        kb_repo.write("billing/refunds.md", card(title, "See [[Invoices]] first."))
        assert "quick" not in again(root, out).timings
    same_as_fresh(root, out)
    kb_repo.write("billing/tax.md", card("Tax", "Tax refunds for invoices.", tags="tax"))
    report = again(root, out)
    assert "quick" in report.timings and report.bodies_rendered == 1
    same_as_fresh(root, out)


def _bold_edit(kb_repo: KbRepo, root: Path, out: Path) -> Any:
    kb_repo.write("billing/tax.md", card("Tax", "Tax **rules**.", tags="tax"))
    return again(root, out)


def test_edits_other_pages_can_show_take_the_whole_build(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    edits = [
        # a link: the target's backlinks change
        ("billing/invoices.md", card("Invoices", "Download them. See [tax](tax.md).")),
        # front matter: title, tags, owner, trust
        ("billing/invoices.md", card("Invoices", "Download them. See [tax](tax.md).", tags="x")),
        # a heading another card's anchor points at
        (
            "billing/tax.md",
            card("Tax", "## Rules\n\nTax rules for refunds and invoices.", tags="tax"),
        ),
    ]
    kb_repo.write("billing/refunds.md", card("Refunds", "See [[Invoices]] and [[Tax#Rules]]."))
    assert "quick" not in again(root, out).timings
    for name, text in edits:
        kb_repo.write(name, text)
        report = again(root, out)
        assert "quick" not in report.timings, name
        same_as_fresh(root, out)
    # A page gone from the site: the whole build puts it back.
    (out / "billing" / "tax.html").unlink()
    kb_repo.write(
        "billing/tax.md",
        card("Tax", "## Rules\n\nTax *rules* for refunds and invoices.", tags="tax"),
    )
    assert "quick" not in again(root, out).timings
    same_as_fresh(root, out)


def test_the_pages_a_quick_build_wrote_are_written_again_whatever_its_journal_says(
    kb_repo: KbRepo,
) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    state = root / ".kb" / "handbook"
    for damage in (None, b"", b"kbedit01garbage", "flip", "cut short"):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        kb_repo.write("billing/invoices.md", card("Invoices", "Download them."))
        build(root, out)
        kb_repo.write("billing/invoices.md", card("Invoices", "Download *them*."))
        assert "quick" in again(root, out).timings
        # Back as it was, with no base to go quick from: the manifest says the page is
        # up to date for these bytes, the journal says it is not. Or a quick build cut
        # short (its journal not marked done): the base is there, the journal stops it.
        kb_repo.write("billing/invoices.md", card("Invoices", "Download them."))
        (base,) = state.glob("*.edit-base.pickle")
        (journal,) = state.glob("*.edits.pickle")
        if damage == "cut short":
            from kbcli.usecases import handbook_edit_state

            kept = handbook_edit_state.read(journal)
            assert kept and kept["done"]
            handbook_edit_state.write(journal, {**kept, "done": False})
        else:
            base.unlink()
        if isinstance(damage, bytes):
            journal.write_bytes(damage)
        elif damage == "flip":
            data = bytearray(journal.read_bytes())
            data[len(data) // 2] ^= 0x20
            journal.write_bytes(bytes(data))
        report = again(root, out)
        assert "quick" not in report.timings
        assert report.written >= 1, damage
        same_as_fresh(root, out)
        assert not list(state.glob("*.edits.pickle")), "the whole build spent the journal"


def test_with_the_search_index_an_edit_is_quick_and_goes_into_the_delta(
    kb_repo: KbRepo,
) -> None:
    """The base index stays as it was; the delta holds the edited page and drops the
    base's entry for it; a fold (``--full``) makes the index a fresh build's."""
    from kbcli.adapters.pagefind_index import page_ids

    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    assert again(root, out, search=True).searched
    base = _bundle(out, "pagefind")
    old_id = page_ids(out / "pagefind")["billing/invoices.html"]
    kb_repo.write("billing/invoices.md", card("Invoices", "Download **them** quarterly."))
    report = again(root, out, search=True)
    assert "quick" in report.timings and report.searched and report.written >= 1
    build(root, fresh, "--search")
    assert _pages(out) == _pages(fresh)
    assert _bundle(out, "pagefind") == base  # Pagefind did not index the whole site
    delta = json.loads((out / "pagefind-delta" / "kb-delta.json").read_text())
    assert delta == {"drop": [old_id], "languages": {"en": 1}}
    assert list(page_ids(out / "pagefind-delta")) == ["billing/invoices.html"]
    assert not again(root, out, search=True).searched  # nothing changed: the index holds
    report = again(root, out, search=True, full=True)
    assert report.searched and report.written == 0
    assert _indexed(out) == _indexed(fresh)
    # A quick build without the index leaves it behind the pages: the next build with
    # it makes it again (a fold), even with no page to write.
    kb_repo.write("billing/invoices.md", card("Invoices", "Download them monthly."))
    assert "quick" in again(root, out).timings
    report = again(root, out, search=True)
    assert report.written == 0 and report.searched
    shutil.rmtree(fresh)
    build(root, fresh, "--search")
    assert _indexed(out) == _indexed(fresh)


def _pages(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in _bytes(out).items() if not k.startswith("pagefind")}


def _bundle(out: Path, name: str) -> dict[str, bytes]:
    return {k: v for k, v in _bytes(out).items() if k.startswith(name + "/")}


def _indexed(out: Path) -> dict[str, bytes]:
    """The site with its Pagefind index (every page's fragment, every word shard) but
    for the files that follow the order Pagefind found the pages in: that order differs
    between a folder a build rewrote and a fresh one, for a whole build too."""
    return {
        name: data
        for name, data in _bytes(out).items()
        if not name.startswith(("pagefind/pagefind-entry", "pagefind/filter/"))
        and not name.endswith(".pf_meta")
    }
