"""Small sites in other shapes from 18F pages, each a git repo with two authors."""
# ruff: noqa: E501  (fixture text written out as one string per file)

import os
import pathlib
import re
import shutil
import subprocess
import sys

# usage: python bench/adoption/other_shapes.py HANDBOOK_CLONE/pages OUT (makes OUT/mkdocs, OUT/docusaurus, ...)
src = pathlib.Path(sys.argv[1])
os.makedirs(sys.argv[2], exist_ok=True)
os.chdir(sys.argv[2])
pages = sorted(p for p in src.rglob("*.md") if p.name not in ("index.md",))[:14]
A = [("Ann Lee", "ann@example.com"), ("Bo Chen", "bo@example.com")]


def repo(out):
    out = pathlib.Path(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    return out


def commit(out, msg, k):
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME=A[k][0],
        GIT_AUTHOR_EMAIL=A[k][1],
        GIT_COMMITTER_NAME=A[k][0],
        GIT_COMMITTER_EMAIL=A[k][1],
    )
    subprocess.run(["git", "-C", str(out), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(out), "commit", "-qm", msg], check=True, env=env)


def wrapped(body, marks):
    """The body with its first plain paragraphs inside the shape's blocks: ``marks`` are
    (opening, indent, closing) in turn, the corpus's own words inside."""
    paras = body.split("\n\n")
    todo = list(marks)
    for i, para in enumerate(paras):
        if not todo or not para.strip() or para.lstrip()[0] in "#-*|>0123456789<{!`":
            continue
        opening, indent, closing = todo.pop(0)
        inner = "\n".join(indent + line for line in para.strip("\n").split("\n"))
        paras[i] = f"{opening}\n{inner}" + (f"\n{closing}" if closing else "")
    return "\n\n".join(paras)


MKDOCS_MARKS = [
    ('!!! note "Heads up"', "    ", ""),
    ('??? info "More about this"', "    ", ""),
    ('=== "First tab"', "    ", ""),
    ('=== "Second tab"', "    ", ""),
]
DOCUSAURUS_MARKS = [(":::note[Heads up]", "", ":::"), (":::tip", "", ":::")]


def split(p):
    t = p.read_text()
    m = re.match(r"---\n(.*?)\n---\n", t, re.S)
    title = re.search(r"^title: *(.*)$", m.group(1), re.M).group(1).strip("\"'") if m else p.stem
    return title, (t[m.end() :] if m else t)


# MkDocs
o = repo("mkdocs")
(o / "docs" / "guides").mkdir(parents=True)
nav = []
(o / "docs/index.md").write_text("# Welcome\n\nStart with the [guides](guides/a0.md).\n")
for i, p in enumerate(pages[:8]):
    title, body = split(p)
    body = wrapped(re.sub(r"\{%.*?%\}", "", body, flags=re.S), MKDOCS_MARKS)
    (o / f"docs/guides/a{i}.md").write_text(
        f"# {title}\n\n{body}\n\nNext: [the next guide](a{i + 1}.md)\n"
    )
    nav.append(f"    - '{title} (nav)': guides/a{i}.md")
    commit(o, f"add {i}", i % 2)
(o / "mkdocs.yml").write_text(
    "site_name: Team docs\nnav:\n  - Home: index.md\n  - Guides:\n"
    + "\n".join(nav)
    + "\nmarkdown_extensions:\n  - admonition\n"
)
commit(o, "nav", 0)
# Docusaurus
o = repo("docusaurus")
(o / "docs" / "intro").mkdir(parents=True)
(o / "blog").mkdir()
for i, p in enumerate(pages[:6]):
    title, body = split(p)
    body = wrapped(re.sub(r"\{%.*?%\}", "", body, flags=re.S), DOCUSAURUS_MARKS)
    ext = "mdx" if i % 2 else "md"
    head = f"---\nid: doc-{i}\nsidebar_position: {i + 1}\nslug: /guide-{i}\ntitle: {title}\n---\n"
    mdx = (
        "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n<Tabs>\n  <TabItem value=\"a\" label=\"A\">\n\nStep A.\n\n  </TabItem>\n</Tabs>\n\n"
        if ext == "mdx"
        else ""
    )
    (o / f"docs/intro/page-{i}.{ext}").write_text(
        head
        + mdx
        + body
        + f"\n\nSee [the next one](./page-{i + 1}.{'md' if ext == 'mdx' else 'mdx'}) and [doc 0](/guide-0).\n"
    )
    commit(o, f"add {i}", i % 2)
(o / "docs/intro/_category_.json").write_text('{"label": "Intro", "position": 1}\n')
(o / "blog/2021-05-01-hello.md").write_text(
    "---\nslug: hello\ntitle: Hello\nauthors: [ann]\ntags: [news]\n---\n\nHello world.\n<!-- truncate -->\nMore.\n"
)
(o / "docusaurus.config.js").write_text("module.exports = {\n  title: 'Team site',\n};\n")
commit(o, "blog", 0)
# Jekyll
o = repo("jekyll")
(o / "_posts").mkdir()
(o / "_docs").mkdir()
(o / "_config.yml").write_text("title: Team blog\npermalink: /:year/:month/:title/\n")
for i, p in enumerate(pages[:6]):
    title, body = split(p)
    (o / f"_posts/2020-0{i + 1}-0{i + 1}-post-{i}.md").write_text(
        f'---\nlayout: post\ntitle: "{title}"\ncategories: [ops]\n---\n{body}\n\nOlder: [previous]({{% post_url 2020-0{max(i, 1)}-0{max(i, 1)}-post-{max(i - 1, 0)} %}})\n'
    )
    commit(o, f"post {i}", i % 2)
(o / "about.md").write_text(
    "---\nlayout: page\ntitle: About\npermalink: /about/\npublished: false\n---\n\nWe run things. See [the first post]({% link _posts/2020-01-01-post-0.md %}).\n"
)
commit(o, "about", 1)
# Obsidian
o = repo("obsidian")
(o / "Projects").mkdir()
(o / "attachments").mkdir()
(o / ".obsidian").mkdir()
(o / ".obsidian/app.json").write_text("{}\n")
(o / "attachments/diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
names = []
for i, p in enumerate(pages[:6]):
    title, body = split(p)
    body = re.sub(r"\{%.*?%\}", "", body, flags=re.S)
    name = title.replace("/", "-").replace(":", "")
    names.append(name)
    (o / f"Projects/{name}.md").write_text(
        f"#project #team/ops\n\n{body}\n\nRelated: [[{names[0]}]] and [[{names[0]}|the first one]] and [[{name}#Heading]]\n\n![[diagram.png]]\n"
    )
    commit(o, f"note {i}", i % 2)
(o / "Inbox.md").write_text(
    f"---\ntags: [inbox]\naliases: [In]\n---\n\n- [[{names[1]}]]\n- [[Missing note]]\n"
)
commit(o, "inbox", 0)
# GitHub wiki
o = repo("wiki")
for i, p in enumerate(pages[:6]):
    title, body = split(p)
    body = re.sub(r"\{%.*?%\}", "", body, flags=re.S)
    name = re.sub(r"[^A-Za-z0-9 ]", "", title).strip().replace(" ", "-")
    (o / f"{name}.md").write_text(
        f"{body}\n\nSee [[Home]] and [[{title}]] and [[Other title|{name}]].\n"
    )
    commit(o, f"page {i}", i % 2)
(o / "Home.md").write_text("Welcome to the wiki. Start at [[Getting Started]].\n")
(o / "_Sidebar.md").write_text("* [[Home]]\n* [[Getting Started]]\n")
(o / "_Footer.md").write_text("Questions? Ask in #ops.\n")
commit(o, "home", 0)
