"""kb build: pages, trust on every page, incremental rebuilds, overrides, the public audience."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import KbRepo, copy_example, git, run_kb

TODAY = "2026-11-22"

CARD = """---
title: {title}
owner: {owner}
verified_at: {verified}
tags: [{tags}]
audience: {audience}
---
{body}
"""


def card(
    title: str,
    body: str = "Body.",
    *,
    owner: str = "ana",
    verified: str = "2026-11-01",
    tags: str = "billing",
    audience: str = "internal",
) -> str:
    return CARD.format(
        title=title, owner=owner, verified=verified, tags=tags, audience=audience, body=body
    )


def build(root: Path, *args: str) -> tuple[Path, str, str]:
    out = root.parent / f"{root.name}-site"
    result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return out, result.stdout, result.stderr


def written(stdout: str) -> int:
    match = re.search(r"\((\d+) written", stdout)
    assert match, stdout
    return int(match.group(1))


@pytest.fixture
def small_kb(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("billing/refunds.md", card("Refunds", "See [[Invoices]] and [bad](nope.md)."))
    kb_repo.write("billing/invoices.md", card("Invoices", "Download them.", verified="2025-01-01"))
    kb_repo.write("billing/tax.md", card("Tax", "Links to [refunds](refunds.md#how)."))
    kb_repo.commit("cards", when="2026-11-02T09:00:00Z", author="Ana Souza")
    return kb_repo


def test_card_page_shows_trust_owner_tags_backlinks_and_last_edit(small_kb: KbRepo) -> None:
    (small_kb.path / "kb.toml").write_text(
        '[handbook]\nrepo_url = "https://github.com/acme/kb"\n', encoding="utf-8"
    )
    out, _, _ = build(small_kb.path)
    page = (out / "billing/invoices.html").read_text(encoding="utf-8")
    assert 'data-trust="expired"' in page
    assert "Expired" in page
    assert 'href="../owners/ana.html"' in page
    assert 'href="../tags/billing.html"' in page
    assert "Linked from" in page and 'href="../billing/refunds.html">Refunds</a>' in page
    assert "2026-11-02" in page and "Ana Souza" in page  # last edit, from git
    assert 'href="https://github.com/acme/kb/edit/main/billing/invoices.md"' in page
    tax = (out / "billing/tax.html").read_text(encoding="utf-8")
    assert 'href="refunds.html#how"' in tax
    assert '<html lang="en" dir="ltr">' in tax


def test_broken_links_are_reported_with_file_and_line(small_kb: KbRepo) -> None:
    _, _, stderr = build(small_kb.path)
    assert "billing/refunds.md:8: broken link 'nope.md'" in stderr
    strict = run_kb("--kb", str(small_kb.path), "--today", TODAY, "build", "--strict")
    assert strict.exit_code == 1


def test_a_heading_with_its_own_id_shows_its_text_and_takes_links(kb_repo: KbRepo) -> None:
    """Handbooks written for Jekyll, Hugo or Eleventy give headings ids as
    ``## Set up {#setup-phase}``: the reader must not see the braces, and links to
    ``#setup-phase`` are not broken."""
    phases = "- [Set up](#setup-phase)\n\n## Set up {#setup-phase}\n\nFirst steps.\n"
    kb_repo.write("engagements.md", card("Engagements", phases))
    kb_repo.write("kickoff.md", card("Kickoff", "Read [set up](engagements.md#setup-phase)."))
    kb_repo.commit("cards")
    out, _, stderr = build(kb_repo.path)
    assert "broken link" not in stderr
    page = (out / "engagements.html").read_text(encoding="utf-8")
    assert '<h2 id="setup-phase">Set up</h2>' in page
    assert "{#" not in page
    check = run_kb("--kb", str(kb_repo.path), "--today", TODAY, "check")
    assert "setup-phase" not in check.output, check.output


def test_the_outline_of_a_card_whose_sections_are_all_level_three_is_not_empty(
    kb_repo: KbRepo,
) -> None:
    """A card with sections but no ``##`` heading (six 18F pages) showed an empty "On this
    page" box: the outline lists its top level instead."""
    sections = "### Before you travel\n\nA.\n\n### On the road\n\nB.\n\n### After\n\nC.\n"
    kb_repo.write("travel.md", card("Travel", sections))
    kb_repo.write("plain.md", card("Plain", "Just a paragraph.\n"))
    kb_repo.commit("cards")
    out, _, _ = build(kb_repo.path)
    page = (out / "travel.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S)
    assert toc is not None
    assert re.findall(r'<a href="#([^"]+)">', toc.group(0)) == [
        "before-you-travel",
        "on-the-road",
        "after",
    ]
    assert 'class="toc"' not in (out / "plain.html").read_text(encoding="utf-8")


def test_a_liquid_comment_is_hidden_from_readers_but_kept_in_code(kb_repo: KbRepo) -> None:
    """Jekyll and Eleventy handbooks hide notes to authors in ``{% comment %}``: a public
    help center must not show them, nor report the links inside them as broken."""
    body = (
        "- Kick off {% comment %}TODO [ask legal](legal-notes.md){% endcomment %}\n"
        "\n{% comment %}\nInternal: renewal price is 40k\n{% endcomment %}\nAfter.\n"
        "\n```liquid\n{% comment %}shown in code{% endcomment %}\n```\n"
    )
    kb_repo.write("kickoff.md", card("Kickoff", body, audience="public"))
    kb_repo.commit("cards")
    out, _, stderr = build(kb_repo.path, "--audience", "public")
    page = (out / "kickoff.html").read_text(encoding="utf-8")
    assert "TODO" not in page and "renewal price" not in page
    assert "<li>Kick off</li>" in page and "After." in page
    assert "shown in code" in page
    assert "legal-notes.md" not in stderr
    check = run_kb("--kb", str(kb_repo.path), "--today", TODAY, "check")
    assert "legal-notes" not in check.output, check.output


def test_a_public_build_with_no_public_card_says_so(small_kb: KbRepo) -> None:
    """18F's pages are all internal: its public build was an empty help center, in silence."""
    _, _, stderr = build(small_kb.path, "--audience", "public")
    assert "no card is in the public site (3 cards, none published with 'audience: public')" in (
        " ".join(stderr.split())
    )
    small_kb.write("billing/tax.md", card("Tax", "Links to refunds.", audience="public"))
    small_kb.commit("tax is public", when="2026-11-03T09:00:00Z", author="Ana Souza")
    _, stdout, stderr = build(small_kb.path, "--audience", "public")
    assert "no card is in the public site" not in stderr and written(stdout) > 0
    _, _, stderr = build(small_kb.path)  # an internal build never says it
    assert "no card is in the public site" not in stderr


def test_home_tag_owner_and_health_pages(small_kb: KbRepo) -> None:
    out, _, _ = build(small_kb.path)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Most urgent" in home and "Invoices" in home
    assert re.search(r"67%</span>\s*<span class=\"stat-label\">trust score", home)
    tag = (out / "tags/billing.html").read_text(encoding="utf-8")
    assert tag.count('class="card-row"') == 3
    owner = (out / "owners/ana.html").read_text(encoding="utf-8")
    assert "Needs attention (1)" in owner
    health = (out / "health.html").read_text(encoding="utf-8")
    assert "<svg" in health and ("<polyline" in health or "<circle" in health)
    assert "<script" not in health.split("</main>")[0]  # the chart needs no JavaScript
    assert "expired" in health and "billing/invoices.md" in health
    assert (out / "404.html").is_file()
    assert (out / "pagefind/pagefind.js").is_file()


def test_unchanged_build_writes_nothing_and_one_edit_rewrites_few_pages(small_kb: KbRepo) -> None:
    out, first, _ = build(small_kb.path, "--no-search")
    assert written(first) > 5
    _, again, _ = build(small_kb.path, "--no-search")
    assert written(again) == 0 and "0 bodies rendered" in again
    small_kb.write("billing/tax.md", card("Tax", "Links to [refunds](refunds.md#how). Edited."))
    _, edited, _ = build(small_kb.path, "--no-search")
    assert "1 body rendered" in edited
    assert written(edited) == 1  # the card page; its title and badge did not change
    assert "Edited." in (out / "billing/tax.html").read_text(encoding="utf-8")


def test_a_retitled_link_target_rerenders_the_cards_that_link_to_it(small_kb: KbRepo) -> None:
    build(small_kb.path, "--no-search")
    (small_kb.path / "billing/invoices.md").unlink()
    small_kb.write("billing/downloads.md", card("Invoice downloads", "Download them."))
    out, stdout, stderr = build(small_kb.path, "--no-search")
    # refunds.md links [[Invoices]]: that link is now broken, so its body is rendered again
    # (with the new card's body: 2), and the old page is gone.
    assert "2 bodies rendered" in stdout
    assert "billing/refunds.md:8: broken link 'Invoices'" in stderr
    assert not (out / "billing/invoices.html").exists()
    assert 'class="broken-link"' in (out / "billing/refunds.html").read_text(encoding="utf-8")


def test_repo_templates_override_and_extend_the_default(small_kb: KbRepo) -> None:
    small_kb.write(
        "templates/handbook/card.html",
        '{% extends "default:card.html" %}\n'
        '{% block footer %}<p class="house">Ask #support-kb</p>{{ super() }}{% endblock %}\n',
    )
    out, _, _ = build(small_kb.path, "--no-search")
    page = (out / "billing/tax.html").read_text(encoding="utf-8")
    assert '<p class="house">Ask #support-kb</p>' in page and "trust as of" in page
    small_kb.write(
        "templates/handbook/_badge.html",
        "{% macro badge(trust) %}<b>{{ trust.state|upper }}</b>{% endmacro %}",
    )
    _, stdout, _ = build(small_kb.path, "--no-search")
    assert written(stdout) > 3  # a template change re-renders the pages that use it
    assert "<b>EXPIRED</b>" in (out / "billing/invoices.html").read_text(encoding="utf-8")


def test_a_template_error_is_one_clear_sentence(small_kb: KbRepo) -> None:
    small_kb.write("templates/handbook/tag.html", "{% block content %}{{ nope.x }}")
    out = small_kb.path.parent / "site"
    result = run_kb("--kb", str(small_kb.path), "build", "--out", str(out), "--no-search")
    assert result.exit_code == 2
    assert "tag.html" in result.stderr and "Traceback" not in result.stderr


def test_build_refuses_to_write_into_the_repo(small_kb: KbRepo) -> None:
    result = run_kb("--kb", str(small_kb.path), "build", "--out", str(small_kb.path))
    assert result.exit_code == 2
    assert "would overwrite the knowledge repo" in result.stderr
    assert (small_kb.path / "billing/refunds.md").is_file()


def test_build_refuses_an_out_path_that_is_a_file(small_kb: KbRepo) -> None:
    card = small_kb.path / "billing/refunds.md"
    before = card.read_bytes()
    result = run_kb("--kb", str(small_kb.path), "build", "--out", str(card), "--no-search")
    assert result.exit_code == 2
    assert "is a file" in result.stderr and "Traceback" not in result.stderr
    assert card.read_bytes() == before


def test_works_outside_git_and_leaves_git_facts_out(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "kb")
    out, stdout, _ = build(root, "--no-search", "--no-related")
    page = (out / "billing/refund-request-processing.html").read_text(encoding="utf-8")
    assert "Last edit" not in page
    assert "Only today's score" in (out / "health.html").read_text(encoding="utf-8")
    listed = run_kb("--kb", str(root), "list", "--status", "published", "--json")
    published = len(json.loads(listed.stdout))
    assert f"{published} cards" in stdout  # drafts and archived cards stay out


def _all_bytes(out: Path) -> dict[str, bytes]:
    """Every output file's bytes, Pagefind's gzip-compressed index fragments decompressed."""
    found = {}
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            found[path.relative_to(out).as_posix()] = data
    return found


MARKER = "Zqxv7Secret"


def test_public_build_leaks_no_internal_text_anywhere(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "kb")
    (root / "billing/zz-internal.md").write_text(
        card(
            f"{MARKER} title",
            f"{MARKER}-body text, see [[Processing a refund request]].",
            owner=f"{MARKER.lower()}owner",
            tags=f"{MARKER.lower()}tag",
        ),
        encoding="utf-8",
    )
    (root / "billing/zz-public.md").write_text(
        card(
            "Public card",
            "Read [our process](zz-internal.md) and [[Processing a refund request]].",
            audience="public",
        ),
        encoding="utf-8",
    )
    KbRepo(root)  # not a git repo: facts must still not leak
    out, _, _ = build(root, "--audience", "public")
    files = _all_bytes(out)
    assert any(name.startswith("pagefind/fragment/") for name in files)
    internal = [
        c.removesuffix(".md") + ".html"
        for c in (p.relative_to(root).as_posix() for p in root.rglob("*.md"))
        if "audience: public" not in (root / c).read_text(encoding="utf-8")
    ]
    emails = re.findall(r"[\w.]+@nimbus\.example", (root / "people.yaml").read_text())
    assert emails
    for name, data in files.items():
        text = data.decode("utf-8", "replace")
        assert MARKER.lower() not in text.lower(), f"internal marker leaked into {name}"
        assert not any(e in text for e in emails), f"owner email in {name}"
        for page in internal:
            assert page not in name, f"internal page {page} was built"
            assert f"/{page}" not in text and f'"{page}' not in text, f"link to {page} in {name}"
    assert "health.html" not in files and "owners/index.html" not in files
    public = files["billing/zz-public.html"].decode()
    assert "Read our process and Processing a refund request." in re.sub(r"<[^>]+>", "", public)


def test_a_public_build_refuses_a_folder_holding_pages_no_build_of_it_wrote(
    small_kb: KbRepo,
) -> None:
    """An internal site copied into the public build's folder (or one whose build state is
    gone) would be published and indexed with the public pages: the build refuses, writes
    nothing, and says why. A public build over the folder's own internal build is fine:
    kb knows those pages and removes them."""
    root = small_kb.path
    internal, _, _ = build(root)
    public = root.parent / "public-site"
    shutil.copytree(internal, public)
    before = sorted(p.relative_to(public).as_posix() for p in public.rglob("*"))
    refused = run_kb(
        "--kb", str(root), "--today", TODAY, "build", "--out", str(public), "--audience", "public"
    )
    assert refused.exit_code == 2, refused.output
    assert "kb has no record of writing" in refused.output
    assert "before kb was upgraded" in refused.output
    assert "build into an empty folder" in refused.output
    assert "Traceback" not in refused.output
    assert sorted(p.relative_to(public).as_posix() for p in public.rglob("*")) == before
    out, _, _ = build(root, "--audience", "public")  # over the folder's own internal build
    assert out == internal and not (out / "billing" / "invoices.html").exists()
    assert not (out / "owners").exists() and not (out / "billing").exists()  # no empty folders


def test_a_card_turned_internal_disappears_from_the_next_public_build(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "kb")
    out, _, _ = build(root, "--audience", "public", "--no-search")
    target = root / "accounts/reset-password.md"
    assert (out / "accounts/reset-password.html").is_file()
    target.write_text(
        target.read_text(encoding="utf-8").replace("audience: public", "audience: internal"),
        encoding="utf-8",
    )
    _, stdout, _ = build(root, "--audience", "public", "--no-search")
    assert not (out / "accounts/reset-password.html").exists()
    assert "removed" in stdout


def test_example_kb_in_git_shows_history_on_cards(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "kb")
    git(root, "init", "-q", "-b", "main")
    KbRepo(root).commit("import", when="2026-11-20T10:00:00Z", author="Priya Raman",
                        email="priya@nimbus.example")  # fmt: skip
    out, _, _ = build(root, "--no-search", "--no-related")
    page = (out / "accounts/saml-sso-setup.html").read_text(encoding="utf-8")
    assert "2026-11-20" in page and "Priya Raman" in page
    he = (out / "accounts/he-reset-password.html").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in he


def test_a_page_without_lang_is_marked_with_its_detected_language(kb_repo: KbRepo) -> None:
    """Pagefind indexes each page with its ``<html lang>`` stemmer: a Russian card in an
    English repo is detected as Russian, as search detects it, not left as the default."""
    repo = kb_repo
    repo.write(
        "billing/backup.md",
        card(
            "Резервное копирование",
            body="Как сделать резервную копию базы данных: остановите службу, скопируйте "
            "каталог с данными и проверьте, что архив открывается. Это нужно делать "
            "каждую неделю, ещё до обновления.",
        ),
    )
    repo.commit("add")
    out, _, _ = build(repo.path, "--no-search", "--no-related")
    page = (out / "billing/backup.html").read_text(encoding="utf-8")
    assert '<html lang="ru" dir="ltr">' in page

    # The detected languages are kept for the next build; a damaged file means
    # detecting again, never a page without its language.
    kept = repo.path / ".kb" / "languages.marshal"
    assert kept.is_file()
    for damage in (b"\x00garbage", kept.read_bytes()[:-7]):
        kept.write_bytes(damage)
        shutil.rmtree(out)
        build(repo.path, "--no-search", "--no-related")
        page = (out / "billing/backup.html").read_text(encoding="utf-8")
        assert '<html lang="ru" dir="ltr">' in page


def test_two_builds_of_the_same_repo_are_byte_identical(small_kb: KbRepo) -> None:
    """Each build in its own process: nh3's forced attributes used to come in hash order."""
    import subprocess
    import sys

    small_kb.write(
        "billing/checklist.md",
        card("Checklist", "- [x] done\n- [ ] todo\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n"),
    )
    small_kb.commit("checklist", when="2026-11-03T09:00:00Z")
    sites = []
    for n in (1, 2, 3):
        out = small_kb.path.parent / f"site-{n}"
        args = ["--kb", str(small_kb.path), "--today", TODAY, "build", "--no-search"]
        command = [sys.executable, "-m", "kbcli", *args, "--out", str(out)]
        subprocess.run(command, check=True, capture_output=True)
        sites.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert sites[0] == sites[1] == sites[2]
    assert b'disabled="disabled" type="checkbox"' in sites[0][Path("billing/checklist.html")]


def test_a_site_rendered_by_a_worker_process_equals_one_rendered_in_one(kb_repo: KbRepo) -> None:
    """Enough cards for the bodies to go to a worker process (the links are resolved in
    this one meanwhile): the same pages and the same broken links as with ``--jobs 1``."""
    for n in range(170):
        body = f"Step {n}. See [[Card {(n + 1) % 170}]], [gone](gone-{n}.md) and [x](#nowhere)."
        kb_repo.write(f"many/card-{n:03}.md", card(f"Card {n}", body, tags=f"t{n % 7}"))
    kb_repo.commit("many cards", when="2026-11-02T09:00:00Z", author="Ana Souza")
    sites, reports = [], []
    for jobs in ("1", "2"):
        out = kb_repo.path.parent / f"site-jobs-{jobs}"
        args = ["build", "--out", str(out), "--no-search", "--jobs", jobs]
        result = run_kb("--kb", str(kb_repo.path), "--today", TODAY, *args)
        assert result.exit_code == 0, result.output
        sites.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
        reports.append(sorted(line for line in result.stderr.splitlines() if "gone-" in line))
    assert sites[0] == sites[1]
    assert len(reports[0]) == 170 and reports[0] == reports[1]
    page = sites[1][Path("many/card-005.html")].decode()
    assert 'href="card-006.html"' in page and "broken link: gone-5.md" in page
