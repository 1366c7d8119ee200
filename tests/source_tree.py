"""kbcli's own source as the code-base tests read it: each module parsed and walked once.

``tests/unit/test_layers.py`` (the direction of imports) and ``test_code_limits.py``
(module and function sizes) both need every module's syntax tree, and parsing the
whole package was most of the inner loop's time. So each module is parsed once and its
facts (size, functions, imports) are kept, by a digest of its path and text, for the
session and in pytest's cache for the next one (``stored``/``remember``, called by the
``source_facts`` fixture): an edited module, or a copy edited on purpose by the tests
that break a rule, has another digest and is parsed afresh. The digest also covers this
file and Python's version, so a change to how facts are read invalidates them all.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# ``from kbcli.adapters import git_status``: for these packages the names are the imports.
PACKAGES = ("kbcli", "kbcli.core", "kbcli.adapters", "kbcli.usecases", "kbcli.cli")


@dataclass(frozen=True)
class Function:
    name: str
    line: int  # of the ``def``
    first: int  # of its first decorator, else of the ``def``
    last: int


@dataclass(frozen=True)
class ModuleFacts:
    rel: str  # kbcli/core/cards.py
    lines: int
    functions: tuple[Function, ...]
    imports: tuple[tuple[int, str], ...]  # (line, absolute module name) of every import


VERSION = f"{sys.version_info[:2]}:{hashlib.blake2b(Path(__file__).read_bytes()).hexdigest()}"
_known: dict[str, ModuleFacts] = {}  # from earlier sessions (pytest's cache), by digest
_used: dict[str, ModuleFacts] = {}  # read in this session, by digest


def module_facts(path: Path, root: Path) -> ModuleFacts:
    """The facts of one module of the package that sits in ``root``."""
    rel, text = path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")
    key = hashlib.blake2b(f"{VERSION}\0{rel}\0{text}".encode(), digest_size=16).hexdigest()
    facts = _used.get(key) or _known.get(key) or _parse(rel, text)
    _used[key] = facts
    return facts


def package_facts(package: Path) -> Iterator[ModuleFacts]:
    """Every module under ``package`` (a folder called kbcli), in path order."""
    for path in sorted(package.rglob("*.py")):
        yield module_facts(path, package.parent)


def _parse(rel: str, text: str) -> ModuleFacts:
    tree = ast.parse(text, filename=rel)
    package = ".".join(PurePosixPath(rel).with_suffix("").parts[:-1])
    functions: list[Function] = []
    imports: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            functions.append(Function(node.name, node.lineno, first, last))
        elif isinstance(node, ast.Import):
            imports += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports += _from_import(node, package)
    return ModuleFacts(rel, len(text.splitlines()), tuple(functions), tuple(imports))


def _from_import(node: ast.ImportFrom, package: str) -> list[tuple[int, str]]:
    base = node.module or ""
    if node.level:
        parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{parent}.{base}" if base else parent
    found = [(node.lineno, base)]
    if base in PACKAGES:
        found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def stored() -> dict[str, object]:
    """The facts read in this session, as JSON for pytest's cache."""
    return {
        key: [f.rel, f.lines, [list(vars(fn).values()) for fn in f.functions], f.imports]
        for key, f in _used.items()
    }


def remember(value: object) -> None:
    """Take back what ``stored`` gave in an earlier session; ignore it if damaged."""
    if not isinstance(value, dict):
        return
    for key, entry in value.items():
        try:
            rel, lines, functions, imports = entry
            found = ModuleFacts(
                str(rel),
                int(lines),
                tuple(Function(str(n), int(a), int(b), int(c)) for n, a, b, c in functions),
                tuple((int(line), str(module)) for line, module in imports),
            )
        except (TypeError, ValueError):
            continue
        _known[str(key)] = found
