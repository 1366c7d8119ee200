"""The handbook's render cache: what a rebuild skips, and that it never skips too much.

Each test builds a real git repo twice (or more) and checks that exactly the pages
whose inputs changed are written again, and that they then say what a build from
scratch says. ``kb serve``'s in-memory path (``LiveState`` + ``BuildMemo``) is held
to the same standard: after a series of saves its site is byte-identical to a cold
build of the same cards.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import KbRepo, run_kb
from tests.integration.test_handbook_build import TODAY, card, written

LATER = "2027-06-01"  # Invoices (verified 2026-11-01, default cadence) has expired by then


def build(root: Path, out: Path, *args: str, today: str = TODAY) -> str:
    # Related cards are on (the default): an incremental build must list the same ones.
    result = run_kb(
        "--kb", str(root), "--today", today, "build", "--out", str(out), "--no-search", *args
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def site_files(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a site with its modification time: a rewrite changes the time."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def repo(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("billing/refunds.md", card("Refunds", "See [[Invoices]] first."))
    kb_repo.write("billing/invoices.md", card("Invoices", "Download them."))
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules.", tags="tax"))
    kb_repo.commit("cards", when="2026-11-02T09:00:00Z", author="Ana Souza")
    return kb_repo


def changed_pages(before: dict[str, tuple[bytes, int]], out: Path) -> set[str]:
    after = site_files(out)
    return {name for name, (_, mtime) in after.items() if before.get(name, (b"", 0))[1] != mtime}


def test_a_build_with_nothing_changed_rewrites_no_file_and_is_byte_identical(
    kb_repo: KbRepo,
) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    before = site_files(out)
    again = build(root, out)
    assert written(again) == 0 and "0 bodies rendered" in again
    assert site_files(out) == before  # same bytes, and no file even touched


def test_a_page_the_last_build_wrote_and_this_one_removes_is_no_stranger(
    kb_repo: KbRepo,
) -> None:
    """The only card tagged "tax" loses the tag: its tag page goes, quietly; a page kb
    never wrote still gets the warning. (Whole builds: the one-edit path warns of none.)"""
    root = repo(kb_repo).path
    out = root.parent / "site"

    def whole_build() -> str:
        result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(out), "--full")
        assert result.exit_code == 0, result.output
        return result.output

    whole_build()
    assert (out / "tags" / "tax.html").is_file()
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules.", tags="billing"))
    again = whole_build()
    assert not (out / "tags" / "tax.html").exists()
    assert "did not write" not in again, again
    (out / "stray.html").write_text("<p>left here by hand</p>", encoding="utf-8")
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules, again.", tags="billing"))
    assert "1 page(s) kb did not write (e.g. stray.html)" in whole_build()


def test_retitling_a_card_rewrites_the_pages_that_show_its_title(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    before = site_files(out)
    kb_repo.write("billing/refunds.md", card("Refund a charge", "See [[Invoices]] first."))
    stdout = build(root, out)
    assert "0 bodies rendered" in stdout  # the title is front matter: the body is the same
    changed = changed_pages(before, out)
    # Its own page, the page it links to (the backlink shows its title), the lists.
    assert {"billing/refunds.html", "billing/invoices.html", "index.html"} <= changed
    assert "tags/billing.html" in changed and "owners/ana.html" in changed
    assert "billing/tax.html" not in changed  # nothing on it names Refunds
    invoices = (out / "billing/invoices.html").read_text(encoding="utf-8")
    assert "Refund a charge" in invoices and ">Refunds<" not in invoices


def test_retitling_a_link_target_rerenders_the_bodies_that_link_to_it_by_title(
    kb_repo: KbRepo,
) -> None:
    root = repo(kb_repo).path
    kb_repo.write("billing/fees.md", card("Late fees", "See [[Tax rules]]."))
    kb_repo.write("billing/tax.md", card("Tax rules", "Tax rules.", tags="tax"))
    out = root.parent / "site"
    build(root, out)
    assert 'href="tax.html"' in (out / "billing/fees.html").read_text(encoding="utf-8")
    kb_repo.write("billing/tax.md", card("Sales tax", "Tax rules.", tags="tax"))
    stdout = build(root, out)
    # fees' [[Tax rules]] named the old title: its body is rendered again, the link broken.
    assert "1 body rendered" in stdout
    assert 'class="broken-link"' in (out / "billing/fees.html").read_text(encoding="utf-8")
    kb_repo.write("billing/tax.md", card("Tax rules", "Tax rules.", tags="tax"))
    build(root, out)
    assert 'href="tax.html"' in (out / "billing/fees.html").read_text(encoding="utf-8")


def test_a_later_day_rewrites_the_pages_whose_trust_changed(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    page = (out / "billing/invoices.html").read_text(encoding="utf-8")
    assert 'data-trust="verified"' in page
    before = site_files(out)
    stdout = build(root, out, today=LATER)
    assert "0 bodies rendered" in stdout  # bodies do not depend on the day; badges do
    assert {"billing/invoices.html", "index.html", "health.html"} <= changed_pages(before, out)
    page = (out / "billing/invoices.html").read_text(encoding="utf-8")
    assert 'data-trust="expired"' in page


def test_a_template_change_rewrites_the_pages_that_use_it(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    before = site_files(out)
    kb_repo.write(
        "templates/handbook/tag.html",
        '{% extends "default:tag.html" %}{% block title %}Tag {{ tag }}{% endblock %}',
    )
    stdout = build(root, out)
    assert "0 bodies rendered" in stdout
    assert "<title>Tag billing</title>" in (out / "tags/billing.html").read_text(encoding="utf-8")
    assert "tags/billing.html" in changed_pages(before, out)


def test_every_incremental_build_matches_a_build_from_scratch(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    build(root, out)
    kb_repo.write("billing/tax.md", card("Tax", "See [refunds](refunds.md).", tags="tax, billing"))
    kb_repo.write("billing/invoices.md", card("Invoices", "Download them.", owner="bo"))
    build(root, out, today=LATER)
    build(root, fresh, today=LATER)
    assert _bytes(out) == _bytes(fresh)
    # A retitled link target (other bodies' links resolve anew), then new words in one
    # card (the related lists it reaches change): each fresh kb build reuses the last
    # build's body keys and related lists, and still equals a build from scratch.
    for name, text in (
        ("billing/refunds.md", card("Money back", "How refunds work.")),
        ("billing/invoices.md", card("Invoices", "Download refunds and tax invoices.")),
    ):
        kb_repo.write(name, text)
        build(root, out, today=LATER)
        shutil.rmtree(fresh)
        build(root, fresh, today=LATER)
        assert _bytes(out) == _bytes(fresh)


def test_a_damaged_build_cache_means_a_full_build_never_an_error(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    build(root, out)
    state = root / ".kb" / "handbook"
    caches = sorted(p for p in state.rglob("*") if p.is_file())
    assert caches, "the build keeps its manifest and rendered bodies under .kb/handbook"
    assert any(p.parent.name.endswith(".related") for p in caches), "related-cards shards"
    for damage in (b"", b"\x80\x05garbage", b"\x80\x05\x95\x10\x00", b"not a pickle at all"):
        for cache in caches:
            cache.write_bytes(damage)
        kb_repo.write("billing/tax.md", card("Tax", f"Tax rules, {len(damage)}.", tags="tax"))
        build(root, out)
        build(root, fresh)
        assert _bytes(out) == _bytes(fresh)
        shutil.rmtree(fresh)
    # Truncated files, then one byte changed in each: the same.
    for number, text in enumerate(("Tax rules and refunds.", "Tax rules, refunds, credit.")):
        for cache in sorted(p for p in state.rglob("*") if p.is_file()):
            data = bytearray(cache.read_bytes())
            if number == 0:
                data = data[:-5]
            else:
                data[len(data) // 2] ^= 0x20
            cache.write_bytes(bytes(data))
        kb_repo.write("billing/tax.md", card("Tax", text, tags="tax"))
        build(root, out)
        shutil.rmtree(fresh, ignore_errors=True)
        build(root, fresh)
        assert _bytes(out) == _bytes(fresh)


def test_lost_or_damaged_kept_bodies_are_rendered_again(kb_repo: KbRepo) -> None:
    """A page written again around an unchanged body (here: a later day changes the trust
    badges) reads that body from the body cache; a lost or damaged one is rendered
    again, never shown empty or stale."""
    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    build(root, out)
    shards = sorted(next((root / ".kb" / "handbook").glob("*.bodies")).glob("*.marshal"))
    assert shards, "rendered bodies are kept in shards"
    for number, shard in enumerate(shards):
        if number % 3 == 0:
            shard.unlink()
        else:
            shard.write_bytes(b"garbage" if number % 3 == 1 else shard.read_bytes()[:-4])
    printed = build(root, out, today=LATER)
    assert "3 bodies rendered" in printed
    build(root, fresh, today=LATER)
    assert _bytes(out) == _bytes(fresh)


def test_an_edit_rewrites_only_the_related_shards_it_changes(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    kb_repo.write("billing/credit.md", card("Credit notes", "Refunds become credit notes."))
    out, fresh = root.parent / "site", root.parent / "fresh"
    build(root, out)
    shards = next((root / ".kb" / "handbook").glob("*.related"))
    first = {p.name: p.read_bytes() for p in shards.glob("*.marshal") if p.name != "head.marshal"}
    kb_repo.write("billing/invoices.md", card("Invoices", "Credit notes and tax invoices."))
    build(root, out)
    changed = [n for n, data in first.items() if (shards / n).read_bytes() != data]
    assert changed, "an edit rewrites the shards that hold what changed"
    assert len(changed) < len(first), "and only those"
    build(root, fresh)
    assert _bytes(out) == _bytes(fresh)


def test_a_related_shard_its_head_does_not_name_is_never_trusted(kb_repo: KbRepo) -> None:
    """Shards are written one by one, then their head: a save cut short leaves shards of
    two saves. A shard with a valid checksum but not named by the head (here one whose
    related list was forged) must not pass for part of the state."""
    from kbcli.adapters import checked_file
    from kbcli.adapters.shard_files import shard_of
    from kbcli.usecases import handbook_state

    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    build(root, out)
    folder = next((root / ".kb" / "handbook").glob("*.related"))
    key = handbook_state.related_key("en")
    path = folder / f"{shard_of('billing/tax.md'):02d}.marshal"
    shard = checked_file.load(path, key, handbook_state._RELATED_MAGIC)
    terms_key, counts, _, vector = shard["entries"]["billing/tax.md"]
    forged = [("billing/refunds.md", 0.99), ("billing/invoices.md", 0.98)]
    shard["entries"]["billing/tax.md"] = (terms_key, counts, forged, vector)
    checked_file.save(path, key, {**shard, "token": b"another save"}, handbook_state._RELATED_MAGIC)
    kb_repo.write("billing/refunds.md", card("Refunds", "See [[Invoices]] first.", owner="bo"))
    build(root, out)
    build(root, fresh)
    assert _bytes(out) == _bytes(fresh)


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in site_files(out).items()}


# --- kb serve's in-memory path ----------------------------------------------------------------


class Preview:
    """What ``kb serve`` does on every save, in this process: refresh, build with the memo."""

    def __init__(self, root: Path, out: Path, today: str = TODAY) -> None:
        from kbcli.usecases.serve import LiveState

        self.root, self.out, self.today = root, out, today
        self.live = LiveState()

    def save(self, changed: set[str] | None = None) -> object:
        from kbcli.cli.context import RunContext
        from kbcli.usecases.handbook import run_build

        ws = RunContext(kb_dir=str(self.root), today_text=self.today).workspace
        self.live.refresh(ws, changed)
        report = run_build(ws, self.out, "internal", search=False, memo=self.live.memo)
        self.live.remember(ws)
        return report


def test_serve_rebuilds_match_a_cold_build_after_each_kind_of_save(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "serve-site"
    preview = Preview(root, out)
    preview.save()

    def check(changed: set[str] | None) -> object:
        report = preview.save(changed)
        fresh = root.parent / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        build(root, fresh)
        assert _bytes(out) == _bytes(fresh)
        return report

    refunds = str(root / "billing/refunds.md")
    kb_repo.write("billing/refunds.md", card("Refunds", "See [[Invoices]] now."))
    report = check({refunds})
    assert report.bodies_rendered == 1 and report.written == 1  # type: ignore[attr-defined]
    kb_repo.write("billing/refunds.md", card("Refund a charge", "See [[Invoices]] now."))
    check({refunds})  # a new title: backlinks, lists
    kb_repo.write("billing/invoices.md", card("Invoice downloads", "Download them."))
    check({str(root / "billing/invoices.md")})  # [[Invoices]] in refunds is broken now
    kb_repo.write("billing/new.md", card("New", "Links to [[Tax]]."))
    check({str(root / "billing/new.md")})  # a new card
    (root / "billing/tax.md").unlink()
    check({str(root / "billing/tax.md")})  # a card gone: its page goes, the link breaks
    kb_repo.write(
        "templates/handbook/_badge.html", "{% macro badge(t) %}<b>{{ t.state }}</b>{% endmacro %}"
    )
    check({str(root / "templates/handbook/_badge.html")})
    (root / "people.yaml").write_text("ana:\n  name: Ana S.\n", encoding="utf-8")
    check({str(root / "people.yaml")})  # the roster: owner names on every page
    kb_repo.write("billing/moved/deep.md", card("Deep", "Deep card."))
    check(None)  # no change list (or a folder event): every file is checked


def test_serve_with_a_later_day_rewrites_trust_badges(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "serve-site"
    preview = Preview(root, out)
    preview.save()
    preview.today = LATER
    preview.save(set())
    fresh = root.parent / "fresh"
    build(root, fresh, today=LATER)
    assert _bytes(out) == _bytes(fresh)
    assert 'data-trust="expired"' in (out / "billing/invoices.html").read_text(encoding="utf-8")


# --- the whole-build check: nothing read has changed ------------------------------------------


def test_an_unchanged_build_still_reports_broken_links_and_restores_a_deleted_page(
    kb_repo: KbRepo,
) -> None:
    root = repo(kb_repo).path
    kb_repo.write("billing/fees.md", card("Fees", "See [[Nowhere]]."))
    out = root.parent / "site"
    args = ("--kb", str(root), "--today", TODAY, "build", "--out", str(out), "--no-search")
    first = run_kb(*args)
    again = run_kb(*args)
    assert "broken link 'Nowhere'" in first.stderr and again.stderr == first.stderr
    assert "0 written" in again.stdout and "1 broken link(s)" in again.stdout
    (out / "billing/tax.html").unlink()
    restored = build(root, out)
    assert written(restored) == 1 and (out / "billing/tax.html").is_file()


def test_config_commits_and_search_each_count_as_a_change(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out = root.parent / "site"
    build(root, out)
    (root / "kb.toml").write_text('[handbook]\ntitle = "Acme help"\n', encoding="utf-8")
    assert written(build(root, out)) > 5
    assert "Acme help" in (out / "index.html").read_text(encoding="utf-8")
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules.", tags="tax"))  # same text
    kb_repo.commit("touch", when="2026-11-10T09:00:00Z", author="Bo Lund")
    build(root, out)  # a new HEAD: the history, so the last-edit facts, are read again
    assert "Bo Lund" not in (out / "billing/tax.html").read_text(encoding="utf-8")
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules, edited.", tags="tax"))
    kb_repo.commit("edit", when="2026-11-11T09:00:00Z", author="Bo Lund")
    build(root, out)
    assert "Bo Lund" in (out / "billing/tax.html").read_text(encoding="utf-8")
    result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(out))
    assert result.exit_code == 0 and "search index" in result.stdout
    assert (out / "pagefind").is_dir()
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules, edited twice.", tags="tax"))
    build(root, out)  # --no-search: the index no longer matches the pages
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules, edited.", tags="tax"))
    build(root, out)
    result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(out))
    assert "0 written" in result.stdout and "search index" in result.stdout  # indexed again


def test_serve_lists_every_card_again_when_a_folder_moves(kb_repo: KbRepo) -> None:
    from kbcli.usecases.serve import watch_filter

    root = repo(kb_repo).path
    out = root.parent / "serve-site"
    preview = Preview(root, out)
    preview.save()
    (root / "billing").rename(root / "money")
    keep = watch_filter(root.resolve(), out)
    assert keep(None, str(root / "billing")) and keep(None, str(root / "money"))
    preview.save({str(root / "billing"), str(root / "money")})
    assert (out / "money/refunds.html").is_file() and not list(out.glob("billing/*"))
    fresh = root.parent / "fresh"
    build(root, fresh)
    assert _bytes(out) == _bytes(fresh)


def _reported(root: Path, out: Path) -> str:
    """What a build tells on stderr: broken links and missing files, as file:line."""
    result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    return result.stderr


def test_a_one_card_rebuild_reports_what_a_cold_build_reports(kb_repo: KbRepo) -> None:
    # refunds' anchor is checked against the headings of invoices, and its image against
    # the repo's files: neither card's own text changes when those do.
    text = "Read [the steps](invoices.md#steps). ![chart](chart.png)"
    kb_repo.write("billing/refunds.md", card("Refunds", text))
    kb_repo.write("billing/invoices.md", card("Invoices", "## Steps\n\nDownload them."))
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules.", tags="tax"))
    kb_repo.commit("cards", when="2026-11-02T09:00:00Z", author="Ana Souza")
    root = kb_repo.path
    out, fresh = root.parent / "site", root.parent / "fresh"
    first = _reported(root, out)
    assert "chart.png does not exist" in first and "invoices.md#steps" not in first
    for name, body, says in (
        ("billing/invoices.md", card("Invoices", "## Fetch\n\nDownload them."), "#steps"),
        ("billing/chart.png", "a chart", "#steps"),
        ("billing/invoices.md", card("Invoices", "## Steps\n\nDownload them."), ""),
    ):
        kb_repo.write(name, body)
        again = _reported(root, out)
        shutil.rmtree(fresh, ignore_errors=True)
        assert again == _reported(root, fresh)
        assert (says in again) if says else "invoices.md#steps" not in again
        assert _bytes(out) == _bytes(fresh)
    assert "chart.png" not in again and (out / "billing/chart.png").read_text() == "a chart"


def test_damaged_compiled_templates_mean_compiling_again_never_an_error(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    # New processes: one keeps its compiled templates in memory between builds.
    kb = [sys.executable, "-m", "kbcli", "--kb", str(root), "--today", TODAY, "build"]
    assert subprocess.run([*kb, "--no-search", "--out", str(out)], check=False).returncode == 0
    compiled = sorted((root / ".kb").glob("jinja-*/*.jinja"))
    assert compiled, "compiled templates are kept for the next kb build"
    for damage in (b"", b"garbage", compiled[0].read_bytes()[:20]):
        for each in compiled:
            each.write_bytes(damage)
        kb_repo.write("billing/tax.md", card("Tax", f"Tax rules, {len(damage)}.", tags="tax"))
        built = subprocess.run([*kb, "--no-search", "--out", str(out)], check=False)
        assert built.returncode == 0
        shutil.rmtree(fresh, ignore_errors=True)
        build(root, fresh)
        assert _bytes(out) == _bytes(fresh)


def test_kept_last_edit_facts_follow_the_roster_and_new_commits(kb_repo: KbRepo) -> None:
    # A fresh kb build takes the cards' last-edit facts from the last build while the
    # history's tip and the roster are the same; a roster change or a commit is seen.
    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    build(root, out)
    assert "by Ana Souza</dd>" in (out / "billing/tax.html").read_text(encoding="utf-8")
    (root / "people.yaml").write_text(
        "ana:\n  name: Ana S. Ribeiro\n  emails: [ana@example.test]\n"
    )
    build(root, out)
    assert "by Ana S. Ribeiro</dd>" in (out / "billing/tax.html").read_text(encoding="utf-8")
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules, edited.", tags="tax"))
    kb_repo.commit("edit", when="2026-11-11T09:00:00Z", author="Bo Lund", email="bo@example.test")
    build(root, out)
    assert "by Bo Lund</dd>" in (out / "billing/tax.html").read_text(encoding="utf-8")
    build(root, fresh)
    assert _bytes(out) == _bytes(fresh)


def test_kept_summary_digests_follow_the_roster_and_the_day(kb_repo: KbRepo) -> None:
    """kb build keeps each card summary's digest with what the summary was made of (the
    card's bytes, language, trust; options and roster for all) so that unchanged cards'
    summaries are not hashed again. Unchanged bytes with a renamed owner or a later day
    still change the summaries, and every page that lists them is written again."""
    root = repo(kb_repo).path
    out, fresh = root.parent / "site", root.parent / "fresh"
    kb_repo.write("billing/tax.md", card("Tax", "Tax rules.", tags="tax", owner="ana"))
    kb_repo.write("people.yaml", "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n")
    build(root, out)
    assert "Ana Souza" in (out / "tags/tax.html").read_text(encoding="utf-8")
    kb_repo.write("people.yaml", "ana:\n  name: Ana S. Ribeiro\n  emails: [ana@example.test]\n")
    build(root, out)
    assert "Ana S. Ribeiro" in (out / "tags/tax.html").read_text(encoding="utf-8")
    build(root, fresh)
    assert _bytes(out) == _bytes(fresh)
    shutil.rmtree(fresh)
    build(root, out, today=LATER)
    build(root, fresh, today=LATER)
    assert _bytes(out) == _bytes(fresh)
