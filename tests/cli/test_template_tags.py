"""Docs written for a static-site generator (Eleventy, Jekyll, Hugo) adopted by kb: their
template tags are links kb follows, a finding kb names once per card, and words a reader
sees; never a broken link named '{%'. Real git repos, the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KbRepo, make_repo, run_kb

TODAY = "2026-11-22"
KB_TOML = '[cards]\nfolders = ["pages"]\n'

PER_DIEM = """---
title: Per diem
---
## Rates

Daily rates.
"""
SLACK = """---
title: Slack
redirect_from:
  - /slack/
---
Our chat.
"""
# Line numbers below are file lines: the header is 3 lines.
GUIDE = """---
title: Travel guide
---
Read [per diem]({% page "/travel/per-diem/#rates" %}) first.
Then [the chat][chat], or [the base]({{ site.baseurl }}/travel/per-diem/).
For questions, ask in {% slack_channel "travel-help" %} today.
See [gone]({% link pages/nope.md %}) and [no heading]({% page "/travel/per-diem/#nope" %}).
In code `{% page "/nowhere/" %}` is text.

[chat]: {% page "/slack/" %}
"""


def docs(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", kb_toml=KB_TOML)
    repo.write("pages/travel/per-diem.md", PER_DIEM)
    repo.write("pages/tools/slack.md", SLACK)
    repo.write("pages/guide.md", GUIDE)
    repo.commit("import the handbook")
    return repo


def check(repo: KbRepo) -> list[dict[str, object]]:
    result = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return [f for f in findings if f["path"] == "pages/guide.md"]


def test_link_tags_resolve_to_cards_and_only_real_breaks_are_reported(tmp_path: Path) -> None:
    found = check(docs(tmp_path))
    broken = [(f["line"], f["message"]) for f in found if f["rule"] == "broken-link"]
    assert not any("'{%'" in str(m) or "{% leads to" in str(m) for _, m in broken), broken
    # The page, ref-definition and base-URL forms lead to their cards; the generator's
    # own link tag to a missing page and the missing heading are the two broken links.
    assert [line for line, _ in broken] == [7, 7], broken
    assert "pages/nope.md" in str(broken[0][1]) and "no card's path" in str(broken[0][1])
    assert "#nope" in str(broken[1][1])


def test_tags_kb_does_not_render_are_one_finding_per_card_with_lines(tmp_path: Path) -> None:
    found = [f for f in check(docs(tmp_path)) if f["rule"] == "template-tag"]
    assert len(found) == 1, found
    finding = found[0]
    assert finding["line"] == 4 and finding["severity"] == "warning"
    message = str(finding["message"])
    assert "template tags kb does not render" in message
    assert "slack_channel (line 6)" in message
    assert "link (line 7)" in message
    assert "/nowhere/" not in message and "page x3 (lines 4, 7, 10)" in message
    # the three page tags and the base-URL expression lead to cards: kb adopt's business
    assert "4 are links to cards" in message


def test_a_snippet_shows_a_tag_as_its_words(tmp_path: Path) -> None:
    repo = docs(tmp_path)
    result = run_kb("--today", TODAY, "search", "questions", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    snippet = next(h["snippet"] for h in hits if h["path"] == "pages/guide.md")
    assert "ask in slack channel travel-help today" in snippet


def test_a_page_shows_link_tags_as_links_and_other_tags_as_their_words(tmp_path: Path) -> None:
    repo = docs(tmp_path)
    out = tmp_path / "site"
    result = run_kb("--today", TODAY, "build", "--no-search", "--out", str(out), cwd=repo.path)
    assert result.exit_code == 0, result.output
    page = (out / "pages/guide.html").read_text(encoding="utf-8")
    assert 'href="travel/per-diem.html#rates"' in page  # {% page "/travel/per-diem/#rates" %}
    assert 'href="tools/slack.html"' in page  # [chat]: {% page "/slack/" %} via redirect_from
    assert "ask in slack channel travel-help today" in page
    assert "slack_channel" not in page and "{% page" not in page.replace("<code>{% page", "")
    assert "<span" in page and ">gone</" in page  # the generator's link tag to no page


def test_a_tag_escaped_out_of_a_link_shows_the_path_and_an_unknown_target_its_text(
    tmp_path: Path,
) -> None:
    repo = docs(tmp_path)
    repo.write(
        "pages/more.md",
        '---\ntitle: More\n---\nThe \\[Promotions page]({% page "/promotions" %}) and '
        '[the form]({% download "downloads/form.pdf" %}).\n',
    )
    repo.commit("more")
    out = tmp_path / "site"
    result = run_kb("--today", TODAY, "build", "--no-search", "--out", str(out), cwd=repo.path)
    assert result.exit_code == 0, result.output
    page = (out / "pages/more.html").read_text(encoding="utf-8")
    assert "The [Promotions page](/promotions) and the form." in page
