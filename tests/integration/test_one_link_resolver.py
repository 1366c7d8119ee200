"""kb check and kb build judge links with one resolver and one slug: the same broken set.

Each case here was a disagreement between the two before they shared the resolver.
"""

from __future__ import annotations

import json
import re

from tests.helpers import KbRepo, run_kb

TODAY = "2026-11-22"
HEADER = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n---\n"
ALPHA = (
    HEADER.format(title="Alpha")
    + "## Straße prüfen: Schritte\n\n"  # line 6
    + "Read [the steps](#straße-prüfen-schritte) and [[Beta#Refund steps]].\n"  # line 8: fine
    + "See [[Beta#Missing heading]].\n"  # line 9: broken heading in a wikilink
    + "A [[mirror]](https://mirror.example/x) and ![chart](img/nope.png).\n"  # 10: image broken
    + "Jump to [nowhere](#nope).\n"  # line 11: broken anchor
)
BETA = HEADER.format(title="Beta") + "## Refund steps\n\nText.\n"


def test_check_and_build_report_the_same_broken_links(kb_repo: KbRepo) -> None:
    kb_repo.write("alpha.md", ALPHA)
    kb_repo.write("beta.md", BETA)
    kb_repo.commit("cards", when="2026-11-02T09:00:00Z")
    root = str(kb_repo.path)
    check = run_kb("--kb", root, "--today", TODAY, "check", "--format", "json")
    findings = json.loads(check.stdout)["findings"]
    checked = sorted((f["path"], f["line"]) for f in findings if f["rule"] == "broken-link")
    out = kb_repo.path.parent / "site"
    build = run_kb("--kb", root, "--today", TODAY, "build", "--out", str(out), "--no-search")
    assert build.exit_code == 0, build.output
    built = sorted(
        (m[0], int(m[1])) for m in re.findall(r"^(\S+):(\d+): broken link", build.stderr, re.M)
    )
    assert checked == built == [("alpha.md", 9), ("alpha.md", 10), ("alpha.md", 11)]
    page = (out / "alpha.html").read_text(encoding="utf-8")
    # The anchor kb check accepted is the id the page has (GitHub keeps ß; no casefold).
    assert 'id="straße-prüfen-schritte"' in page
    assert 'href="beta.html#refund-steps"' in page  # a wikilink heading becomes its slug
    # [[mirror]](url) is a markdown link whose text is "[mirror]", not a wikilink.
    assert '<a href="https://mirror.example/x" rel="noopener noreferrer">[mirror]</a>' in page


def test_a_title_written_for_html_and_its_shown_form_are_one_title(kb_repo: KbRepo) -> None:
    """18F writes titles for a site that renders HTML (``Logging in &amp; Networks``); every
    surface shows ``Logging in & Networks``, so a wikilink or ``kb show`` written that way
    finds the card, and a second card with the shown title makes the link ambiguous."""
    kb_repo.write("networks.md", HEADER.format(title="Logging in &amp; Networks") + "Text.\n")
    kb_repo.write("guide.md", HEADER.format(title="Guide") + "See [[Logging in & Networks]].\n")
    kb_repo.commit("cards", when="2026-11-02T09:00:00Z")
    root = str(kb_repo.path)

    def broken() -> list[str]:
        check = run_kb("--kb", root, "--today", TODAY, "check", "--format", "json")
        found = json.loads(check.stdout)["findings"]
        return [f["message"] for f in found if f["rule"] == "broken-link"]

    assert broken() == []
    shown = run_kb("--kb", root, "--today", TODAY, "show", "logging in & networks")
    assert shown.exit_code == 0 and "networks.md" in shown.output, shown.output
    kb_repo.write("twin.md", HEADER.format(title="Logging in & Networks") + "Other text.\n")
    kb_repo.commit("twin", when="2026-11-03T09:00:00Z")
    assert ["matches 2 cards (networks.md, twin.md)" in m for m in broken()] == [True]
