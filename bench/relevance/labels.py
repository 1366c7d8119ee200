"""One rule for the judged sets' labels: a page that only points to another page is never
the best page; the page it points to is.

Each question names one best page. Some labels name a pointer page: a tldr alias page
(``docker-run.md``: "This command is an alias of `docker container run`", whose only
example is ``tldr docker container run``) or a handbook redirect (front matter
``redirect_to: /benefits/...`` and no text). Such a page answers nothing itself; a reader
sent there follows it. So the label moves to the page pointed at, when that page exists in
the same language folder of the corpus; otherwise (a Ukrainian alias whose target tldr has
in English only, a redirect to another site) the label stays as written.

The rule is applied the same way to every set and every contender (kb and the baseline);
``evaluate.py --labels as-written`` reports the sets as they were written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

_EXAMPLE = re.compile(r"^`([^`\n]+)`\s*$", re.MULTILINE)
_FRONT = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.DOTALL)


def follow_pointers(questions: Sequence[Any], repo: Path) -> list[Any]:
    """The questions with each label that names a pointer page moved to its target."""
    out = []
    for q in questions:
        target = pointed_page(repo, q.expect)
        out.append(replace(q, expect=target) if target else q)
    return out


def pointed_page(repo: Path, path: str) -> str | None:
    """The page (path relative to ``repo``) that the page at ``path`` only points to."""
    file = repo / path
    if not file.is_file():
        return None
    text = file.read_text(encoding="utf-8")
    examples = _EXAMPLE.findall(text)
    if len(examples) == 1 and examples[0].startswith("tldr "):
        return _tldr_page(repo, Path(path), examples[0][5:].strip())
    front = _FRONT.match(text)
    if front and not front.group(2).strip():
        meta = yaml.safe_load(front.group(1)) or {}
        target = str(meta.get("redirect_to", ""))
        if target.startswith("/"):
            return _redirected_page(repo, Path(path).parts[0], target)
    return None


def _tldr_page(repo: Path, path: Path, command: str) -> str | None:
    """The page of ``command`` in the same language folder: same platform first, then
    common, then any other platform."""
    name = command.replace(" ", "-") + ".md"
    language = repo / path.parts[0]
    for folder in (path.parent.name, "common"):
        if (language / folder / name).is_file():
            return (Path(path.parts[0]) / folder / name).as_posix()
    found = sorted(language.glob(f"*/{name}"))
    return found[0].relative_to(repo).as_posix() if found else None


def _redirected_page(repo: Path, folder: str, url: str) -> str | None:
    """The page whose permalink, redirect_from or path is ``url`` (anchor dropped)."""
    want = "/" + url.split("#")[0].strip("/") + "/"
    for file in sorted((repo / folder).rglob("*.md")):
        front = _FRONT.match(file.read_text(encoding="utf-8"))
        meta = (yaml.safe_load(front.group(1)) or {}) if front else {}
        own = "/" + file.relative_to(repo / folder).with_suffix("").as_posix().strip("/") + "/"
        urls = {own, str(meta.get("permalink", ""))}
        urls.update(str(u) for u in meta.get("redirect_from") or [])
        if want in {"/" + u.strip("/") + "/" for u in urls if u}:
            return file.relative_to(repo).as_posix()
    return None
