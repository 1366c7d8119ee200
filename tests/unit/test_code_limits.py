"""kbcli's size limits: no module over 400 lines, no function over 60.

Long modules and functions are where a second copy of a concept hides and where a
reader stops following; issue 11 split them along the lines their comments drew.
This keeps them split. A function counts from its first decorator to its last line,
nested functions included (they are part of what a reader must hold in mind).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kbcli
from tests.source_tree import package_facts

PACKAGE = Path(kbcli.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def too_long(package: Path) -> list[str]:
    """Every module and function over the limits, as ``path: what (lines)``."""
    found = []
    for module in package_facts(package):
        if module.lines > MAX_MODULE_LINES:
            found.append(f"{module.rel}: module ({module.lines} lines)")
        for function in module.functions:
            length = function.last - function.first + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{module.rel}:{function.line}: {function.name} ({length} lines)")
    return found


@pytest.mark.usefixtures("source_facts")
def test_no_module_or_function_is_over_the_limits() -> None:
    assert too_long(PACKAGE) == [], "split along the lines the comments draw"


def test_a_module_or_function_over_the_limits_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "kbcli"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 2))
    (package / "short.py").write_text(f"@decorate\ndef f():\n{body}", encoding="utf-8")
    assert too_long(package) == []
    (package / "long.py").write_text(f"@decorate\ndef f():\n{body}    return 1\n")
    (package / "big.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    assert too_long(package) == [
        f"kbcli/big.py: module ({MAX_MODULE_LINES + 1} lines)",
        f"kbcli/long.py:2: f ({MAX_FUNCTION_LINES + 1} lines)",
    ]
