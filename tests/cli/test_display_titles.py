"""Titles written for a site that renders HTML (the 18F handbook's ``<em>`` and ``&amp;``)
read as their words on every surface, while the title as written still finds the card:
a wiki link by that title resolves, a search finds its words."""

from __future__ import annotations

import json

import pytest

from tests.helpers import KbRepo, make_repo, run_kb

TODAY = "2026-11-22"
AMP = "pages/logging-in.md"
EM = "pages/travel-first.md"
# A wiki link by the title as written (its label: the page's text, not the title's).
LINK = "See [[Logging in &amp; Networks|the network page]] first."
PEOPLE = "ana: {name: Ana Souza, emails: [ana@example.test]}\n"


def card(title: str, body: str, verified: str = "2026-11-01") -> str:
    return f"---\ntitle: {title}\nowner: ana\nverified_at: {verified}\n---\n\n{body}\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> KbRepo:
    kb = make_repo(tmp_path_factory.mktemp("kb") / "kb", people=PEOPLE)
    kb.write(AMP, card("Logging in &amp; Networks", "Connect to the office network with ENT."))
    expired = "2025-01-01"
    kb.write(EM, card("Travel for TTS <em>before</em> onboarding", "Book it in Concur.", expired))
    kb.write("pages/remote.md", card("Remote", LINK))
    kb.commit("cards", when="2026-11-01T09:00:00Z", author="Ana Souza", email="ana@example.test")
    return kb


def kb(repo: KbRepo, *args: str) -> str:
    result = run_kb("--today", TODAY, *args, cwd=repo.path)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


SHOWN = {AMP: "Logging in & Networks", EM: "Travel for TTS before onboarding"}
RAW = ("&amp;", "<em>", "&lt;em")


def test_the_terminal_commands_show_the_words(repo: KbRepo) -> None:
    listed = kb(repo, "list")
    shown = kb(repo, "show", EM) + kb(repo, "show", AMP)
    searched = kb(repo, "search", "networks") + kb(repo, "search", "before onboarding")
    for text in (listed, shown, searched):
        assert all(title in text for title in SHOWN.values()), text
        assert not any(raw in text for raw in RAW), text
    hits = json.loads(kb(repo, "search", "before", "--json"))
    assert [h["title"] for h in hits if h["path"] == EM] == [SHOWN[EM]]  # found by its title
    listed_json = {c["path"]: c["title"] for c in json.loads(kb(repo, "list", "--json"))}
    assert {p: listed_json[p] for p in SHOWN} == SHOWN


def test_reports_and_checks_show_the_words_and_the_title_link_resolves(repo: KbRepo) -> None:
    checked = json.loads(kb(repo, "check", "--format", "json"))
    assert not [f for f in checked["findings"] if f["rule"] == "broken-link"]  # raw title links
    titles = {p: c["title"] for p, c in checked["cards"].items() if p in SHOWN}
    assert all(titles[p] == SHOWN[p] for p in titles)
    report = kb(repo, "report", "--json") + kb(repo, "report", "--format", "markdown")
    assert report.count(SHOWN[EM]) >= 2, report  # expired: on its owner's to-do, in both
    assert not any(raw in report for raw in RAW)


def test_the_handbook_escapes_the_words_once_and_injects_no_html(repo: KbRepo) -> None:
    out = repo.path.parent / "site"
    kb(repo, "build", "--no-search", "--out", str(out))
    page = (out / "pages" / "logging-in.html").read_text(encoding="utf-8")
    assert "<title>Logging in &amp; Networks ·" in page
    assert '<h1 id="card-title" data-pagefind-meta="title">Logging in &amp; Networks</h1>' in page
    site = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "&amp;amp;" not in site and "&lt;em&gt;" not in site
    assert "<em>before</em>" not in site
    assert ">Travel for TTS before onboarding</a>" in site  # the lists
    remote = (out / "pages" / "remote.html").read_text(encoding="utf-8")
    assert 'href="logging-in.html"' in remote  # the link by the title as written
