"""A Hugo docs site from tldr pages: TOML front matter, _index.md, shortcodes, aliases; 3 authors."""
# ruff: noqa: E501  (fixture text written out as one string per file)

import os
import pathlib
import re
import subprocess
import sys

# usage: python bench/adoption/hugo_site.py TLDR_CLONE/pages OUT
src = pathlib.Path(sys.argv[1])
out = pathlib.Path(sys.argv[2])
out.mkdir()


def git(*a, author=None):
    env = dict(os.environ)
    if author:
        env.update(
            GIT_AUTHOR_NAME=author[0],
            GIT_AUTHOR_EMAIL=author[1],
            GIT_COMMITTER_NAME=author[0],
            GIT_COMMITTER_EMAIL=author[1],
        )
    subprocess.run(["git", "-C", str(out), *a], check=True, env=env, capture_output=True)


git("init", "-q", "-b", "main")
authors = [
    ("Ann Lee", "ann@example.com"),
    ("Bo Chen", "bo@example.com"),
    ("Cy Diaz", "cy@example.com"),
]
(out / "hugo.toml").write_text('baseURL = "/"\ntitle = "Ops docs"\n')
git("add", "-A")
git("commit", "-qm", "site", author=authors[0])
for i, section in enumerate(["linux", "osx", "common"]):
    d = out / "content" / "docs" / section
    d.mkdir(parents=True)
    (d / "_index.md").write_text(
        f'+++\ntitle = "{section.title()} commands"\nweight = {i + 1}\n+++\n\nCommands for {section}.\n\n{{{{< children >}}}}\n'
    )
    names = sorted(p.stem for p in (src / section).glob("*.md"))[:12]
    for j, name in enumerate(names):
        text = (src / section / f"{name}.md").read_text()
        m = re.match(r"# (.*)\n\n((?:> .*\n)+)", text)
        desc = m.group(2).splitlines()[0][2:].replace('"', "'") if m else ""
        body = text[m.end() :] if m else text
        body = body.replace("> More information", "{{< note >}}More information", 1)
        body = re.sub(
            r"(\{\{< note >\}\}More information: <[^>]*>\.)\n", r"\1 {{< /note >}}\n", body
        )
        front = f'+++\ntitle = "{name}"\ndescription = "{desc}"\ndate = 2020-0{1 + j % 9}-1{j % 9}T10:00:00Z\ntags = ["{section}", "cli"]\n'
        if j % 4 == 0:
            front += f'aliases = ["/{section}/{name}/"]\n'
        if j % 5 == 1:
            front += 'draft = false\nweight = 10\n[params]\n  category = "tools"\n'
        front += "+++\n\n"
        if j % 3 == 0 and j + 1 < len(names):
            body += f'\nSee also [{names[j + 1]}]({{{{< ref "{names[j + 1]}.md" >}}}}) and [the section]({{{{< relref "/docs/{section}" >}}}}).\n'
        (d / f"{name}.md").write_text(front + body)
        git("add", "-A")
        git("commit", "-qm", f"add {name}", author=authors[(i + j) % 3])
(out / "content" / "_index.md").write_text('+++\ntitle = "Ops docs"\n+++\n\nWelcome.\n')
git("add", "-A")
git("commit", "-qm", "home", author=authors[1])
# a later edit and a rename
git(
    "mv",
    "content/docs/linux/"
    + sorted(p.name for p in (out / "content/docs/linux").glob("[!_]*.md"))[0],
    "content/docs/linux/renamed-page.md",
)
git("commit", "-qm", "rename", author=authors[2])
