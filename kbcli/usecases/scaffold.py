"""``kb init``: the files of a new knowledge repo, with every default written down."""

from __future__ import annotations

from pathlib import Path

from kbcli.adapters.atomic_file import replace_file
from kbcli.config import CONFIG_FILE, ROSTER_FILE
from kbcli.errors import KbError

KB_TOML = """\
# kb.toml: configuration of this knowledge repo. Every key is optional;
# the values below are kb's defaults. Reference: the kb README.

[cards]
# Folders that hold cards, relative to this file.
folders = ["."]
# Gitignore-style patterns of .md files that are not cards.
ignore = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"]

[verification]
# How often a card must be re-verified: 30d, 6w, 3m, 1y or never.
# A card can override it with its own verify_every key.
verify_every = "3m"
# A card is "due" this long before it expires.
warn_within = "14d"

# Per-folder cadence, for instance runbooks every month:
# [folders.runbooks]
# verify_every = "1m"

[search]
# Language of cards without a lang key (en, ru, uk, he, ...).
default_lang = "en"

[handbook]
title = "{title}"
# Web URL of this repository, for "edit this card" links.
repo_url = ""
branch = "main"
"""

PEOPLE_YAML = """\
# The people roster: kb maps git authors to these handles by e-mail only for trust (a
# name is free text anyone can set); kb adopt and kb people suggest also match names.
# A card's owner is a handle below or a team name.
#
# ana:
#   name: Ana Souza
#   emails: [ana@example.com]
#   team: billing
#   left: 2026-06-30    # set when someone leaves: their cards need a new owner
"""

GITIGNORE = """\
# kb's caches (search index, history cache) and the built handbook.
.kb/
"""

TEMPLATES_README = """\
# Card templates

Put your team's own card templates here as NAME.md (Jinja). `kb new --template NAME`
uses them; a file named like a built-in template (kcs, runbook, faq, howto, feature)
replaces it. `kb templates` lists what is available.
"""


def create_repo(
    target: Path, *, title: str, me: tuple[str, str | None, str | None] | None, make_git: bool
) -> list[str]:
    """Write the files of a new knowledge repo; return what was created, in order."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / CONFIG_FILE).exists():
        raise KbError(f"{target / CONFIG_FILE} exists already: this is a knowledge repo")
    created = []
    if make_git:
        from kbcli.adapters.git_repo import init_repo

        init_repo(target)
        created.append(".git/")
    files = {
        CONFIG_FILE: KB_TOML.format(title=title.replace('"', "'")),
        ".gitignore": GITIGNORE,
        "templates/README.md": TEMPLATES_README,
    }
    if not (target / ROSTER_FILE).exists():
        roster = PEOPLE_YAML
        if me:
            handle, name, email = me
            roster += f"\n{handle}:\n  name: {name or handle}\n"
            roster += f"  emails: [{email}]\n" if email else ""
        files[ROSTER_FILE] = roster
    for name, content in files.items():
        path = target / name
        if name == ".gitignore" and path.exists():
            existing = path.read_text(encoding="utf-8")
            if ".kb/" not in existing.split():
                replace_file(path, (existing.rstrip("\n") + "\n" + content).encode("utf-8"))
                created.append(name + " (updated)")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, content.encode("utf-8"))
        created.append(name)
    return created
