"""The direction of imports between kbcli's layers, read from the source with ``ast``.

cli -> usecases -> workspace/config -> adapters -> core. Every import counts, also
the ones inside functions and under ``TYPE_CHECKING``: a lazy import is still a
dependency, only a later one.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import kbcli
from tests.source_tree import module_facts

PACKAGE = Path(kbcli.__file__).parent


def imports(path: Path, root: Path) -> tuple[tuple[int, str], ...]:
    """(line, absolute module name) of every import in one file under ``root``/kbcli."""
    return module_facts(path, root).imports


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _core_may_import(module: str) -> bool:
    top = module.split(".")[0]
    return _in(module, "kbcli.core") or (top != "kbcli" and top in sys.stdlib_module_names)


RULES = {
    # layer folder: (what the rule says, may this layer import that module?)
    "core": ("core imports only the standard library and kbcli.core", _core_may_import),
    "usecases": (
        "usecases never import kbcli.cli",
        lambda m: not _in(m, "kbcli.cli"),
    ),
    "adapters": (
        "adapters never import kbcli.usecases or kbcli.cli",
        lambda m: not (_in(m, "kbcli.usecases") or _in(m, "kbcli.cli")),
    ),
}


def broken_rules(package: Path) -> list[str]:
    """Every import that breaks a layer rule, as ``file:line: module (rule)``."""
    found = []
    for layer, (rule, allowed) in RULES.items():
        for path in sorted((package / layer).rglob("*.py")):
            for line, module in imports(path, package.parent):
                if not allowed(module):
                    rel = path.relative_to(package.parent).as_posix()
                    found.append(f"{rel}:{line}: {module} ({rule})")
    return found


SHARED = {"__init__.py", "__main__.py", "errors.py", "config.py", "repo_root.py", "workspace.py"}
LAYERS = {"core", "adapters", "usecases", "cli"}


def top_level_strays(package: Path) -> list[str]:
    """What sits at the top of ``package`` besides the shared modules and the four layers."""
    strays = []
    for entry in sorted(package.iterdir()):
        if entry.name == "__pycache__" or entry.name.startswith("."):
            continue
        expected = LAYERS if entry.is_dir() else SHARED
        if entry.name not in expected:
            strays.append(entry.name + ("/" if entry.is_dir() else ""))
    return strays


def test_the_top_level_holds_the_shared_modules_and_the_four_layers() -> None:
    assert top_level_strays(PACKAGE) == []
    assert {p.name for p in PACKAGE.iterdir()} >= SHARED | LAYERS


@pytest.mark.parametrize("stray", ["slack/", "check_run.py"])
def test_a_fifth_folder_or_a_stray_module_is_caught(tmp_path: Path, stray: str) -> None:
    copy = tmp_path / "kbcli"
    for layer in LAYERS:
        (copy / layer).mkdir(parents=True)
    for name in SHARED:
        (copy / name).write_text("", encoding="utf-8")
    assert top_level_strays(copy) == []
    if stray.endswith("/"):
        (copy / stray).mkdir()
    else:
        (copy / stray).write_text("", encoding="utf-8")
    assert top_level_strays(copy) == [stray]


@pytest.mark.usefixtures("source_facts")
def test_every_layer_imports_only_downwards() -> None:
    assert broken_rules(PACKAGE) == []


def test_each_layer_has_code_to_check() -> None:
    """An empty or renamed folder would pass the rules trivially."""
    for layer in RULES:
        assert len(list((PACKAGE / layer).rglob("*.py"))) > 3, layer


@pytest.mark.parametrize(
    ("layer", "line", "rule"),
    [
        ("core", "import yaml", "core imports only the standard library"),
        ("core", "from kbcli.adapters import git_repo", "core imports only the standard library"),
        ("core", "from kbcli import workspace", "core imports only the standard library"),
        ("usecases", "from kbcli.cli.output import warn", "usecases never import kbcli.cli"),
        ("usecases", "from ..cli import output", "usecases never import kbcli.cli"),
        ("adapters", "from kbcli.usecases import search", "adapters never import"),
        ("adapters", "import kbcli.cli.progress", "adapters never import"),
    ],
)
def test_a_rule_broken_on_purpose_is_caught(tmp_path: Path, layer: str, line: str, rule: str):
    # A package of one real module of the layer: the rules read each file on its own, so
    # this is what they would see in the whole tree, at a hundredth of the parsing.
    copy = tmp_path / "kbcli"
    (copy / layer).mkdir(parents=True)
    original = next(p for p in sorted((PACKAGE / layer).glob("*.py")) if p.name != "__init__.py")
    culprit = copy / layer / original.name
    shutil.copyfile(original, culprit)
    assert broken_rules(copy) == [], "the module breaks no rule before the edit"
    text = culprit.read_text(encoding="utf-8")
    culprit.write_text(text + f"\n\ndef _late() -> None:\n    {line}\n", encoding="utf-8")
    broken = broken_rules(copy)
    added = len(text.splitlines()) + 4
    assert broken, "the broken rule went unnoticed"
    assert all(b.startswith(f"kbcli/{layer}/{culprit.name}:{added}: ") for b in broken), broken
    assert all(rule in b for b in broken), broken
