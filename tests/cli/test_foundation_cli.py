"""The foundation through kb's real entry point: init, new, list, show, schema, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE_KB, KbRepo, run_kb

TODAY = "2026-11-22"


def test_init_new_list_in_an_empty_folder(tmp_path: Path):
    target = tmp_path / "support-kb"
    result = run_kb("init", str(target), "--title", "Support")
    assert result.exit_code == 0, result.output
    for name in ("kb.toml", "people.yaml", ".gitignore", "templates/README.md", ".git"):
        assert (target / name).exists(), name
    assert ".kb/" in (target / ".gitignore").read_text()

    result = run_kb(
        "new",
        "--template",
        "kcs",
        "--no-edit",
        "--title",
        "Refund: a 'double' charge",
        "--owner",
        "ana",
        "--tag",
        "billing",
        cwd=target,
    )
    assert result.exit_code == 0, result.output
    card = target / "refund-a-double-charge.md"
    assert card.is_file()

    listed = run_kb("list", "--json", cwd=target)
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)
    assert entry["path"] == "refund-a-double-charge.md"
    assert entry["title"] == "Refund: a 'double' charge"
    assert entry["owner"] == "ana" and entry["tags"] == ["billing"]
    assert entry["status"] == "draft" and entry["trust"] == "unverified"
    assert entry["problems"] == []
    assert "## Environment" in card.read_text()


def test_init_refuses_to_overwrite_a_knowledge_repo(kb_repo: KbRepo):
    result = run_kb("init", str(kb_repo.path))
    assert result.exit_code == 2
    assert "exists already" in result.stderr and "Traceback" not in result.output


def test_new_names_are_unique_and_unicode_titles_work(kb_repo: KbRepo):
    for _ in range(2):
        assert (
            run_kb(
                "new", "--no-edit", "-t", "Сброс пароля", "-T", "faq", cwd=kb_repo.path
            ).exit_code
            == 0
        )
    assert sorted(p.name for p in kb_repo.path.glob("*.md")) == [
        "сброс-пароля-2.md",
        "сброс-пароля.md",
    ]


def test_new_uses_the_git_identity_mapped_through_the_roster(kb_repo: KbRepo, monkeypatch):
    (kb_repo.path / "people.yaml").write_text("ana:\n  name: Ana\n  emails: [ana@x.test]\n")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ANA@x.test")
    assert run_kb("new", "--no-edit", "-t", "Mine", cwd=kb_repo.path).exit_code == 0
    assert 'owner: "ana"' in (kb_repo.path / "mine.md").read_text()


def test_new_and_verify_agree_on_who_you_are(kb_repo: KbRepo, monkeypatch):
    """Your git name matching a roster name is not enough: kb verify maps by e-mail
    only, so kb new must not make you the owner of a card you may then not verify."""
    (kb_repo.path / "people.yaml").write_text("ana:\n  name: Ana\n  emails: [ana@x.test]\n")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ana")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "someone.else@x.test")
    created = run_kb("new", "--no-edit", "-t", "Mine", cwd=kb_repo.path)
    assert created.exit_code == 0, created.output
    assert "owner: null" in (kb_repo.path / "mine.md").read_text()
    assert "could not map your git identity" in created.stderr
    verify = run_kb("verify", "--mine", "--yes", cwd=kb_repo.path)
    assert verify.exit_code == 2 and "not in people.yaml" in verify.stderr


def test_new_with_a_repo_template_and_an_unknown_template(kb_repo: KbRepo):
    (kb_repo.path / "templates").mkdir()
    (kb_repo.path / "templates" / "kcs.md").write_text(
        "---\ntitle: {{ title | yaml }}\ntemplate: kcs\n---\n# Team KCS {{ title }}\n"
    )
    assert run_kb("new", "--no-edit", "-t", "X", cwd=kb_repo.path).exit_code == 0
    assert "# Team KCS X" in (kb_repo.path / "x.md").read_text()
    result = run_kb("new", "--no-edit", "-t", "Y", "-T", "nope", cwd=kb_repo.path)
    assert result.exit_code == 2 and "choose one of" in result.stderr


def test_broken_cards_give_file_line_and_the_rest_still_list(kb_repo: KbRepo):
    kb_repo.write("ok.md", "---\ntitle: Fine\nowner: ana\nverified_at: 2026-11-01\n---\n")
    kb_repo.write("yaml.md", "---\ntitle: Broken\nowner: ana: bo\n---\n")
    kb_repo.write("date.md", "---\ntitle: Dated\nverified_at: yesterday-ish\n---\n")
    kb_repo.write("type.md", "---\ntitle: Typed\n\ntags:\n  nested: map\n---\n")
    result = run_kb("--today", TODAY, "list", cwd=kb_repo.path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "yaml.md:3:" in result.stderr and "[yaml-syntax]" in result.stderr
    assert "date.md:3:14:" in result.stderr and "[invalid-date]" in result.stderr
    assert "type.md:4:" in result.stderr and "[invalid-field]" in result.stderr
    for title in ("Fine", "Dated", "Typed"):
        assert title in result.stdout
    listed = json.loads(run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path).stdout)
    dated = next(c for c in listed if c["path"] == "date.md")
    assert dated["trust"] == "unverified"  # fail closed


def test_list_filters_by_state_owner_tag_and_status():
    base = ("--kb", str(EXAMPLE_KB), "--today", TODAY, "list", "--json")
    everything = json.loads(run_kb(*base).stdout)
    expired = json.loads(run_kb(*base, "--state", "expired").stdout)
    assert expired and all(c["trust"] == "expired" for c in expired)
    assert len(expired) < len(everything)
    unowned = json.loads(run_kb(*base, "--state", "no-owner").stdout)
    assert unowned and all(c["owner"] is None for c in unowned)
    drafts = json.loads(run_kb(*base, "--status", "draft").stdout)
    assert drafts and all(c["status"] == "draft" for c in drafts)
    bad = run_kb(*base, "--state", "stale")
    assert bad.exit_code == 2 and "use one of" in bad.stderr


def test_show_finds_a_card_by_path_name_alias_or_title(kb_repo: KbRepo):
    kb_repo.write(
        "billing/refund.md",
        "---\ntitle: Refund duplicates\nowner: ana\n"
        "aliases: [dup-refund]\nverified_at: 2026-11-01\n---\n# Refund\n\nStep one.\n",
    )
    for ref in ("billing/refund.md", "refund", "dup-refund", "refund duplicates"):
        result = run_kb("--today", TODAY, "show", ref, cwd=kb_repo.path)
        assert result.exit_code == 0, (ref, result.output)
        assert "verified 2026-11-01" in result.stdout and "Step one." in result.stdout
    missing = run_kb("show", "nothing-like-this", cwd=kb_repo.path)
    assert missing.exit_code == 2 and "no card matches" in missing.stderr


def test_not_a_knowledge_repo_is_exit_2_with_the_fix(tmp_path: Path):
    result = run_kb("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert "kb init" in result.stderr and "Traceback" not in result.output


def test_usage_errors_exit_2(kb_repo: KbRepo):
    assert run_kb("no-such-command", cwd=kb_repo.path).exit_code == 2
    assert run_kb("--today", "tomorrow", "list", cwd=kb_repo.path).exit_code == 2


def test_config_problems_exit_2_and_are_listed_together(kb_repo: KbRepo):
    (kb_repo.path / "kb.toml").write_text('[verification]\nverify_every = "x"\nwarn_within = "y"\n')
    result = run_kb("list", cwd=kb_repo.path)
    assert result.exit_code == 2
    assert "2 problem(s)" in result.stderr


def registered_commands() -> list[tuple[tuple[str, ...], bool]]:
    """Every command path of the typer app (``("people", "suggest")``), and whether it
    is a group: derived from the app, so a new command is covered without a list."""
    import typer

    from kbcli.cli.app import app

    found: list[tuple[tuple[str, ...], bool]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if path:
            found.append((path, subcommands is not None))
        for name, sub in (subcommands or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


@pytest.mark.parametrize(
    ("path", "group"),
    registered_commands(),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else ("group" if v else "command"),
)
def test_every_command_has_help_with_an_example(path: tuple[str, ...], group: bool):
    result = run_kb(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: kb {' '.join(path)} ")
    if group:  # a group's help lists what it holds
        assert "Commands:" in result.stdout
    else:
        assert re.search(r"^  Example: .*\bkb\b", result.stdout, re.M), result.stdout


def test_the_help_test_sees_every_command_and_subcommand():
    paths = {path for path, _ in registered_commands()}
    assert {("check",), ("people", "suggest"), ("capture", "text"), ("slack", "manifest")} <= paths
    assert len(paths) >= 35


def test_version():
    from kbcli import __version__

    assert run_kb("--version").stdout.strip() == f"kb {__version__}"


def test_templates_lists_builtins_and_repo_templates():
    listed = json.loads(run_kb("--kb", str(EXAMPLE_KB), "templates", "--json").stdout)
    names = {t["name"]: t for t in listed}
    assert {"kcs", "runbook", "faq", "howto", "feature"} <= set(names)
    assert names["kcs"]["required_sections"] == ["Issue", "Environment", "Resolution"]
    assert any(t["source"] == "repo" for t in listed)


def test_schema_validates_every_example_card():
    import jsonschema
    import yaml

    schema = json.loads(run_kb("schema").stdout)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in EXAMPLE_KB.rglob("*.md"):
        if "templates" in path.parts or path.name == "README.md":
            continue
        front = path.read_text(encoding="utf-8").split("---\n")[1]
        data = json.loads(json.dumps(yaml.safe_load(front), default=str))
        assert not list(validator.iter_errors(data)), path
    errors = list(validator.iter_errors({"status": "live", "verify_every": "soon", "tags": "x"}))
    assert len(errors) == 3
