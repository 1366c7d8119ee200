"""kb adopt: turn existing markdown files into cards, planned first, written in one commit.

``plan`` reads and suggests, and never writes: a team reviews the plan (owner and
evidence per file, and each site-generator link tag that names a card) before ``apply``
writes it. Link tags (``[a]({% page "/billing/" %})``) are rewritten as relative
markdown links in a commit of their own (``core/link_rewrites.py``), made first: an edit
of the text, which the history rules see as one. ``apply`` then only adds keys, so the
adoption commit's diff is front matter and nothing else; with a baseline it also stamps
``verified_at`` and marks the commit with the ``Kb-Adopt: baseline`` trailer, which the
bulk re-verification rule recognises (see ``core/health.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kbcli.core import rules
from kbcli.core.adopt import (
    BASELINE_TRAILER,
    Evidence,
    Suggestion,
    adopted_status,
    folder_tags,
    inline_tags,
    missing_fields,
)
from kbcli.core.site_shape import OBSIDIAN
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.adapters.codeowners import CodeOwners
    from kbcli.adapters.git_authors import Authorship
    from kbcli.core.link_rewrites import LinkRewrite
    from kbcli.usecases.adopt_headers import TomlHeaders
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class AdoptRow:
    """One file of the plan: the owner kb suggests and why, and the keys it will add."""

    path: str
    suggestion: Suggestion
    adds: dict[str, object]
    skipped: str = ""  # why the file is left alone (unreadable header...)

    @property
    def owner(self) -> str | None:
        return self.suggestion.owner


@dataclass
class AdoptPlan:
    rows: list[AdoptRow]
    already: int  # files that needed nothing
    baseline: bool
    warnings: list[str] = field(default_factory=list)
    rewrites: list[LinkRewrite] = field(default_factory=list)  # link tags naming a card
    tags_left: int = 0  # template tags of the files that stay (kb check names them)
    headers: TomlHeaders | None = None  # TOML headers (Hugo) converted to YAML first
    unread: list[str] = field(default_factory=list)  # pages kb does not read (.mdx)

    @property
    def to_write(self) -> list[AdoptRow]:
        return [r for r in self.rows if r.adds and not r.skipped]

    @property
    def converts_markup(self) -> bool:
        return bool(self.headers and self.headers.markup)


@dataclass(frozen=True)
class AdoptOutcome:
    written: list[str]
    commit: str | None
    relinked: list[str] = field(default_factory=list)  # files whose link tags were rewritten
    links_commit: str | None = None
    converted: list[str] = field(default_factory=list)  # TOML headers written as YAML
    headers_commit: str | None = None
    plain: list[str] = field(default_factory=list)  # block markup written as Markdown
    markup_commit: str | None = None


def plan(
    workspace: Workspace,
    paths: Sequence[str],
    *,
    baseline: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> AdoptPlan:
    """The adoption plan for the card files under ``paths`` (all card files when empty)."""
    from kbcli.usecases.adopt_headers import TomlHeaders, unread_pages
    from kbcli.usecases.scaffold import site_shape
    from kbcli.usecases.selection import select_card_paths

    selected = select_card_paths(workspace, paths)
    shape = site_shape(workspace.root)
    headers = TomlHeaders.find(workspace, selected, shape.name if shape else "")
    vault = shape is not None and shape.name == OBSIDIAN
    sources = _Sources.load(workspace)
    rows: list[AdoptRow] = []
    already = 0
    for index, rel in enumerate(selected):
        if progress:
            progress(index + 1, len(selected))
        if rel in headers.left:
            why = headers.left[rel]
            rows.append(AdoptRow(rel, Suggestion(None, "none", why), {}, skipped=why))
            continue
        card = headers.card(workspace, rel)
        present = card.position.lines
        broken = [p for p in card.problems if p.rule in rules.HEADER_UNREADABLE]
        if broken:
            why = f"{rel}:{broken[0].line}: {broken[0].message}; fix the header first"
            rows.append(AdoptRow(rel, Suggestion(None, "none", why), {}, skipped=why))
            continue
        suggestion = (
            Suggestion(card.meta.owner, "existing", "owner already in the file")
            if "owner" in present
            else sources.suggest(rel)
        )
        tags = folder_tags(rel, workspace.config.cards.folders)
        if vault:  # Obsidian reads #tags in a note's text as its tags; kb reads the header
            tags += [t for t in inline_tags(card.body) if t not in tags]
        adds = missing_fields(
            present,
            title=card.meta.title,
            owner=suggestion.owner,
            tags=tags,
            verified_at=workspace.today if baseline else None,
            status=adopted_status(card.meta.extra),
        )
        if not adds:
            already += 1
            continue
        rows.append(AdoptRow(rel, suggestion, adds))
    rewrites, left = _link_tags(workspace, selected, headers)
    unread = unread_pages(workspace) if not paths else []
    plan = AdoptPlan(rows, already, baseline, sources.warnings, rewrites, left, headers)
    plan.unread = unread
    return plan


def _link_tags(
    workspace: Workspace, selected: Sequence[str], headers: TomlHeaders
) -> tuple[list[LinkRewrite], int]:
    """The link tags of the selected files that name a card (to rewrite), and how many
    template tags stay. Site paths resolve against every card, selected or not, each
    read as it will be once its TOML header is YAML (its aliases count)."""
    from kbcli.core.content import unrendered_tags
    from kbcli.core.link_rewrites import folder_url_rewrites, link_rewrites
    from kbcli.usecases.links import link_resolver

    chosen = set(selected) - set(headers.left)
    cards = [
        headers.card(workspace, card.path)
        if card.path in headers.converted or card.path in headers.markup
        else card
        for card in workspace.card_files.load_all(workspace.today)
    ]
    resolver = link_resolver(workspace, cards)
    rewrites: list[LinkRewrite] = []
    left = 0
    for card in cards:
        if card.path not in chosen or any(p.rule in rules.HEADER_UNREADABLE for p in card.problems):
            continue
        tags = unrendered_tags(card.body)
        resolved = resolver.resolve_all(card)
        if tags:
            found = link_rewrites(card, resolved, resolver)
            rewrites += found
            left += len(tags) - len(found)
        rewrites += folder_url_rewrites(card, resolved, resolver)
    return rewrites, left


@dataclass
class _Sources:
    """CODEOWNERS, git authorship and kb.toml defaults, read once for the whole plan."""

    workspace: Workspace
    prefix: str
    codeowners: CodeOwners | None
    authors: Authorship | None
    window: str
    warnings: list[str]

    @classmethod
    def load(cls, workspace: Workspace) -> _Sources:
        from kbcli.adapters.codeowners import load_codeowners
        from kbcli.adapters.git_authors import authorship
        from kbcli.adapters.git_history import locate

        warnings: list[str] = []
        place = locate(workspace.root)
        since = workspace.config.adopt.history.before(workspace.today)
        if place is None:
            warnings.append("not a git repository: owners come from kb.toml defaults only")
            return cls(workspace, "", None, None, "", warnings)
        return cls(
            workspace,
            f"{place.prefix}/" if place.prefix else "",
            load_codeowners(place.toplevel),
            authorship(workspace.root, since),
            f"since {since.isoformat()}",
            warnings,
        )

    def suggest(self, rel: str) -> Suggestion:
        from kbcli.core.adopt import suggest_owner

        folder = rel.rpartition("/")[0]
        authors = self.authors
        evidence = Evidence(
            codeowners=self.codeowners.rule_for(self.prefix + rel) if self.codeowners else None,
            codeowners_file=self.codeowners.file if self.codeowners else "CODEOWNERS",
            file_authors=authors.files.get(rel, ()) if authors else (),
            folder=folder,
            folder_authors=authors.folders.get(folder, ()) if authors else (),
            folder_default=self._folder_default(folder),
            window=self.window,
        )
        return suggest_owner(evidence, self.workspace.config.roster, self.workspace.today)

    def _folder_default(self, folder: str) -> tuple[str, str] | None:
        config = self.workspace.config
        best = None
        for name, settings in config.folders.items():
            inside = folder == name or folder.startswith(name + "/")
            if settings.owner and inside and (best is None or len(name) > len(best[0])):
                best = (name, settings.owner)
        if best:
            return best[1], f"kb.toml [folders.{best[0]}] owner"
        if config.adopt.owner:
            return config.adopt.owner, "kb.toml [adopt] owner"
        return None


def refuse_after_a_stopped_run(workspace: Workspace) -> None:
    """Before planning to apply: the files a killed ``kb adopt`` wrote read as cards
    already, so a plan alone would adopt nothing and leave them uncommitted in silence."""
    from kbcli.adapters.write_note import refuse_if_stopped

    refuse_if_stopped(workspace.root)


def apply(workspace: Workspace, adoption: AdoptPlan, *, commit: bool = True) -> AdoptOutcome:
    """Convert the plan's TOML headers (one commit), rewrite its link tags (another), then
    write its front matter and commit exactly those files (a third); nothing is written
    when a file changed since the plan."""
    from kbcli.adapters.card_writer import add_front_matter
    from kbcli.adapters.git_commits import commit_files, in_git_repo
    from kbcli.adapters.write_note import writing
    from kbcli.usecases.adopt_headers import (
        convert,
        convert_markup,
        headers_message,
        markup_message,
    )

    rows = adoption.to_write
    if commit and not in_git_repo(workspace.root):
        raise KbError(
            f"{workspace.root} is not in a git repository: run 'git init' first, "
            "or pass --no-commit to only edit the files"
        )
    touched = {row.path for row in rows} | {r.path for r in adoption.rewrites}
    if adoption.headers:
        touched |= set(adoption.headers.converted) | set(adoption.headers.markup)
    if commit:
        _refuse_uncommitted(workspace, sorted(touched))
    root = workspace.root
    with writing(root, "kb adopt", sorted(touched), commit=commit):
        converted = convert(workspace, adoption.headers) if adoption.headers else []
        headers_sha = None
        if commit and converted:
            headers_sha = commit_files(root, converted, headers_message(converted))
        plain = convert_markup(workspace, adoption.headers) if adoption.headers else []
        markup_sha = None
        if commit and plain:
            assert adoption.headers is not None
            markup_sha = commit_files(root, plain, markup_message(plain, adoption.headers.shape))
        done = {"converted": converted, "headers_commit": headers_sha}
        done |= {"plain": plain, "markup_commit": markup_sha}
        relinked = _rewrite_links(workspace, adoption.rewrites)
        links_sha = None
        if commit and relinked:
            links_sha = commit_files(root, relinked, links_message(adoption.rewrites, relinked))
        written = [
            row.path
            for row in rows
            if add_front_matter(root / row.path, row.adds, root=root)  # type: ignore[arg-type]
        ]
        if not commit or not written:
            return AdoptOutcome(written, None, relinked, links_sha, **done)  # type: ignore[arg-type]
        sha = commit_files(root, written, adoption_message(adoption, written, workspace))
        return AdoptOutcome(written, sha, relinked, links_sha, **done)  # type: ignore[arg-type]


def _rewrite_links(workspace: Workspace, rewrites: Sequence[LinkRewrite]) -> list[str]:
    """Make the rewrites, file by file, atomically; every file is checked against the plan
    before the first is written, so a file edited since leaves all of them as they were."""
    from kbcli.adapters.card_writer import edit_text
    from kbcli.core.link_rewrites import rewritten

    by_path: dict[str, list[LinkRewrite]] = {}
    for rewrite in rewrites:
        by_path.setdefault(rewrite.path, []).append(rewrite)
    root = workspace.root
    for path, edits in by_path.items():
        try:
            rewritten((root / path).read_text(encoding="utf-8"), edits)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise KbError(f"{path}: {exc}; nothing was written") from exc
    return [
        path
        for path, edits in by_path.items()
        if edit_text(root / path, lambda text, e=edits: rewritten(text, e), root=root)  # type: ignore[misc]
    ]


def links_message(rewrites: Sequence[LinkRewrite], paths: Sequence[str]) -> str:
    """Subject and what changed: each destination, in no other way than its target."""
    addressed = sum(1 for r in rewrites if "{" not in r.old)
    tags = len(rewrites) - addressed
    parts = [f"{tags} site-generator link tag(s)"] if tags or not addressed else []
    parts += [f"{addressed} link(s) written for a page's address"] if addressed else []
    lines = [f"Rewrite {' and '.join(parts)} as markdown links", ""]
    lines.append("kb adopt: each link whose destination was a template tag naming a card")
    lines.append("({% page %}, {% link %}, {{< relref >}}, {{ site.baseurl }}/...) now leads")
    lines.append("to the card file by a relative path; link text, anchors and every other")
    lines.append("byte unchanged.")
    if addressed:
        lines += [
            "A relative link written for the page's address (tools/slack.md is served at",
            "/tools/slack/, where user-management/ is tools/slack/user-management.md) and",
            "broken from the file's folder now leads to that card's file.",
        ]
    lines += ["", *[f"- {p}" for p in paths[:20]]]
    if len(paths) > 20:
        lines.append(f"- ... and {len(paths) - 20} more")
    lines += ["", "Kb-Adopt: links"]
    return "\n".join(lines) + "\n"


def _refuse_uncommitted(workspace: Workspace, paths: Sequence[str]) -> None:
    """The adoption commit claims to add front matter only, and the history rules trust
    that claim: an edit in progress (or a whole file git never saw) committed with it
    would change a card's text without any edit in its history."""
    from kbcli.adapters.git_history import uncommitted

    changed = sorted(uncommitted(workspace.root, paths))
    if not changed:
        return
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    raise KbError(
        f"{len(changed)} file(s) to adopt have changes not committed yet: {shown}. "
        "Commit them first (the adoption commit adds front matter only), leave them "
        "out of the paths, or pass --no-commit to only edit the files"
    )


def adoption_message(adoption: AdoptPlan, written: Sequence[str], workspace: Workspace) -> str:
    """Subject, what was added, owners by source, and the trailer the history rules read."""
    sources: dict[str, int] = {}
    for row in adoption.to_write:
        sources[row.suggestion.source] = sources.get(row.suggestion.source, 0) + 1
    lines = [f"Adopt {len(written)} markdown file(s) as kb cards", ""]
    lines.append("Front matter added with kb adopt; no other line changed.")
    lines.append("Owners by evidence: " + ", ".join(f"{k} {v}" for k, v in sorted(sources.items())))
    if adoption.baseline:
        day = workspace.today.isoformat()
        lines += [
            "",
            f"Baseline: the team declared these cards read on {day}; verified_at records",
            "that declaration, not a card-by-card review.",
        ]
    lines += ["", *[f"- {p}" for p in written[:20]]]
    if len(written) > 20:
        lines.append(f"- ... and {len(written) - 20} more")
    lines += ["", BASELINE_TRAILER if adoption.baseline else "Kb-Adopt: cards"]
    return "\n".join(lines) + "\n"
