"""kb.toml: settings declared as data, loaded with precedence defaults < file < env < flags.

Each setting is a field of a section NamedTuple, declared with its parser and help
text (the table is ``core/settings.py``), so validation, environment overrides and the
README reference all come from one table. Every problem is collected and reported
together, as mkdocs does, instead of stopping at the first.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from kbcli.adapters import parsed_text
from kbcli.core.people import Roster, roster_from
from kbcli.core.settings import (
    SECTIONS,
    SPECS,
    AdoptSettings,
    CaptureSettings,
    CardsSettings,
    CheckSettings,
    FolderSettings,
    HandbookSettings,
    HistorySettings,
    SearchSettings,
    UsageSettings,
    VerificationSettings,
)
from kbcli.core.trust import Cadence, TrustPolicy
from kbcli.errors import ConfigError, NotAKnowledgeRepo
from kbcli.repo_root import CACHE_DIR, CONFIG_FILE, locate

ROSTER_FILE = "people.yaml"
TOML_CACHE = "kb-toml.json"  # in the cache folder: kb.toml parsed (parsed_text)
# Never cards, whatever kb.toml says: kb's own caches, git, and the repo's templates.
ALWAYS_IGNORED = (".git", ".kb", "templates", "node_modules")


class KbConfig(NamedTuple):
    root: Path
    cards: CardsSettings = CardsSettings()
    verification: VerificationSettings = VerificationSettings()
    folders: Mapping[str, FolderSettings] = MappingProxyType({})
    search: SearchSettings = SearchSettings()
    history: HistorySettings = HistorySettings()
    check: CheckSettings = CheckSettings()
    handbook: HandbookSettings = HandbookSettings()
    capture: CaptureSettings = CaptureSettings()
    adopt: AdoptSettings = AdoptSettings()
    usage: UsageSettings = UsageSettings()
    roster: Roster = Roster()
    warnings: tuple[str, ...] = ()

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def missing_card_folders(self) -> list[str]:
        """The [cards] folders that do not exist: no card is read from them (a typo, a
        renamed folder, or a folder no card was written to yet)."""
        return [f for f in self.cards.folders if not (self.root / f).is_dir()]

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
    config = KbConfig(root=root, folders=folders, roster=roster, **sections)
    warnings += [
        f"{CONFIG_FILE}: card folder {folder!r} ([cards] folders) does not exist: no card is "
        f"read from it (kb new --folder {folder} writes one there)"
        for folder in config.missing_card_folders
    ]
    return config._replace(warnings=tuple(warnings))


def _read_toml(path: Path, errors: list[str]) -> dict[str, Any]:
    """kb.toml's tables: parsed once per version of its text (``parsed_text``: tomllib's
    import alone was ~9% of a one-shot search's instructions)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        errors.append(f"{path.name}: cannot read it ({error.strerror})")
        return {}
    try:
        text = raw.decode()  # TOML is UTF-8 by definition
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        bad = raw[error.start]
        errors.append(f"{path.name}:{line}: byte 0x{bad:02x} is not UTF-8; save the file as UTF-8")
        return {}
    cache = path.parent / CACHE_DIR / TOML_CACHE
    data, problem = parsed_text.load(text, cache, _parse_toml)
    if problem is not None:
        errors.append(f"{path.name}: {problem}; fix the TOML syntax")
        return {}
    return data


def _parse_toml(text: str) -> tuple[dict[str, Any], Exception | None]:
    import tomllib

    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as error:
        return {}, error


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
    known = SPECS[cls]
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
                values[name] = spec.parse(raw)
            except ValueError as error:
                errors.append(f"{source}: {error}")
    instance = cls()
    return instance._replace(**values) if values else instance


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
    if path.is_dir():  # not "no roster": the identity checks would be skipped in silence
        errors.append(f"{ROSTER_FILE}: is a folder, not a file; move it aside, write the roster")
    elif path.is_file():
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
    return [env_name(section, name) for section, cls in SECTIONS.items() for name in SPECS[cls]]


def reference() -> list[tuple[str, str, str, str]]:
    """(section, key, default, help) for every setting: the README reference table."""
    rows = []
    for section, cls in {**SECTIONS, "folders.<path>": FolderSettings}.items():
        for name, spec in SPECS[cls].items():
            default = cls._field_defaults[name]  # type: ignore[attr-defined]
            if isinstance(default, tuple) and not hasattr(default, "_fields"):
                default = list(default)  # a list of values, as kb.toml writes it
            rows.append((section, name, "" if default is None else str(default), spec.help))
    return rows
