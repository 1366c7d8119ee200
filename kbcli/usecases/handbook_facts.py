"""What the handbook's pages show besides the cards: git facts (last author, last edit,
last verifier), the trust trend and the findings, from the history pass; and the site's
options (title, audience, day, edit links)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import HandbookFacts, SiteOptions, digest, edit_base, site_path

if TYPE_CHECKING:
    from kbcli.usecases.handbook_state import BuildMemo
    from kbcli.workspace import Workspace


def site_options(ws: Workspace, audience: Audience, *, shallow: bool) -> SiteOptions:
    return SiteOptions(
        title=ws.config.handbook.title,
        audience=audience,
        today=ws.today,
        default_lang=ws.config.search.default_lang,
        edit_base=_edit_base(ws),
        shallow=shallow,
        site_path=site_path(ws.config.handbook.url),
    )


def _edit_base(ws: Workspace) -> str:
    settings = ws.config.handbook
    if not settings.repo_url:
        return ""
    from kbcli.adapters.git_repo import repo_root

    git_root = repo_root(ws.root)
    prefix = ws.root.resolve().relative_to(git_root.resolve()).as_posix() if git_root else ""
    return edit_base(settings.repo_url, settings.branch, "" if prefix == "." else prefix)


def gather_facts(
    ws: Workspace,
    audience: Audience,
    trend_cache: dict[str, Any] | None = None,
    memo: BuildMemo | None = None,
    git_cache: dict[str, Any] | None = None,
) -> HandbookFacts:
    """Git facts, the trust trend and findings, from the history pass (issue 4's interface).

    Outside a git repository the history is empty and pages leave those facts out. The
    trend only depends on commits, the day and the cadence, so it is cached by those
    in ``trend_cache`` (it takes seconds on a large history). The git facts only depend
    on the history's tip and the roster, so they are kept in ``git_cache`` by those.
    """
    from kbcli.core.handbook import GitFacts
    from kbcli.usecases.health import assess_health, card_histories

    roster = ws.config.roster
    histories = card_histories(ws, allow_shallow=True)
    source = (histories, roster)
    if memo is not None and memo.git is not None and _same_source(memo.git_source, source):
        git: dict[str, GitFacts] = memo.git
    else:
        git = _kept_git_facts(ws, histories, roster, git_cache)
        if memo is not None:
            memo.git_source, memo.git = source, git
    internal = audience is Audience.INTERNAL
    findings = (
        [_finding_dict(f) for f in assess_health(ws, allow_shallow=True).findings]
        if internal
        else []
    )
    trend: list[tuple[date, int]] = []
    if internal and git:
        trend = _cached_trend(ws, trend_cache if trend_cache is not None else {})
    return HandbookFacts(git=git, trend=trend, findings=findings, has_history=bool(git))


def _same_source(old: Any, new: tuple[Any, Any]) -> bool:
    """The same history object (kb serve keeps it while HEAD stays) and an equal roster."""
    return old is not None and old[0] is new[0] and old[1] == new[1]


def _kept_git_facts(
    ws: Workspace, histories: Any, roster: Any, cache: dict[str, Any] | None
) -> dict[str, Any]:
    """The git facts of every card, taken from ``cache`` (a build's manifest keeps it)
    while the history's tip and the roster are the ones they were computed from: a
    fresh ``kb build`` after an uncommitted edit need not walk every card's history."""
    from kbcli import __version__
    from kbcli.core.handbook import GitFacts
    from kbcli.usecases.health import repo_history

    history = repo_history(ws, allow_shallow=True)
    if cache is None or history is None or history.tip is None:
        return _git_facts(histories, roster)
    # "last-edit-2": the last edit stopped counting a reassign (facts kept before differ).
    key = digest(
        __version__, "last-edit-2", history.tip, history.prefix, history.shallow, repr(roster)
    )
    if cache.get("key") == key:
        return {
            path: GitFacts(author, None if day is None else date.fromordinal(day), verifier)
            for path, (author, day, verifier) in cache["facts"].items()
        }
    git = _git_facts(histories, roster)
    cache.clear()
    cache["key"] = key
    cache["facts"] = {
        path: (f.last_author, f.last_date and f.last_date.toordinal(), f.verified_by)
        for path, f in git.items()
    }
    return git


def _git_facts(histories: Any, roster: Any) -> dict[str, Any]:
    from kbcli.core.handbook import GitFacts

    git: dict[str, GitFacts] = {}
    for path, history in histories.items():
        edit, verification = history.last_edit, history.last_verification
        git[path] = GitFacts(
            last_author=_person(roster, edit.commit.author_name, edit.commit.author_email)
            if edit
            else None,
            last_date=edit.commit.day if edit else None,
            verified_by=_person(
                roster, verification.commit.author_name, verification.commit.author_email
            )
            if verification
            else None,
        )
    return git


def _cached_trend(ws: Workspace, cache: dict[str, Any]) -> list[tuple[date, int]]:
    from kbcli.adapters.git_history import locate
    from kbcli.usecases.health import trust_trend

    place = locate(ws.root)
    key = digest(place.head if place else None, ws.today, repr(ws.config.trust_policy))
    if cache.get("key") != key:
        points = [
            (day.isoformat(), round(score * 100))
            for day, score in trust_trend(ws, allow_shallow=True)
        ]
        cache.clear()
        cache.update(key=key, points=points)
    return [(date.fromisoformat(day), score) for day, score in cache["points"]]


def _person(roster: Any, name: str, email: str) -> str:
    # By e-mail only, as the provenance rules: a git user.name alone never passes as a person.
    handle = roster.handle_for(None, email)
    return roster.display(handle) if handle else name


def _finding_dict(finding: Any) -> dict[str, Any]:
    from kbcli.core.plain_line import display_title

    return {
        "severity": str(finding.severity),
        "rule": finding.rule,
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "title": display_title(finding.title),
    }


def shallow_clone(ws: Workspace, allow_shallow: bool) -> bool:
    """Whether the build reads a shallow clone; refuses one unless ``allow_shallow``, as
    kb check, kb report and kb history do (wrong authors, dates and findings otherwise)."""
    from kbcli.adapters.git_history import ShallowClone, ShallowHint, locate

    place = locate(ws.root)
    if place is None or not place.shallow:
        return False
    if not allow_shallow:
        raise ShallowClone(ShallowHint)
    return True
