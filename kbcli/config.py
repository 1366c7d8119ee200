"""kb.toml: settings declared as data, loaded with precedence defaults < file < env < flags.

Each setting is a dataclass field whose metadata holds its parser and help text, so
validation, environment overrides and the README reference all come from one table.
Every problem is collected and reported together, as mkdocs does, instead of
stopping at the first.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kbcli.core.durations import Duration, parse_duration
from kbcli.core.people import Roster, roster_from
from kbcli.core.trust import Cadence, TrustPolicy
from kbcli.errors import ConfigError, NotAKnowledgeRepo
from kbcli.repo_root import CACHE_DIR, CONFIG_FILE, locate

ROSTER_FILE = "people.yaml"
# Never cards, whatever kb.toml says: kb's own caches, git, and the repo's templates.
ALWAYS_IGNORED = (".git", ".kb", "templates", "node_modules")


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


def _duration(value: Any) -> Duration:
    return parse_duration(value)


def _severities(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table of rule = severity")
    bad = {k: v for k, v in value.items() if v not in ("error", "warning", "off")}
    if bad:
        raise ValueError(f"severity must be error, warning or off: {bad}")
    return dict(value)


def setting(default: Any, parse: Callable[[Any], Any], help: str) -> Any:
    """Declare one kb.toml key: its default, how to read it, and its documentation."""
    return field(default=default, metadata={"parse": parse, "help": help})


@dataclass(frozen=True)
class CardsSettings:
    folders: tuple[str, ...] = setting(
        (".",), _texts, "Folders that hold cards, relative to the repo root."
    )
    ignore: tuple[str, ...] = setting(
        ("README.md", "CONTRIBUTING.md", "CHANGELOG.md"),
        _texts,
        "Gitignore-style patterns of .md files that are not cards.",
    )
    max_front_matter: int = setting(
        64 * 1024,
        _count,
        "Largest front matter kb reads, in characters; a longer one is a card-unreadable "
        "finding on its card (read as an unowned draft). The body has no limit.",
    )


@dataclass(frozen=True)
class VerificationSettings:
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


@dataclass(frozen=True)
class FolderSettings:
    verify_every: Duration | None = setting(None, _duration, "Cadence for cards in this folder.")
    warn_within: Duration | None = setting(None, _duration, "Due window for this folder.")
    rules: dict[str, str] = setting(
        None, _severities, "Rule severities for this folder (rule = error|warning|off)."
    )
    owner: str | None = setting(
        None, _text, "Owner kb adopt suggests for this folder when CODEOWNERS and git say nothing."
    )


@dataclass(frozen=True)
class SearchSettings:
    default_lang: str = setting("en", _text, "Language of cards without a lang key.")
    verified_boost: float = setting(1.2, _number, "Score multiplier for verified cards.")
    expired_penalty: float = setting(0.7, _number, "Score multiplier for expired cards.")
    semantic: bool = setting(
        True,
        _flag,
        "Rank by meaning too, with the passage vectors kb index makes when kbcli[semantic] "
        "is installed (false: words only).",
    )


@dataclass(frozen=True)
class HistorySettings:
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


@dataclass(frozen=True)
class CheckSettings:
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


@dataclass(frozen=True)
class HandbookSettings:
    title: str = setting("Knowledge base", _text, "Title of the handbook site.")
    repo_url: str = setting("", _text, "Web URL of the repository, for 'edit this card' links.")
    branch: str = setting("main", _text, "Branch that edit links point at.")
    url: str = setting(
        "", _text, "Address the built handbook is served at (https://kb.acme.com), for Slack links."
    )


@dataclass(frozen=True)
class CaptureSettings:
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


@dataclass(frozen=True)
class AdoptSettings:
    owner: str = setting(
        "", _text, "Owner kb adopt suggests when CODEOWNERS, git and [folders] say nothing."
    )
    history: Duration = setting(
        parse_duration("12m"), _duration, "kb adopt weighs git commits made in this window."
    )


@dataclass(frozen=True)
class UsageSettings:
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


@dataclass(frozen=True)
class KbConfig:
    root: Path
    cards: CardsSettings = field(default_factory=CardsSettings)
    verification: VerificationSettings = field(default_factory=VerificationSettings)
    folders: Mapping[str, FolderSettings] = field(default_factory=dict)
    search: SearchSettings = field(default_factory=SearchSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    check: CheckSettings = field(default_factory=CheckSettings)
    handbook: HandbookSettings = field(default_factory=HandbookSettings)
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    adopt: AdoptSettings = field(default_factory=AdoptSettings)
    usage: UsageSettings = field(default_factory=UsageSettings)
    roster: Roster = field(default_factory=Roster)
    warnings: tuple[str, ...] = ()

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def trust_policy(self) -> TrustPolicy:
        default = Cadence(self.verification.verify_every, self.verification.warn_within)
        folders = {
            name: Cadence(
                f.verify_every or default.verify_every, f.warn_within or default.warn_within
            )
            for name, f in self.folders.items()
        }
        return TrustPolicy(default, folders)


def find_root(start: Path, explicit: str | None = None) -> Path:
    """The knowledge repo root: ``--kb``/``KB_DIR`` if given, else walk up to kb.toml."""
    found = locate(str(start), explicit)
    if found is not None:
        return Path(found)
    if explicit:
        root = Path(explicit).expanduser()
        raise NotAKnowledgeRepo(
            f"{root} has no {CONFIG_FILE}: run 'kb init {root}' or point --kb at a knowledge repo"
        )
    raise NotAKnowledgeRepo(
        f"no {CONFIG_FILE} in {start.resolve()} or any parent folder: run 'kb init' to make a "
        "knowledge repo, or pass --kb PATH (or set KB_DIR)"
    )


def load_config(
    root: Path, env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> KbConfig:
    """Read kb.toml and people.yaml under ``root``; raise one ConfigError listing every problem."""
    env = os.environ if env is None else env
    errors: list[str] = []
    warnings: list[str] = []
    data = _read_toml(root / CONFIG_FILE, errors)
    unknown = set(data) - set(SECTIONS) - {"folders", "people"}
    warnings += [f"{CONFIG_FILE}: unknown section [{name}] is ignored" for name in sorted(unknown)]

    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        layered = _layer(name, cls, data.get(name), env, overrides or {}, warnings, errors)
        sections[name] = layered
    folders = _folders(data.get("folders"), warnings, errors)
    roster = _roster(root, data.get("people"), errors)
    if errors:
        detail = "\n".join(f"  {e}" for e in errors)
        raise ConfigError(f"the configuration has {len(errors)} problem(s):\n{detail}")
    return KbConfig(root=root, folders=folders, roster=roster, warnings=tuple(warnings), **sections)


def _read_toml(path: Path, errors: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        errors.append(f"{path.name}: {error}; fix the TOML syntax")
    except OSError as error:
        errors.append(f"{path.name}: cannot read it ({error.strerror})")
    return {}


def _layer(
    section: str,
    cls: type,
    table: Any,
    env: Mapping[str, str],
    overrides: Mapping[str, Any],
    warnings: list[str],
    errors: list[str],
) -> Any:
    """One section: defaults, then kb.toml, then KB_SECTION_KEY, then ``section.key`` flags."""
    values: dict[str, Any] = {}
    if table is not None and not isinstance(table, Mapping):
        errors.append(f"{CONFIG_FILE}: [{section}] must be a table")
        table = None
    known = {f.name: f for f in fields(cls)}
    for key in sorted(set(table or {}) - set(known)):
        warnings.append(f"{CONFIG_FILE}: unknown key '{key}' in [{section}] is ignored")
    for name, spec in known.items():
        sources = [
            (f"{CONFIG_FILE} [{section}] {name}", (table or {}).get(name)),
            (f"environment {env_name(section, name)}", env.get(env_name(section, name))),
            (f"option for {section}.{name}", overrides.get(f"{section}.{name}")),
        ]
        for source, raw in sources:
            if raw is None:
                continue
            try:
                values[name] = spec.metadata["parse"](raw)
            except ValueError as error:
                errors.append(f"{source}: {error}")
    instance = cls()
    return replace(instance, **values) if values else instance


def _folders(table: Any, warnings: list[str], errors: list[str]) -> dict[str, FolderSettings]:
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        errors.append(f"{CONFIG_FILE}: [folders] must hold tables such as [folders.runbooks]")
        return {}
    result = {}
    for name, sub in table.items():
        result[name.strip("/")] = _layer(
            f"folders.{name}", FolderSettings, sub, {}, {}, warnings, errors
        )
    return result


def _roster(root: Path, table: Any, errors: list[str]) -> Roster:
    data: dict[str, Any] = {}
    if isinstance(table, Mapping):
        data.update(table)
    elif table is not None:
        errors.append(f"{CONFIG_FILE}: [people] must hold tables such as [people.ana]")
    path = root / ROSTER_FILE
    if path.is_file():
        from kbcli.adapters.roster_cache import load_roster_yaml

        try:
            loaded, problem = load_roster_yaml(path.read_text(encoding="utf-8"), root / CACHE_DIR)
        except (OSError, UnicodeDecodeError) as error:
            loaded, problem = None, None
            errors.append(f"{ROSTER_FILE}: cannot read it ({error})")
        if problem is not None:
            where = f"{ROSTER_FILE}:{problem.line + 1}:{problem.column + 1}"
            errors.append(f"{where}: cannot parse it ({problem.message})")
        loaded = loaded or {}
        if not isinstance(loaded, Mapping):
            errors.append(f"{ROSTER_FILE}: must map handles to people (ana: {{name: ...}})")
            loaded = {}
        clash = set(data) & set(loaded)
        if clash:
            errors.append(f"{ROSTER_FILE} and [people] both define {', '.join(sorted(clash))}")
        data.update(loaded)
    roster, problems = roster_from(data)
    errors += [f"roster: {p}" for p in problems]
    return roster


def env_name(section: str, key: str) -> str:
    """The environment variable that overrides ``[section] key``: ``KB_SECTION_KEY``."""
    return f"KB_{section.upper()}_{key.upper()}"


def environment_names() -> list[str]:
    """Every variable ``load_config`` reads, from the settings table (the test suite
    clears them all, so a developer's own ``KB_*`` settings never change a result)."""
    return [
        env_name(section, spec.name) for section, cls in SECTIONS.items() for spec in fields(cls)
    ]


def reference() -> list[tuple[str, str, str, str]]:
    """(section, key, default, help) for every setting: the README reference table."""
    rows = []
    for section, cls in {**SECTIONS, "folders.<path>": FolderSettings}.items():
        for spec in fields(cls):
            default = spec.default if spec.default is not MISSING else ""
            if isinstance(default, tuple):
                default = list(default)
            rows.append(
                (section, spec.name, "" if default is None else str(default), spec.metadata["help"])
            )
    return rows
