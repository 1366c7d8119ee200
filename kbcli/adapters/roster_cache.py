"""people.yaml, parsed once per version of its text: YAML costs more than a whole search.

Importing PyYAML and parsing the roster takes longer than ``kb search`` itself in a
big repo, and every command loads the roster to validate the configuration. The
parsed roster is kept in ``.kb/people.json`` next to the exact text it came from
(``parsed_text``): an edit is always parsed again and its problems reported as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.adapters import parsed_text

if TYPE_CHECKING:
    from kbcli.adapters.yaml_text import YamlProblem

CACHE_FILE = "people.json"


def load_roster_yaml(text: str, cache_dir: Path) -> tuple[Any, YamlProblem | None]:
    """``yaml_text.load_yaml(text)``, answered from the cache when ``text`` is unchanged."""

    def parse(text: str) -> tuple[Any, YamlProblem | None]:
        from kbcli.adapters.yaml_text import ROSTER_LIMITS, load_yaml

        return load_yaml(text, ROSTER_LIMITS)

    return parsed_text.load(text, cache_dir / CACHE_FILE, parse)
