"""The VS Code extension is a manifest plus a few lines: check that they fit together."""

from __future__ import annotations

import json
import re

from tests.helpers import REPO_ROOT

EXTENSION = REPO_ROOT / "editors" / "vscode"


def test_manifest_activates_on_kb_repos_and_points_at_the_client() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    for key in ("name", "version", "publisher", "engines", "main", "activationEvents"):
        assert key in manifest, key
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert re.fullmatch(r"\^1\.\d+\.\d+", manifest["engines"]["vscode"])
    assert "workspaceContains:kb.toml" in manifest["activationEvents"]
    main = EXTENSION / manifest["main"]
    assert main.is_file()
    assert "vscode-languageclient" in manifest["dependencies"]


def test_client_starts_kb_lsp_with_the_settings_the_manifest_declares() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    source = (EXTENSION / manifest["main"]).read_text(encoding="utf-8")
    declared = set(manifest["contributes"]["configuration"]["properties"])
    used = {f"kb.{name}" for name in re.findall(r'config\.get\("(\w+)"', source)}
    assert used == declared
    assert '"lsp"' in source
    assert 'language: "markdown"' in source
    assert "module.exports = { activate, deactivate }" in source
