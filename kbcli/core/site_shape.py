"""Which site generator an existing docs repository is built with, and where its pages are.

``kb init`` in a repository of docs writes a kb.toml whose card folders are the
generator's content folder: with ``folders = ["."]`` a Hugo site's theme (a theme's
example site holds pages of its own), its layouts and every README became cards, and
each card got the content folder's name (``content``, ``docs``) as a tag. Wikis and
vaults keep files that are chrome, not pages (``_Sidebar.md``, ``.obsidian/``).

Pure: the caller lists the repository's top level and reads the config file's text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SiteShape:
    """A generator's layout: its name, the card folders and the files that are not pages."""

    name: str
    folders: tuple[str, ...] = (".",)
    ignore: tuple[str, ...] = ()
    title: str | None = None
    wikilinks: str = "page-first"  # [[Link text|Page name]] on a GitHub wiki: text-first


OBSIDIAN = "an Obsidian vault"

# Config files each generator reads, most specific first.
CONFIG_FILES = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "mkdocs.yml",
    "mkdocs.yaml",
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "docusaurus.config.mjs",
    "_config.yml",
)
_TITLE = {
    "toml": re.compile(r'^title\s*=\s*["\'](?P<v>[^"\'\n]+)["\']', re.MULTILINE),
    "yaml": re.compile(r"^(?:site_name|title):[ \t]*(?P<v>[^\n#]+?)[ \t]*$", re.MULTILINE),
    "js": re.compile(r"^\s*title:\s*['\"`](?P<v>[^'\"`\n]+)['\"`]", re.MULTILINE),
}
_DOCS_DIR = re.compile(r"^docs_dir:[ \t]*['\"]?(?P<v>[^'\"\n#]+?)['\"]?[ \t]*$", re.MULTILINE)


def detect(
    top: Collection[str], folders: Collection[str], configs: Mapping[str, str]
) -> SiteShape | None:
    """The shape of a repository from its top-level names, its top-level folders and the
    text of the config files among ``CONFIG_FILES`` it has; ``None`` for plain markdown."""
    if "content" in folders and any(n in configs for n in CONFIG_FILES[:5]):
        name = next(n for n in CONFIG_FILES[:5] if n in configs)
        return SiteShape("Hugo", ("content",), (), _title(configs[name], name))
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if name in configs:
            docs = _DOCS_DIR.search(configs[name])
            folder = docs["v"].strip("/") if docs else "docs"
            return SiteShape(
                "MkDocs",
                (folder,) if folder in folders else (".",),
                (),
                _title(configs[name], name),
            )
    for name in CONFIG_FILES[7:10]:
        if name in configs:
            found = tuple(f for f in ("docs", "blog") if f in folders) or (".",)
            return SiteShape("Docusaurus", found, (), _title(configs[name], name))
    if "_config.yml" in configs:
        ignore = ("_site/", "vendor/", "node_modules/")
        return SiteShape("Jekyll", (".",), ignore, _title(configs["_config.yml"], "_config.yml"))
    if ".obsidian" in folders:
        return SiteShape(OBSIDIAN, (".",), (".obsidian/", ".trash/"))
    if "Home.md" in top and ("_Sidebar.md" in top or "_Footer.md" in top):
        chrome = ("_Sidebar.md", "_Footer.md", "_Header.md")
        return SiteShape("a GitHub wiki", (".",), chrome, wikilinks="text-first")
    return None


def _title(text: str, name: str) -> str | None:
    kind = "toml" if name.endswith(".toml") else "js" if ".config." in name else "yaml"
    found = _TITLE[kind].search(text)
    return found["v"].strip() if found else None
