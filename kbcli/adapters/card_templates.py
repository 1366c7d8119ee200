"""Card templates: Jinja files that ``kb new`` renders into a new card.

Built-in templates ship in ``templates/cards/``; a knowledge repo adds or overrides
them with ``<repo>/templates/NAME.md``. A template may start with a
``{#- kb-template ... -#}`` comment holding YAML: its description and the sections
a card made from it must fill (``kb check`` enforces them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.adapters.resources import templates_dir
from kbcli.errors import KbError

_HEADER = re.compile(r"\A\{#-?\s*kb-template\s*\n(?P<yaml>.*?)\n\s*-?#\}", re.DOTALL)


@dataclass(frozen=True)
class CardTemplate:
    name: str
    path: Path
    source: str  # "built-in" or "repo"
    description: str
    required_sections: tuple[str, ...]


def _header(text: str) -> dict[str, Any]:
    match = _HEADER.match(text)
    if not match:
        return {}
    import yaml

    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _to_yaml(value: Any) -> str:
    """Jinja filter: a YAML scalar or flow list that reads back as ``value``.

    JSON strings and arrays are valid YAML, so titles with colons, quotes or
    unicode stay exactly as typed.
    """
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


class CardTemplates:
    """The templates available in one knowledge repo (the repo's own win by name)."""

    def __init__(self, repo_root: Path) -> None:
        self.repo_dir = repo_root / "templates"
        self.builtin_dir = templates_dir() / "cards"

    def available(self) -> dict[str, CardTemplate]:
        found: dict[str, CardTemplate] = {}
        for source, folder in (("built-in", self.builtin_dir), ("repo", self.repo_dir)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.md")):
                if path.stem.lower() == "readme":  # kb init's note about the folder
                    continue
                header = _header(path.read_text(encoding="utf-8"))
                required = header.get("required_sections") or []
                found[path.stem] = CardTemplate(
                    name=path.stem,
                    path=path,
                    source=source,
                    description=str(header.get("description", "")),
                    required_sections=tuple(str(s) for s in required),
                )
        return found

    def get(self, name: str) -> CardTemplate:
        templates = self.available()
        if name not in templates:
            names = ", ".join(sorted(templates))
            raise KbError(f"no card template named '{name}'; choose one of: {names}")
        return templates[name]

    def render(self, name: str, variables: dict[str, Any]) -> str:
        """Render template ``name``; a broken template is a KbError naming file and line."""
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        from kbcli.adapters.jinja_site import refusal

        template = self.get(name)
        # Sandboxed like the handbook's templates (a pull request can add one); not
        # HTML-escaped, because a card is markdown and its HTML is sanitized when built.
        env = ImmutableSandboxedEnvironment(
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
        )
        env.filters["yaml"] = _to_yaml
        try:
            text = template.path.read_text(encoding="utf-8")
            return env.from_string(text).render(**variables)
        except jinja2.TemplateSyntaxError as error:
            raise KbError(
                f"{template.path}:{error.lineno}: template error: {error.message}"
            ) from None
        except jinja2.UndefinedError as error:
            raise KbError(
                f"{template.path}: template uses an unknown variable: {error.message}; "
                "available: " + ", ".join(sorted(variables))
            ) from None
        except jinja2.TemplateError as error:
            raise KbError(f"{template.path}: {refusal(error)}") from None
