"""``kb init``: the files of a new knowledge repo, with every default written down."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.adapters.atomic_file import replace_file
from kbcli.config import CONFIG_FILE, ROSTER_FILE
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.site_shape import SiteShape

KB_TOML = """\
# kb.toml: configuration of this knowledge repo. Every key is optional;
# the values below are kb's defaults. Reference: the kb README.

[cards]
{shape}# Folders that hold cards, relative to this file.
folders = {folders}
# Gitignore-style patterns of .md files that are not cards.
ignore = {ignore}

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


IGNORED = ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")


def site_shape(target: Path) -> SiteShape | None:
    """The site generator the docs already in ``target`` are built with, if any."""
    from kbcli.core.site_shape import CONFIG_FILES, detect

    if not target.is_dir():
        return None
    entries = list(target.iterdir())
    configs = {}
    for name in CONFIG_FILES:
        try:
            configs[name] = (target / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    folders = {e.name for e in entries if e.is_dir()}
    return detect({e.name for e in entries}, folders, configs)


def kb_toml(title: str, shape: SiteShape | None) -> str:
    """kb.toml with the generator's card folders and the files of it that are not pages."""
    folders = shape.folders if shape else (".",)
    ignore = IGNORED + (shape.ignore if shape else ())
    said = ""
    if shape:
        where = ", ".join(f"{f}/" for f in folders)
        said = f"# kb init found {shape.name}: its pages are the cards ({where}).\n"
    if shape and shape.wikilinks == "text-first":
        said += (
            "# Its wiki links name the page last: [[Link text|Page name]].\n"
            'wikilinks = "text-first"\n'
        )
    return KB_TOML.format(
        title=title.replace('"', "'"),
        shape=said,
        folders=_toml_list(folders),
        ignore=_toml_list(ignore),
    )


def _toml_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join('"' + i.replace("\\", "/").replace('"', "") + '"' for i in items) + "]"


def _refuse_inside_a_knowledge_repo(target: Path) -> None:
    """A kb.toml in a folder of another knowledge repo (a clone's card folder) would give
    that folder's cards two repos, and kb run there an empty roster: a team that wants a
    card there wants the repo it already has."""
    from kbcli.repo_root import locate

    found = locate(str(target.parent))
    if found is None:
        return
    outer = Path(found)
    folder = target.resolve().relative_to(outer.resolve()).as_posix()
    raise KbError(
        f"{target} is inside the knowledge repo {outer} ({outer / CONFIG_FILE}): its cards "
        f"belong to that one; run kb there (a card in this folder: kb new --folder {folder})"
    )


def create_repo(
    target: Path,
    *,
    title: str,
    me: tuple[str, str | None, str | None] | None,
    make_git: bool,
    shape: SiteShape | None = None,
) -> list[str]:
    """Write the files of a new knowledge repo; return what was created, in order."""
    if (target / CONFIG_FILE).exists():
        raise KbError(f"{target / CONFIG_FILE} exists already: this is a knowledge repo")
    _refuse_inside_a_knowledge_repo(target)
    target.mkdir(parents=True, exist_ok=True)
    created = []
    if make_git:
        from kbcli.adapters.git_repo import init_repo

        init_repo(target)
        created.append(".git/")
    files = {
        CONFIG_FILE: kb_toml(title, shape),
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
