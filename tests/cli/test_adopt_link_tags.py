"""kb adopt over docs written for a site generator: link tags that name a card become
relative markdown links, planned first, written in a commit of their own, refused over
uncommitted work; the other tags stay and are counted. Real git repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbcli.core.link_rewrites import LinkRewrite, rewritten
from tests.helpers import KbRepo, git, make_repo, run_kb

TODAY = "2026-11-22"
KB_TOML = '[cards]\nfolders = ["pages"]\n\n[adopt]\nowner = "ana"\n'
PER_DIEM = "---\ntitle: Per diem\nowner: ana\n---\n## Rates\n\nDaily rates.\n"
SLACK = "---\ntitle: Slack\nowner: ana\nredirect_from:\n  - /slack/\n---\nOur chat.\n"
GUIDE = """# Travel guide

Read [per diem]({% page "/travel/per-diem/#rates" %}) first,
[Jekyll's]({% link pages/travel/per-diem.md %}), [Hugo's]({{< relref "per-diem" >}} "Per diem")
and [the base]({{ site.baseurl }}/travel/per-diem/).
Then [the chat][chat]. Ask in {% slack_channel "travel-help" %}; [gone]({% link pages/nope.md %}).
In code `{% page "/slack/" %}` is text.

[chat]: {% page "/slack/" %}
"""
GUIDE_AFTER = """# Travel guide

Read [per diem](travel/per-diem.md#rates) first,
[Jekyll's](travel/per-diem.md), [Hugo's](travel/per-diem.md "Per diem")
and [the base](travel/per-diem.md).
Then [the chat][chat]. Ask in {% slack_channel "travel-help" %}; [gone]({% link pages/nope.md %}).
In code `{% page "/slack/" %}` is text.

[chat]: tools/slack.md
"""
# Already a card (no front matter to add), so today's kb adopt leaves it alone.
FAQ = (
    "---\ntitle: FAQ\nowner: ana\ntags: [faq]\nstatus: published\n---\n"
    'See [rates]({% page "/travel/per-diem/" %}).\n'
)


def handbook(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", kb_toml=KB_TOML)
    repo.write("pages/travel/per-diem.md", PER_DIEM)
    repo.write("pages/tools/slack.md", SLACK)
    repo.write("pages/guide.md", GUIDE)
    repo.write("pages/faq/index.md", FAQ)
    repo.commit("import the handbook")
    return repo


def adopt(repo: KbRepo, *args: str):  # type: ignore[no-untyped-def]
    return run_kb("--today", TODAY, "adopt", *args, cwd=repo.path)


def test_the_plan_lists_each_link_tag_that_names_a_card_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    repo = handbook(tmp_path)
    result = adopt(repo, "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    rewrites = [(r["path"], r["line"], r["from"], r["to"]) for r in plan["link_rewrites"]]
    assert rewrites == [
        ("pages/faq/index.md", 7, '{% page "/travel/per-diem/" %}', "../travel/per-diem.md"),
        ("pages/guide.md", 3, '{% page "/travel/per-diem/#rates" %}', "travel/per-diem.md#rates"),
        ("pages/guide.md", 4, "{% link pages/travel/per-diem.md %}", "travel/per-diem.md"),
        ("pages/guide.md", 4, '{{< relref "per-diem" >}}', "travel/per-diem.md"),
        ("pages/guide.md", 5, "{{ site.baseurl }}/travel/per-diem/", "travel/per-diem.md"),
        ("pages/guide.md", 9, '{% page "/slack/" %}', "tools/slack.md"),
    ]
    # the Slack channel and the link tag to a page that does not exist stay
    assert plan["template_tags_left"] == 2
    assert git(repo.path, "status", "--porcelain") == ""  # a plan writes nothing


def test_apply_rewrites_only_the_destinations_in_a_commit_of_their_own(tmp_path: Path) -> None:
    repo = handbook(tmp_path)
    result = adopt(repo, "--apply", "--yes")
    assert result.exit_code == 0, result.output
    assert (repo.path / "pages/faq/index.md").read_text() == FAQ.replace(
        '{% page "/travel/per-diem/" %}', "../travel/per-diem.md"
    )
    subjects = git(repo.path, "log", "--format=%s", "-3").splitlines()
    assert subjects[1] == "Rewrite 6 site-generator link tag(s) as markdown links"
    assert subjects[0].startswith("Adopt ") and subjects[2] == "import the handbook"
    # the link commit changed bodies only; the adoption commit front matter only
    assert git(repo.path, "show", "HEAD~1:pages/guide.md") == GUIDE_AFTER
    assert git(repo.path, "show", "HEAD:pages/guide.md").endswith(GUIDE_AFTER)
    assert git(repo.path, "status", "--porcelain") == ""
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    findings = json.loads(check.stdout)["findings"]
    tags = [f["message"] for f in findings if f["rule"] == "template-tag"]
    assert (
        len(tags) == 1 and tags[0].startswith("2 template tags") and "links to cards" not in tags[0]
    )


def test_apply_refuses_a_file_with_uncommitted_work_and_writes_nothing(tmp_path: Path) -> None:
    repo = handbook(tmp_path)
    edited = FAQ + "A line not committed yet.\n"
    repo.write("pages/faq/index.md", edited)
    head = git(repo.path, "rev-parse", "HEAD")
    result = adopt(repo, "--apply", "--yes")
    assert result.exit_code == 2, result.output
    assert "pages/faq/index.md" in result.output and "not committed" in result.output
    assert (repo.path / "pages/faq/index.md").read_text() == edited
    assert (repo.path / "pages/guide.md").read_text() == GUIDE
    assert git(repo.path, "rev-parse", "HEAD") == head


def test_a_rewrite_keeps_every_other_byte_and_refuses_a_changed_file() -> None:
    text = 'a\r\n[x]({% page "/a/" %}) \u2028 [y]({% page "/b/" %})\r\n'
    edits = [
        LinkRewrite("p.md", 2, 5, '{% page "/a/" %}', "a.md"),
        LinkRewrite("p.md", 2, 29, '{% page "/b/" %}', "b.md"),
    ]
    assert rewritten(text, edits) == "a\r\n[x](a.md) \u2028 [y](b.md)\r\n"
    with pytest.raises(ValueError, match="no longer holds"):
        rewritten(text.replace("/a/", "/c/"), edits)
