"""kb adopt on docs shaped like other teams' repos: Hugo, Jekyll, Docusaurus, wikis, vaults.

Each test builds the shape in a real git repo and adopts it as the team would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KbRepo, git, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
bob: {name: Bob Stone, emails: [bob@example.test]}
"""


def adopt_plan(repo: KbRepo) -> dict[str, dict[str, object]]:
    result = run_kb("--today", TODAY, "adopt", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    return {row["path"]: row for row in json.loads(result.stdout)["files"]}


def shown_titles(repo: KbRepo) -> dict[str, str]:
    result = run_kb("--today", TODAY, "list", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    return {card["path"]: card["title"] for card in json.loads(result.stdout)}


def test_a_page_named_by_its_title_keeps_the_title_as_written(tmp_path: Path) -> None:
    """A GitHub wiki page or an Obsidian note has no heading: its file name is its title."""
    repo = make_repo(tmp_path / "wiki", people=PEOPLE)
    repo.write("History-of-18F.md", "Some history.\n")
    repo.write("Projects/API Keys at TTS.md", "Rotate them.\n")
    repo.commit("wiki", author="Ana Souza", email="ana@example.test")
    assert run_kb("adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    titles = shown_titles(repo)
    assert titles["History-of-18F.md"] == "History of 18F"
    assert titles["Projects/API Keys at TTS.md"] == "API Keys at TTS"
    assert "title: History of 18F\n" in (repo.path / "History-of-18F.md").read_text()


def test_a_draft_page_stays_a_draft_once_adopted(tmp_path: Path) -> None:
    """Hugo and Docusaurus ``draft: true``, Jekyll ``published: false``: not published."""
    repo = make_repo(tmp_path / "site", people=PEOPLE)
    repo.write("content/wip.md", "---\ntitle: WIP\ndraft: true\n---\n\nNot yet.\n")
    repo.write("about.md", "---\ntitle: About\npublished: false\n---\n\nHidden.\n")
    repo.write("done.md", "---\ntitle: Done\ndraft: false\n---\n\nOut.\n")
    repo.commit("site", author="Ana Souza", email="ana@example.test")
    rows = adopt_plan(repo)
    assert {path: "status" in row["adds"] for path, row in rows.items()} == {
        "content/wip.md": True,
        "about.md": True,
        "done.md": True,
    }
    assert run_kb("adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    assert "status: draft\n" in (repo.path / "content/wip.md").read_text()
    assert "status: draft\n" in (repo.path / "about.md").read_text()
    assert "status: published\n" in (repo.path / "done.md").read_text()


HUGO_PAGE = """+++
title = "Rotate API keys"
date = 2024-03-01T10:00:00+02:00
tags = ["security", "keys"]
aliases = ["/old/keys/"]
draft = false
[params]
  category = "runbook"
+++

Rotate them {{< ref "rollback.md" >}} every quarter.
"""


def test_a_hugo_sites_toml_headers_become_yaml_in_a_commit_of_their_own(tmp_path: Path) -> None:
    """kb read no header in ``+++`` TOML and wrote a second one above it, breaking the site."""
    repo = make_repo(tmp_path / "hugo", people=PEOPLE)
    repo.write("content/docs/_index.md", '+++\ntitle = "Runbooks"\nweight = 2\n+++\n\nAll.\n')
    repo.write("content/docs/keys.md", HUGO_PAGE)
    repo.write("content/docs/rollback.md", '+++\r\ntitle = "Roll back"\r\n+++\r\nSteps.\r\n')
    commented = '+++\ntitle = "Kept"  # a comment YAML would not keep\n+++\n\nText.\n'
    repo.write("content/docs/commented.md", commented)
    repo.commit("hugo", author="Ana Souza", email="ana@example.test")
    rows = adopt_plan(repo)
    assert "comment" in str(rows["content/docs/commented.md"]["skipped"])
    assert rows["content/docs/keys.md"]["adds"] == ["owner", "status"]  # title, tags kept
    result = run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path)
    assert result.exit_code == 0, result.output
    log = [c.strip() for c in git(repo.path, "log", "--format=%s%n%b%x00", "-3").split("\x00")]
    assert log[1].startswith("Convert 3 TOML front matter header(s)")
    assert "Kb-Adopt: headers" in log[1]
    assert log[0].startswith("Adopt 3 markdown file(s)")
    keys = (repo.path / "content/docs/keys.md").read_text()
    assert keys.startswith(
        "---\ntitle: Rotate API keys\ndate: 2024-03-01T10:00:00+02:00\n"
        "tags: [security, keys]\naliases: [/old/keys/]\ndraft: false\n"
        "params:\n  category: runbook\nowner: ana\nstatus: published\n---\n"
    )
    assert keys.endswith(HUGO_PAGE.partition("+++\n\n")[2])
    crlf = (repo.path / "content/docs/rollback.md").read_bytes()
    assert crlf == (
        b"---\r\ntitle: Roll back\r\nowner: ana\r\ntags: [docs]\r\nstatus: published\r\n"
        b"---\r\nSteps.\r\n"
    )
    assert (repo.path / "content/docs/commented.md").read_text() == commented
    titles = shown_titles(repo)
    assert titles["content/docs/_index.md"] == "Runbooks"
    assert titles["content/docs/keys.md"] == "Rotate API keys"


def site_repo(path: Path, files: dict[str, str]) -> KbRepo:
    """An existing docs repository with history and no kb.toml yet."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    repo = KbRepo(path)
    for rel, text in files.items():
        repo.write(rel, text)
    repo.commit("docs", when="2026-10-01T10:00:00Z")
    return repo


def test_kb_init_on_a_hugo_site_takes_its_content_folder_and_title(tmp_path: Path) -> None:
    """With folders ["."] a theme's example pages became cards, every card was tagged
    'content', and Hugo's site paths (``relref "/docs/b"``) named no card."""
    repo = site_repo(
        tmp_path / "hugo",
        {
            "hugo.toml": 'baseURL = "/"\ntitle = "Ops handbook"\n',
            "themes/book/exampleSite/content/demo.md": "# Demo\n",
            "content/docs/a.md": '+++\ntitle = "A"\n+++\n\nSee [b]({{< ref "b.md" >}}), '
            '[all]({{< relref "/docs" >}}).\n',
            "content/docs/b.md": '+++\ntitle = "B"\n+++\n\nB\'s text.\n',
            "content/docs/_index.md": '+++\ntitle = "Docs"\n+++\n',
        },
    )
    result = run_kb("init", str(repo.path))
    assert result.exit_code == 0, result.output
    assert "Found Hugo" in result.stdout
    kb_toml = (repo.path / "kb.toml").read_text()
    assert 'folders = ["content"]' in kb_toml
    assert 'title = "Ops handbook"' in kb_toml
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    rows = adopt_plan(repo)
    assert set(rows) == {"content/docs/a.md", "content/docs/b.md", "content/docs/_index.md"}
    assert run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    page = (repo.path / "content/docs/a.md").read_text()
    assert "tags: [docs]\n" in page
    assert "See [b](b.md), [all](_index.md).\n" in page
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    assert "broken-link" not in {f["rule"] for f in json.loads(check.stdout)["findings"]}


def test_a_github_wikis_sidebar_and_footer_are_not_cards(tmp_path: Path) -> None:
    repo = site_repo(
        tmp_path / "wiki",
        {
            "Home.md": "Start at [[Setup]].\n",
            "Setup.md": "Install it.\n",
            "_Sidebar.md": "* [[Home]]\n",
            "_Footer.md": "Ask in #ops.\n",
        },
    )
    result = run_kb("init", str(repo.path))
    assert result.exit_code == 0, result.output
    assert "Found a GitHub wiki" in result.stdout
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    assert set(adopt_plan(repo)) == {"Home.md", "Setup.md"}


def test_an_owner_comes_from_who_wrote_the_file_before_it_was_moved(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("old/guide.md", "# Guide\n\nWritten by Ana.\n")
    repo.commit("guide", author="Ana Souza", email="ana@example.test")
    repo.write("old/guide.md", "# Guide\n\nWritten by Ana, more.\n")
    repo.commit("guide: more", author="Ana Souza", email="ana@example.test")
    git(repo.path, "mv", "old", "guides")
    repo.commit("move the guides", author="Bob Stone", email="bob@example.test")
    row = adopt_plan(repo)["guides/guide.md"]
    assert row["owner"] == "ana"
    assert row["reason"].startswith("2 of 2 commits to this file")


def test_an_obsidian_embed_of_an_attachment_is_a_link_to_the_file(tmp_path: Path) -> None:
    """``![[diagram.png]]`` was a broken-link error wherever the vault kept the file."""
    repo = site_repo(
        tmp_path / "vault",
        {
            ".obsidian/app.json": "{}\n",
            "attachments/diagram.png": "png\n",
            "attachments/a/scan.pdf": "pdf\n",
            "attachments/b/scan.pdf": "pdf\n",
            "Projects/Plan.md": "#project\n\n![[diagram.png]] ![[attachments/a/scan.pdf]]\n"
            "![[scan.pdf]] [[Plan#Goals]]\n\n## Goals\n",
        },
    )
    assert run_kb("init", str(repo.path)).exit_code == 0
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    assert run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    broken = [
        f["message"] for f in json.loads(check.stdout)["findings"] if f["rule"] == "broken-link"
    ]
    assert len(broken) == 1  # two files are named scan.pdf: the bare name names neither
    assert "[[scan.pdf]]" in broken[0]
    built = run_kb(
        "--today", TODAY, "build", "--no-search", "-o", str(tmp_path / "site"), cwd=repo.path
    )
    assert built.exit_code == 0, built.output
    page = (tmp_path / "site/Projects/Plan.html").read_text()
    assert 'href=""' not in page
    assert "diagram.png" in page and "broken link: diagram.png" not in page


def test_a_broken_hugo_ref_is_named_in_hugos_own_syntax(tmp_path: Path) -> None:
    """The message said ``link tag {% ref %}``: Liquid syntax the Hugo page never had."""
    repo = make_repo(tmp_path / "hugo", people=PEOPLE, kb_toml='[cards]\nfolders = ["content"]\n')
    repo.write(
        "content/a.md",
        "---\ntitle: A\nowner: ana\n---\n\n"
        'See [b]({{< ref "gone.md" >}}) and [c]({{% relref "/docs/gone" %}}).\n',
    )
    repo.commit("a", author="Ana Souza", email="ana@example.test")
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    broken = [
        f["message"] for f in json.loads(check.stdout)["findings"] if f["rule"] == "broken-link"
    ]
    assert len(broken) == 2, broken
    assert "link tag {{< ref >}} names gone.md" in broken[0]
    assert "link tag {{% relref %}} names /docs/gone" in broken[1]
    assert not any("link tag {%" in m for m in broken), broken


MKDOCS_PAGE = """# Rotate keys

!!! warning "Before you start"
    Tell the on-call engineer.

    Keys rotate at midnight.

??? note "Why quarterly"
    Auditors ask for it.

=== "Linux"
    Run the zebrafish script.

=== "macOS"
    Run the marmot script.

```md
!!! note "kept as written inside code"
```
"""


def test_mkdocs_admonitions_details_and_tabs_become_plain_markdown(tmp_path: Path) -> None:
    """On kb's pages ``!!! warning`` read as a paragraph of its own words and every
    further paragraph of it, indented, as a code block; ``???`` and ``===`` likewise."""
    repo = site_repo(
        tmp_path / "mkdocs",
        {
            "mkdocs.yml": "site_name: Ops\nmarkdown_extensions:\n  - admonition\n",
            "docs/keys.md": MKDOCS_PAGE,
            "docs/plain.md": "# Plain\n\nNothing to convert.\n",
        },
    )
    assert run_kb("init", str(repo.path)).exit_code == 0
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    plan = run_kb("--today", TODAY, "adopt", "--json", cwd=repo.path)
    assert json.loads(plan.stdout)["markup_to_markdown"] == ["docs/keys.md"]
    result = run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path)
    assert result.exit_code == 0, result.output
    log = git(repo.path, "log", "--format=%s%n%b%x00", "-2").split("\x00")
    assert log[1].strip().startswith("Write 1 page(s)' MkDocs block markup as plain Markdown")
    assert "Kb-Adopt: markup" in log[1]
    changed = git(repo.path, "show", "--name-only", "--format=", "HEAD~1").split()
    assert changed == ["docs/keys.md"]
    text = (repo.path / "docs/keys.md").read_text()
    assert "> **Before you start**\n>\n> Tell the on-call engineer.\n>\n> Keys rotate" in text
    assert "<details>\n<summary>Why quarterly</summary>\n\nAuditors ask for it.\n" in text
    assert "**Linux**\n\nRun the zebrafish script.\n\n**macOS**\n\nRun the marmot" in text
    assert '!!! note "kept as written inside code"' in text
    out = tmp_path / "site"
    built = run_kb("--today", TODAY, "build", "--no-search", "-o", str(out), cwd=repo.path)
    assert built.exit_code == 0, built.output
    page = (out / "docs/keys.html").read_text()
    assert "<blockquote>" in page and "<strong>Before you start</strong>" in page
    assert "<p>Keys rotate at midnight.</p>" in page  # a paragraph, not a code block
    assert "<summary>Why quarterly</summary>" in page
    assert "<p>Run the zebrafish script.</p>" in page
    assert "!!! warning" not in page and "=== &quot;Linux&quot;" not in page
    found = run_kb("--today", TODAY, "search", "zebrafish", cwd=repo.path)
    assert found.exit_code == 0 and "Rotate keys" in found.stdout, found.output


def test_docusaurus_admonitions_become_plain_markdown(tmp_path: Path) -> None:
    repo = site_repo(
        tmp_path / "docusaurus",
        {
            "docusaurus.config.js": "module.exports = {\n  title: 'Team site',\n};\n",
            "docs/intro.md": "---\nid: intro\ntitle: Intro\n---\n\n:::tip[Heads up]\n\n"
            "Ask in the channel.\n\n::::danger\nNever share keys.\n::::\n\n:::\n\nDone.\n",
        },
    )
    assert run_kb("init", str(repo.path)).exit_code == 0
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    result = run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path)
    assert result.exit_code == 0, result.output
    text = (repo.path / "docs/intro.md").read_text()
    assert text.endswith(
        "> **Heads up**\n>\n> Ask in the channel.\n>\n> > **Danger**\n> >\n"
        "> > Never share keys.\n\nDone.\n"
    )
    out = tmp_path / "site"
    built = run_kb("--today", TODAY, "build", "--no-search", "-o", str(out), cwd=repo.path)
    assert built.exit_code == 0, built.output
    page = (out / "docs/intro.html").read_text()
    assert "<strong>Heads up</strong>" in page and ":::" not in page


def test_a_github_wikis_links_name_the_page_last(tmp_path: Path) -> None:
    """GitHub writes ``[[Link text|Page-Name]]``; kb read it as Obsidian's
    ``[[Page|text]]``: a broken link in kb check and on every page."""
    repo = site_repo(
        tmp_path / "wiki",
        {
            "Home.md": "Start at [[the setup guide|Setup-Guide]] or [[Setup Guide]].\n",
            "Setup-Guide.md": "Install it. Back [[Home]].\n",
            "_Sidebar.md": "* [[Home]]\n",
        },
    )
    result = run_kb("init", str(repo.path))
    assert result.exit_code == 0, result.output
    assert 'wikilinks = "text-first"' in (repo.path / "kb.toml").read_text()
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    assert run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    assert "broken-link" not in {f["rule"] for f in json.loads(check.stdout)["findings"]}
    out = tmp_path / "site"
    built = run_kb("--today", TODAY, "build", "--no-search", "-o", str(out), cwd=repo.path)
    assert built.exit_code == 0, built.output
    page = (out / "Home.html").read_text()
    assert 'href="Setup-Guide.html" class="card-link"' in page
    assert ">the setup guide</a>" in page and "broken" not in page


def test_an_obsidian_vault_keeps_page_first_wiki_links(tmp_path: Path) -> None:
    repo = site_repo(
        tmp_path / "vault",
        {".obsidian/app.json": "{}\n", "Plan.md": "See [[Setup|the setup note]].\n"},
    )
    repo.write("Setup.md", "Install it.\n")
    assert run_kb("init", str(repo.path)).exit_code == 0
    assert "wikilinks" not in (repo.path / "kb.toml").read_text()
    out = tmp_path / "site"
    built = run_kb("--today", TODAY, "build", "--no-search", "-o", str(out), cwd=repo.path)
    assert built.exit_code == 0, built.output
    assert 'href="Setup.html" class="card-link"' in (out / "Plan.html").read_text()


def test_an_obsidian_notes_inline_tags_become_its_tags(tmp_path: Path) -> None:
    """Obsidian reads ``#project`` in a note's text as a tag; kb read none of them."""
    repo = site_repo(
        tmp_path / "vault",
        {
            ".obsidian/app.json": "{}\n",
            "Projects/Plan.md": "#project #team/ops\n\n# Goals\n\nShip it (#123), see "
            "[x](https://example.test/#frag) and `#notatag`.\n\n```\n#incode\n```\n"
            "Filed under #project and #q3-review.\n",
        },
    )
    assert run_kb("init", str(repo.path)).exit_code == 0
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    plan = adopt_plan(repo)
    assert "tags" in plan["Projects/Plan.md"]["adds"]
    assert run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    listed = run_kb("--today", TODAY, "list", "--json", cwd=repo.path)
    tags = {card["path"]: card["tags"] for card in json.loads(listed.stdout)}
    assert tags["Projects/Plan.md"] == ["projects", "project", "team/ops", "q3-review"]
    found = run_kb("--today", TODAY, "search", "tag:q3-review", cwd=repo.path)
    assert found.exit_code == 0 and "Plan" in found.stdout, found.output


def test_links_written_for_a_pages_address_lead_to_the_card_file(tmp_path: Path) -> None:
    """18F serves ``pages/tools/slack.md`` at ``/tools/slack/``: its ``user-management/``
    works there and was a broken link from the file's folder, in kb check and on pages."""
    repo = make_repo(tmp_path / "handbook", people=PEOPLE, kb_toml='[cards]\nfolders = ["pages"]\n')
    repo.write(
        "pages/tools/slack.md",
        "---\ntitle: Slack\n---\n\n- [Users](user-management/#roles)\n- [Emoji](emoji/)\n",
    )
    repo.write(
        "pages/tools/slack/user-management.md",
        "---\ntitle: User management\n---\n\n## Roles\n\nSee [the guidelines](../guidelines/).\n",
    )
    repo.write("pages/tools/slack/guidelines.md", "---\ntitle: Guidelines\n---\n\nBe kind.\n")
    repo.commit("pages", author="Ana Souza", email="ana@example.test")

    def broken() -> list[str]:
        check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
        findings = json.loads(check.stdout)["findings"]
        return sorted(f["path"] for f in findings if f["rule"] == "broken-link")

    assert broken() == [
        "pages/tools/slack.md",
        "pages/tools/slack.md",
        "pages/tools/slack/user-management.md",
    ]
    check = run_kb("--today", TODAY, "check", cwd=repo.path)
    assert (
        "from the page's address on its old site it is pages/tools/slack/user-management.md: "
        "link to slack/user-management.md" in " ".join(check.stdout.split())
    )
    plan = json.loads(run_kb("--today", TODAY, "adopt", "--json", cwd=repo.path).stdout)
    assert [(r["from"], r["to"]) for r in plan["link_rewrites"]] == [
        ("user-management/", "slack/user-management.md"),
        ("../guidelines/", "guidelines.md"),
    ]
    result = run_kb("--today", TODAY, "adopt", "--apply", "--yes", cwd=repo.path)
    assert result.exit_code == 0, result.output
    subject = git(repo.path, "log", "--format=%s", "-1", "HEAD~1").strip()
    assert subject == "Rewrite 2 link(s) written for a page's address as markdown links"
    slack = (repo.path / "pages/tools/slack.md").read_text()
    assert "- [Users](slack/user-management.md#roles)\n- [Emoji](emoji/)\n" in slack
    assert broken() == ["pages/tools/slack.md"]  # emoji/ names no page on the site either
    out = tmp_path / "site"
    built = run_kb("--today", TODAY, "build", "--no-search", "-o", str(out), cwd=repo.path)
    assert built.exit_code == 0, built.output
    page = (out / "pages/tools/slack.html").read_text()
    assert 'href="slack/user-management.html#roles" class="card-link"' in page


def test_a_docusaurus_slug_is_the_pages_address_and_mdx_files_are_named(
    tmp_path: Path,
) -> None:
    """Links to a ``slug`` (``/guide``, ``/docs/guide``) were broken; the ``.mdx`` pages
    were left out of the plan in silence."""
    repo = site_repo(
        tmp_path / "docusaurus",
        {
            "docusaurus.config.js": "module.exports = {\n  title: 'Team site',\n};\n",
            "docs/intro/setup.md": "---\nid: setup\nslug: /guide\ntitle: Setup\n---\n\n## Steps\n",
            "docs/intro/faq.md": "---\nslug: questions\ntitle: FAQ\n---\n\n"
            "See [setup](/guide#steps), [again](/docs/guide) and [faq](/docs/intro/questions).\n",
            "docs/intro/tabs.mdx": "---\ntitle: Tabs\n---\n\nimport Tabs from '@theme/Tabs';\n",
        },
    )
    assert run_kb("init", str(repo.path)).exit_code == 0
    repo.write("people.yaml", PEOPLE)
    repo.commit("kb init")
    plan = run_kb("--today", TODAY, "adopt", "--json", cwd=repo.path)
    assert json.loads(plan.stdout)["not_read"] == ["docs/intro/tabs.mdx"]
    told = run_kb("--today", TODAY, "adopt", cwd=repo.path)
    assert "1 .mdx file(s) in the card folders are not cards" in told.stderr
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    assert "broken-link" not in {f["rule"] for f in json.loads(check.stdout)["findings"]}
    out = tmp_path / "site"
    built = run_kb("--today", TODAY, "build", "--no-search", "-o", str(out), cwd=repo.path)
    assert built.exit_code == 0, built.output
    page = (out / "docs/intro/faq.html").read_text()
    assert 'href="setup.html#steps" class="card-link"' in page
