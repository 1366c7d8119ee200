"""The kb.toml table: every section and key, its default, its parser and its help.

Declared as data (each section a NamedTuple whose fields are declared with ``setting``:
default, parser and help text together), so ``config.load_config`` validates, the
``KB_*`` environment overrides and the README reference all come from this one table.
NamedTuples, not dataclasses: every command loads this table, and a one-shot search
should not pay for importing ``dataclasses`` and generating its classes' methods.
Pure: parsing values, no file or environment.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from kbcli.core.durations import Duration, parse_duration


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of text values, got {value!r}")
    return tuple(value)


def _wikilinks(value: Any) -> str:
    text = _text(value).strip().lower()
    if text not in ("page-first", "text-first"):
        raise ValueError(f"expected page-first or text-first, got {value!r}")
    return text


def _number(value: Any) -> float:
    if isinstance(value, str):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _public_stale(value: Any) -> str:
    if value not in ("notice", "omit"):
        raise ValueError(f"expected notice or omit, got {value!r}")
    return str(value)


def _duration(value: Any) -> Duration:
    return parse_duration(value)


def _severities(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table of rule = severity")
    bad = {k: v for k, v in value.items() if v not in ("error", "warning", "off")}
    if bad:
        raise ValueError(f"severity must be error, warning or off: {bad}")
    return dict(value)


class Spec(NamedTuple):
    """How one kb.toml key is read, and its documentation."""

    parse: Callable[[Any], Any]
    help: str


# Each section's keys, in field order: ``SPECS[CardsSettings]["folders"]``.
SPECS: dict[type, dict[str, Spec]] = {}
_declared: list[Spec] = []  # the specs of the section class being defined
_Section = TypeVar("_Section", bound=type)


def setting(default: Any, parse: Callable[[Any], Any], help: str) -> Any:
    """Declare one kb.toml key in a section's body: its default (returned, so it is the
    field's default), how to read it, and its documentation (kept for ``section``)."""
    _declared.append(Spec(parse, help))
    return default


def section(cls: _Section) -> _Section:
    """Register a section class: its fields' specs, declared by ``setting`` in its body."""
    fields: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]
    SPECS[cls] = dict(zip(fields, _declared, strict=True))
    _declared.clear()
    return cls


@section
class CardsSettings(NamedTuple):
    folders: tuple[str, ...] = setting(
        (".",), _texts, "Folders that hold cards, relative to the repo root."
    )
    ignore: tuple[str, ...] = setting(
        ("README.md", "CONTRIBUTING.md", "CHANGELOG.md"),
        _texts,
        "Gitignore-style patterns of .md files that are not cards.",
    )
    wikilinks: str = setting(
        "page-first",
        _wikilinks,
        "Which side of [[a|b]] names the page: page-first (Obsidian, kb: [[Page|text]]) "
        "or text-first (GitHub wikis: [[Link text|Page name]]).",
    )
    max_front_matter: int = setting(
        64 * 1024,
        _count,
        "Largest front matter kb reads, in characters; a longer one is a card-unreadable "
        "finding on its card (read as an unowned draft). The body has no limit.",
    )


@section
class VerificationSettings(NamedTuple):
    verify_every: Duration = setting(
        parse_duration("3m"), _duration, "Default re-verification cadence: 30d, 6w, 3m, 1y, never."
    )
    warn_within: Duration = setting(
        parse_duration("14d"), _duration, "A card is 'due' this long before it expires."
    )
    require_signed: bool = setting(
        False,
        _flag,
        "A stamp counts only if git verifies its commit's signature against people.yaml "
        "signing_keys (kb verify --sign).",
    )


@section
class FolderSettings(NamedTuple):
    verify_every: Duration | None = setting(None, _duration, "Cadence for cards in this folder.")
    warn_within: Duration | None = setting(None, _duration, "Due window for this folder.")
    rules: dict[str, str] = setting(
        None, _severities, "Rule severities for this folder (rule = error|warning|off)."
    )
    owner: str | None = setting(
        None, _text, "Owner kb adopt suggests for this folder when CODEOWNERS and git say nothing."
    )


@section
class SearchSettings(NamedTuple):
    default_lang: str = setting("en", _text, "Language of cards without a lang key.")
    verified_boost: float = setting(1.2, _number, "Score multiplier for verified cards.")
    expired_penalty: float = setting(0.7, _number, "Score multiplier for expired cards.")
    semantic: bool = setting(
        True,
        _flag,
        "Rank by meaning too, with the passage vectors kb index makes when kbcli[semantic] "
        "is installed (false: words only).",
    )
    start_daemon: bool = setting(
        True,
        _flag,
        "When a search ranks by meaning and no kb daemon runs for this repo, start one in "
        "the background for the searches after it (false, or KB_DAEMON=off: never).",
    )
    daemon_idle_minutes: float = setting(
        20.0,
        _number,
        "A kb daemon that a search started exits after this many minutes without a "
        "search (0: only when stopped or when the repo is gone).",
    )


@section
class HistorySettings(NamedTuple):
    inactive_after: Duration = setting(
        parse_duration("180d"), _duration, "An owner with no commit for this long is inactive."
    )
    bulk_threshold: int = setting(
        10,
        _count,
        "One person re-stamping this many cards without edits within bulk_window_hours is a "
        "bulk re-verification (in one commit or several).",
    )
    bulk_window_hours: int = setting(
        24, _count, "The window (hours) within which a person's stamps count toward one bulk run."
    )
    ci_identities: tuple[str, ...] = setting(
        (),
        _texts,
        "Committer e-mails of CI or merge bots that may commit a verifier's stamp "
        "(committer-not-verifier ignores them).",
    )


@section
class CheckSettings(NamedTuple):
    grace: Duration | None = setting(
        None, _duration, "An expired card is a warning for this long, then an error."
    )
    rules: dict[str, str] = setting(
        None, _severities, "Rule severities (rule = error|warning|off)."
    )
    duplicate_similarity: float = setting(
        0.9,
        _number,
        "Two published cards whose title and body terms are this similar (cosine, 0-1) are "
        "near-duplicates; 0 turns the check off.",
    )
    duplicate_max_cards: int = setting(
        5000,
        _count,
        "Above this many published cards the near-duplicate check is skipped (and said so): "
        "it reads every card's words.",
    )


@section
class HandbookSettings(NamedTuple):
    title: str = setting("Knowledge base", _text, "Title of the handbook site.")
    repo_url: str = setting("", _text, "Web URL of the repository, for 'edit this card' links.")
    branch: str = setting("main", _text, "Branch that edit links point at.")
    url: str = setting(
        "",
        _text,
        "Address the built handbook is served at (https://kb.acme.com), for Slack links; "
        "its path (https://org.github.io/handbook/) is where the 404 page's links start.",
    )
    public_stale: str = setting(
        "notice",
        _public_stale,
        "What a public build (a help center) does with a card that is not current "
        "(expired, needing review or never verified): notice shows it with 'This article "
        "may be out of date'; omit leaves it out of the site until it is verified again.",
    )


@section
class CaptureSettings(NamedTuple):
    slack_url: str = setting(
        "", _text, "Web address of the Slack workspace (https://acme.slack.com), for permalinks."
    )
    folder: str = setting("", _text, "Folder for captured drafts (default: the first card folder).")
    template: str = setting("kcs", _text, "Card template that captured drafts are made from.")
    forge: str = setting(
        "",
        _text,
        "Where kb slack opens a merge request for a captured thread: github, gitlab, none "
        "(empty: from the remote's host). The token comes from KB_FORGE_TOKEN (or "
        "GITHUB_TOKEN, GITLAB_TOKEN) in the app's environment, never from the repo.",
    )
    forge_api: str = setting(
        "",
        _text,
        "The forge's API address (empty: api.github.com, https://HOST/api/v3 or /api/v4).",
    )
    review: bool = setting(
        True,
        _flag,
        "kb slack commits a captured thread on a kb/capture-... branch for review; false "
        "commits it to the checkout's branch (main) and pushes it.",
    )


@section
class AdoptSettings(NamedTuple):
    owner: str = setting(
        "", _text, "Owner kb adopt suggests when CODEOWNERS, git and [folders] say nothing."
    )
    history: Duration = setting(
        parse_duration("12m"), _duration, "kb adopt weighs git commits made in this window."
    )


@section
class UsageSettings(NamedTuple):
    log_users: bool = setting(
        False,
        _flag,
        "Also record who searched in .kb/usage/ (off: only time, query, surface, results).",
    )


SECTIONS: dict[str, type] = {
    "cards": CardsSettings,
    "verification": VerificationSettings,
    "search": SearchSettings,
    "history": HistorySettings,
    "check": CheckSettings,
    "handbook": HandbookSettings,
    "capture": CaptureSettings,
    "adopt": AdoptSettings,
    "usage": UsageSettings,
}
