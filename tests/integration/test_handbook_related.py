"""Related cards in the handbook: on by default, the same on every build, audience-safe."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import KbRepo, make_repo, run_kb
from tests.integration.test_handbook_build import build, card


def related_on(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    section = re.search(r'<section aria-labelledby="related-h">(.*?)</section>', html, re.S)
    links = re.findall(r'href="([^"]+\.html)"', section.group(1)) if section else []
    return [link for link in links if "/owners/" not in link]


def repo(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("billing/refunds.md", card("Refunds", "Refund a Stripe charge within 30 days."))
    kb_repo.write("billing/chargebacks.md", card("Chargebacks", "A Stripe charge disputed."))
    kb_repo.write("billing/secret.md", card("Stripe keys", "Rotate Stripe charge keys."))
    kb_repo.write(
        "billing/public.md", card("Public refunds", "Stripe charge refunds.", audience="public")
    )
    kb_repo.write("accounts/password.md", card("Password", "Reset it by email.", tags="login"))
    kb_repo.commit("cards", when="2026-11-02T09:00:00Z", author="Ana Souza")
    return kb_repo


def test_related_cards_are_on_by_default_and_identical_between_builds(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out, _, _ = build(root, "--no-search")
    first = {p.name: related_on(p) for p in sorted((out / "billing").glob("*.html"))}
    assert "chargebacks.html" in " ".join(first["refunds.html"])
    shutil.rmtree(out)
    shutil.rmtree(root / ".kb")
    out, _, _ = build(root, "--no-search")
    assert {p.name: related_on(p) for p in sorted((out / "billing").glob("*.html"))} == first


def test_a_new_build_folder_takes_kept_counts_only_for_unchanged_cards(kb_repo: KbRepo) -> None:
    """Every card's term counts are kept in .kb/ apart from the build folder's state: a
    build after ``.kb/handbook`` is gone lists the same cards, an edited card's new words
    count (never its counts kept under the old text), and a damaged file is analysed
    again to the same lists."""
    root = repo(kb_repo).path
    handbook = root / ".kb" / "handbook"
    kept = root / ".kb" / "card-terms.marshal"

    def fresh_lists() -> dict[str, list[str]]:
        shutil.rmtree(handbook, ignore_errors=True)
        shutil.rmtree(root.parent / f"{root.name}-site", ignore_errors=True)
        out, _, _ = build(root, "--no-search")
        return {p.name: related_on(p) for p in sorted((out / "billing").glob("*.html"))}

    first = fresh_lists()
    assert kept.is_file()
    assert fresh_lists() == first
    assert not any("password" in link for link in first["refunds.html"])
    kb_repo.write(
        "accounts/password.md", card("Password", "Refund a Stripe charge by email.", tags="login")
    )
    kb_repo.commit("password", when="2026-11-03T09:00:00Z", author="Ana Souza")
    edited = fresh_lists()
    assert any("password" in link for link in edited["refunds.html"])
    damaged = bytearray(kept.read_bytes())
    damaged[-3] ^= 0xFF
    kept.write_bytes(bytes(damaged))
    assert fresh_lists() == edited


def test_a_public_build_never_lists_an_internal_card_as_related(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out, _, _ = build(root, "--no-search", "--audience", "public")
    assert not (out / "billing/secret.html").exists()
    listed = [link for page in out.rglob("*.html") for link in related_on(page)]
    internal = ("secret.html", "/refunds.html", "chargebacks.html")
    assert not any(link.endswith(internal) for link in listed)


def test_no_related_leaves_the_section_out(kb_repo: KbRepo) -> None:
    root = repo(kb_repo).path
    out, _, _ = build(root, "--no-search", "--no-related")
    assert related_on(out / "billing/refunds.html") == []


def test_kb_related_lists_what_the_handbook_lists(example_kb: Path) -> None:
    """One notion of "related": the command shows each card's handbook list, translations
    (depends_on links) first, the same cards in the same order."""
    out, _, _ = build(example_kb, "--no-search")
    compared = 0
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).with_suffix(".md")
        if not (example_kb / rel).is_file():
            continue  # tag, owner and index pages
        listed = [
            (page.parent / link).resolve().relative_to(out.resolve()).with_suffix(".md").as_posix()
            for link in related_on(page)
        ]
        shown = run_kb("--kb", str(example_kb), "related", rel.as_posix(), "--paths-only")
        assert shown.stdout.split() == listed, rel
        compared += 1
    assert compared >= 40
    password = run_kb("--kb", str(example_kb), "related", "accounts/reset-password.md", "-l")
    assert {"accounts/ru-reset-password.md", "accounts/he-reset-password.md"} == set(
        password.stdout.split()[:2]
    )


def test_with_meaning_vectors_related_cards_are_those_about_the_same_thing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After kb index made vectors (the real model of kbcli[semantic]), the handbook and
    kb related list by meaning: a card sharing no word with "Wage timing" comes
    first. An edit not yet indexed means relating by words again, never stale vectors."""
    from tests.integration.test_semantic import CARDS, OTHERS, _card

    monkeypatch.delenv("KB_SEARCH_SEMANTIC")  # the suite turns it off for every other test
    kb = make_repo(tmp_path / "kb")
    for rel, (title, body) in {**CARDS, **OTHERS}.items():
        kb.write(rel, _card(title, body))
    kb.write("hr/wages.md", _card("Wage timing", "Staff earnings reach bank accounts late.\n"))
    kb.commit("cards")
    out, _, _ = build(kb.path, "--no-search")
    assert "payroll.html" not in " ".join(related_on(out / "hr/wages.html"))  # no shared word
    indexed = run_kb("--kb", str(kb.path), "index")
    assert indexed.exit_code == 0, indexed.output
    out, _, _ = build(kb.path, "--no-search")
    first = related_on(out / "hr/wages.html")
    assert first[0].endswith("hr/payroll.html")
    shown = run_kb("--kb", str(kb.path), "related", "hr/wages.md", "--paths-only")
    assert shown.stdout.split()[0] == "hr/payroll.md"
    shutil.rmtree(out)
    out, _, _ = build(kb.path, "--no-search")
    assert related_on(out / "hr/wages.html") == first  # identical between builds
    kb.write("hr/wages.md", _card("Wage timing", "Earnings reach bank accounts late.\n"))
    out, _, _ = build(kb.path, "--no-search")
    assert "payroll.html" not in " ".join(related_on(out / "hr/wages.html"))
